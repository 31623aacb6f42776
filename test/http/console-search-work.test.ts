// The console's Manage Users and Groups search boxes have the cost bound the SCIM filters have
// (issue #18, docs/security.md "Cost model"): on SQLite every row a search examines is charged to
// the request's scim_work() meter, and past the budget the page answers 400 with a message to
// narrow the search instead of holding up every tenant; on PostgreSQL the search runs under its
// own statement_timeout. The budget is lowered here so a small directory exceeds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, GROUP_SCHEMA, USER_SCHEMA, type TestApp } from '../support/test-app.js';
import { seedUsers } from '../support/seed.js';
import { OTHER_TENANT_BOUND_MS, underAttack } from '../support/attacks.js';
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

// PostgreSQL: the console search runs under its own statement_timeout (deadlineMsPostgres, 2 s by
// default, lowered to 50 ms here so 10,000 seeded users are enough). A search that makes PostgreSQL
// compare 200-character needles against every 2 KB name (≈ 0.3–0.6 s of database time here) is cut
// off by the timeout and answered 400 with the message to narrow the search — never a 500 — while
// another organisation is served.
if (DIALECTS.includes('postgres')) {
  describe('console search under statement_timeout [postgres]', () => {
    const DEADLINE_MS = 50;
    let t: TestApp;
    let big: ConsoleClient;
    let small: ConsoleClient;
    let otherScim: TestApp['scim'];

    beforeAll(async () => {
      t = await buildTestApp('postgres', { consoleSqlWork: { units: 200_000, deadlineMs: 20, deadlineMsPostgres: DEADLINE_MS }, env: { SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000' } });
      await seedUsers(t.composition, t.org.id, 10_000, 'x'.repeat(2_000));
      big = await signedIn(t, t.org);
      const other = await t.newTenant('Served Org');
      for (let i = 0; i < 5; i++) await other.scim.post('/Users', { schemas: [USER_SCHEMA], userName: `person${i}@served.test`, displayName: `Served ${i}` });
      otherScim = other.scim;
      small = await signedIn(t, other.org);
    }, 180_000);

    afterAll(async () => {
      await t?.close();
    });

    it('an expensive search is cut off by the timeout with a clear message, while another organisation is served', async () => {
      // 199 x then y: strpos() walks every 2 KB user name (and display name, email) at every offset.
      const q = encodeURIComponent(`${'x'.repeat(199)}y`);
      const r = await underAttack(
        async () => {
          const page = await big.get(`/console/users?q=${q}`);
          return { status: page.statusCode, body: page.body };
        },
        async () => {
          const list = await otherScim.get('/Users?count=1');
          return { status: list.statusCode, body: list.body };
        },
      );
      expect(r.attack.status, r.attack.body.slice(0, 300)).toBe(400);
      expect(r.attack.body).toContain(`This search needs more work than one page may do (at most ${DEADLINE_MS} ms of database time)`);
      expect(r.attack.body).toContain('Search for a longer part of the name or email');
      expect(r.otherWorstMs).toBeLessThan(OTHER_TENANT_BOUND_MS);
      // The other organisation's own console search still answers.
      const served = await small.get('/console/users?q=served%202');
      expect(served.statusCode).toBe(200);
      expect(names(served.body)).toEqual(['Served 2']);
      // And the big organisation's list without a search is not under the search deadline.
      const all = await big.get('/console/users');
      expect(all.statusCode).toBe(200);
      expect(names(all.body)).toHaveLength(25);
    });
  });
}
