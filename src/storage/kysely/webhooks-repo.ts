// Webhook endpoints of one tenant and their delivery log (0008). Every statement names tenant_id.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, WebhookEndpointsTable } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';
import { eventIdOf, seqOfEventId } from '../../domain/event-ids.js';
import type { DeliveryRecord, DeliveryStatus, WebhookEndpointRecord, WebhooksStore } from '../ports.js';
import { readHorizon } from './events-repo.js';

const toEndpoint = (r: Selectable<WebhookEndpointsTable>): WebhookEndpointRecord => ({
  tenantId: trustedTenantId(r.tenant_id),
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types === null ? null : r.event_types.split(' ').filter((t) => t !== ''),
  secret: r.secret,
  previousSecret: r.previous_secret,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  enabled: Number(r.enabled) === 1,
  disabledReason: r.disabled_reason,
  disabledAt: r.disabled_at,
  failingSince: r.failing_since,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const ENDPOINT_COLUMNS = [
  'tenant_id', 'id', 'url', 'description', 'event_types', 'secret', 'previous_secret', 'previous_secret_expires_at', 'enabled',
  'disabled_reason', 'disabled_at', 'failing_since', 'cursor_txid', 'cursor_seq', 'lease_until', 'created_by', 'created_at', 'updated_at',
] as const;

export const typesColumn = (types: readonly string[] | null): string | null => (types === null ? null : types.join(' '));

export function createWebhooksRepo(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId): WebhooksStore {
  const endpointSelect = () =>
    db
      .selectFrom('webhook_endpoints')
      .select(ENDPOINT_COLUMNS.filter((c) => c !== 'cursor_txid'))
      .select(dialect === 'postgres' ? sql<string>`cursor_txid::text`.as('cursor_txid') : sql<number>`cursor_txid`.as('cursor_txid'))
      .where('tenant_id', '=', tenantId);

  return {
    async create({ id, url, description, eventTypes, secret, createdBy, now }) {
      // A new endpoint receives the events from now on: its cursor starts at the read horizon.
      const horizon = await readHorizon(db, dialect);
      const row = {
        tenant_id: tenantId,
        id,
        url,
        description,
        event_types: typesColumn(eventTypes),
        secret,
        previous_secret: null,
        previous_secret_expires_at: null,
        enabled: 1,
        disabled_reason: null,
        disabled_at: null,
        failing_since: null,
        cursor_txid: dialect === 'postgres' ? horizon.txid : 0,
        cursor_seq: horizon.seq,
        lease_until: null,
        created_by: createdBy,
        created_at: now,
        updated_at: now,
      };
      await db
        .insertInto('webhook_endpoints')
        .values({ ...row, cursor_txid: dialect === 'postgres' ? sql`${horizon.txid}::xid8` : 0 } as never)
        .execute();
      return toEndpoint(row as Selectable<WebhookEndpointsTable>);
    },

    async list() {
      const rows = await endpointSelect().orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => toEndpoint(r as Selectable<WebhookEndpointsTable>));
    },

    async find(id) {
      const row = await endpointSelect().where('id', '=', id).executeTakeFirst();
      return row ? toEndpoint(row as Selectable<WebhookEndpointsTable>) : undefined;
    },

    async update(id, patch, now) {
      const set: Record<string, unknown> = { updated_at: now };
      if (patch.url !== undefined) set.url = patch.url;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.eventTypes !== undefined) set.event_types = typesColumn(patch.eventTypes);
      if (patch.secret !== undefined) set.secret = patch.secret;
      if (patch.previousSecret !== undefined) set.previous_secret = patch.previousSecret;
      if (patch.previousSecretExpiresAt !== undefined) set.previous_secret_expires_at = patch.previousSecretExpiresAt;
      if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
      if (patch.disabledReason !== undefined) set.disabled_reason = patch.disabledReason;
      if (patch.disabledAt !== undefined) set.disabled_at = patch.disabledAt;
      if (patch.failingSince !== undefined) set.failing_since = patch.failingSince;
      const r = await db.updateTable('webhook_endpoints').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return undefined;
      return this.find(id);
    },

    async remove(id) {
      const r = await db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async deliveries(endpointId, { beforeSeq, limit }) {
      let q = db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('events as e', 'e.seq', 'd.event_seq')
        .select([
          'd.seq', 'd.endpoint_id', 'd.event_id', 'e.type', 'e.occurred_at', 'd.resource_key', 'd.status', 'd.attempts', 'd.next_attempt_at',
          'd.last_status', 'd.last_error', 'd.last_duration_ms', 'd.last_attempt_at', 'd.delivered_at',
        ])
        .where('d.tenant_id', '=', tenantId)
        .where('e.tenant_id', '=', tenantId)
        .where('d.endpoint_id', '=', endpointId);
      if (beforeSeq !== undefined) q = q.where('d.seq', '<', beforeSeq);
      const rows = await q.orderBy('d.seq', 'desc').limit(limit).execute();
      return rows.map(
        (r): DeliveryRecord => ({
          seq: Number(r.seq),
          endpointId: r.endpoint_id,
          eventId: r.event_id,
          eventType: r.type,
          occurredAt: r.occurred_at,
          resourceKey: r.resource_key,
          status: r.status as DeliveryStatus,
          attempts: Number(r.attempts),
          nextAttemptAt: r.next_attempt_at,
          lastStatus: r.last_status === null ? null : Number(r.last_status),
          lastError: r.last_error,
          lastDurationMs: r.last_duration_ms === null ? null : Number(r.last_duration_ms),
          lastAttemptAt: r.last_attempt_at,
          deliveredAt: r.delivered_at,
        }),
      );
    },

    async replay(endpointId, select, now, limit) {
      const endpoint = await this.find(endpointId);
      if (!endpoint) return 0;
      const rows = () => db.selectFrom('events').select(['seq', 'id', 'occurred_at', 'resource_type', 'resource_id']).where('tenant_id', '=', tenantId);
      let events: Array<{ seq: number; id: string | null; occurred_at: string; resource_type: string; resource_id: string }>;
      if ('eventId' in select) {
        // A derived id names its row's seq (the primary key); an id stored before 0024 is in the
        // partial unique index events_legacy_id. Either way the row must carry exactly that id.
        const seq = seqOfEventId(select.eventId);
        const isIt = (e: (typeof events)[number]) => eventIdOf(e) === select.eventId;
        events = seq === undefined ? [] : (await rows().where('seq', '=', seq).execute()).filter(isIt);
        if (events.length === 0) events = (await rows().where('id', '=', select.eventId).execute()).filter(isIt);
        events = events.slice(0, limit);
      } else {
        let q = rows().where('occurred_at', '>=', select.from).where('occurred_at', '<=', select.to);
        if (endpoint.eventTypes !== null) q = q.where('type', 'in', endpoint.eventTypes.length ? endpoint.eventTypes : ['-']);
        events = await q.orderBy('txid').orderBy('seq').limit(limit).execute();
      }
      let queued = 0;
      for (const e of events) {
        // A delivery being sent right now is left alone (it is already going out).
        const r = await db
          .insertInto('webhook_deliveries')
          .values({
            tenant_id: tenantId,
            endpoint_id: endpointId,
            event_seq: Number(e.seq),
            event_id: eventIdOf(e),
            resource_key: `${e.resource_type}:${e.resource_id}`,
            status: 'pending',
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
          })
          .onConflict((oc) =>
            oc
              .columns(['tenant_id', 'endpoint_id', 'event_seq'])
              .doUpdateSet({ status: 'pending', attempts: 0, next_attempt_at: now, lease_until: null, delivered_at: null })
              .where('webhook_deliveries.status', '<>', 'delivering'),
          )
          .executeTakeFirst();
        queued += Number(r.numInsertedOrUpdatedRows ?? 0) > 0 ? 1 : 0;
      }
      return queued;
    },
  };
}
