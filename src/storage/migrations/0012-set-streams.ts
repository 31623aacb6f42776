// SCIM security event tokens (RFC 9967, issue #13). Additive only:
//  - set_signing_keys: per organisation, the ES256 keys SETs are signed with. The newest key without
//    retired_at signs; retired keys stay in the published JWKS for an overlap, then drop out.
//  - set_streams: per organisation, the receivers: push (RFC 8935: endpoint URL, optional
//    Authorization header value sent with each request) or poll (RFC 8936: the SHA-256 of the
//    bearer token the receiver polls with). source_cursor is the stream's position in the outbox;
//    lease_owner/lease_until let one instance at a time turn outbox events into SETs.
//  - set_deliveries: one row per SET per stream, in outbox order (seq): its claims, state
//    (pending → delivered | failed), attempts, next retry and the last answer; leased by the push
//    worker that is sending it. (stream_id, source_event_id) makes turning events into SETs idempotent.
// Everything cascades with the organisation: a deleted organisation's SETs are never delivered.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable('set_signing_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .addPrimaryKeyConstraint('set_signing_keys_pk', ['tenant_id', 'kid'])
    .execute();

  await db.schema
    .createTable('set_streams')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('delivery', 'text', (c) => c.notNull())
    .addColumn('endpoint_url', 'text')
    .addColumn('authorization', 'text')
    .addColumn('poll_token_hash', 'text')
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('event_uris', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('source_cursor', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('set_streams_pk', ['tenant_id', 'id'])
    .execute();
  // The poll endpoint finds its stream by id before it knows the tenant.
  await db.schema.createIndex('set_streams_id').on('set_streams').column('id').unique().execute();

  const seq =
    dialect === 'postgres'
      ? db.schema.createTable('set_deliveries').addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      : db.schema.createTable('set_deliveries').addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  await seq
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('source_event_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('txn', 'text', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addForeignKeyConstraint('set_deliveries_stream_fk', ['tenant_id', 'stream_id'], 'set_streams', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('set_deliveries_stream_event').on('set_deliveries').columns(['stream_id', 'source_event_id']).unique().execute();
  await db.schema.createIndex('set_deliveries_stream_jti').on('set_deliveries').columns(['stream_id', 'jti']).unique().execute();
  // Due work in order, and "is an earlier SET about this subject still pending?".
  await db.schema.createIndex('set_deliveries_stream_status_seq').on('set_deliveries').columns(['stream_id', 'status', 'seq']).execute();
  await db.schema.createIndex('set_deliveries_stream_subject').on('set_deliveries').columns(['stream_id', 'subject', 'status', 'seq']).execute();
  await db.schema.createIndex('set_deliveries_tenant').on('set_deliveries').columns(['tenant_id', 'stream_id']).execute();
}
