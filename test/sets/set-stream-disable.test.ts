// A push SET stream whose receiver keeps failing is disabled after 5 days (issue #13, the webhook
// rule applied to RFC 8935 push), on an injected clock, both dialects: not a moment before 5 days of
// failures, within one attempt after; the console says so and why; nothing is pushed while it is
// disabled; an admin re-enables it from the console and the SETs still pending go out. A 400 with an
// `err` (RFC 8935 §2.3) is an answer about one SET and does not count as a failing receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JSONWebKeySet } from 'jose';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, json, type TestApp } from '../support/test-app.js';
import { startSetReceiver, type SetReceiver } from '../support/set-receiver.js';
import type { SetEventSource } from '../../src/services/sets/set-streams.js';
import type { SetSourceEvent } from '../../src/scim/events/set-profile.js';
import type { TenantId } from '../../src/domain/ids.js';
import { signedIn } from '../http/console-client.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function fakeOutbox() {
  const byTenant = new Map<string, SetSourceEvent[]>();
  let n = 0;
  const source: SetEventSource = {
    async read(tenantId, cursor, limit) {
      const list = byTenant.get(tenantId) ?? [];
      const start = cursor === null ? 0 : Number(cursor);
      const events = list.slice(start, start + limit);
      return { events, cursor: String(start + events.length) };
    },
    async head(tenantId) {
      return String((byTenant.get(tenantId) ?? []).length);
    },
  };
  const emit = (tenantId: TenantId, resourceId: string) => {
    n += 1;
    const e: SetSourceEvent = { id: `evt_${String(n).padStart(6, '0')}`, type: 'user.updated', resourceType: 'User', resourceId, externalId: null, version: `W/"${n}"`, attributes: ['title'], method: 'PATCH', txn: `txn_${n}`, occurredAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() };
    byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), e]);
  };
  return { source, emit };
}

for (const dialect of DIALECTS) {
  describe(`SET push stream health [${dialect}]`, () => {
    let t: TestApp;
    let receiver: SetReceiver;
    const outbox = fakeOutbox();
    let clock = Date.parse('2026-04-01T08:00:00.000Z');
    const jwks = async (): Promise<JSONWebKeySet> => json(await t.app.inject({ method: 'GET', url: `/sets/${t.org.id}/jwks.json` })) as JSONWebKeySet;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { env: { ALLOW_PRIVATE_TARGETS: '1' }, setEventSource: outbox.source, now: () => clock });
      receiver = await startSetReceiver({ jwks, issuer: `https://wiggledesk.test/sets/${t.org.id}` });
    });
    afterAll(async () => {
      await receiver?.close();
      await t?.close();
    });

    it('is disabled after 5 days of failed pushes, says why, sends nothing, and resumes when an admin enables it', async () => {
      const { stream } = await t.services.sets.addStream(t.org.id, { push: { url: receiver.url } });
      const get = () => t.services.sets.getStream(t.org.id, stream.id);

      // 400 + err: the receiver answered (about that SET) — healthy, not failing.
      receiver.respond(() => ({ status: 400, body: JSON.stringify({ err: 'invalid_request', description: 'no' }) }));
      outbox.emit(t.org.id, 'u-rejected');
      expect(await t.services.sets.runOnce()).toBe(1);
      expect((await get()).failingSince).toBeNull();

      receiver.respond(() => ({ status: 503 }));
      const firstFailure = clock;
      let n = 0;
      let disabledAt: number | undefined;
      // One hour at a time; a change (another subject, so it never waits behind a retry) every 2 hours.
      while (clock - firstFailure <= 6 * DAY) {
        if ((clock - firstFailure) % (2 * HOUR) === 0) outbox.emit(t.org.id, `u${n++}`);
        await t.services.sets.runOnce();
        const s = await get();
        if (!s.enabled) {
          disabledAt = clock;
          break;
        }
        expect(s.failingSince).toBe(new Date(firstFailure).toISOString());
        clock += HOUR;
      }
      expect(disabledAt).toBeDefined();
      expect(disabledAt! - firstFailure).toBeGreaterThanOrEqual(5 * DAY);
      expect(disabledAt! - firstFailure).toBeLessThanOrEqual(5 * DAY + 2 * HOUR);
      const disabled = await get();
      expect(disabled.disabledAt).toBe(new Date(disabledAt!).toISOString());
      expect(disabled.disabledReason).toMatch(/failed for 5 days/);
      expect(disabled.stats.pending).toBeGreaterThan(0);

      // Disabled: nothing is pushed, whatever happens meanwhile.
      const sent = receiver.received.length;
      outbox.emit(t.org.id, 'while-disabled');
      clock += DAY;
      expect(await t.services.sets.runOnce()).toBe(0);
      expect(receiver.received.length).toBe(sent);

      // The console says so and why, and re-enables it (CSRF-protected form, admins only).
      const c = await signedIn(t, t.org);
      const page = await c.get('/console/set-streams');
      expect(page.body).toContain('Disabled');
      expect(page.body).toContain('failed for 5 days');
      expect(page.body).toContain(`/console/set-streams/${stream.id}/enable`);
      expect((await c.post(`/console/set-streams/${stream.id}/enable`, {}, { csrf: false })).statusCode).toBe(403);
      receiver.respond(() => ({ status: 202 }));
      const enabled = await c.post(`/console/set-streams/${stream.id}/enable`, {});
      expect(enabled.statusCode).toBe(303);
      expect((await c.get(enabled.headers.location as string)).body).toContain('The stream was enabled');
      const again = await get();
      expect(again).toMatchObject({ enabled: true, failingSince: null, disabledReason: null, disabledAt: null });

      // The pending SETs (and the change made while it was disabled) go out now.
      const pending = again.stats.pending;
      expect(pending).toBeGreaterThan(0);
      let pushed = 0;
      for (let i = 0; i < 10 && (await get()).stats.pending > 0; i++) {
        clock += DAY; // past any retry still scheduled
        pushed += await t.services.sets.runOnce();
      }
      expect((await get()).stats.pending).toBe(0);
      expect(pushed).toBeGreaterThanOrEqual(pending);
      expect(receiver.received.some((r) => JSON.stringify(r).includes('while-disabled'))).toBe(true);
    }, 120_000);
  });
}
