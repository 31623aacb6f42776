// The outbox's indexes (migration 0013, issue #13's cost target): every event row is written into
// its table and each index B-tree, so the outbox keeps only the indexes a query really uses. The
// statements the repositories send are captured and their plans checked on both dialects:
//  - a user's events (console history, erasure) → events_subject, one lookup;
//  - the Events API / fan-out page → events_tenant_position;
//  - the retention purge → the primary key from the oldest row (no occurred_at index any more);
//  - replay of one event by id → the primary key (ids are derived from seq since 0024; no unique
//    index on id, only a partial one for rows stored before 0024);
//  - and the events table has exactly these indexes, so a new one is a decision, not an accident.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';
import { createEventsRepo } from '../../src/storage/kysely/events-repo.js';
import { createDeliveryQueue } from '../../src/storage/kysely/delivery-queue.js';
import { ChangeJournal } from '../../src/storage/kysely/change-journal.js';
import { createWebhooksRepo } from '../../src/storage/kysely/webhooks-repo.js';
import { derivedEventId } from '../../src/domain/event-ids.js';
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
    expect(names.sort()).toEqual(['events_legacy_id', 'events_subject', 'events_tenant_position']);
    // No unique constraint on id any more (0024): new rows store no id, so they touch no id index.
    const unique =
      dialect === 'sqlite'
        ? (sqlite!.prepare(`select count(*) as n from pragma_index_list('events') where "unique" = 1 and origin = 'u'`).get() as { n: number }).n
        : Number((await sql<{ n: string }>`select count(*) as n from pg_indexes where tablename = 'events' and indexname = 'events_id_key'`.execute(db)).rows[0]!.n);
    expect(unique).toBe(0);
    const legacy =
      dialect === 'sqlite'
        ? (sqlite!.prepare(`select sql from sqlite_master where name = 'events_legacy_id'`).get() as { sql: string }).sql
        : (await sql<{ d: string }>`select indexdef as d from pg_indexes where indexname = 'events_legacy_id'`.execute(db)).rows[0]!.d;
    expect(legacy).toMatch(/where \(?id is not null\)?/i);
  });

  it('replay of one event by its derived id is a primary-key lookup, then the legacy index, never a scan', async () => {
    await sql`insert into organizations (id, name, name_folded, api_access_approved, created_at) values (${TENANT}, 'Plan', 'plan', 1, '2026-01-01T00:00:00.000Z') on conflict do nothing`.execute(db);
    const now = new Date().toISOString();
    await sql`insert into webhook_endpoints (tenant_id, id, url, secret, enabled, cursor_txid, cursor_seq, created_at, updated_at) values (${TENANT}, 'ep-plan', 'https://example.com/h', 's', 1, ${dialect === 'postgres' ? sql`'0'::xid8` : 0}, 0, ${now}, ${now}) on conflict do nothing`.execute(db);
    sent.length = 0;
    await createWebhooksRepo(db, dialect, TENANT).replay('ep-plan', { eventId: derivedEventId(12345, now) }, now, 1);
    // Not found by seq (nothing is stored yet): then the legacy index.
    const lookups = sent.filter((q) => /^select/i.test(q.sql) && /from "events"/.test(q.sql));
    expect(lookups).toHaveLength(2);
    const bySeq = await plan(lookups[0]!);
    if (dialect === 'sqlite') expect(bySeq).toMatch(/INTEGER PRIMARY KEY/);
    else expect(bySeq).toMatch(/Index Cond: .*seq = /); // the empty table gives PostgreSQL no reason to prefer events_pkey over another index holding seq
    expect(await plan(lookups[1]!)).toMatch(/events_legacy_id/);
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
