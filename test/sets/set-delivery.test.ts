// SET streams over a controlled outbox (both dialects): push per RFC 8935 to a receiver that verifies
// every JWS against our JWKS with jose; 400 + err recorded and not retried; retry timing on an
// injected clock; per-subject order while retrying; RFC 8936 poll with ack, setErrs and redelivery;
// key rotation; two instances deliver each SET once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JSONWebKeySet } from 'jose';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, json, type TestApp } from '../support/test-app.js';
import { startSetReceiver, type SetReceiver } from '../support/set-receiver.js';
import type { SetEventSource } from '../../src/services/sets/set-streams.js';
import type { SetSourceEvent } from '../../src/scim/events/set-profile.js';
import type { TenantId } from '../../src/domain/ids.js';
import { compose } from '../../src/compose.js';
import { createSetStreamService } from '../../src/services/sets/set-streams.js';
import { createSetStreamsRepo } from '../../src/storage/kysely/set-streams-repo.js';
import { DEFAULT_OUTBOUND_POLICY } from '../../src/outbound/outbound-request.js';

/** An outbox stand-in: events per tenant, the cursor is the index after the last one read. */
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
  const emit = (tenantId: TenantId, e: Partial<SetSourceEvent> & Pick<SetSourceEvent, 'type' | 'resourceId'>) => {
    n += 1;
    const full: SetSourceEvent = {
      id: `evt_${String(n).padStart(6, '0')}`,
      resourceType: e.type.startsWith('group.') ? 'Group' : 'User',
      externalId: null,
      version: `W/"${n}"`,
      attributes: [],
      method: 'PATCH',
      txn: `txn_${n}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      ...e,
    };
    const list = byTenant.get(tenantId) ?? [];
    list.push(full);
    byTenant.set(tenantId, list);
    return full;
  };
  return { source, emit };
}

for (const dialect of DIALECTS) {
  describe(`SET streams [${dialect}]`, () => {
    let t: TestApp;
    let receiver: SetReceiver;
    const outbox = fakeOutbox();
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const jwks = async (): Promise<JSONWebKeySet> => json(await t.app.inject({ method: 'GET', url: `/sets/${t.org.id}/jwks.json` })) as JSONWebKeySet;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { env: { ALLOW_PRIVATE_TARGETS: '1' }, setEventSource: outbox.source, now: () => clock });
      receiver = await startSetReceiver({ jwks, issuer: `https://wiggledesk.test/sets/${t.org.id}` });
    });
    afterAll(async () => {
      await receiver?.close();
      await t?.close();
    });
    afterEach(async () => {
      for (const s of await t.services.sets.listStreams(t.org.id)) await t.services.sets.removeStream(t.org.id, s.id);
      receiver.received.length = 0;
      receiver.respond(() => ({ status: 202 }));
    });

    it('pushes signed SETs (RFC 8935) that verify against the JWKS, in order, with sub_id, txn and the RFC 9967 URIs', async () => {
      const { stream } = await t.services.sets.addStream(t.org.id, { push: { url: receiver.url, authorization: 'Bearer receiver-token' } });
      expect(stream.audience).toBe(receiver.url);
      outbox.emit(t.org.id, { type: 'user.created', resourceId: 'u1', externalId: 'alice', attributes: ['userName', 'emails'], method: 'POST', txn: 'act_1' });
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'u1', externalId: 'alice', attributes: ['displayName'], method: 'PUT' });
      outbox.emit(t.org.id, { type: 'user.deactivated', resourceId: 'u1', externalId: 'alice', attributes: ['active'] });
      outbox.emit(t.org.id, { type: 'user.reactivated', resourceId: 'u1', externalId: 'alice', attributes: ['active'] });
      outbox.emit(t.org.id, { type: 'user.deleted', resourceId: 'u1', externalId: 'alice', version: null, method: 'DELETE' });
      expect(await t.services.sets.runOnce()).toBe(5);

      expect(receiver.received).toHaveLength(5);
      for (const r of receiver.received) {
        expect(r.error).toBeUndefined();
        expect(r.contentType).toBe('application/secevent+jwt');
        expect(r.authorization).toBe('Bearer receiver-token');
        expect(r.header).toMatchObject({ alg: 'ES256', typ: 'secevent+jwt' });
        expect(r.claims!.aud).toBe(receiver.url);
        expect(r.claims!['sub']).toBeUndefined();
        expect(r.claims!['sub_id']).toEqual({ format: 'scim', uri: '/Users/u1', externalId: 'alice' });
      }
      const events = receiver.received.map((r) => r.claims!['events']);
      expect(events).toEqual([
        { 'urn:ietf:params:scim:event:prov:create:notice': { attributes: ['id', 'userName', 'emails'], version: 'W/"1"' } },
        { 'urn:ietf:params:scim:event:prov:put:notice': { attributes: ['displayName'], version: 'W/"2"' } },
        { 'urn:ietf:params:scim:event:prov:patch:notice': { attributes: ['active'], version: 'W/"3"' }, 'urn:ietf:params:scim:event:prov:deactivate': {} },
        { 'urn:ietf:params:scim:event:prov:patch:notice': { attributes: ['active'], version: 'W/"4"' }, 'urn:ietf:params:scim:event:prov:activate': {} },
        { 'urn:ietf:params:scim:event:prov:delete': {} },
      ]);
      expect(receiver.received[0]!.claims!['txn']).toBe('act_1');
      expect(new Set(receiver.received.map((r) => r.claims!.jti)).size).toBe(5);
      const [listed] = await t.services.sets.listStreams(t.org.id);
      expect(listed!.stats).toEqual({ pending: 0, delivered: 5, failed: 0 });
      // Nothing more to do: a second round sends nothing.
      expect(await t.services.sets.runOnce()).toBe(0);
    });

    it('a stream starts at the end of the outbox and only gets the URIs it asked for', async () => {
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'old', attributes: ['title'] });
      await t.services.sets.addStream(t.org.id, { push: { url: receiver.url }, eventUris: ['urn:ietf:params:scim:event:prov:deactivate'] });
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'u2', attributes: ['title'] });
      outbox.emit(t.org.id, { type: 'user.deactivated', resourceId: 'u2', attributes: ['active'] });
      await t.services.sets.runOnce();
      expect(receiver.received.map((r) => r.claims!['events'])).toEqual([{ 'urn:ietf:params:scim:event:prov:deactivate': {} }]);
    });

    it('400 with an err code is recorded and not retried (RFC 8935 §2.3); other failures retry on the schedule', async () => {
      const { stream } = await t.services.sets.addStream(t.org.id, { push: { url: receiver.url } });
      receiver.respond((s) =>
        (s.claims!['sub_id'] as { uri: string }).uri === '/Users/bad' ? { status: 400, body: '{"err":"invalid_audience","description":"not for us"}' } : { status: 503, headers: { 'retry-after': '60' } },
      );
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'bad', attributes: ['title'] });
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'flaky', attributes: ['title'] });
      expect(await t.services.sets.runOnce()).toBe(2);
      const rows = await t.services.sets.deliveries(t.org.id, stream.id);
      const bad = rows.find((r) => r.subject === '/Users/bad')!;
      expect(bad).toMatchObject({ status: 'failed', attempts: 1, lastStatus: 400, lastError: 'invalid_audience', lastDescription: 'not for us' });
      const flaky = rows.find((r) => r.subject === '/Users/flaky')!;
      expect(flaky).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 503, lastError: 'http_503' });
      // Retry-After (60 s) wins over the first backoff step (about 5 s).
      expect(Date.parse(flaky.nextAttemptAt) - clock).toBe(60_000);

      clock += 30_000;
      expect(await t.services.sets.runOnce()).toBe(0);
      receiver.respond(() => ({ status: 202 }));
      clock += 31_000;
      expect(await t.services.sets.runOnce()).toBe(1);
      clock += 48 * 3600_000;
      expect(await t.services.sets.runOnce()).toBe(0);
      expect(receiver.received.filter((r) => (r.claims!['sub_id'] as { uri: string }).uri === '/Users/bad')).toHaveLength(1);
      expect((await t.services.sets.getStream(t.org.id, stream.id)).stats).toEqual({ pending: 0, delivered: 1, failed: 1 });
    });

    it('retries back off about 5 s, 5 min, … and a later SET about the same resource waits; others do not', async () => {
      const { stream } = await t.services.sets.addStream(t.org.id, { push: { url: receiver.url } });
      receiver.respond((s) => ((s.claims!['sub_id'] as { uri: string }).uri === '/Users/x' ? { status: 500 } : { status: 202 }));
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'x', attributes: ['title'] });
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'x', attributes: ['nickName'] });
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'y', attributes: ['title'] });
      expect(await t.services.sets.runOnce()).toBe(2); // x#1 and y; x#2 waits behind x#1
      const uris = () => receiver.received.map((r) => `${(r.claims!['sub_id'] as { uri: string }).uri}:${JSON.stringify((r.claims!['events'] as Record<string, { attributes: string[] }>)['urn:ietf:params:scim:event:prov:patch:notice']!.attributes)}`);
      expect(uris().sort()).toEqual(['/Users/x:["title"]', '/Users/y:["title"]']);
      const first = (await t.services.sets.deliveries(t.org.id, stream.id)).find((r) => r.subject === '/Users/x' && r.attempts === 1)!;
      const delay = Date.parse(first.nextAttemptAt) - clock;
      expect(delay).toBeGreaterThanOrEqual(4_500);
      expect(delay).toBeLessThanOrEqual(5_500);
      clock += 5_600;
      expect(await t.services.sets.runOnce()).toBe(1); // x#1 again (fails); x#2 still waits
      const second = (await t.services.sets.deliveries(t.org.id, stream.id)).find((r) => r.subject === '/Users/x' && r.attempts === 2)!;
      const delay2 = Date.parse(second.nextAttemptAt) - clock;
      expect(delay2).toBeGreaterThanOrEqual(270_000);
      expect(delay2).toBeLessThanOrEqual(330_000);
      receiver.respond(() => ({ status: 202 }));
      clock += 330_000;
      expect(await t.services.sets.runOnce()).toBe(2); // x#1 delivered, then x#2 in the same round
      expect(uris().slice(-2)).toEqual(['/Users/x:["title"]', '/Users/x:["nickName"]']);
    });

    it('merges the membership notices of one transaction into one SET (RFC 9967 §5)', async () => {
      await t.services.sets.addStream(t.org.id, { push: { url: receiver.url } });
      for (let i = 0; i < 100; i++) outbox.emit(t.org.id, { type: 'group.user_added', resourceId: 'g1', externalId: 'crm', txn: 'act_big', attributes: ['members'] });
      outbox.emit(t.org.id, { type: 'group.user_added', resourceId: 'g1', txn: 'act_next', attributes: ['members'] });
      await t.services.sets.runOnce();
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[0]!.claims!['sub_id']).toEqual({ format: 'scim', uri: '/Groups/g1', externalId: 'crm' });
      expect(receiver.received.map((r) => r.claims!['txn'])).toEqual(['act_big', 'act_next']);
    });

    it('poll (RFC 8936): maxEvents, moreAvailable, redelivery until ack, setErrs, auth and bad requests', async () => {
      const { stream, pollToken } = await t.services.sets.addStream(t.org.id, { poll: true });
      expect(pollToken).toMatch(/^wdset_/);
      const poll = (body: unknown, token: string | null = pollToken) =>
        t.app.inject({ method: 'POST', url: `/sets/streams/${stream.id}/poll`, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: JSON.stringify(body) });
      for (const id of ['p1', 'p2', 'p3']) outbox.emit(t.org.id, { type: 'user.updated', resourceId: id, attributes: ['title'] });

      const r1 = await poll({ maxEvents: 2, returnImmediately: true });
      expect(r1.statusCode).toBe(200);
      expect(r1.headers['content-type']).toMatch(/^application\/json/);
      const b1 = json(r1);
      expect(Object.keys(b1.sets)).toHaveLength(2);
      expect(b1.moreAvailable).toBe(true);
      const { createLocalJWKSet, jwtVerify } = await import('jose');
      const keys = createLocalJWKSet(await jwks());
      const verified = await Promise.all(Object.entries(b1.sets as Record<string, string>).map(async ([jti, jws]) => ({ jti, claims: (await jwtVerify(jws, keys, { typ: 'secevent+jwt', audience: stream.pollUrl! })).payload })));
      for (const v of verified) expect(v.claims.jti).toBe(v.jti);
      expect(verified.map((v) => (v.claims['sub_id'] as { uri: string }).uri)).toEqual(['/Users/p1', '/Users/p2']);

      // Not acknowledged: the same SETs again.
      const b2 = json(await poll({ maxEvents: 2, returnImmediately: true }));
      expect(Object.keys(b2.sets)).toEqual(Object.keys(b1.sets));

      // Acknowledge both: the third comes, nothing more.
      const b3 = json(await poll({ ack: Object.keys(b1.sets), maxEvents: 2, returnImmediately: true }));
      expect(Object.keys(b3.sets)).toHaveLength(1);
      expect(b3.moreAvailable).toBe(false);
      const third = Object.keys(b3.sets)[0]!;

      // setErrs settles it too (recorded), and maxEvents 0 only acknowledges.
      const b4 = json(await poll({ setErrs: { [third]: { err: 'invalid_key', description: 'unknown kid' } }, maxEvents: 0 }));
      expect(b4.sets).toEqual({});
      const rows = await t.services.sets.deliveries(t.org.id, stream.id);
      expect(rows.find((r) => r.jti === third)).toMatchObject({ status: 'failed', lastError: 'invalid_key', lastDescription: 'unknown kid' });
      expect(json(await poll({ returnImmediately: true }))).toEqual({ sets: {}, moreAvailable: false });

      const unauth = await poll({ returnImmediately: true }, 'wdset_wrong');
      expect(unauth.statusCode).toBe(401);
      expect(unauth.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(json(unauth).err).toBe('authentication_failed');
      expect((await poll({ returnImmediately: true }, null)).statusCode).toBe(401);
      const bad = await poll({ maxEvents: 'ten' });
      expect(bad.statusCode).toBe(400);
      expect(json(bad)).toMatchObject({ err: 'invalid_request', description: expect.stringContaining('maxEvents') });
      // Not JSON, an empty JSON body, a wrong media type: RFC 8936 §2.4 error bodies, never a 500.
      for (const [ct, payload] of [['application/json', '{"ack": ['], ['application/json', ''], ['text/plain', 'hello']] as const) {
        const r = await t.app.inject({ method: 'POST', url: `/sets/streams/${stream.id}/poll`, headers: { authorization: `Bearer ${pollToken}`, 'content-type': ct }, payload });
        expect(r.statusCode).toBeGreaterThanOrEqual(400);
        expect(r.statusCode).toBeLessThan(500);
        expect(json(r).err).toBe('invalid_request');
      }
      // A push stream cannot be polled.
      const { stream: push } = await t.services.sets.addStream(t.org.id, { push: { url: receiver.url } });
      expect((await t.app.inject({ method: 'POST', url: `/sets/streams/${push.id}/poll`, headers: { authorization: `Bearer ${pollToken}` }, payload: {} })).statusCode).toBe(401);
    });

    it('long poll (returnImmediately false) answers as soon as a SET is there', async () => {
      const { stream, pollToken } = await t.services.sets.addStream(t.org.id, { poll: true });
      const pending = t.app.inject({ method: 'POST', url: `/sets/streams/${stream.id}/poll`, headers: { authorization: `Bearer ${pollToken}`, 'content-type': 'application/json' }, payload: '{}' });
      setTimeout(() => outbox.emit(t.org.id, { type: 'user.deleted', resourceId: 'late', version: null }), 200);
      const b = json(await pending);
      expect(Object.values(b.sets as Record<string, string>)).toHaveLength(1);
    });

    it('key rotation: new SETs carry the new kid; the old key stays published', async () => {
      const before = (await jwks()).keys.map((k) => k.kid);
      const { kid } = await t.services.sets.rotateKey(t.org.id);
      const after = (await jwks()).keys.map((k) => k.kid);
      expect(after).toContain(kid);
      for (const k of before) expect(after).toContain(k);
      await t.services.sets.addStream(t.org.id, { push: { url: receiver.url } });
      outbox.emit(t.org.id, { type: 'user.updated', resourceId: 'r1', attributes: ['title'] });
      await t.services.sets.runOnce();
      expect(receiver.received[0]!.header.kid).toBe(kid);
      expect(receiver.received[0]!.error).toBeUndefined();
      // Another organisation's JWKS does not hold this key: a receiver of one org cannot be fooled by another's SETs.
      const other = await t.newTenant();
      await t.services.sets.addStream(other.org.id, { poll: true });
      const otherKeys = json(await t.app.inject({ method: 'GET', url: `/sets/${other.org.id}/jwks.json` })).keys as Array<{ kid: string }>;
      expect(otherKeys).toHaveLength(1);
      expect(after).not.toContain(otherKeys[0]!.kid);
      expect(json(await t.app.inject({ method: 'GET', url: '/sets/no-such-org/jwks.json' }))).toEqual({ keys: [] });
    });

    it('refuses bad stream settings with a clear message', async () => {
      await expect(t.services.sets.addStream(t.org.id, {})).rejects.toThrow(/either push .* or poll/);
      await expect(t.services.sets.addStream(t.org.id, { push: { url: 'ftp://x.example' } })).rejects.toThrow(/Push endpoint refused: only https/);
      await expect(t.services.sets.addStream(t.org.id, { poll: true, eventUris: ['urn:ietf:params:scim:event:prov:create:full'] })).rejects.toThrow(/Unknown event URI/);
      await expect(t.services.sets.addStream(t.org.id, { push: { url: receiver.url, authorization: 'Bearer a\r\nX-Evil: 1' } })).rejects.toThrow(/single non-empty line/);
    });

    it('two instances on one database deliver each SET once', async () => {
      // PostgreSQL: a second composition (its own pool) races for real. SQLite: one process cannot hold two
      // writers (better-sqlite3 waits synchronously), so the second instance shares the connection and
      // the race is between interleaved rounds — what leases and claims must keep apart either way.
      const second =
        dialect === 'postgres'
          ? await compose(t.config, { setEventSource: outbox.source, now: () => clock })
          : {
              services: {
                sets: createSetStreamService({
                  store: createSetStreamsRepo(t.composition.db.db, 'sqlite'),
                  source: outbox.source,
                  baseUrl: 'https://wiggledesk.test',
                  outbound: { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: true },
                  now: () => new Date(clock),
                }),
              },
              close: async () => {},
            };
      try {
        await t.services.sets.addStream(t.org.id, { push: { url: receiver.url } });
        for (let i = 0; i < 60; i++) outbox.emit(t.org.id, { type: 'user.updated', resourceId: `m${i}`, attributes: ['title'] });
        await Promise.all([t.services.sets.runOnce(), second.services.sets.runOnce(), t.services.sets.runOnce(), second.services.sets.runOnce()]);
        await Promise.all([t.services.sets.runOnce(), second.services.sets.runOnce()]);
        const subjects = receiver.received.map((r) => (r.claims!['sub_id'] as { uri: string }).uri);
        expect(subjects).toHaveLength(60);
        expect(new Set(subjects).size).toBe(60);
      } finally {
        await second.close();
      }
    });

    it("a deleted organisation's SETs are never delivered (its streams, keys and SETs cascade with it)", async () => {
      const other = await t.newTenant();
      const { stream } = await t.services.sets.addStream(other.org.id, { push: { url: receiver.url } });
      outbox.emit(other.org.id, { type: 'user.updated', resourceId: 'gone', attributes: ['title'] });
      receiver.respond(() => ({ status: 500 }));
      await t.services.sets.runOnce();
      expect(receiver.received).toHaveLength(1);
      await t.composition.db.db.deleteFrom('organizations').where('id', '=', other.org.id).execute();
      receiver.respond(() => ({ status: 202 }));
      clock += 3600_000;
      expect(await t.services.sets.runOnce()).toBe(0);
      expect(receiver.received).toHaveLength(1);
      await expect(t.services.sets.getStream(other.org.id, stream.id)).rejects.toThrow(/No SET stream/);
      expect(json(await t.app.inject({ method: 'GET', url: `/sets/${other.org.id}/jwks.json` }))).toEqual({ keys: [] });
    });

    it('ServiceProviderConfig advertises securityEvents with the URIs emitted (RFC 9967 §4)', async () => {
      const spc = json(await t.scim.get('/ServiceProviderConfig'));
      expect(spc.securityEvents).toEqual({
        asyncRequest: 'none',
        eventUris: [
          'urn:ietf:params:scim:event:prov:create:notice',
          'urn:ietf:params:scim:event:prov:patch:notice',
          'urn:ietf:params:scim:event:prov:put:notice',
          'urn:ietf:params:scim:event:prov:delete',
          'urn:ietf:params:scim:event:prov:activate',
          'urn:ietf:params:scim:event:prov:deactivate',
        ],
      });
    });
  });
}
