// Every SCIM create asks whether a manual user with that userName or email exists, for the claim
// policy of issue #14. That question must be index lookups: as one `userName = ? OR id IN (…)`
// statement ordered by seq, SQLite walked the tenant's users in seq order (0.9 ms per create at
// 3,000 users, growing with the tenant; docs/performance.md §0). The statements the repository
// really sends are captured and their SQLite plans checked, with no statistics at all.
import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';
import { createLifecycleRepo } from '../../src/storage/kysely/lifecycle-repo.js';
import type { Database as Schema } from '../../src/storage/kysely/database.js';
import type { TenantId } from '../../src/domain/ids.js';

describe('claim lookup of a SCIM create (SQLite query plans)', () => {
  const sqlite = new Database(':memory:');
  sqlite.function('scim_fold', { deterministic: true }, (v: unknown) => v);
  const sent: CompiledQuery[] = [];
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => void sent.push(e.query) });
  const plan = (q: CompiledQuery) =>
    (sqlite.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');

  beforeAll(async () => {
    await migrateToLatest(db as unknown as Kysely<unknown>, 'sqlite');
  });

  it('finds manual users by userName and by email through indexes, never by scanning the tenant', async () => {
    sent.length = 0;
    const repo = createLifecycleRepo(db, 'sqlite', 't' as TenantId);
    expect(await repo.findManualMatches('ann@example.com', 'ann@example.com')).toEqual([]);
    const selects = sent.filter((q) => /^select/i.test(q.sql));
    expect(selects.length).toBeGreaterThan(0);
    for (const q of selects) {
      const p = plan(q);
      // A range over the tenant alone (`(tenant_id=?)`, e.g. its seq index) reads every user of it.
      expect(p, q.sql).not.toMatch(/(SEARCH|SCAN) (scim_users|u)\b[^|]*\(tenant_id=\?\)/);
      expect(p, q.sql).not.toMatch(/SCAN (scim_users|u|e|scim_user_emails)\b/);
      expect(p, q.sql).toMatch(/SEARCH/);
    }
  });
});
