// A migrated fresh database whose Kysely records every statement it sends, and the plan of any of
// them as one line: for tests that hold a query to an index (outbox-indexes, activity-indexes).
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';
import type { Database as Schema } from '../../src/storage/kysely/database.js';
import { freshDatabase, type DialectName } from './databases.js';

export interface PlannedDb {
  readonly db: Kysely<Schema>;
  /** Every statement sent since the last `sent.length = 0`. */
  readonly sent: CompiledQuery[];
  /** The raw SQLite connection (undefined on PostgreSQL). */
  readonly sqlite: Database.Database | undefined;
  /** SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's EXPLAIN text with seq scans disabled (so a usable index is used), as one line. */
  plan(q: CompiledQuery): Promise<string>;
  /** Names of the table's indexes that a migration created (not primary keys or unique constraints). */
  indexesOf(table: string): Promise<string[]>;
  /** The index's definition as the database prints it. */
  indexSql(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function plannedDb(dialect: DialectName): Promise<PlannedDb> {
  const fresh = await freshDatabase(dialect);
  const sent: CompiledQuery[] = [];
  const log = (e: { query: CompiledQuery }) => void sent.push(e.query);
  let sqlite: Database.Database | undefined;
  let pool: pg.Pool | undefined;
  let db: Kysely<Schema>;
  if (dialect === 'sqlite') {
    sqlite = new Database(fresh.config.url);
    db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }), log });
  } else {
    pool = new pg.Pool({ connectionString: fresh.config.url, max: 2 });
    db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), log });
  }
  await migrateToLatest(db as unknown as Kysely<unknown>, dialect);
  return {
    db,
    sent,
    sqlite,
    async plan(q) {
      if (sqlite) return (sqlite.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      const c = await pool!.connect();
      try {
        await c.query('begin');
        await c.query('set local enable_seqscan = off');
        const r = await c.query(`explain ${q.sql}`, q.parameters as unknown[]);
        await c.query('rollback');
        return (r.rows as Array<{ 'QUERY PLAN': string }>).map((x) => x['QUERY PLAN'].trim()).join(' | ');
      } finally {
        c.release();
      }
    },
    async indexesOf(table) {
      if (sqlite) return (sqlite.prepare(`select name from sqlite_master where type = 'index' and tbl_name = ? and sql is not null`).all(table) as Array<{ name: string }>).map((r) => r.name).sort();
      const r = await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${table} and indexname not like '%_pkey' and indexname not like '%_key'`.execute(db);
      return r.rows.map((x) => x.name).sort();
    },
    async indexSql(name) {
      if (sqlite) return (sqlite.prepare(`select sql from sqlite_master where name = ?`).get(name) as { sql: string }).sql;
      return (await sql<{ d: string }>`select indexdef as d from pg_indexes where indexname = ${name}`.execute(db)).rows[0]!.d;
    },
    async close() {
      await db.destroy();
      await fresh.drop();
    },
  };
}
