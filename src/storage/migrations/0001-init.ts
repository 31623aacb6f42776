// Initial schema. One migration set for both dialects; the few differences (auto-increment keys,
// the JSON document type) go through `dialect`. Tenant-owned tables: tenant_id NOT NULL,
// UNIQUE (tenant_id, id), composite foreign keys so no row can point into another tenant.
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  const pg = dialect === 'postgres';
  const docType = pg ? sql`jsonb` : sql`text`;

  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_folded', 'text', (c) => c.notNull().unique())
    .addColumn('api_access_approved', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('console_accounts')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_folded', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('scim_user_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'text')
    .addPrimaryKeyConstraint('console_accounts_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('console_accounts_email_uq', ['email_folded'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('api_keys_pk', ['tenant_id', 'id'])
    .execute();

  const seq = (name: string) =>
    pg
      ? db.schema.createTable(name).addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
      : db.schema.createTable(name).addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());

  await seq('scim_users')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_name_folded', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('display_name', 'text')
    .addColumn('display_name_folded', 'text')
    .addColumn('email', 'text')
    .addColumn('email_folded', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('doc', docType, (c) => c.notNull())
    .addUniqueConstraint('scim_users_id_uq', ['tenant_id', 'id'])
    .addUniqueConstraint('scim_users_user_name_uq', ['tenant_id', 'user_name_folded'])
    .execute();
  // (tenant_id, seq) walks a tenant's users in creation order for index pagination.
  await db.schema.createIndex('scim_users_tenant_seq').on('scim_users').columns(['tenant_id', 'seq']).execute();
  await db.schema.createIndex('scim_users_external_id').on('scim_users').columns(['tenant_id', 'external_id']).execute();
  await db.schema.createIndex('scim_users_display_name').on('scim_users').columns(['tenant_id', 'display_name_folded']).execute();
  await db.schema.createIndex('scim_users_email').on('scim_users').columns(['tenant_id', 'email_folded']).execute();
  await db.schema.createIndex('scim_users_updated').on('scim_users').columns(['tenant_id', 'updated_at']).execute();

  // Every email of every user, folded, so `emails.value eq` and `emails[type eq "work"].value eq`
  // are index lookups whatever the position of the email in the list.
  await db.schema
    .createTable('scim_user_emails')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('value_folded', 'text', (c) => c.notNull())
    .addColumn('type_folded', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scim_user_emails_pk', ['tenant_id', 'user_id', 'value_folded', 'type_folded'])
    .addForeignKeyConstraint('scim_user_emails_user_fk', ['tenant_id', 'user_id'], 'scim_users', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('scim_user_emails_value').on('scim_user_emails').columns(['tenant_id', 'value_folded']).execute();

  await seq('scim_groups')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('display_name_folded', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('doc', docType, (c) => c.notNull())
    .addUniqueConstraint('scim_groups_id_uq', ['tenant_id', 'id'])
    .addUniqueConstraint('scim_groups_display_name_uq', ['tenant_id', 'display_name_folded'])
    .execute();
  await db.schema.createIndex('scim_groups_tenant_seq').on('scim_groups').columns(['tenant_id', 'seq']).execute();
  await db.schema.createIndex('scim_groups_external_id').on('scim_groups').columns(['tenant_id', 'external_id']).execute();

  await db.schema
    .createTable('group_members')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('child_group_id', 'text')
    .addColumn('member_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['tenant_id', 'group_id', 'member_id'])
    .addForeignKeyConstraint('group_members_group_fk', ['tenant_id', 'group_id'], 'scim_groups', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('group_members_user_fk', ['tenant_id', 'user_id'], 'scim_users', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('group_members_child_fk', ['tenant_id', 'child_group_id'], 'scim_groups', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addCheckConstraint(
      'group_members_one_target',
      sql`(user_id = member_id AND child_group_id IS NULL) OR (child_group_id = member_id AND user_id IS NULL)`,
    )
    .execute();
  await db.schema.createIndex('group_members_member').on('group_members').columns(['tenant_id', 'member_id']).execute();

  await db.schema
    .createTable('resource_counts')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_counts_pk', ['tenant_id', 'resource_type'])
    .execute();

  await seq('activity_log')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('actor', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('scim_type', 'text')
    .addColumn('duration_ms', 'real', (c) => c.notNull())
    .addColumn('resource_type', 'text')
    .addColumn('resource_id', 'text')
    .addColumn('summary', 'text')
    .execute();
  await db.schema.createIndex('activity_log_tenant_seq').on('activity_log').columns(['tenant_id', 'seq']).execute();
  await db.schema.createIndex('activity_log_resource').on('activity_log').columns(['tenant_id', 'resource_id']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('sessions_account_fk', ['tenant_id', 'account_id'], 'console_accounts', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('sessions_account').on('sessions').columns(['tenant_id', 'account_id']).execute();
}
