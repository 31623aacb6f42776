// Outbound events (issue #13). Additive only:
//  - events: the transactional outbox. Rows are written in the transaction of the change they
//    describe (services/events/record-events.ts) and read in (txid, seq) order. On PostgreSQL
//    `txid` is the writing transaction's xid8 (pg_current_xact_id()): a reader takes only rows whose
//    txid is below pg_snapshot_xmin(pg_current_snapshot()), i.e. rows of transactions that can no
//    longer commit "behind" it, so a cursor never skips a row that a slower transaction commits
//    later with a smaller seq. On SQLite writers are serialised (one write transaction at a time,
//    across processes too), so seq order is commit order and txid is a constant 0.
//  - event_purge_marks: per tenant, the position of the newest event the retention purge deleted;
//    a cursor below it is refused with a clear error instead of silently skipping events.
//  - api_keys.scopes: space-separated scopes (`scim`, `events:read`); existing keys keep `scim`.
//  - webhook_endpoints / webhook_deliveries: per-organisation webhooks and the per-endpoint
//    delivery queue (one row per event and endpoint; the unit of claim, retry and replay).
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const withSeq = (name: string) =>
    pg
      ? db.schema.createTable(name).addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      : db.schema.createTable(name).addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());

  await withSeq('events')
    .addColumn('txid', pg ? sql`xid8` : 'integer', (c) => c.notNull().defaultTo(pg ? sql`pg_current_xact_id()` : 0))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    /** Membership events: the member (a user's page lists the events of its memberships too). */
    .addColumn('member_id', 'text')
    /** The event's `data` object as JSON text, served as is. */
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  // The Events API and the webhook fan-out read one tenant in (txid, seq) order.
  await db.schema.createIndex('events_tenant_position').on('events').columns(['tenant_id', 'txid', 'seq']).execute();
  // The retention purge and the console's per-user events.
  await db.schema.createIndex('events_occurred').on('events').column('occurred_at').execute();
  await db.schema.createIndex('events_resource').on('events').columns(['tenant_id', 'resource_id', 'seq']).execute();
  await db.schema.createIndex('events_member').on('events').columns(['tenant_id', 'member_id', 'seq']).where(sql.ref('member_id'), 'is not', null).execute();

  await db.schema
    .createTable('event_purge_marks')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('txid', pg ? sql`xid8` : 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('purged_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('api_keys').addColumn('scopes', 'text', (c) => c.notNull().defaultTo('scim')).execute();

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    /** Space-separated event types; null = every type. */
    .addColumn('event_types', 'text')
    /** The signing secret (see services/webhooks: sealed with WEBHOOK_SECRET_KEY when configured). */
    .addColumn('secret', 'text', (c) => c.notNull())
    /** After a rotation, the old secret keeps signing (a second signature) until this time. */
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('disabled_reason', 'text')
    .addColumn('disabled_at', 'text')
    /** Set on the first failure after a success; 5 days of failures disable the endpoint. */
    .addColumn('failing_since', 'text')
    /** How far the fan-out has read the outbox for this endpoint ((txid, seq) position). */
    .addColumn('cursor_txid', pg ? sql`xid8` : 'integer', (c) => c.notNull())
    .addColumn('cursor_seq', 'bigint', (c) => c.notNull())
    /** SQLite: a fan-out lease (PostgreSQL uses FOR UPDATE SKIP LOCKED). */
    .addColumn('lease_until', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_endpoints_pk', ['tenant_id', 'id'])
    .execute();

  await withSeq('webhook_deliveries')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('event_seq', 'bigint', (c) => c.notNull().references('events.seq').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    /** `User:<id>` / `Group:<id>`: deliveries with the same key go out one at a time, in seq order. */
    .addColumn('resource_key', 'text', (c) => c.notNull())
    /** pending | delivering | succeeded | failed (retries exhausted) | cancelled (endpoint disabled). */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_duration_ms', 'integer')
    .addColumn('last_attempt_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('webhook_deliveries_endpoint_fk', ['tenant_id', 'endpoint_id'], 'webhook_endpoints', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addUniqueConstraint('webhook_deliveries_event_uq', ['tenant_id', 'endpoint_id', 'event_seq'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_resource').on('webhook_deliveries').columns(['tenant_id', 'endpoint_id', 'resource_key', 'seq']).execute();
  await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').column('event_seq').execute();
}
