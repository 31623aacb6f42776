// Sign-in with Microsoft, Google and generic OpenID Connect (issue #7). Additive only:
//  - sign_in_flows: pending authorization-code flows (state, nonce, PKCE verifier), keyed by
//    the SHA-256 of a browser cookie, so any instance can finish a flow another one started.
//  - sign_in_bindings: which Entra tenant ids / Google Workspace domains / issuers may sign in to
//    an organisation. Deliberately not unique across organisations, so one organisation cannot
//    block another by claiming its tenant first.
//  - sign_in_settings: the identity-provider group whose members are admins.
//  - sign_in_users: per provisioned user, the console account SSO signs in to and the manual
//    admin flag. No foreign key to scim_users: the row outlives a deleted user, so a later
//    sign-in can say "your account was removed" instead of "not set up".
//  - sign_in_identities: the remembered subject (tid/oid, Google sub, issuer + sub) per user and
//    provider, matched before any name.
// Cross-organisation look-ups by name (only to choose the right refusal page) get their own
// narrow indexes on the folded userName and email columns.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable('sign_in_flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_flows_expires').on('sign_in_flows').column('expires_at').execute();

  await db.schema
    .createTable('sign_in_bindings')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addPrimaryKeyConstraint('sign_in_bindings_pk', ['tenant_id', 'provider', 'value'])
    .execute();
  await db.schema.createIndex('sign_in_bindings_lookup').on('sign_in_bindings').columns(['provider', 'value']).execute();

  await db.schema
    .createTable('sign_in_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('admin_group_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sign_in_users')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('scim_user_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'text')
    .addPrimaryKeyConstraint('sign_in_users_pk', ['tenant_id', 'scim_user_id'])
    .execute();
  await db.schema.createIndex('sign_in_users_account').on('sign_in_users').columns(['tenant_id', 'account_id']).execute();

  await db.schema
    .createTable('sign_in_identities')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('scim_user_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_identities_pk', ['tenant_id', 'provider', 'subject'])
    .addUniqueConstraint('sign_in_identities_user_uq', ['tenant_id', 'scim_user_id', 'provider'])
    .execute();

  await db.schema.createIndex('scim_users_user_name_any_tenant').on('scim_users').column('user_name_folded').execute();
  await db.schema.createIndex('scim_user_emails_value_any_tenant').on('scim_user_emails').column('value_folded').execute();
}
