// What the console shows an admin about their identity provider's connection (issue #17).
// Additive only:
//  - auth_failures: refused SCIM requests that carried one of the organisation's key ids (revoked
//    key, wrong secret for a known key, organisation not approved for API access). Aggregated:
//    one row per (organisation, key, reason) with a counter and first/last times, so a client
//    retrying every few seconds for weeks still owns one row. The presented secret is never
//    stored; only the key id (public: it is the visible prefix) and the client's User-Agent.
//  - idp_profiles: per organisation, what its identity provider looks like from its traffic
//    (client, since when, sync rhythm, the facts behind the hints), as one JSON document.
//  - sign_in_events: every SSO sign-in and refusal (time, user, provider, reason, reference code).
//    Refusals that could not be tied to an organisation have no tenant and are only for the operator.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable('auth_failures')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addPrimaryKeyConstraint('auth_failures_pk', ['tenant_id', 'key_id', 'reason'])
    .execute();

  await db.schema
    .createTable('idp_profiles')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('client', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .execute();

  const events =
    dialect === 'postgres'
      ? db.schema.createTable('sign_in_events').addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      : db.schema.createTable('sign_in_events').addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  await events
    .addColumn('tenant_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('user_label', 'text')
    .addColumn('user_label_folded', 'text')
    .addColumn('scim_user_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_events_tenant').on('sign_in_events').columns(['tenant_id', 'seq']).execute();
  await db.schema.createIndex('sign_in_events_reference').on('sign_in_events').columns(['tenant_id', 'reference']).execute();
  await db.schema.createIndex('sign_in_events_user').on('sign_in_events').columns(['tenant_id', 'scim_user_id', 'seq']).execute();
}
