// The console's Manage Users and Groups search boxes have the cost bound the SCIM filters have
// (issue #18, docs/security.md "Cost model"): on SQLite every row a search examines is charged to
// the request's scim_work() meter, and past the budget the page answers 400 with a message to
// narrow the search instead of holding up every tenant; on PostgreSQL the search runs under its
// own statement_timeout. The budget is lowered here so a small directory exceeds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, GROUP_SCHEMA, USER_SCHEMA, type TestApp } from '../support/test-app.js';
import { signedIn, type ConsoleClient } from './console-client.js';

const BUDGET = { units: 120, deadlineMs: 5_000, deadlineMsPostgres: 5_000 };
const names = (html: string): string[] => [...html.matchAll(/<td[^>]*><a class="cell-main break" href="[^"]+">([^<]*)<\/a>/g)].map((m) => m[1]!);

for (const dialect of DIALECTS) {
  describe(`console search under the work meter [${dialect}]`, () => {
    let t: TestApp;
    let big: ConsoleClient;
    let small: ConsoleClient;

    beforeAll(async () => {
      t = await buildTestApp(dialect, { consoleSqlWork: BUDGET, env: { SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000' } });
      // The first organisation has more users and groups than the budget lets a search examine.
      for (let i = 0; i < 150; i++) {
        const r = await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: `person${i}@big.test`, displayName: `Person ${i}`, emails: [{ value: `person${i}@big.test`, type: 'work' }] });
        expect(r.statusCode).toBe(201);
      }
      for (let i = 0; i < 130; i++) expect((await t.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `Team ${i}` })).statusCode).toBe(201);
      big = await signedIn(t, t.org);
      const other = await t.newTenant('Small Org');
      for (let i = 0; i < 10; i++) await other.scim.post('/Users', { schemas: [USER_SCHEMA], userName: `person${i}@small.test`, displayName: `Small ${i}` });
      small = await signedIn(t, other.org);
    }, 120_000);

    afterAll(async () => {
      await t?.close();
    });

    it('a search that examines more rows than the budget is refused with a message, not run to the end (SQLite)', async () => {
      const users = await big.get('/console/users?q=person1');
      const groups = await big.get('/console/groups?q=team');
      if (dialect === 'sqlite') {
        for (const r of [users, groups]) {
          expect(r.statusCode).toBe(400);
          expect(r.body).toContain('This search needs more work than one page may do (at most 120 units of work');
          expect(r.body).toContain('Search for a longer part of the name or email');
        }
      } else {
        // PostgreSQL runs the search in its own process, bounded by statement_timeout, not the meter.
        expect(users.statusCode).toBe(200);
        expect(names(users.body)).toContain('Person 1');
        expect(groups.statusCode).toBe(200);
      }
    });

    it('the same search in a smaller directory, and lists without a search, are answered as before', async () => {
      const r = await small.get('/console/users?q=small%201');
      expect(r.statusCode).toBe(200);
      expect(names(r.body)).toEqual(['Small 1']);
      const all = await big.get('/console/users');
      expect(all.statusCode).toBe(200);
      expect(names(all.body)).toHaveLength(25);
      expect((await big.get('/console/groups')).statusCode).toBe(200);
    });
  });
}
