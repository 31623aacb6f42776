// OAuth 2.0 client credentials and workload identity federation for SCIM (issue #20), and the
// organisation's sign-in policy (Enforce SSO with named break-glass admins). Additive only.
//  - oauth_clients: a provisioning client of one organisation. kind 'secret' (client_secret_basic /
//    client_secret_post) or 'federated' (RFC 7523 §2.2 client assertion: issuer, JWKS URL,
//    subject and audience entered by the admin). `id` is the public client_id, unique across
//    organisations because the token endpoint looks it up before the tenant is known.
//  - oauth_client_secrets: several per client (seamless rotation), each with its own expiry;
//    only SHA-256 of the secret is stored.
//  - oauth_access_tokens: opaque access tokens, stored as SHA-256 only; composite foreign keys
//    cascade, so deleting a client or the secret a token was issued with deletes the token.
//  - oauth_assertion_jtis: `jti`s of accepted client assertions until they expire (RFC 7523 §3
//    item 7), in the database so a replay to another instance is refused too.
//  - sign_in_policy / sign_in_break_glass: Enforce SSO, and the admins who may still use a password.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable('oauth_clients')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text')
    .addColumn('jwks_url', 'text')
    .addColumn('subject', 'text')
    .addColumn('audience', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addPrimaryKeyConstraint('oauth_clients_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('oauth_client_secrets')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addPrimaryKeyConstraint('oauth_client_secrets_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint('oauth_client_secrets_client_fk', ['tenant_id', 'client_id'], 'oauth_clients', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('oauth_client_secrets_client').on('oauth_client_secrets').columns(['tenant_id', 'client_id']).execute();

  await db.schema
    .createTable('oauth_access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('secret_id', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addForeignKeyConstraint('oauth_access_tokens_client_fk', ['tenant_id', 'client_id'], 'oauth_clients', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('oauth_access_tokens_secret_fk', ['tenant_id', 'secret_id'], 'oauth_client_secrets', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('oauth_access_tokens_client').on('oauth_access_tokens').columns(['tenant_id', 'client_id']).execute();
  await db.schema.createIndex('oauth_access_tokens_secret').on('oauth_access_tokens').columns(['tenant_id', 'secret_id']).execute();
  await db.schema.createIndex('oauth_access_tokens_expires').on('oauth_access_tokens').column('expires_at').execute();

  await db.schema
    .createTable('oauth_assertion_jtis')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oauth_assertion_jtis_pk', ['tenant_id', 'client_id', 'jti'])
    .addForeignKeyConstraint('oauth_assertion_jtis_client_fk', ['tenant_id', 'client_id'], 'oauth_clients', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('oauth_assertion_jtis_expires').on('oauth_assertion_jtis').column('expires_at').execute();

  await db.schema
    .createTable('sign_in_policy')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('enforce_sso', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('sign_in_break_glass')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addPrimaryKeyConstraint('sign_in_break_glass_pk', ['tenant_id', 'account_id'])
    .execute();
}
