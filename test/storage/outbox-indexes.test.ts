// The outbox's indexes (migration 0013, issue #13's cost target): every event row is written into
// its table and each index B-tree, so the outbox keeps only the indexes a query really uses. The
// statements the repositories send are captured and their plans checked on both dialects:
//  - a user's events (console history, erasure) → events_subject, one lookup;
//  - the Events API / fan-out page → events_tenant_position;
//  - the retention purge → the primary key from the oldest row (no occurred_at index any more);
//  - and the events table has exactly these indexes, so a new one is a decision, not an accident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';
import { createEventsRepo } from '../../src/storage/kysely/events-repo.js';
import { createDeliveryQueue } from '../../src/storage/kysely/delivery-queue.js';
import { ChangeJournal } from '../../src/storage/kysely/change-journal.js';
import type { Database as Schema } from '../../src/storage/kysely/database.js';
import type { TenantId } from '../../src/domain/ids.js';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';

const TENANT = 'org_plan' as TenantId;

describe.each(DIALECTS)('outbox indexes and plans [%s]', (dialect) => {
  const sent: CompiledQuery[] = [];
  let db: Kysely<Schema>;
  let fresh: FreshDatabase;
  let sqlite: Database.Database | undefined;
  let pool: pg.Pool | undefined;

  /** The plan as one line: SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN text (seq scans disabled, so a usable index is used). */
  async function plan(q: CompiledQuery): Promise<string> {
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
  }

  beforeAll(async () => {
    fresh = await freshDatabase(dialect);
    const log = (e: { query: CompiledQuery }) => void sent.push(e.query);
    if (dialect === 'sqlite') {
      sqlite = new Database(fresh.config.url);
      db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }), log });
    } else {
      pool = new pg.Pool({ connectionString: fresh.config.url, max: 2 });
      db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), log });
    }
    await migrateToLatest(db as unknown as Kysely<unknown>, dialect);
  });

  afterAll(async () => {
    await db?.destroy();
    await fresh?.drop();
  });

  it('the events table carries only the indexes its queries use', async () => {
    const names =
      dialect === 'sqlite'
        ? (sqlite!.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'events' and sql is not null`).all() as Array<{ name: string }>).map((r) => r.name)
        : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'events' and indexname not like '%_pkey' and indexname not like '%_key'`.execute(db)).rows.map((r) => r.name);
    expect(names.sort()).toEqual(['events_subject', 'events_tenant_position']);
    // The unique event id (replay of one event) is the table's unique constraint.
    const unique =
      dialect === 'sqlite'
        ? (sqlite!.prepare(`select count(*) as n from pragma_index_list('events') where "unique" = 1 and origin = 'u'`).get() as { n: number }).n
        : Number((await sql<{ n: string }>`select count(*) as n from pg_indexes where tablename = 'events' and indexname = 'events_id_key'`.execute(db)).rows[0]!.n);
    expect(unique).toBe(1);
  });

  it('a user’s events are one lookup in events_subject; a page of the stream uses the position index', async () => {
    const repo = createEventsRepo(db, dialect, TENANT, new ChangeJournal());
    sent.length = 0;
    await repo.forResource('user-1', 50);
    const subject = sent.filter((q) => /coalesce\(member_id, resource_id\)/.test(q.sql));
    expect(subject).toHaveLength(1);
    expect(await plan(subject[0]!)).toMatch(/events_subject/);

    sent.length = 0;
    await repo.read({ after: { txid: '0', seq: 0 }, types: undefined, limit: 50 });
    const page = sent.filter((q) => /from "events"/.test(q.sql) && /limit/i.test(q.sql));
    expect(page).toHaveLength(1);
    expect(await plan(page[0]!)).toMatch(/events_tenant_position/);
  });

  it('the retention purge reads the oldest rows along the primary key, not a scan of the table', async () => {
    sent.length = 0;
    await createDeliveryQueue(db, dialect).purgeEvents(new Date().toISOString(), 100);
    const oldest = sent.filter((q) => /^select/i.test(q.sql) && /from "events"/.test(q.sql));
    expect(oldest.length).toBeGreaterThan(0);
    const p = await plan(oldest[0]!);
    if (dialect === 'sqlite') expect(p).toMatch(/^SCAN events$/); // rowid order: stops after LIMIT rows
    else expect(p).toMatch(/Index Scan using events_pkey/);
    expect(p).not.toMatch(/TEMP B-TREE|Sort/);
  });
});
