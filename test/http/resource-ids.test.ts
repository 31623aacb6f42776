// Resource ids are server-assigned UUIDv7s (domain/resource-ids.ts): RFC 9562 §5.7 layout, the
// creation time in their first 48 bits, so the B-trees keyed by id are appended to, not written at
// a random page per create (issue #15). A client's own `id` is still ignored (R-GEN-12).
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, USER_SCHEMA, json } from '../support/test-app.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describeEachDialect('resource ids', (t) => {
  it('a created user or group gets a UUIDv7 carrying its creation time, whatever id the client sent', async () => {
    const before = Date.now();
    const user = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], id: 'chosen-by-client', userName: 'v7@contoso.test' }));
    const group = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Version seven' }));
    const after = Date.now();
    for (const r of [user, group]) {
      expect(r.id).toMatch(UUID_V7);
      expect(millisOf(r.id as string)).toBeGreaterThanOrEqual(before);
      expect(millisOf(r.id as string)).toBeLessThanOrEqual(after);
      expect(Date.parse(r.meta.created as string)).toBeGreaterThanOrEqual(millisOf(r.id as string) - 1);
    }
    expect((await t().scim.get(`/Users/${String(user.id)}`)).statusCode).toBe(200);
  });

  it('ids made in different milliseconds sort in creation order; ids made in one are still unique', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const start = Date.now();
      while (Date.now() === start); // the next millisecond
      ids.push(json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `ordered${i}@contoso.test` })).id as string);
    }
    expect([...ids].sort()).toEqual(ids);
    const bulk = await Promise.all(Array.from({ length: 20 }, (_, i) => t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `burst${i}@contoso.test` })));
    expect(new Set(bulk.map((r) => json(r).id)).size).toBe(20);
  });
});
