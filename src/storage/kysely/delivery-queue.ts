// Webhook delivery work across tenants, for the workers (src/workers/). Many instances share it:
//  - fan-out: endpoints are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the
//    transaction takes the database's write lock with its first statement (one writer at a time,
//    across processes), so two fan-outs never read the same cursor;
//  - deliveries are claimed by one UPDATE that marks them `delivering` with a lease (lease_until)
//    and counts the attempt (the attempt number fences a late completion). PostgreSQL picks the
//    rows with FOR UPDATE SKIP LOCKED; SQLite's UPDATE runs under its write lock. An instance that
//    dies mid-delivery leaves the lease to expire: the delivery is claimed again (same event id).
// Ordering: a delivery is claimable only when no earlier delivery (lower seq: fan-out inserts in
// stream order) of the same resource to the same endpoint is pending or delivering — a later
// event of user X waits while an earlier one for X is retried; other resources do not wait.
import { notBusy } from './busy-receivers.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import { trustedTenantId } from '../../domain/ids.js';
import { eventIdOf } from '../../domain/event-ids.js';
import type { ClaimedDelivery, DeliveryQueue, EventPosition } from '../ports.js';
import { afterPosition, belowHorizon, comparePositions, readHorizon } from './events-repo.js';

const INSERT_CHUNK = 300;

export function createDeliveryQueue(db: Kysely<Database>, dialect: SqlDialectName): DeliveryQueue {
  const pg = dialect === 'postgres';
  const txidText = (col: string) => (pg ? sql<string>`${sql.ref(col)}::text` : sql<string>`${sql.ref(col)}`);
  const asTxid = (txid: string) => (pg ? sql`${txid}::xid8` : sql`${Number(txid)}`);

  return {
    async anyEnabledEndpoint() {
      const row = await db.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1).limit(1).executeTakeFirst();
      return row !== undefined;
    },

    async fanOut(now, { endpoints, eventsPerEndpoint }) {
      return db.transaction().execute(async (trx) => {
        // SQLite: take the write lock before reading anything (no stale read, no BUSY upgrade).
        if (!pg) await sql`update webhook_endpoints set lease_until = lease_until where 1 = 0`.execute(trx);
        // PostgreSQL: the first statement, before this transaction has an xid of its own.
        const horizon = await readHorizon(trx, dialect);
        let q = trx
          .selectFrom('webhook_endpoints as w')
          .select(['w.tenant_id', 'w.id', 'w.event_types', 'w.cursor_seq'])
          .select(txidText('w.cursor_txid').as('cursor_txid'))
          .where('w.enabled', '=', 1)
          // Only endpoints behind the horizon can have something new.
          .where(pg ? sql<boolean>`(w.cursor_txid, w.cursor_seq) < (${horizon.txid}::xid8, ${horizon.seq})` : sql<boolean>`w.cursor_seq < ${horizon.seq}`)
          .orderBy('w.updated_at')
          .limit(endpoints);
        if (pg) q = q.forUpdate().skipLocked();
        const eps = await q.execute();
        let created = 0;
        for (const ep of eps) {
          const cursor: EventPosition = { txid: String(ep.cursor_txid), seq: Number(ep.cursor_seq) };
          const types = ep.event_types === null ? null : ep.event_types.split(' ').filter((t) => t !== '');
          let eq = trx
            .selectFrom('events')
            .select(['seq', 'id', 'occurred_at', 'resource_type', 'resource_id'])
            .select(txidText('txid').as('txid'))
            .where('tenant_id', '=', ep.tenant_id)
            .where(afterPosition(dialect, cursor))
            .where(belowHorizon(dialect, horizon));
          if (types !== null) eq = eq.where('type', 'in', types.length ? types : ['-']);
          const events = await eq.orderBy('txid').orderBy('seq').limit(eventsPerEndpoint).execute();
          for (let i = 0; i < events.length; i += INSERT_CHUNK) {
            await trx
              .insertInto('webhook_deliveries')
              .values(
                events.slice(i, i + INSERT_CHUNK).map((e) => ({
                  tenant_id: ep.tenant_id,
                  endpoint_id: ep.id,
                  event_seq: Number(e.seq),
                  event_id: eventIdOf(e),
                  resource_key: `${e.resource_type}:${e.resource_id}`,
                  status: 'pending',
                  attempts: 0,
                  next_attempt_at: now,
                  created_at: now,
                })),
              )
              .onConflict((oc) => oc.doNothing())
              .execute();
          }
          created += events.length;
          const last = events[events.length - 1];
          const lastPos = last ? { txid: String(last.txid), seq: Number(last.seq) } : cursor;
          const next = events.length === eventsPerEndpoint ? lastPos : comparePositions(lastPos, horizon) > 0 ? lastPos : horizon;
          await trx
            .updateTable('webhook_endpoints')
            .set({ cursor_txid: asTxid(next.txid) as never, cursor_seq: next.seq })
            .where('tenant_id', '=', ep.tenant_id)
            .where('id', '=', ep.id)
            .execute();
        }
        return created;
      });
    },

    async claim(now, leaseUntil, limit, busy) {
      const lock = pg ? sql`for update of d skip locked` : sql``;
      const { rows } = await sql<{ seq: number; tenant_id: string; endpoint_id: string; attempts: number; event_seq: number }>`
        with due as (
          select d.seq from webhook_deliveries d
          join webhook_endpoints p on p.tenant_id = d.tenant_id and p.id = d.endpoint_id and p.enabled = 1
          where ((d.status = 'pending' and d.next_attempt_at <= ${now}) or (d.status = 'delivering' and d.lease_until < ${now}))
            and not exists (
              select 1 from webhook_deliveries e
              where e.tenant_id = d.tenant_id and e.endpoint_id = d.endpoint_id and e.resource_key = d.resource_key
                and e.seq < d.seq and e.status in ('pending', 'delivering'))
            ${notBusy(busy, 'd.endpoint_id')}
          order by d.next_attempt_at, d.seq
          limit ${limit}
          ${lock}
        )
        update webhook_deliveries set status = 'delivering', lease_until = ${leaseUntil}, attempts = attempts + 1
        where seq in (select seq from due)
        returning seq, tenant_id, endpoint_id, attempts, event_seq`.execute(db);
      if (rows.length === 0) return [];
      const details = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_endpoints as p', (j) => j.onRef('p.tenant_id', '=', 'd.tenant_id').onRef('p.id', '=', 'd.endpoint_id'))
        .innerJoin('events as e', 'e.seq', 'd.event_seq')
        .select(['d.seq', 'p.url', 'p.secret', 'p.previous_secret', 'p.previous_secret_expires_at', 'p.failing_since', 'd.event_id', 'e.type', 'e.occurred_at', 'e.data'])
        .where(
          'd.seq',
          'in',
          rows.map((r) => Number(r.seq)),
        )
        .execute();
      const bySeq = new Map(details.map((d) => [Number(d.seq), d]));
      return rows.flatMap((r): ClaimedDelivery[] => {
        const d = bySeq.get(Number(r.seq));
        if (!d) return []; // the endpoint or the event went away (organisation deleted) meanwhile
        return [
          {
            seq: Number(r.seq),
            tenantId: trustedTenantId(r.tenant_id),
            endpointId: r.endpoint_id,
            attempt: Number(r.attempts),
            url: d.url,
            secret: d.secret,
            previousSecret: d.previous_secret,
            previousSecretExpiresAt: d.previous_secret_expires_at,
            failingSince: d.failing_since,
            eventId: d.event_id,
            eventType: d.type,
            occurredAt: d.occurred_at,
            data: d.data,
          },
        ];
      });
    },

    async complete(d, outcome, now) {
      await db.transaction().execute(async (trx) => {
        const base = { last_status: outcome.status, last_error: outcome.error, last_duration_ms: Math.round(outcome.durationMs), last_attempt_at: now, lease_until: null };
        const set = outcome.ok
          ? { ...base, status: 'succeeded', delivered_at: now }
          : outcome.retryAt !== undefined
            ? { ...base, status: 'pending', next_attempt_at: outcome.retryAt }
            : { ...base, status: 'failed' };
        const r = await trx
          .updateTable('webhook_deliveries')
          .set(set)
          .where('seq', '=', d.seq)
          .where('tenant_id', '=', d.tenantId)
          .where('status', '=', 'delivering')
          .where('attempts', '=', d.attempt)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return; // replayed or reclaimed meanwhile: that attempt reports
        const ep = trx.updateTable('webhook_endpoints').where('tenant_id', '=', d.tenantId).where('id', '=', d.endpointId);
        if (outcome.ok) {
          await ep.set({ failing_since: null }).where('failing_since', 'is not', null).execute();
        } else if (outcome.disableEndpoint !== undefined) {
          await ep.set({ enabled: 0, disabled_reason: outcome.disableEndpoint, disabled_at: now, updated_at: now }).execute();
        } else {
          await ep.set({ failing_since: now }).where('failing_since', 'is', null).execute();
        }
      });
    },

    async purgeEvents(cutoff, batch) {
      let total = 0;
      let more = true;
      for (;;) {
        const deleted = await db.transaction().execute(async (trx) => {
          // Oldest first along the primary key (seq order is creation order; 0013 dropped the
          // occurred_at index, which only this purge used). The expired rows of the oldest batch
          // are deleted; a batch that holds a fresh row is the last one (its younger neighbours are
          // not expired either, give or take a clock step between instances: purged next time).
          const oldest = await trx
            .selectFrom('events')
            .select(['seq', 'tenant_id', 'occurred_at'])
            .select(txidText('txid').as('txid'))
            .orderBy('seq')
            .limit(batch)
            .execute();
          const rows = oldest.filter((r) => r.occurred_at < cutoff);
          more = rows.length === batch;
          if (rows.length === 0) return 0;
          await trx
            .deleteFrom('events')
            .where(
              'seq',
              'in',
              rows.map((r) => Number(r.seq)),
            )
            .execute();
          const marks = new Map<string, EventPosition>();
          for (const r of rows) {
            const p = { txid: String(r.txid), seq: Number(r.seq) };
            const m = marks.get(r.tenant_id);
            if (!m || comparePositions(p, m) > 0) marks.set(r.tenant_id, p);
          }
          for (const [tenant, p] of marks) {
            await trx
              .insertInto('event_purge_marks')
              .values({ tenant_id: tenant, txid: asTxid(p.txid) as never, seq: p.seq, purged_at: new Date().toISOString() })
              .onConflict((oc) =>
                oc
                  .column('tenant_id')
                  .doUpdateSet({ txid: sql`excluded.txid`, seq: sql`excluded.seq`, purged_at: sql`excluded.purged_at` })
                  .where(pg ? sql<boolean>`(event_purge_marks.txid, event_purge_marks.seq) < (excluded.txid, excluded.seq)` : sql<boolean>`event_purge_marks.seq < excluded.seq`),
              )
              .execute();
          }
          return rows.length;
        });
        total += deleted;
        if (!more) return total;
      }
    },
  };
}
