// Unconditional writes under contention (issue #16): a write without If-Match asks for no
// optimistic check, so parallel writers of one resource are serialised (a row lock on
// PostgreSQL, one writer at a time on SQLite) and every one succeeds; the final state is one
// request's whole result. 409/412 stay for If-Match mismatches only.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json } from '../support/test-app.js';

const WRITERS = 30;

describeEachDialect('Contention: parallel unconditional writes', (t) => {
  let members: string[] = [];
  beforeAll(async () => {
    members = [];
    for (let i = 0; i < WRITERS; i++) members.push(json(await t().scim.post('/Users', { userName: `member.${i}@contention.example` })).id);
  });

  const newUser = async (userName: string) => json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName })).id as string;

  it(`R-ENTRA-20 ${WRITERS} parallel multi-attribute PATCHes of one user without If-Match: all 200, final state is one request's whole result`, async () => {
    const id = await newUser('patched.in.parallel@contention.example');
    const rs = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        t().scim.patch(`/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [
            { op: 'Replace', path: 'displayName', value: `writer ${i}` },
            { op: 'Replace', path: 'title', value: `title ${i}` },
            { op: 'Replace', path: 'nickName', value: `nick ${i}` },
          ],
        }),
      ),
    );
    expect(rs.map((r) => r.statusCode)).toEqual(rs.map(() => 200));
    const final = json(await t().scim.get(`/Users/${id}`));
    const winner = /^writer (\d+)$/.exec(final.displayName)![1];
    expect(final).toMatchObject({ title: `title ${winner}`, nickName: `nick ${winner}` });
    // Every write was applied in turn: the version counts all of them.
    expect(final.meta.version).toBe(`W/"${WRITERS + 1}"`);
    // Each response is one consistent state too.
    for (const r of rs) {
      const b = json(r);
      const n = /^writer (\d+)$/.exec(b.displayName)![1];
      expect(b).toMatchObject({ title: `title ${n}`, nickName: `nick ${n}` });
    }
  });

  it(`${WRITERS} parallel PUTs of one user without If-Match: all 200`, async () => {
    const id = await newUser('put.in.parallel@contention.example');
    const rs = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) => t().scim.put(`/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'put.in.parallel@contention.example', displayName: `put ${i}`, title: `put ${i}` })),
    );
    expect(rs.map((r) => r.statusCode)).toEqual(rs.map(() => 200));
    const final = json(await t().scim.get(`/Users/${id}`));
    expect(final.title).toBe(final.displayName);
  });

  it(`R-ENTRA-32/R-OKTA-13 ${WRITERS} parallel membership PATCHes of one group: all 204, every member added`, async () => {
    const gid = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Parallel members' })).id as string;
    const rs = await Promise.all(
      members.map((m) => t().scim.patch(`/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: m }] }] })),
    );
    expect(rs.map((r) => r.statusCode)).toEqual(rs.map(() => 204));
    const got = json(await t().scim.get(`/Groups/${gid}`));
    expect(got.members.map((m: { value: string }) => m.value).sort()).toEqual([...members].sort());
    // Then all removed again in parallel, Entra's default remove shape (R-ENTRA-33).
    const rm = await Promise.all(
      members.map((m) => t().scim.patch(`/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: m }] }] })),
    );
    expect(rm.map((r) => r.statusCode)).toEqual(rm.map(() => 204));
    expect(json(await t().scim.get(`/Groups/${gid}`)).members ?? []).toEqual([]);
  });

  it(`R-CORE-27 ${WRITERS / 3} parallel Bulk requests patching one user and one group: every operation succeeds`, async () => {
    const id = await newUser('bulk.in.parallel@contention.example');
    const gid = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Parallel bulk' })).id as string;
    const n = WRITERS / 3;
    const rs = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        t().scim.post('/Bulk', {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
          Operations: [
            { method: 'PATCH', path: `/Users/${id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `bulk ${i}` }] } },
            { method: 'PATCH', path: `/Groups/${gid}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: members[i] }] }] } },
          ],
        }),
      ),
    );
    for (const r of rs) {
      expect(r.statusCode).toBe(200);
      expect(json(r).Operations.map((o: { status: string }) => o.status)).toEqual(['200', '204']);
    }
    expect(json(await t().scim.get(`/Users/${id}`)).meta.version).toBe(`W/"${n + 1}"`);
    expect(json(await t().scim.get(`/Groups/${gid}`)).members).toHaveLength(n);
  });

  it('If-Match keeps its meaning under contention: of parallel PATCHes against one version exactly one wins, the others get 412', async () => {
    const id = await newUser('conditional@contention.example');
    const rs = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `c ${i}` }] }, { 'if-match': 'W/"1"' }),
      ),
    );
    const statuses = rs.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(412)]);
  });
});
