// Migration 0024 (issue #13's cost target) on an outbox the previous schema filled: event ids are
// derived from the row from now on, and the events table loses its unique index on id (SQLite:
// a table rebuild). Nothing a receiver or a consumer holds may change: stored ids stay (a retry
// carries the same webhook-id), deliveries keep their events (and still cascade with them), and a
// seq is never handed out twice — not even the seq of an event the retention purge deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { createDb } from '../../src/storage/dialects/create-db.js';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';
import { createEventsRepo } from '../../src/storage/kysely/events-repo.js';
import { createWebhooksRepo } from '../../src/storage/kysely/webhooks-repo.js';
import { ChangeJournal } from '../../src/storage/kysely/change-journal.js';
import { derivedEventId, EVENT_ID_PATTERN } from '../../src/domain/event-ids.js';
import type { Database } from '../../src/storage/kysely/database.js';
import type { TenantId } from '../../src/domain/ids.js';

const BEFORE = '0023-credential-changes';
const T = 'org-0024' as TenantId;
const AT = '2026-11-30T10:00:00.000Z';
const LEGACY = ['evt_01KB000000AAAAAAAAAAAAAAAA', 'evt_01KB000000BBBBBBBBBBBBBBBB', 'evt_01KB000000CCCCCCCCCCCCCCCC'];

for (const dialect of DIALECTS) {
  describe(`migration 0024-derived-event-ids on a filled outbox [${dialect}]`, () => {
    let fresh: FreshDatabase;
    beforeAll(async () => {
      fresh = await freshDatabase(dialect);
    });
    afterAll(async () => {
      await fresh.drop();
    });

    it('keeps stored ids, deliveries and the seq high-water mark; new events get derived ids', async () => {
      const handle = createDb(fresh.config);
      const raw = handle.db as unknown as Kysely<unknown>;
      const db = handle.db as unknown as Kysely<Database>;
      try {
        expect((await migrateToLatest(raw, handle.dialect, BEFORE)).at(-1)).toBe(BEFORE);
        const ins = (table: string, row: Record<string, unknown>) => sql`insert into ${sql.table(table)} (${sql.join(Object.keys(row).map((k) => sql.ref(k)))}) values (${sql.join(Object.values(row))})`.execute(raw);
        await ins('organizations', { id: T, name: 'Outbox', name_folded: 'outbox', api_access_approved: 1, created_at: AT });
        for (const [i, id] of LEGACY.entries()) {
          await ins('events', { tenant_id: T, id, type: 'user.updated', occurred_at: AT, resource_type: 'User', resource_id: `u${i}`, data: JSON.stringify({ n: i }) });
        }
        const seqs = (await sql<{ seq: number | string }>`select seq from events order by seq`.execute(raw)).rows.map((r) => Number(r.seq));
        const zero = dialect === 'postgres' ? sql`'0'::xid8` : sql`0`;
        await sql`insert into webhook_endpoints (tenant_id, id, url, secret, enabled, cursor_txid, cursor_seq, created_at, updated_at) values (${T}, 'ep-1', 'https://hooks.example.com/in', 'whsec_x', 1, ${zero}, 0, ${AT}, ${AT})`.execute(raw);
        await ins('webhook_deliveries', { tenant_id: T, endpoint_id: 'ep-1', event_seq: seqs[0], event_id: LEGACY[0], resource_key: 'User:u0', status: 'succeeded', attempts: 1, next_attempt_at: AT, created_at: AT });
        // The purge took the newest event: the next seq must still be above it.
        await sql`delete from events where seq = ${seqs[2]}`.execute(raw);

        expect(await migrateToLatest(raw, handle.dialect)).toContain('0024-derived-event-ids');

        const kept = await sql<{ seq: number | string; id: string }>`select seq, id from events order by seq`.execute(raw);
        expect(kept.rows.map((r) => [Number(r.seq), r.id])).toEqual([
          [seqs[0], LEGACY[0]],
          [seqs[1], LEGACY[1]],
        ]);
        const journal = new ChangeJournal();
        const repo = createEventsRepo(db, handle.dialect, T, journal);
        await db.transaction().execute(async (trx) => {
          await createEventsRepo(trx, handle.dialect, T, journal).append([{ type: 'user.created', occurredAt: AT, resourceType: 'User', resourceId: 'u9', memberId: null, data: '{}' }]);
        });
        const page = await repo.read({ after: undefined, types: undefined, limit: 10 });
        const fresh3 = page.events[2]!;
        expect(page.events.map((e) => e.id).slice(0, 2)).toEqual(LEGACY.slice(0, 2));
        expect(fresh3.position.seq).toBeGreaterThan(seqs[2]!);
        expect(fresh3.id).toBe(derivedEventId(fresh3.position.seq, AT));
        expect(fresh3.id).toMatch(EVENT_ID_PATTERN);

        // Replay finds a stored id (legacy index) and a derived one (primary key); not a made-up one.
        const hooks = createWebhooksRepo(db, handle.dialect, T);
        expect(await hooks.replay('ep-1', { eventId: LEGACY[1]! }, AT, 1)).toBe(1);
        expect(await hooks.replay('ep-1', { eventId: fresh3.id }, AT, 1)).toBe(1);
        expect(await hooks.replay('ep-1', { eventId: derivedEventId(fresh3.position.seq, '2020-01-01T00:00:00.000Z') }, AT, 1)).toBe(0);
        const queued = await sql<{ event_id: string }>`select event_id from webhook_deliveries where status = 'pending' order by event_seq`.execute(raw);
        expect(queued.rows.map((r) => r.event_id)).toEqual([LEGACY[1], fresh3.id]);

        // The old delivery still belongs to its event: deleting the event takes it along.
        await sql`delete from events where seq = ${seqs[0]}`.execute(raw);
        expect(Number((await sql<{ n: number | string }>`select count(*) as n from webhook_deliveries where event_seq = ${seqs[0]}`.execute(raw)).rows[0]!.n)).toBe(0);
      } finally {
        await handle.close();
      }
    });
  });
}
