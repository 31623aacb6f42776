// SET streams fed by the real outbox (both dialects): SCIM writes → outbox rows in the same
// transaction → SETs pushed to a receiver that verifies each against the organisation's JWKS with
// jose, and handed out by poll. The RFC 9967 mapping of every kind of change, txn per request,
// PUT vs PATCH, membership aggregation, a refused write leaves no SET.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { JSONWebKeySet } from 'jose';
import { describeEachDialect } from '../support/each-dialect.js';
import { json, PATCH_OP, USER_SCHEMA, GROUP_SCHEMA } from '../support/test-app.js';
import { startSetReceiver, type SetReceiver } from '../support/set-receiver.js';

const P = 'urn:ietf:params:scim:event:prov:';

describeEachDialect(
  'SET streams over the outbox',
  (t) => {
    let receiver: SetReceiver;
    const jwks = async (): Promise<JSONWebKeySet> => json(await t().app.inject({ method: 'GET', url: `/sets/${t().org.id}/jwks.json` })) as JSONWebKeySet;
    const subjectOf = (c: Record<string, unknown>) => (c['sub_id'] as { uri: string }).uri;

    beforeAll(async () => {
      receiver = await startSetReceiver({ jwks, issuer: `https://wiggledesk.test/sets/${t().org.id}` });
    });
    afterAll(async () => receiver?.close());
    afterEach(async () => {
      for (const s of await t().services.sets.listStreams(t().org.id)) await t().services.sets.removeStream(t().org.id, s.id);
      receiver.received.length = 0;
    });

    it('every kind of user change becomes its RFC 9967 SET, verified, in order, txn per request', async () => {
      const { scim, services, org } = t();
      await services.sets.addStream(org.id, { push: { url: receiver.url } });
      const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'alice@contoso.test', externalId: 'alice', displayName: 'Alice' });
      expect(created.statusCode).toBe(201);
      const id = json(created).id as string;
      expect((await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Alice B' }] })).statusCode).toBe(200);
      expect((await scim.put(`/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'alice@contoso.test', externalId: 'alice', displayName: 'Alice C', title: 'CTO' })).statusCode).toBe(200);
      expect((await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })).statusCode).toBe(200);
      expect((await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] })).statusCode).toBe(200);
      // A refused write (uniqueness) is rolled back and leaves no event, so no SET.
      expect((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'ALICE@contoso.test' })).statusCode).toBe(409);
      expect((await scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      await services.sets.runOnce();

      const sets = receiver.received.filter((r) => r.claims && subjectOf(r.claims) === `/Users/${id}`);
      for (const r of receiver.received) expect(r.error).toBeUndefined();
      expect(sets.map((r) => Object.keys(r.claims!['events'] as object))).toEqual([
        [`${P}create:notice`],
        [`${P}patch:notice`],
        [`${P}put:notice`],
        [`${P}patch:notice`, `${P}deactivate`],
        [`${P}patch:notice`, `${P}activate`],
        [`${P}delete`],
      ]);
      expect(receiver.received).toHaveLength(6);
      const ev = (i: number) => sets[i]!.claims!['events'] as Record<string, { attributes?: string[]; version?: string }>;
      expect(ev(0)[`${P}create:notice`]!.attributes).toEqual(expect.arrayContaining(['id', 'userName', 'externalId', 'displayName']));
      expect(ev(1)[`${P}patch:notice`]).toEqual({ attributes: ['displayName'], version: 'W/"2"' });
      expect(ev(2)[`${P}put:notice`]!.attributes).toEqual(['displayName', 'title']);
      expect(ev(3)[`${P}patch:notice`]!.attributes).toEqual(['active']);
      expect(sets[0]!.claims!['sub_id']).toEqual({ format: 'scim', uri: `/Users/${id}`, externalId: 'alice' });
      const txns = sets.map((r) => r.claims!['txn']);
      expect(new Set(txns).size).toBe(6);
    });

    it('a 100-member PATCH is one SET about the group (RFC 9967 §5 aggregation); poll streams see it too', async () => {
      const { scim, services, org, app } = t();
      await services.sets.addStream(org.id, { push: { url: receiver.url } });
      const { stream, pollToken } = await services.sets.addStream(org.id, { poll: true });
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) ids.push(json(await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `m${i}@contoso.test` })).id as string);
      const group = json(await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Everyone', externalId: 'everyone' }));
      receiver.received.length = 0;
      await services.sets.runOnce();
      receiver.received.length = 0;
      const poll0 = await app.inject({ method: 'POST', url: `/sets/streams/${stream.id}/poll`, headers: { authorization: `Bearer ${pollToken}` }, payload: { maxEvents: 100, returnImmediately: true } });
      const acks = Object.keys(json(poll0).sets);
      // drain the poll stream up to now
      let more = json(poll0).moreAvailable as boolean;
      let pending = acks;
      while (more) {
        const b = json(await app.inject({ method: 'POST', url: `/sets/streams/${stream.id}/poll`, headers: { authorization: `Bearer ${pollToken}` }, payload: { ack: pending, maxEvents: 100, returnImmediately: true } }));
        pending = Object.keys(b.sets);
        more = b.moreAvailable;
      }
      await app.inject({ method: 'POST', url: `/sets/streams/${stream.id}/poll`, headers: { authorization: `Bearer ${pollToken}` }, payload: { ack: pending, maxEvents: 0 } });

      const r = await scim.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }] });
      expect(r.statusCode).toBe(204);
      await services.sets.runOnce();
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.claims!['sub_id']).toEqual({ format: 'scim', uri: `/Groups/${group.id}`, externalId: 'everyone' });
      expect(receiver.received[0]!.claims!['events']).toEqual({ [`${P}patch:notice`]: { attributes: ['members'], version: expect.any(String) } });

      const polled = json(await app.inject({ method: 'POST', url: `/sets/streams/${stream.id}/poll`, headers: { authorization: `Bearer ${pollToken}` }, payload: { returnImmediately: true } }));
      expect(Object.keys(polled.sets)).toHaveLength(1);
      expect(polled.moreAvailable).toBe(false);
    });

    it('ServiceProviderConfig advertises the emitted URIs', async () => {
      const spc = json(await t().scim.get('/ServiceProviderConfig'));
      expect(spc.securityEvents.eventUris).toContain(`${P}deactivate`);
    });
  },
  { env: { ALLOW_PRIVATE_TARGETS: '1' } },
);
