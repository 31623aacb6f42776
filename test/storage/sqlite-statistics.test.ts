// Statements that SQLite would prepare again at every execution (issue #15). Two causes, both
// measured in docs/performance.md: index samples (sqlite_stat4, left by a plain ANALYZE — the
// server's own runs with analysis_limit and writes none) make every equality or range on a
// non-unique index depend on its bound value, and so does a bare bound `limit ?`. The server keeps
// the row counts (sqlite_stat1, which plans need) and deletes any samples; it compiles a bound
// LIMIT as `+?`.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { createSqliteDb } from '../../src/storage/dialects/sqlite.js';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function filledDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'wd-stats-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const store = createSqliteDb(file);
  await migrateToLatest(store.db as unknown as Kysely<unknown>, 'sqlite');
  const raw = new Database(file);
  raw.prepare(`insert into organizations (id, name, name_folded, api_access_approved, created_at) values ('org', 'Org', 'org', 1, '2026-01-01T00:00:00.000Z')`).run();
  const insert = raw.prepare(
    `insert into scim_users (tenant_id, id, user_name, user_name_folded, external_id, active, source, created_at, updated_at, version, doc) values ('org', ?, ?, ?, ?, 1, 'scim', '2026-01-01', '2026-01-01', 1, '{}')`,
  );
  raw.transaction(() => {
    for (let i = 0; i < 500; i++) insert.run(`u${i}`, `user${i}@example.com`, `user${i}@example.com`, `ext-${i % 50}`);
  })();
  const samples = () => (raw.prepare(`select count(*) from sqlite_schema where name = 'sqlite_stat4'`).pluck().get() ? (raw.prepare('select count(*) from sqlite_stat4').pluck().get() as number) : 0);
  const counts = () => raw.prepare(`select count(*) from sqlite_stat1 where tbl = 'scim_users'`).pluck().get() as number;
  return { store, raw, samples, counts, close: async () => (raw.close(), await store.close()) };
}

async function withFilledDatabase(test: (d: Awaited<ReturnType<typeof filledDatabase>>) => Promise<void>): Promise<void> {
  const d = await filledDatabase();
  try {
    await test(d);
  } finally {
    await d.close();
  }
}

describe('SQLite statistics and LIMIT', () => {
  it('optimize() keeps the row counts the planner uses and deletes the index samples', () =>
    withFilledDatabase(async (d) => {
      d.store.optimize();
      expect(d.counts()).toBeGreaterThan(0);
      expect(d.samples()).toBe(0);
      // Samples a plain ANALYZE left (another tool, a database from before): gone at the next optimize().
      d.raw.exec('analyze');
      expect(d.samples()).toBeGreaterThan(0);
      d.store.optimize();
      expect(d.samples()).toBe(0);
      expect(d.counts()).toBeGreaterThan(0);
    }));

  it('compact() (after an erasure) leaves no index samples either', () =>
    withFilledDatabase(async (d) => {
      d.raw.exec('analyze');
      expect(d.samples()).toBeGreaterThan(0);
      await d.store.compact();
      expect(d.samples()).toBe(0);
    }));

  it('a bound LIMIT is compiled as +? and still limits', () =>
    withFilledDatabase(async (d) => {
      const q = d.store.db.selectFrom('scim_users').select('id').where('tenant_id', '=', 'org').where('external_id', '=', 'ext-7').orderBy('seq').limit(3).offset(2);
      const compiled: CompiledQuery = q.compile();
      expect(compiled.sql).toMatch(/ limit \+\? offset \?$/);
      expect(compiled.parameters).toEqual(['org', 'ext-7', 3, 2]);
      expect((await q.execute()).map((r) => r.id)).toEqual(['u107', 'u157', 'u207']);
      expect((await sql<{ n: number }>`select count(*) as n from (select 1 from scim_users limit ${1})`.execute(d.store.db)).rows[0]!.n).toBe(1);
    }));
});
