// The statements a SCIM request runs, read off the query executor the repositories share: work that
// cannot change the answer must not reach the database (issues #13 and #15: the write path's cost).
import { afterEach, expect, it, vi } from 'vitest';
import type { CompiledQuery } from 'kysely';
import Database from 'better-sqlite3';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json, type TestApp } from '../support/test-app.js';

/** Runs `fn` and returns the SQL text of every statement it ran on the app's database (transactions included). */
async function statementsOf(t: TestApp, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const spies = [];
  if (t.dialect === 'sqlite') {
    // Where every statement ends, whichever way it came: Kysely's executor or a direct read (prepared.ts).
    const statements = Object.getPrototypeOf(new Database(':memory:').prepare('select 1')) as Record<'all' | 'get' | 'run' | 'iterate', (...a: unknown[]) => unknown>;
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const original = statements[method];
      spies.push(
        vi.spyOn(statements, method).mockImplementation(function (this: { source: string }, ...args: unknown[]) {
          seen.push(this.source);
          return original.apply(this, args);
        }),
      );
    }
  } else {
    // On the executors' prototype: a transaction runs its statements through an executor of its own.
    const executors = Object.getPrototypeOf(t.composition.db.db.getExecutor()) as { executeQuery(q: CompiledQuery, ...rest: unknown[]): Promise<unknown> };
    const original = executors.executeQuery;
    spies.push(
      vi.spyOn(executors, 'executeQuery').mockImplementation(function (this: unknown, q: CompiledQuery, ...rest: unknown[]) {
        seen.push(q.sql);
        return original.call(this, q, ...rest);
      }),
    );
  }
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return seen;
}

const readsMemberships = (sql: string) => /group_members/.test(sql) && /^\s*(select|with)/i.test(sql);

describeEachDialect('statements of the write path', (t) => {
  afterEach(() => vi.restoreAllMocks());

  it('POST /Users does not look up User.groups of the user it just created (it is in no group yet)', async () => {
    const sqls = await statementsOf(t(), async () => {
      const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'fresh@contoso.test', emails: [{ value: 'fresh@contoso.test', primary: true }] });
      expect(r.statusCode).toBe(201);
      expect(json(r).groups).toBeUndefined();
    });
    expect(sqls.length).toBeGreaterThan(0); // the spy sees the app's statements
    expect(sqls.filter(readsMemberships)).toEqual([]);
  });

  it('GET of that user does look its groups up, and lists them once it is a member', async () => {
    const user = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'member@contoso.test' }));
    const group = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Desk owners', members: [{ value: user.id }] }));
    let body: Record<string, unknown> = {};
    const sqls = await statementsOf(t(), async () => {
      body = json(await t().scim.get(`/Users/${String(user.id)}`));
    });
    expect(sqls.filter(readsMemberships).length).toBeGreaterThan(0);
    expect(body.groups).toEqual([expect.objectContaining({ value: group.id, display: 'Desk owners', type: 'direct' })]);
  });

  it('POST /Groups without members reads no membership rows, and answers as a read of the group would', async () => {
    let created: Record<string, unknown> = {};
    const sqls = await statementsOf(t(), async () => {
      const r = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Empty at birth' });
      expect(r.statusCode).toBe(201);
      created = json(r);
    });
    expect(sqls.filter(readsMemberships)).toEqual([]);
    const read = json(await t().scim.get(`/Groups/${String(created.id)}`));
    expect(created).toEqual(read);
  });

  it('User.groups walks up only from groups that are themselves members: one statement when no group is nested', async () => {
    const user = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'walker@contoso.test' }));
    const group = async (displayName: string, members: Array<{ value: unknown }>) => json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName, members }));
    const plain = await group('Plain', [{ value: user.id }]);
    let body: Record<string, unknown> = {};
    let sqls = await statementsOf(t(), async () => {
      body = json(await t().scim.get(`/Users/${String(user.id)}`));
    });
    expect(body.groups).toEqual([expect.objectContaining({ value: plain.id, type: 'direct' })]);
    expect(sqls.filter(readsMemberships)).toHaveLength(1);

    // walker ∈ Plain, Team; Team ∈ Department; Department ∈ Company: one statement per level that has a parent.
    const team = await group('Team', [{ value: user.id }]);
    const department = await group('Department', [{ value: team.id }]);
    const company = await group('Company', [{ value: department.id }]);
    sqls = await statementsOf(t(), async () => {
      body = json(await t().scim.get(`/Users/${String(user.id)}`));
    });
    expect((body.groups as Array<{ value: string; type: string }>).map((g) => [g.value, g.type])).toEqual([
      [plain.id, 'direct'],
      [team.id, 'direct'],
      [department.id, 'indirect'],
      [company.id, 'indirect'],
    ]);
    expect(sqls.filter(readsMemberships)).toHaveLength(3);
  });

  it('a list page looks groups up for the page at once, not once more per user in no group', async () => {
    for (let i = 0; i < 5; i++) await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `loner${i}@contoso.test` });
    const sqls = await statementsOf(t(), async () => {
      const r = await t().scim.get('/Users?filter=userName sw "loner"&count=10');
      expect(json(r).totalResults).toBe(5);
    });
    // One statement per level of the walk (one level: nobody here is in a group).
    expect(sqls.filter(readsMemberships).length).toBe(1);
  });

  it('a PATCH of title sets no indexed column it does not change (SQLite rewrites the index entry of every column an UPDATE sets)', async () => {
    const user = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'patched@contoso.test', externalId: 'ext-p', displayName: 'Pat', emails: [{ value: 'patched@contoso.test', primary: true }] }));
    const patch = (Operations: unknown[]) => t().scim.patch(`/Users/${String(user.id)}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
    const updates = (sqls: string[]) => sqls.filter((s) => /^\s*update "scim_users"/i.test(s));
    let sqls = await statementsOf(t(), async () => expect((await patch([{ op: 'replace', path: 'title', value: 'Lead' }])).statusCode).toBe(200));
    expect(updates(sqls)).toHaveLength(1);
    expect(updates(sqls)[0]).not.toMatch(/user_name|external_id|display_name|email|"active"/);
    // A change of displayName sets exactly its two columns; the answer and a filter see it.
    sqls = await statementsOf(t(), async () => expect((await patch([{ op: 'replace', path: 'displayName', value: 'Patricia' }])).statusCode).toBe(200));
    expect(updates(sqls)[0]).toMatch(/"display_name" = .*"display_name_folded" = /);
    expect(updates(sqls)[0]).not.toMatch(/user_name|external_id|email/);
    const found = json(await t().scim.get('/Users?filter=displayName eq "patricia"'));
    expect(found.totalResults).toBe(1);
  });

  it('removing members by a list of values runs one statement text whatever the list length (the ids are one bound parameter)', async () => {
    const users: Array<ReturnType<typeof json>> = [];
    for (let i = 0; i < 12; i++) users.push(json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `listed${i}@contoso.test` })));
    const group = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Listed', members: users.map((u) => ({ value: u.id })) }));
    const remove = (some: Array<Record<string, unknown>>) =>
      t().scim.patch(`/Groups/${String(group.id)}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value: some.map((u) => ({ value: u.id })) }] });
    const deletes = (sqls: string[]) => sqls.filter((s) => /^\s*delete from "group_members"/i.test(s));
    const one = deletes(await statementsOf(t(), async () => expect((await remove(users.slice(0, 1))).statusCode).toBeLessThan(300)));
    const nine = deletes(await statementsOf(t(), async () => expect((await remove(users.slice(1, 10))).statusCode).toBeLessThan(300)));
    expect(one.length).toBeGreaterThan(0);
    expect(nine).toEqual(one);
    const left = json(await t().scim.get(`/Groups/${String(group.id)}`));
    expect((left.members as Array<{ value: string }>).map((m) => m.value).sort()).toEqual(users.slice(10).map((u) => String(u.id)).sort());
  });
});
