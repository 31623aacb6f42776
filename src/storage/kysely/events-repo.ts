// The outbox (0008): append in the change's transaction, read in commit-safe order.
//
// PostgreSQL: a sequence value can commit after a larger one (transaction A takes seq 10, B takes
// 11 and commits, A commits later): a reader that had passed 11 would never see 10. So each row
// carries its transaction's xid8, rows are ordered by (txid, seq), and a reader takes only rows of
// transactions older than the oldest one still running (readHorizon: pg_snapshot_xmin restricted to
// this database; PostgreSQL docs §9.27.5 "Transaction ID and Snapshot Information Functions"). Any
// transaction that can still commit has txid >= that horizon, so it lands after every position read.
// SQLite: one write transaction at a time (across processes too), so seq order is commit order; txid is 0.
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { TenantId } from '../../domain/ids.js';
import { eventIdOf } from '../../domain/event-ids.js';
import type { EventPosition, OutboxStore, StoredEvent } from '../ports.js';
import type { ChangeJournal } from './change-journal.js';
import { runPrepared } from './prepared.js';

const CHUNK = 128; // rows per INSERT: 7 parameters each, far below either dialect's bound.

type Row = { seq: number | string; txid: number | string; id: string | null; type: string; occurred_at: string; resource_type: string; resource_id: string; data: string };

const toEvent = (r: Row): StoredEvent => ({
  position: { txid: String(r.txid), seq: Number(r.seq) },
  id: eventIdOf(r),
  type: r.type,
  occurredAt: r.occurred_at,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  data: r.data,
});

export const comparePositions = (a: EventPosition, b: EventPosition): number => {
  const ax = BigInt(a.txid);
  const bx = BigInt(b.txid);
  if (ax !== bx) return ax < bx ? -1 : 1;
  return a.seq - b.seq;
};

/** Rows strictly after `p` in (txid, seq) order; `alias` qualifies the columns. */
export function afterPosition(dialect: SqlDialectName, p: EventPosition, alias = 'events') {
  const txid = sql.ref(`${alias}.txid`);
  const seq = sql.ref(`${alias}.seq`);
  return dialect === 'postgres' ? sql<boolean>`(${txid}, ${seq}) > (${p.txid}::xid8, ${p.seq})` : sql<boolean>`${seq} > ${p.seq}`;
}

/**
 * The read horizon: every event of a transaction below it has committed or never will.
 *
 * PostgreSQL: the oldest transaction of THIS database that was running at a fresh snapshot
 * (pg_snapshot_xip ∩ pg_stat_activity.backend_xid of our backends), else the snapshot's xmax.
 * The plain pg_snapshot_xmin(pg_current_snapshot()) would be correct too, but it counts every
 * database of the cluster: one idle-in-transaction session elsewhere would stall our events.
 * Why this is safe: a transaction that can still insert events here either (a) was running at the
 * snapshot with an xid — it is in xip and, still running, in pg_stat_activity, so the horizon is
 * at most its xid — or (b) had no xid yet, and then gets one >= xmax >= the horizon. A transaction
 * in xip that committed before pg_stat_activity was read is finished: its rows are visible to the
 * next statement. Events carry the top-level xid (pg_current_xact_id()), which backend_xid reports
 * (32 bits: matched modulo 2^32 against the 64-bit xip). backend_xid is shown to every role.
 */
export async function readHorizon(db: Kysely<Database>, dialect: SqlDialectName): Promise<EventPosition> {
  if (dialect === 'postgres') {
    const { rows } = await sql<{ x: string }>`
      with s as (select pg_current_snapshot() as snap),
           ours as (select backend_xid::text::bigint as x32 from pg_stat_activity where datname = current_database() and backend_xid is not null)
      select coalesce(
        (select min(x) from s, pg_snapshot_xip(s.snap) as x where (x::text::numeric % 4294967296)::bigint in (select x32 from ours)),
        (select pg_snapshot_xmax(snap) from s)
      )::text as x`.execute(db);
    // (x, 0): everything of transactions < x is readable; x itself may still be running.
    return { txid: rows[0]!.x, seq: 0 };
  }
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  return { txid: '0', seq: Number(row?.m ?? 0) };
}

/** Rows at or below the horizon (PostgreSQL: txid < xmin; SQLite: seq <= max seq read). */
export function belowHorizon(dialect: SqlDialectName, h: EventPosition, alias = 'events') {
  return dialect === 'postgres' ? sql<boolean>`${sql.ref(`${alias}.txid`)} < ${h.txid}::xid8` : sql<boolean>`${sql.ref(`${alias}.seq`)} <= ${h.seq}`;
}

export function createEventsRepo(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId, journal: ChangeJournal | undefined): OutboxStore {
  const columns = ['seq', 'txid', 'id', 'type', 'occurred_at', 'resource_type', 'resource_id', 'data'] as const;
  const select = () =>
    db
      .selectFrom('events')
      .select(columns.filter((c) => c !== 'txid'))
      .select(dialect === 'postgres' ? sql<string>`txid::text`.as('txid') : sql<number>`txid`.as('txid'))
      .where('tenant_id', '=', tenantId);
  return {
    async append(rows) {
      if (rows.length === 0) return;
      if (!journal) throw new Error('outbox rows must be written inside store.transaction(), with the change they describe');
      // Compiled once per chunk size (Kysely builds and compiles a query tree on every call: for a
      // one-event write that was most of the outbox's CPU). Sizes are CHUNK and powers of two below
      // it, so a handful of templates serve any count.
      let i = 0;
      while (i < rows.length) {
        const left = rows.length - i;
        const n = left >= CHUNK ? CHUNK : 2 ** Math.floor(Math.log2(left));
        const args: unknown[] = [];
        for (const r of rows.slice(i, i + n)) args.push(tenantId, r.type, r.occurredAt, r.resourceType, r.resourceId, r.memberId, r.data);
        // No id: it is derived from the row's seq (domain/event-ids.ts), so it needs no index.
        await runPrepared(db, `${dialect}:events:append:${n}`, args, (...p) =>
          db.insertInto('events').values(
            Array.from({ length: n }, (_, k) => {
              const v = p.slice(k * 7, k * 7 + 7);
              return { tenant_id: v[0]!, type: v[1]!, occurred_at: v[2]!, resource_type: v[3]!, resource_id: v[4]!, member_id: v[5]!, data: v[6]! };
            }),
          ),
        );
        i += n;
      }
      for (const r of rows) journal.cover(r.resourceType, r.resourceId, r.memberId);
    },

    async read({ after, types, limit }) {
      const horizon = await readHorizon(db, dialect);
      let q = select().where(belowHorizon(dialect, horizon));
      if (after) q = q.where(afterPosition(dialect, after));
      if (types && types.length > 0) q = q.where('type', 'in', types);
      const rows = (await q.orderBy('txid').orderBy('seq').limit(limit).execute()) as Row[];
      const events = rows.map(toEvent);
      let next: EventPosition;
      if (events.length === limit) next = events[events.length - 1]!.position;
      else {
        // Not full: everything below the horizon has been read; continue from there (a quiet
        // tenant's cursor keeps moving, so it does not age past retention).
        const last = events[events.length - 1]?.position ?? after;
        next = last && comparePositions(last, horizon) > 0 ? last : horizon;
      }
      return { events, next };
    },

    async purgeMark() {
      const row = await db
        .selectFrom('event_purge_marks')
        .select(['seq'])
        .select(dialect === 'postgres' ? sql<string>`txid::text`.as('txid') : sql<number>`txid`.as('txid'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst();
      return row ? { txid: String(row.txid), seq: Number(row.seq) } : undefined;
    },

    async forResource(resourceId, limit) {
      // Its own events and those of its memberships, one lookup in events_subject (0013).
      const rows = await select().where(subjectIs(resourceId)).orderBy('seq', 'desc').limit(limit).execute();
      return (rows as Row[]).map(toEvent);
    },
  };
}

/** "The event is about this user": its own events and its memberships'; spelled like the events_subject index (0013). */
export const subjectIs = (id: string) => sql<boolean>`coalesce(member_id, resource_id) = ${id}`;
