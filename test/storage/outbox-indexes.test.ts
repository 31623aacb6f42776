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
import { sql } from 'kysely';
import { createEventsRepo } from '../../src/storage/kysely/events-repo.js';
import { createDeliveryQueue } from '../../src/storage/kysely/delivery-queue.js';
import { ChangeJournal } from '../../src/storage/kysely/change-journal.js';
import { createWebhooksRepo } from '../../src/storage/kysely/webhooks-repo.js';
import { derivedEventId } from '../../src/domain/event-ids.js';
import type { TenantId } from '../../src/domain/ids.js';
import { DIALECTS } from '../support/databases.js';
import { plannedDb, type PlannedDb } from '../support/planned-db.js';

const TENANT = 'org_plan' as TenantId;

describe.each(DIALECTS)('outbox indexes and plans [%s]', (dialect) => {
  let p: PlannedDb;

  beforeAll(async () => {
    p = await plannedDb(dialect);
  });

  afterAll(async () => {
    await p?.close();
  });

  it('the events table carries only the indexes its queries use', async () => {
    const names = await p.indexesOf('events');
    expect(names).toEqual(['events_legacy_id', 'events_subject', 'events_tenant_position']);
    // No unique constraint on id any more (0024): new rows store no id, so they touch no id index.
    const unique = p.sqlite
      ? (p.sqlite.prepare(`select count(*) as n from pragma_index_list('events') where "unique" = 1 and origin = 'u'`).get() as { n: number }).n
      : Number((await sql<{ n: string }>`select count(*) as n from pg_indexes where tablename = 'events' and indexname = 'events_id_key'`.execute(p.db)).rows[0]!.n);
    expect(unique).toBe(0);
    const legacy = await p.indexSql('events_legacy_id');
    expect(legacy).toMatch(/where \(?id is not null\)?/i);
  });

  it('replay of one event by its derived id is a primary-key lookup, then the legacy index, never a scan', async () => {
    await sql`insert into organizations (id, name, name_folded, api_access_approved, created_at) values (${TENANT}, 'Plan', 'plan', 1, '2026-01-01T00:00:00.000Z') on conflict do nothing`.execute(p.db);
    const now = new Date().toISOString();
    await sql`insert into webhook_endpoints (tenant_id, id, url, secret, enabled, cursor_txid, cursor_seq, created_at, updated_at) values (${TENANT}, 'ep-plan', 'https://example.com/h', 's', 1, ${dialect === 'postgres' ? sql`'0'::xid8` : 0}, 0, ${now}, ${now}) on conflict do nothing`.execute(p.db);
    p.sent.length = 0;
    await createWebhooksRepo(p.db, dialect, TENANT).replay('ep-plan', { eventId: derivedEventId(12345, now) }, now, 1);
    // Not found by seq (nothing is stored yet): then the legacy index.
    const lookups = p.sent.filter((q) => /^select/i.test(q.sql) && /from "events"/.test(q.sql));
    expect(lookups).toHaveLength(2);
    const bySeq = await p.plan(lookups[0]!);
    if (dialect === 'sqlite') expect(bySeq).toMatch(/INTEGER PRIMARY KEY/);
    else expect(bySeq).toMatch(/Index Cond: .*seq = /); // the empty table gives PostgreSQL no reason to prefer events_pkey over another index holding seq
    expect(await p.plan(lookups[1]!)).toMatch(/events_legacy_id/);
  });

  it('a user’s events are one lookup in events_subject; a page of the stream uses the position index', async () => {
    const repo = createEventsRepo(p.db, dialect, TENANT, new ChangeJournal());
    p.sent.length = 0;
    await repo.forResource('user-1', 50);
    const subject = p.sent.filter((q) => /coalesce\(member_id, resource_id\)/.test(q.sql));
    expect(subject).toHaveLength(1);
    expect(await p.plan(subject[0]!)).toMatch(/events_subject/);

    p.sent.length = 0;
    await repo.read({ after: { txid: '0', seq: 0 }, types: undefined, limit: 50 });
    const page = p.sent.filter((q) => /from "events"/.test(q.sql) && /limit/i.test(q.sql));
    expect(page).toHaveLength(1);
    expect(await p.plan(page[0]!)).toMatch(/events_tenant_position/);
  });

  it('the retention purge reads the oldest rows along the primary key, not a scan of the table', async () => {
    p.sent.length = 0;
    await createDeliveryQueue(p.db, dialect).purgeEvents(new Date().toISOString(), 100);
    const oldest = p.sent.filter((q) => /^select/i.test(q.sql) && /from "events"/.test(q.sql));
    expect(oldest.length).toBeGreaterThan(0);
    const purge = await p.plan(oldest[0]!);
    if (dialect === 'sqlite') expect(purge).toMatch(/^SCAN events$/); // rowid order: stops after LIMIT rows
    else expect(purge).toMatch(/Index Scan using events_pkey/);
    expect(purge).not.toMatch(/TEMP B-TREE|Sort/);
  });
});
