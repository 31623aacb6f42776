// An organisation's own OpenID Connect provider, configured by its admin in the console (issue #17:
// "self-service sign-in"). Additive only:
//  - org_oidc_providers: at most one per organisation. The client secret is stored sealed
//    (AES-256-GCM under WEBHOOK_SECRET_KEY when set, like webhook secrets): the code exchange needs
//    the secret itself, so it cannot be a one-way hash. `config_version` counts changes of issuer,
//    client id or secret; `tested_version` is the version of the last successful "Try sign-in",
//    and the provider can only be enabled while the two are equal.
//  - org_oidc_flows: pending authorization-code flows (a try by an admin, or a user's sign-in),
//    keyed by the SHA-256 of a browser cookie and scoped to the organisation whose callback URL
//    receives them.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable('org_oidc_providers')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('tested_version', 'integer')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_try_at', 'text')
    .addColumn('last_try', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('org_oidc_flows')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('config_version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text')
    .addColumn('started_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_oidc_flows_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('org_oidc_flows_expires').on('org_oidc_flows').columns(['tenant_id', 'expires_at']).execute();
}
