// User lifecycle (issue #14). Additive only:
//  - lifecycle_policies: per organisation, the claim policy for manual users (match / approve /
//    never), what a DELETE does (retain for `retention_days`, or erase at once) and the retention.
//    No row = the defaults (match, retain, 30 days).
//  - deleted_users: soft-deleted users. The row leaves scim_users (so it is gone from every SCIM
//    read, list, filter and count, and its userName/externalId are free at once) and waits here,
//    with its group ids, for Restore (same id) or for the purge at `purge_after`.
//  - user_tombstones: what stays of a purged user — id, externalId, deletion and purge times.
//  - user_claims: an identity provider's request to take over a manual user, under the `approve`
//    policy (pending → approved / rejected by an admin).
//  - lifecycle_leases: named leases, so the purge job runs on one instance at a time.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const docType = dialect === 'postgres' ? sql`jsonb` : sql`text`;

  await db.schema
    .createTable('lifecycle_policies')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('claim_policy', 'text', (c) => c.notNull())
    .addColumn('on_delete', 'text', (c) => c.notNull())
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('deleted_users')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_name_folded', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('email', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('doc', docType, (c) => c.notNull())
    .addColumn('group_ids', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .addColumn('deleted_by', 'text')
    .addColumn('purge_after', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deleted_users_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('deleted_users_purge').on('deleted_users').column('purge_after').execute();
  await db.schema.createIndex('deleted_users_tenant_deleted').on('deleted_users').columns(['tenant_id', 'deleted_at']).execute();

  await db.schema
    .createTable('user_tombstones')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .addColumn('purged_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_tombstones_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('user_claims')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('doc', docType, (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addPrimaryKeyConstraint('user_claims_pk', ['tenant_id', 'user_id'])
    .addForeignKeyConstraint('user_claims_user_fk', ['tenant_id', 'user_id'], 'scim_users', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('user_claims_status').on('user_claims').columns(['tenant_id', 'status']).execute();

  await db.schema
    .createTable('lifecycle_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
