// Webhooks (issue #13): Standard Webhooks v1 deliveries verified with the `standardwebhooks`
// package, at-least-once with the retry schedule on an injected clock (no sleeps), per-resource
// ordering, 410 / Retry-After / 5-day disabling, secret rotation, replay, two instances sharing
// the work, and a deleted organisation's events not delivered.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, json, PATCH_OP, USER_SCHEMA, type TestApp } from '../support/test-app.js';
import { startReceiver, verifyWith, type Receiver } from '../support/webhook-receiver.js';
import { compose, type Composition } from '../../src/compose.js';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../src/services/webhooks/delivery.js';
import { EVENT_ID_PATTERN } from '../../src/services/events/event-id.js';

const START = Date.parse('2026-06-01T08:00:00.000Z');

for (const dialect of DIALECTS) {
  describe(`Webhooks [${dialect}]`, () => {
    let clock = START;
    let t: TestApp;
    let rx: Receiver;
    let n = 0;
    const uniq = () => `wh.${Date.now().toString(36)}.${n++}@hooks.example`;

    beforeAll(async () => {
      // random() = 0.5: jitter factor exactly 1, so retry times are the schedule itself.
      t = await buildTestApp(dialect, { env: { ALLOW_PRIVATE_TARGETS: '1' }, now: () => clock, random: () => 0.5 });
    });
    afterAll(async () => {
      await t.close();
    });
    beforeEach(async () => {
      rx = await startReceiver();
    });
    afterEach(async () => {
      await rx.close();
      // Each test starts with no endpoints (and so no deliveries).
      const store = t.services.platform.forTenant(t.org.id);
      for (const e of await t.services.events.webhooks.list(store)) await t.services.events.webhooks.remove(store, e.id);
    });

    const store = () => t.services.platform.forTenant(t.org.id);
    const webhooks = () => t.services.events.webhooks;
    const run = () => t.services.events.delivery.runOnce();
    /** Rounds until nothing is due (a bounded loop, no sleeping). */
    const drain = async () => {
      for (let i = 0; i < 50; i++) if ((await run()) === 0) return;
      throw new Error('deliveries never settled');
    };
    const addHook = (eventTypes?: string) => webhooks().add(store(), { url: rx.url, eventTypes, createdBy: null });
    async function postUser(): Promise<string> {
      const r = await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq(), displayName: 'Hook' });
      expect(r.statusCode, r.body).toBe(201);
      return json(r).id as string;
    }
    const rename = (id: string, displayName: string) => t.scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: displayName }] });

    it('delivers each event once, signed per Standard Webhooks v1 (verified with standardwebhooks); body and id match the Events API', async () => {
      const { endpoint, secret } = await addHook();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(endpoint.url).toBe(rx.url);
      const id = await postUser();
      expect(await run()).toBe(1);
      await drain();
      expect(rx.received).toHaveLength(1);
      const got = rx.received[0]!;
      expect(got.id).toMatch(EVENT_ID_PATTERN);
      expect(got.timestamp).toBe(Math.floor(clock / 1000));
      expect(got.headers['content-type']).toBe('application/json');
      expect(verifyWith(secret, got)).toEqual(got.json);
      // A tampered body or another secret does not verify.
      expect(() => verifyWith(secret, { ...got, body: got.body.replace('Hook', 'Hack') })).toThrow();
      expect(() => verifyWith('whsec_' + Buffer.alloc(32, 1).toString('base64'), got)).toThrow();
      expect(Object.keys(got.json)).toEqual(['type', 'timestamp', 'data']);
      expect(got.json.type).toBe('user.created');
      expect(got.json.data.resource).toEqual({ type: 'User', id, externalId: null, version: 'W/"1"' });

      // The same event through the Events API: same id, type, timestamp, data.
      const { key } = await t.services.apiKeys.create(store(), { name: `events ${n++}`, createdBy: null, scopes: ['events:read'] });
      const page = json(await t.app.inject({ method: 'GET', url: '/api/v1/events?types=user.created&limit=100', headers: { authorization: `Bearer ${key}` } }));
      const same = page.data.find((e: { id: string }) => e.id === got.id);
      expect(same).toEqual({ id: got.id, ...got.json });

      // Delivered: nothing more is sent.
      expect(await run()).toBe(0);
      const log = await webhooks().deliveries(store(), endpoint.id);
      expect(log[0]).toMatchObject({ eventId: got.id, eventType: 'user.created', status: 'succeeded', attempts: 1, lastStatus: 204 });
    });

    it('event filter: only the chosen types are delivered', async () => {
      await addHook('user.deactivated,group.created');
      const id = await postUser();
      await rename(id, 'x');
      await t.scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
      await drain();
      expect(rx.received.map((r) => r.json.type)).toEqual(['user.deactivated']);
    });

    it('receiver down, then back: retries on the schedule (5 s, 5 min, …) with the same webhook-id; it gets every event', async () => {
      const { endpoint, secret } = await addHook();
      let up = false;
      rx.respond = () => ({ status: up ? 200 : 503 });
      const ids = [await postUser(), await postUser(), await postUser()];
      expect(await run()).toBe(3);
      expect(rx.received).toHaveLength(3);
      // Not due before 5 s.
      clock += RETRY_DELAYS_MS[0] - 1000;
      expect(await run()).toBe(0);
      clock += 2000;
      expect(await run()).toBe(3);
      // Second failure: next in 5 minutes.
      clock += RETRY_DELAYS_MS[1] - 1000;
      expect(await run()).toBe(0);
      up = true;
      clock += 2000;
      expect(await run()).toBe(3);
      await drain();
      const firstIds = rx.received.slice(0, 3).map((r) => r.id);
      const delivered = rx.received.slice(6);
      expect(delivered.map((r) => r.id)).toEqual(firstIds);
      expect(new Set(delivered.map((r) => r.json.data.resource.id))).toEqual(new Set(ids));
      for (const r of rx.received) expect(verifyWith(secret, r)).toBeTruthy();
      const log = await webhooks().deliveries(store(), endpoint.id);
      expect(log.every((d) => d.status === 'succeeded' && d.attempts === 3)).toBe(true);
      // The endpoint recovered: no failure clock.
      expect((await webhooks().get(store(), endpoint.id)).failingSince).toBeNull();
    });

    it('per resource order: a later event of user X waits while an earlier one is retried; user Y does not wait', async () => {
      await addHook();
      const x = await postUser();
      const y = await postUser();
      await drain();
      rx.received.length = 0;
      let failX = true;
      rx.respond = (r) => ({ status: r.json.data.resource.id === x && failX ? 500 : 200 });
      await rename(x, 'X1');
      await rename(x, 'X2');
      await rename(y, 'Y1');
      await run();
      // X1 failed, X2 was not sent; Y1 went out.
      expect(rx.received.map((r) => [r.json.data.resource.id, r.json.data.user.displayName])).toEqual(
        expect.arrayContaining([
          [x, 'X1'],
          [y, 'Y1'],
        ]),
      );
      expect(rx.received).toHaveLength(2);
      clock += RETRY_DELAYS_MS[0] + 1000;
      await run();
      expect(rx.received.map((r) => r.json.data.user.displayName)).not.toContain('X2');
      failX = false;
      clock += RETRY_DELAYS_MS[1] + 1000;
      await drain();
      const xs = rx.received.filter((r) => r.json.data.resource.id === x).map((r) => r.json.data.user.displayName);
      expect(xs).toEqual(['X1', 'X1', 'X1', 'X2']);
    });

    it('after the last attempt a delivery is failed, and later events of that resource go out', async () => {
      const { endpoint } = await addHook();
      const x = await postUser();
      rx.respond = () => ({ status: 500 });
      await run();
      for (const delay of RETRY_DELAYS_MS) {
        clock += delay * 1.2;
        await run();
      }
      expect(rx.received).toHaveLength(MAX_ATTEMPTS);
      clock += 48 * 3600_000;
      expect(await run()).toBe(0);
      const [d] = await webhooks().deliveries(store(), endpoint.id);
      expect(d).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, lastStatus: 500 });
      rx.respond = () => ({ status: 200 });
      await rename(x, 'after');
      await drain();
      expect(rx.received.at(-1)!.json.data.user.displayName).toBe('after');
    });

    it('429 and 503 honour Retry-After; 3xx is a failure', async () => {
      const { endpoint } = await addHook();
      rx.respond = () => ({ status: 429, headers: { 'retry-after': '120' } });
      await postUser();
      await run();
      let [d] = await webhooks().deliveries(store(), endpoint.id);
      expect(d!.nextAttemptAt).toBe(new Date(clock + 120_000).toISOString());
      clock += 121_000;
      rx.respond = () => ({ status: 503, headers: { 'retry-after': new Date(clock + 600_000).toUTCString() } });
      await run();
      [d] = await webhooks().deliveries(store(), endpoint.id);
      expect(Math.abs(Date.parse(d!.nextAttemptAt) - (clock + 600_000))).toBeLessThan(1000);
      clock += 601_000;
      rx.respond = () => ({ status: 301, headers: { location: 'https://elsewhere.example/' } });
      await run();
      [d] = await webhooks().deliveries(store(), endpoint.id);
      expect(d).toMatchObject({ status: 'pending', lastStatus: 301, attempts: 3 });
    });

    it('410 Gone disables the endpoint; re-enabling resumes the pending deliveries', async () => {
      const { endpoint } = await addHook();
      rx.respond = () => ({ status: 410 });
      await postUser();
      await run();
      const off = await webhooks().get(store(), endpoint.id);
      expect(off.enabled).toBe(false);
      expect(off.disabledReason).toMatch(/410/);
      await postUser();
      clock += 3600_000;
      expect(await run()).toBe(0);
      rx.respond = () => ({ status: 200 });
      await webhooks().setEnabled(store(), endpoint.id, true);
      await drain();
      expect(rx.received.filter((r) => r.headers['webhook-id'] !== undefined)).toHaveLength(3);
    });

    it('an endpoint failing for 5 days is disabled and says why', async () => {
      const { endpoint } = await addHook();
      rx.respond = () => ({ status: 500 });
      await postUser();
      await run();
      expect((await webhooks().get(store(), endpoint.id)).failingSince).toBe(new Date(clock).toISOString());
      clock += 5 * 24 * 3600_000 + 1000;
      await postUser();
      await drain();
      const e = await webhooks().get(store(), endpoint.id);
      expect(e.enabled).toBe(false);
      expect(e.disabledReason).toMatch(/5 days/);
    });

    it('secret rotation: both secrets sign during the overlap, only the new one after it', async () => {
      const { endpoint, secret: old } = await addHook();
      const { secret: fresh, previousValidUntil } = await webhooks().rotateSecret(store(), endpoint.id, 1);
      expect(fresh).not.toBe(old);
      expect(previousValidUntil).toBe(new Date(clock + 3600_000).toISOString());
      expect((await webhooks().get(store(), endpoint.id)).rotating).toBe(true);
      await postUser();
      await drain();
      const during = rx.received.at(-1)!;
      expect(during.signature.split(' ')).toHaveLength(2);
      expect(verifyWith(old, during)).toBeTruthy();
      expect(verifyWith(fresh, during)).toBeTruthy();
      clock += 3600_000 + 1000;
      await postUser();
      await drain();
      const after = rx.received.at(-1)!;
      expect(after.signature.split(' ')).toHaveLength(1);
      expect(verifyWith(fresh, after)).toBeTruthy();
      expect(() => verifyWith(old, after)).toThrow();
    });

    it('replay of one event and of a time range re-sends with the same webhook-id', async () => {
      const { endpoint } = await addHook();
      const t0 = new Date().toISOString();
      await postUser();
      await postUser();
      await drain();
      expect(rx.received).toHaveLength(2);
      const first = rx.received[0]!.id;
      expect(await webhooks().replayEvent(store(), endpoint.id, first)).toBe(1);
      await drain();
      expect(rx.received.at(-1)!.id).toBe(first);
      expect(await webhooks().replayRange(store(), endpoint.id, t0, new Date(Date.now() + 1000).toISOString())).toBe(2);
      await drain();
      expect(rx.received.slice(3).map((r) => r.id)).toEqual(rx.received.slice(0, 2).map((r) => r.id));
      await expect(webhooks().replayEvent(store(), endpoint.id, 'evt_nope')).rejects.toThrow(/No event/);
    });

    it('URLs must be https on a public address unless ALLOW_PRIVATE_TARGETS; unknown event types are refused', async () => {
      await expect(webhooks().add(store(), { url: 'ftp://x.example/', createdBy: null })).rejects.toThrow(/https/);
      await expect(webhooks().add(store(), { url: rx.url, eventTypes: 'user.exploded', createdBy: null })).rejects.toThrow(/Unknown event type/);
    });

    // SQLite's driver is synchronous: two connections in one process would wait on each other's
    // lock with the event loop blocked. Two SQLite processes: webhooks-processes.test.ts; SIGKILL: webhook-crash.test.ts.
    // PostgreSQL only: two SQLite writers in one process block each other (the synchronous driver).
    if (dialect === 'postgres') it('two instances on one database share the work (FOR UPDATE SKIP LOCKED) and deliver no event twice', async () => {
      const second: Composition = await compose(t.config, { migrate: false, now: () => clock, random: () => 0.5 });
      try {
        await addHook();
        const ids = await Promise.all(Array.from({ length: 40 }, () => postUser()));
        for (let i = 0; i < 10; i++) await Promise.all([run(), second.services.events.delivery.runOnce()]);
        const counts = new Map<string, number>();
        for (const r of rx.received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
        expect(counts.size).toBe(ids.length);
        expect([...counts.values()].every((c) => c === 1)).toBe(true);
      } finally {
        await second.close();
      }
    });

    it("a deleted organisation's events are not delivered", async () => {
      await addHook();
      const other = await t.newTenant();
      const otherStore = t.services.platform.forTenant(other.org.id);
      await webhooks().add(otherStore, { url: rx.url, createdBy: null });
      rx.respond = () => ({ status: 500 });
      await other.scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq() });
      await run();
      const before = rx.received.length;
      expect(before).toBe(1);
      await other.scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq() });
      await t.composition.db.db.deleteFrom('organizations').where('id', '=', other.org.id).execute();
      rx.respond = () => ({ status: 200 });
      clock += 3600_000;
      await drain();
      expect(rx.received.length).toBe(before);
    });
  });
}
