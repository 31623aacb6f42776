// Migration 0015 (issue #18) on a database that the previous schema filled: bindings made without
// proof become unverified, duplicates of one value across organisations are resolved (the first
// binding stays, later ones become conflicts) without failing, the UNIQUE index then holds, and
// links learn the binding they came through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { createDb } from '../../src/storage/dialects/create-db.js';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';

const BEFORE = '0012-set-streams';
const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

for (const dialect of DIALECTS) {
  describe(`migration 0015-binding-proof on existing bindings [${dialect}]`, () => {
    let fresh: FreshDatabase;
    beforeAll(async () => {
      fresh = await freshDatabase(dialect);
    });
    afterAll(async () => {
      await fresh.drop();
    });

    it('marks old bindings unverified, keeps the first of each duplicate, makes the rest conflicts, and never fails', async () => {
      const handle = createDb(fresh.config);
      const db = handle.db as unknown as Kysely<unknown>;
      try {
        expect((await migrateToLatest(db, handle.dialect, BEFORE)).at(-1)).toBe(BEFORE);
        const ins = (table: string, row: Record<string, unknown>) => sql`insert into ${sql.table(table)} (${sql.join(Object.keys(row).map((k) => sql.ref(k)))}) values (${sql.join(Object.values(row))})`.execute(db);
        for (const [id, name] of [['org-first', 'First'], ['org-later', 'Later'], ['org-latest', 'Latest']] as const) {
          await ins('organizations', { id, name, name_folded: name.toLowerCase(), api_access_approved: 1, created_at: '2025-01-01T00:00:00.000Z' });
        }
        // The same tenant bound by three organisations (0003 allowed it); a domain by two, at the same instant.
        await ins('sign_in_bindings', { tenant_id: 'org-later', provider: 'microsoft', value: TID, created_at: '2025-02-01T00:00:00.000Z', created_by: 'b' });
        await ins('sign_in_bindings', { tenant_id: 'org-first', provider: 'microsoft', value: TID, created_at: '2025-01-15T00:00:00.000Z', created_by: 'a' });
        await ins('sign_in_bindings', { tenant_id: 'org-latest', provider: 'microsoft', value: TID, created_at: '2025-03-01T00:00:00.000Z', created_by: 'c' });
        await ins('sign_in_bindings', { tenant_id: 'org-later', provider: 'google', value: 'shared.test', created_at: '2025-02-01T00:00:00.000Z', created_by: 'b' });
        await ins('sign_in_bindings', { tenant_id: 'org-first', provider: 'google', value: 'shared.test', created_at: '2025-02-01T00:00:00.000Z', created_by: 'a' });
        await ins('sign_in_bindings', { tenant_id: 'org-first', provider: 'oidc', value: 'https://first.okta.com', created_at: '2025-01-01T00:00:00.000Z', created_by: 'a' });
        await ins('sign_in_identities', { tenant_id: 'org-later', provider: 'microsoft', subject: `${TID}/oid-1`, scim_user_id: 'u1', linked_at: '2025-02-02T00:00:00.000Z' });
        await ins('sign_in_identities', { tenant_id: 'org-first', provider: 'oidc', subject: 'https://first.okta.com 00u1', scim_user_id: 'u2', linked_at: '2025-02-02T00:00:00.000Z' });
        await ins('sign_in_identities', { tenant_id: 'org-first', provider: 'google', subject: '1234567890', scim_user_id: 'u3', linked_at: '2025-02-02T00:00:00.000Z' });

        const ran = await migrateToLatest(db, handle.dialect);
        expect(ran).toContain('0015-binding-proof');

        const rows = await sql<{ tenant_id: string; provider: string; value: string; status: string; unverified_since: string | null; created_by: string | null }>`
          select tenant_id, provider, value, status, unverified_since, created_by from sign_in_bindings order by provider, value, tenant_id`.execute(db);
        const status = Object.fromEntries(rows.rows.map((r) => [`${r.provider} ${r.tenant_id}`, r.status]));
        expect(status).toEqual({
          'google org-first': 'unverified', // same instant: the organisation id decides, deterministically
          'google org-later': 'conflict',
          'microsoft org-first': 'unverified', // bound first
          'microsoft org-later': 'conflict',
          'microsoft org-latest': 'conflict',
          'oidc org-first': 'unverified',
        });
        expect(rows.rows.every((r) => r.unverified_since !== null && r.created_by !== null)).toBe(true);

        // The UNIQUE index now holds: no second holder of a value, but conflicts may stay.
        await expect(ins('sign_in_bindings', { tenant_id: 'org-latest', provider: 'google', value: 'shared.test', created_at: '2025-04-01T00:00:00.000Z', created_by: 'x', status: 'verified' })).rejects.toThrow(/unique|duplicate/i);
        await ins('sign_in_bindings', { tenant_id: 'org-latest', provider: 'google', value: 'shared.test', created_at: '2025-04-01T00:00:00.000Z', created_by: 'x', status: 'conflict' });

        const links = await sql<{ provider: string; binding_value: string | null }>`select provider, binding_value from sign_in_identities order by provider`.execute(db);
        expect(links.rows).toEqual([
          { provider: 'google', binding_value: null },
          { provider: 'microsoft', binding_value: TID },
          { provider: 'oidc', binding_value: 'https://first.okta.com' },
        ]);
      } finally {
        await handle.close();
      }
    });
  });
}
