// SET streams (RFC 9967 over RFC 8935 push / RFC 8936 poll): signing keys, stream configuration and
// the per-stream SET rows. Claiming work: FOR UPDATE SKIP LOCKED on PostgreSQL, a single
// UPDATE … WHERE seq IN (…) on SQLite (one writer at a time), leases on both so a crashed worker's
// claim expires and another instance takes the SET over.
import { notBusy } from './busy-receivers.js';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SetDeliveriesTable, SetStreamsTable } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { ClaimedSetDelivery, SetDeliveryRecord, SetSigningKeyRecord, SetStore, SetStreamRecord } from '../ports.js';
import { trustedTenantId } from '../../domain/ids.js';
import { readHorizon } from './events-repo.js';

const toStream = (r: Selectable<SetStreamsTable>): SetStreamRecord => ({
  tenantId: trustedTenantId(r.tenant_id),
  id: r.id,
  name: r.name,
  delivery: r.delivery === 'poll' ? 'poll' : 'push',
  endpointUrl: r.endpoint_url,
  authorization: r.authorization,
  pollTokenHash: r.poll_token_hash,
  audience: r.audience,
  eventUris: r.event_uris === null ? null : (JSON.parse(r.event_uris) as string[]),
  enabled: Number(r.enabled) === 1,
  sourceCursor: r.source_cursor,
  createdAt: r.created_at,
  failingSince: r.failing_since ?? null,
  disabledReason: r.disabled_reason ?? null,
  disabledAt: r.disabled_at ?? null,
});

const toDelivery = (r: Selectable<SetDeliveriesTable>): SetDeliveryRecord => ({
  seq: Number(r.seq),
  tenantId: trustedTenantId(r.tenant_id),
  streamId: r.stream_id,
  jti: r.jti,
  sourceEventId: r.source_event_id,
  subject: r.subject,
  txn: r.txn,
  claims: r.claims,
  status: r.status === 'delivered' ? 'delivered' : r.status === 'failed' ? 'failed' : 'pending',
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: r.last_error,
  lastDescription: r.last_description,
  createdAt: r.created_at,
  completedAt: r.completed_at,
});

const toKey = (r: { kid: string; alg: string; private_jwk: string; public_jwk: string; created_at: string; retired_at: string | null }): SetSigningKeyRecord => ({
  kid: r.kid,
  alg: r.alg,
  privateJwk: r.private_jwk,
  publicJwk: r.public_jwk,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
});

export function createSetStreamsRepo(db: Kysely<Database>, dialect: SqlDialectName): SetStore {
  return {
    async activeKey(tenantId) {
      const row = await db
        .selectFrom('set_signing_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('retired_at', 'is', null)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      return row ? toKey(row) : undefined;
    },
    async rotateKey(tenantId, key) {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('set_signing_keys').set({ retired_at: key.createdAt }).where('tenant_id', '=', tenantId).where('retired_at', 'is', null).execute();
        await trx
          .insertInto('set_signing_keys')
          .values({ tenant_id: tenantId, kid: key.kid, alg: key.alg, private_jwk: key.privateJwk, public_jwk: key.publicJwk, created_at: key.createdAt, retired_at: null })
          .execute();
      });
    },
    async publishedKeys(tenantId, retiredAfter) {
      const rows = await db
        .selectFrom('set_signing_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toKey);
    },

    async createStream(s) {
      await db
        .insertInto('set_streams')
        .values({
          tenant_id: s.tenantId,
          id: s.id,
          name: s.name,
          delivery: s.delivery,
          endpoint_url: s.endpointUrl,
          authorization: s.authorization,
          poll_token_hash: s.pollTokenHash,
          audience: s.audience,
          event_uris: s.eventUris === null ? null : JSON.stringify(s.eventUris),
          enabled: s.enabled ? 1 : 0,
          source_cursor: s.sourceCursor,
          created_at: s.createdAt,
        })
        .execute();
    },
    async listStreams(tenantId) {
      const rows = await db.selectFrom('set_streams').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toStream);
    },
    async findStream(tenantId, id) {
      const row = await db.selectFrom('set_streams').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toStream(row) : undefined;
    },
    async findStreamById(id) {
      const row = await db.selectFrom('set_streams').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toStream(row) : undefined;
    },
    async deleteStream(tenantId, id) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('set_deliveries').where('tenant_id', '=', tenantId).where('stream_id', '=', id).execute();
        const r = await trx.deleteFrom('set_streams').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
    async setStreamEnabled(tenantId, id, enabled, now, reason) {
      const r = await db
        .updateTable('set_streams')
        .set(enabled ? { enabled: 1, failing_since: null, disabled_reason: null, disabled_at: null } : { enabled: 0, disabled_reason: reason ?? null, disabled_at: now ?? new Date().toISOString() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async streamStats(tenantId, id) {
      const rows = await db
        .selectFrom('set_deliveries')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('tenant_id', '=', tenantId)
        .where('stream_id', '=', id)
        .groupBy('status')
        .execute();
      const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
      return { pending: n('pending'), delivered: n('delivered'), failed: n('failed') };
    },
    async notePushHealth(tenantId, id, healthy, now, disableIfFailingSince, reason) {
      const stream = db.updateTable('set_streams').where('tenant_id', '=', tenantId).where('id', '=', id);
      if (healthy) {
        await stream.set({ failing_since: null }).where('failing_since', 'is not', null).execute();
        return false;
      }
      await stream.set({ failing_since: now }).where('failing_since', 'is', null).execute();
      const r = await stream
        .set({ enabled: 0, disabled_reason: reason, disabled_at: now })
        .where('enabled', '=', 1)
        .where('failing_since', '<=', disableIfFailingSince)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async enabledStreams() {
      const rows = await db.selectFrom('set_streams').select(['tenant_id', 'id', 'delivery']).where('enabled', '=', 1).orderBy('created_at').execute();
      return rows.map((r) => ({ tenantId: trustedTenantId(r.tenant_id), id: r.id, delivery: r.delivery === 'poll' ? ('poll' as const) : ('push' as const) }));
    },

    outboxHead: () => readHorizon(db, dialect),
    async leaseStream(tenantId, id, owner, now, until) {
      // One conditional UPDATE: atomic on both engines (PostgreSQL row lock, SQLite single writer).
      const r = await db
        .updateTable('set_streams')
        .set({ lease_owner: owner, lease_until: until })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async releaseStream(tenantId, id, owner) {
      await db.updateTable('set_streams').set({ lease_owner: null, lease_until: null }).where('tenant_id', '=', tenantId).where('id', '=', id).where('lease_owner', '=', owner).execute();
    },
    async appendDeliveries(tenantId, streamId, owner, from, to, rows, now) {
      return db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('set_streams')
          .set({ source_cursor: to })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', streamId)
          .where('lease_owner', '=', owner)
          .where((eb) => (from === null ? eb('source_cursor', 'is', null) : eb('source_cursor', '=', from)))
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) === 0) return false;
        // Chunks keep each statement under SQLite's bound-parameter limit.
        for (let i = 0; i < rows.length; i += 200) {
          await trx
            .insertInto('set_deliveries')
            .values(
              rows.slice(i, i + 200).map((r) => ({
                tenant_id: tenantId,
                stream_id: streamId,
                jti: r.jti,
                source_event_id: r.sourceEventId,
                subject: r.subject,
                txn: r.txn,
                claims: r.claims,
                status: 'pending',
                next_attempt_at: now,
                created_at: now,
              })),
            )
            .onConflict((oc) => oc.columns(['stream_id', 'source_event_id']).doNothing())
            .execute();
        }
        return true;
      });
    },

    async claimDuePush(owner, now, leaseUntil, limit, busy) {
      // Due, unleased, and not overtaking an earlier pending SET about the same subject: per stream,
      // SETs about one resource go out in outbox order; unrelated resources do not wait.
      const candidates = sql<{ seq: number | string }>`
        select d.seq from set_deliveries d
        join set_streams s on s.tenant_id = d.tenant_id and s.id = d.stream_id
        where s.enabled = 1 and s.delivery = 'push'
          and d.status = 'pending' and d.next_attempt_at <= ${now}
          and (d.lease_until is null or d.lease_until < ${now})
          and not exists (
            select 1 from set_deliveries e
            where e.stream_id = d.stream_id and e.subject = d.subject and e.status = 'pending' and e.seq < d.seq)
          ${notBusy(busy, 'd.stream_id')}
        order by d.seq
        limit ${limit}`;
      let seqs: number[];
      if (dialect === 'postgres') {
        seqs = await db.transaction().execute(async (trx) => {
          const picked = await sql<{ seq: number | string }>`${candidates} for update of d skip locked`.execute(trx);
          const ids = picked.rows.map((r) => Number(r.seq));
          if (ids.length) await trx.updateTable('set_deliveries').set({ lease_owner: owner, lease_until: leaseUntil }).where('seq', 'in', ids).execute();
          return ids;
        });
      } else {
        const r = await sql<{ seq: number }>`
          update set_deliveries set lease_owner = ${owner}, lease_until = ${leaseUntil}
          where seq in (${candidates}) returning seq`.execute(db);
        seqs = r.rows.map((x) => Number(x.seq));
      }
      if (seqs.length === 0) return [];
      const rows = await db
        .selectFrom('set_deliveries as d')
        .innerJoin('set_streams as s', (j) => j.onRef('s.tenant_id', '=', 'd.tenant_id').onRef('s.id', '=', 'd.stream_id'))
        .selectAll('d')
        .select(['s.endpoint_url', 's.authorization'])
        .where('d.seq', 'in', seqs)
        .where('d.lease_owner', '=', owner)
        .orderBy('d.seq')
        .execute();
      return rows
        .filter((r) => r.endpoint_url !== null)
        .map((r): ClaimedSetDelivery => ({ ...toDelivery(r), endpointUrl: r.endpoint_url!, authorization: r.authorization }));
    },
    async recordAttempt(seq, owner, outcome) {
      const base = db.updateTable('set_deliveries').where('seq', '=', seq).where('lease_owner', '=', owner).where('status', '=', 'pending');
      const attempts = sql<number>`attempts + 1`;
      const r =
        outcome.kind === 'delivered'
          ? await base.set({ status: 'delivered', attempts, completed_at: outcome.at, last_status: outcome.status, last_error: null, last_description: null, lease_owner: null, lease_until: null }).executeTakeFirst()
          : outcome.kind === 'failed'
            ? await base
                .set({ status: 'failed', attempts, completed_at: outcome.at, last_status: outcome.status, last_error: outcome.error, last_description: outcome.description, lease_owner: null, lease_until: null })
                .executeTakeFirst()
            : await base
                .set({ attempts, next_attempt_at: outcome.nextAttemptAt, last_status: outcome.status, last_error: outcome.error, last_description: outcome.description, lease_owner: null, lease_until: null })
                .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async pendingForPoll(tenantId, streamId, limit) {
      const rows = await db
        .selectFrom('set_deliveries')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('stream_id', '=', streamId)
        .where('status', '=', 'pending')
        .orderBy('seq')
        .limit(limit + 1)
        .execute();
      return { rows: rows.slice(0, limit).map(toDelivery), more: rows.length > limit };
    },
    async acknowledge(tenantId, streamId, acks, errors, now) {
      return db.transaction().execute(async (trx) => {
        let n = 0;
        for (let i = 0; i < acks.length; i += 200) {
          const r = await trx
            .updateTable('set_deliveries')
            .set({ status: 'delivered', completed_at: now, attempts: sql<number>`attempts + 1` })
            .where('tenant_id', '=', tenantId)
            .where('stream_id', '=', streamId)
            .where('status', '=', 'pending')
            .where('jti', 'in', acks.slice(i, i + 200))
            .executeTakeFirst();
          n += Number(r.numUpdatedRows);
        }
        for (const [jti, e] of errors) {
          const r = await trx
            .updateTable('set_deliveries')
            .set({ status: 'failed', completed_at: now, attempts: sql<number>`attempts + 1`, last_error: e.err, last_description: e.description })
            .where('tenant_id', '=', tenantId)
            .where('stream_id', '=', streamId)
            .where('status', '=', 'pending')
            .where('jti', '=', jti)
            .executeTakeFirst();
          n += Number(r.numUpdatedRows);
        }
        return n;
      });
    },
    async listDeliveries(tenantId, streamId, limit) {
      const rows = await db.selectFrom('set_deliveries').selectAll().where('tenant_id', '=', tenantId).where('stream_id', '=', streamId).orderBy('seq', 'desc').limit(limit).execute();
      return rows.map(toDelivery);
    },
    async purgeCompleted(before) {
      const r = await db.deleteFrom('set_deliveries').where('status', 'in', ['delivered', 'failed']).where('completed_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
