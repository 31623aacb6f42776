// Storage for an organisation's own OpenID Connect provider (migration 0019): its settings and its
// pending flows. Every statement is bound to one organisation by forTenant(); the tables are typed
// here with withTables(), so database.ts stays the console/SCIM schema.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { OrgOidcFlowPurpose, OrgOidcFlowRecord, OrgOidcProviderRecord, OrgOidcStore, TenantOrgOidcStore } from '../ports.js';
import type { TenantId } from '../../domain/ids.js';

type OrgOidcProvidersTable = {
  tenant_id: string;
  label: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  config_version: number;
  tested_version: number | null;
  enabled: number;
  last_try_at: string | null;
  last_try: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
};

type OrgOidcFlowsTable = {
  tenant_id: string;
  id: string;
  purpose: string;
  config_version: number;
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  return_to: string | null;
  started_by: string | null;
  created_at: string;
  expires_at: string;
};

/** The identities table of migration 0003 (shared with the other sign-in providers). */
type SignInIdentitiesTable = {
  tenant_id: string;
  provider: string;
  subject: string;
  scim_user_id: string;
  linked_at: string;
};

/** The provider column of sign_in_identities for an organisation's own provider (beside microsoft, google, oidc). */
export const ORG_OIDC = 'org_oidc';

type Tables = {
  org_oidc_providers: OrgOidcProvidersTable;
  org_oidc_flows: OrgOidcFlowsTable;
  sign_in_identities: SignInIdentitiesTable;
};
type Db = Kysely<Database & Tables>;

const toProvider = (r: Selectable<OrgOidcProvidersTable>): OrgOidcProviderRecord => ({
  label: r.label,
  issuer: r.issuer,
  clientId: r.client_id,
  clientSecretSealed: r.client_secret_sealed,
  configVersion: Number(r.config_version),
  testedVersion: r.tested_version === null ? null : Number(r.tested_version),
  enabled: Number(r.enabled) === 1,
  lastTryAt: r.last_try_at,
  lastTry: r.last_try,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

const toFlow = (r: Selectable<OrgOidcFlowsTable>): OrgOidcFlowRecord => ({
  id: r.id,
  purpose: r.purpose as OrgOidcFlowPurpose,
  configVersion: Number(r.config_version),
  state: r.state,
  nonce: r.nonce,
  codeVerifier: r.code_verifier,
  redirectUri: r.redirect_uri,
  returnTo: r.return_to,
  startedBy: r.started_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export function createOrgOidcStore(database: Kysely<Database>, dialect: SqlDialectName): OrgOidcStore {
  const db: Db = database.withTables<Tables>();
  return {
    forTenant: (tenantId) => createTenantOrgOidcStore(db, dialect, tenantId),
  };
}

function createTenantOrgOidcStore(db: Db, dialect: SqlDialectName, tenantId: TenantId): TenantOrgOidcStore {
  const read = async (tx: Db) => {
    const row = await tx.selectFrom('org_oidc_providers').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return row ? toProvider(row) : undefined;
  };
  return {
    tenantId,
    get: () => read(db),

    async save(input) {
      return db.transaction().execute(async (tx) => {
        // Lock the row (PostgreSQL) so two admins saving at once cannot both keep the old version.
        const current = await tx
          .selectFrom('org_oidc_providers')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .$if(dialect === 'postgres', (q) => q.forUpdate())
          .executeTakeFirst();
        if (!current) {
          if (input.clientSecretSealed === undefined) throw new Error('a new provider needs a client secret');
          await tx
            .insertInto('org_oidc_providers')
            .values({
              tenant_id: tenantId,
              label: input.label,
              issuer: input.issuer,
              client_id: input.clientId,
              client_secret_sealed: input.clientSecretSealed,
              config_version: 1,
              tested_version: null,
              enabled: 0,
              last_try_at: null,
              last_try: null,
              created_at: input.now,
              updated_at: input.now,
              updated_by: input.by,
            })
            // Two first saves at once: the second becomes an update below on the next save.
            .onConflict((oc) => oc.column('tenant_id').doNothing())
            .execute();
        } else {
          const changed = current.issuer !== input.issuer || current.client_id !== input.clientId || input.clientSecretSealed !== undefined;
          await tx
            .updateTable('org_oidc_providers')
            .set({
              label: input.label,
              issuer: input.issuer,
              client_id: input.clientId,
              ...(input.clientSecretSealed !== undefined ? { client_secret_sealed: input.clientSecretSealed } : {}),
              ...(changed
                ? {
                    config_version: Number(current.config_version) + 1,
                    enabled: 0,
                    last_try: null,
                    last_try_at: null,
                  }
                : {}),
              updated_at: input.now,
              updated_by: input.by,
            })
            .where('tenant_id', '=', tenantId)
            .execute();
        }
        return (await read(tx))!;
      });
    },

    async recordTry(configVersion, succeeded, result, now) {
      const r = await db
        .updateTable('org_oidc_providers')
        // The last try speaks for the settings: a failed one withdraws an earlier success (enabling then
        // needs a new one; a provider already enabled stays enabled).
        .set({
          last_try: result,
          last_try_at: now,
          tested_version: succeeded ? configVersion : null,
        })
        .where('tenant_id', '=', tenantId)
        .where('config_version', '=', configVersion)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async setEnabled(enabled, now, by) {
      let q = db
        .updateTable('org_oidc_providers')
        .set({ enabled: enabled ? 1 : 0, updated_at: now, updated_by: by })
        .where('tenant_id', '=', tenantId);
      // Enabling needs a successful try of exactly this configuration (one statement: no race with an edit).
      if (enabled) q = q.whereRef('tested_version', '=', 'config_version');
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async remove() {
      const r = await db.deleteFrom('org_oidc_providers').where('tenant_id', '=', tenantId).executeTakeFirst();
      await db.deleteFrom('org_oidc_flows').where('tenant_id', '=', tenantId).execute();
      return Number(r.numDeletedRows) > 0;
    },

    async saveFlow(f) {
      await db
        .insertInto('org_oidc_flows')
        .values({
          tenant_id: tenantId,
          id: f.id,
          purpose: f.purpose,
          config_version: f.configVersion,
          state: f.state,
          nonce: f.nonce,
          code_verifier: f.codeVerifier,
          redirect_uri: f.redirectUri,
          return_to: f.returnTo,
          started_by: f.startedBy,
          created_at: f.createdAt,
          expires_at: f.expiresAt,
        })
        .execute();
    },
    async takeFlow(id) {
      const row = await db.deleteFrom('org_oidc_flows').where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
      return row ? toFlow(row) : undefined;
    },
    async deleteExpiredFlows(now) {
      const r = await db.deleteFrom('org_oidc_flows').where('tenant_id', '=', tenantId).where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async userOfSubject(subject) {
      const row = await db.selectFrom('sign_in_identities').select('scim_user_id').where('tenant_id', '=', tenantId).where('provider', '=', ORG_OIDC).where('subject', '=', subject).executeTakeFirst();
      return row?.scim_user_id;
    },
    async subjectOfUser(scimUserId) {
      const row = await db
        .selectFrom('sign_in_identities')
        .select('subject')
        .where('tenant_id', '=', tenantId)
        .where('scim_user_id', '=', scimUserId)
        .where('provider', '=', ORG_OIDC)
        .executeTakeFirst();
      return row?.subject;
    },
    async linkSubject(subject, scimUserId, now) {
      await db.transaction().execute(async (tx) => {
        // One subject per user, one user per subject: drop whichever link stands in the way.
        await tx
          .deleteFrom('sign_in_identities')
          .where('tenant_id', '=', tenantId)
          .where('provider', '=', ORG_OIDC)
          .where((eb) => eb.or([eb('subject', '=', subject), eb('scim_user_id', '=', scimUserId)]))
          .execute();
        await tx
          .insertInto('sign_in_identities')
          .values({
            tenant_id: tenantId,
            provider: ORG_OIDC,
            subject,
            scim_user_id: scimUserId,
            linked_at: now,
          })
          .execute();
      });
    },
    async forgetSubjects() {
      const r = await db.deleteFrom('sign_in_identities').where('tenant_id', '=', tenantId).where('provider', '=', ORG_OIDC).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
