// GET /api/v1/events (issue #13): events:read scope (and SCIM keys cannot read events, events keys
// cannot write SCIM), ascending per tenant with an opaque cursor, types and limit, retention purge
// and a clear 410 for a cursor older than retention.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { USER_SCHEMA, json, scimClient } from '../support/test-app.js';

describeEachDialect('Events API', (t) => {
  let n = 0;
  const uniq = () => `api.${Date.now().toString(36)}.${n++}@events.example`;
  const store = () => t().services.platform.forTenant(t().org.id);
  const get = (key: string, query = '') => t().app.inject({ method: 'GET', url: `/api/v1/events${query}`, headers: { authorization: `Bearer ${key}` } });
  const eventsKey = async (scopes = ['events:read']) => (await t().services.apiKeys.create(store(), { name: `events ${n++}`, createdBy: null, scopes })).key;

  it('scopes: events:read reads events but cannot use SCIM; a SCIM-only key cannot read events; both scopes do both', async () => {
    const events = await eventsKey();
    const scimOnly = t().key;
    const both = await eventsKey(['scim', 'events:read']);
    expect((await get(events)).statusCode).toBe(200);
    const denied = await get(scimOnly);
    expect(denied.statusCode).toBe(403);
    expect(json(denied)).toMatchObject({ error: 'insufficient_scope' });
    expect(json(denied).detail).toMatch(/events:read/);
    const scimWithEventsKey = await scimClient(t().app, events).post('/Users', { schemas: [USER_SCHEMA], userName: uniq() });
    expect(scimWithEventsKey.statusCode).toBe(403);
    expect(json(scimWithEventsKey).detail).toMatch(/scim.*scope/);
    expect((await scimClient(t().app, both).post('/Users', { schemas: [USER_SCHEMA], userName: uniq() })).statusCode).toBe(201);
    expect((await get(both)).statusCode).toBe(200);
    const none = await t().app.inject({ method: 'GET', url: '/api/v1/events' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    await expect(t().services.apiKeys.create(store(), { name: 'x', createdBy: null, scopes: ['admin'] })).rejects.toThrow(/Unknown scope "admin"/);
  });

  it('pages ascending with an opaque cursor; types and limit; never the same event twice; another tenant sees none of these', async () => {
    const key = await eventsKey();
    // Start from "now": read everything so far.
    let after = '';
    for (;;) {
      const page = json(await get(key, `?limit=100${after ? `&after=${after}` : ''}`));
      after = page.after;
      if (page.data.length < 100) break;
    }
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq() });
      ids.push(json(r).id);
      await t().scim.patch(`/Users/${json(r).id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: `U${i}` }] });
    }
    const seen: Array<{ id: string; type: string; data: { resource: { id: string } } }> = [];
    let cursor = after;
    for (let guard = 0; guard < 10; guard++) {
      const r = await get(key, `?limit=3&after=${cursor}`);
      expect(r.statusCode).toBe(200);
      const page = json(r);
      expect(Object.keys(page).sort()).toEqual(['after', 'data']);
      seen.push(...page.data);
      cursor = page.after;
      if (page.data.length < 3) break;
    }
    expect(seen).toHaveLength(14);
    expect(new Set(seen.map((e) => e.id)).size).toBe(14);
    expect(seen.map((e) => e.type)).toEqual(ids.flatMap(() => ['user.created', 'user.updated']));
    expect(seen.map((e) => e.data.resource.id)).toEqual(ids.flatMap((id) => [id, id]));
    // Nothing new: same cursor back (or the horizon), no events.
    const empty = json(await get(key, `?after=${cursor}`));
    expect(empty.data).toEqual([]);

    const created = json(await get(key, `?after=${after}&types=user.created&limit=100`));
    expect(created.data.map((e: { type: string }) => e.type)).toEqual(Array(7).fill('user.created'));
    const repeated = json(await get(key, `?after=${after}&types=user.updated&types=user.created&limit=100`));
    expect(repeated.data).toHaveLength(14);

    const other = await t().newTenant();
    const otherKey = (await t().services.apiKeys.create(t().services.platform.forTenant(other.org.id), { name: 'e', createdBy: null, scopes: ['events:read'] })).key;
    expect(json(await get(otherKey, '?limit=100')).data).toEqual([]);
  });

  it('bad input is a clear 400: limit out of range, unknown type, a forged cursor', async () => {
    const key = await eventsKey();
    for (const [q, code] of [
      ['?limit=0', 'invalid_limit'],
      ['?limit=101', 'invalid_limit'],
      ['?limit=abc', 'invalid_limit'],
      ['?types=user.exploded', 'invalid_types'],
      ['?after=not-a-cursor', 'invalid_cursor'],
      [`?after=${Buffer.from('e1:x:1').toString('base64url')}`, 'invalid_cursor'],
    ] as const) {
      const r = await get(key, q);
      expect(r.statusCode, q).toBe(400);
      expect(json(r).error, q).toBe(code);
      expect(json(r).detail.length, q).toBeGreaterThan(20);
    }
    // Default 50, maximum 100.
    expect(json(await get(key)).data.length).toBeLessThanOrEqual(50);
  });

  it('retention: the purge deletes old events; a cursor older than retention gets 410 cursor_expired, a current one does not', async () => {
    const key = await eventsKey();
    const start = json(await get(key, '?limit=1'));
    const oldCursor = start.after as string;
    await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq() });
    let latest = oldCursor;
    for (;;) {
      const page = json(await get(key, `?limit=100&after=${latest}`));
      latest = page.after;
      if (page.data.length < 100) break;
    }
    // Everything so far is "older than retention" for this purge.
    const purged = await t().services.platform.deliveries.purgeEvents(new Date(Date.now() + 1000).toISOString(), 50);
    expect(purged).toBeGreaterThan(0);
    const expired = await get(key, `?after=${oldCursor}`);
    expect(expired.statusCode).toBe(410);
    expect(json(expired)).toMatchObject({ error: 'cursor_expired' });
    expect(json(expired).detail).toMatch(/retention \(30 days\)/);
    const current = await get(key, `?after=${latest}`);
    expect(current.statusCode).toBe(200);
    expect(json(current).data).toEqual([]);
    // Without a cursor: from the oldest retained event.
    expect((await get(key)).statusCode).toBe(200);
  });
});
