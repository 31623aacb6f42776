// OAuth clients, secrets, access tokens and assertion jtis (migration 0007), and the sign-in
// policy (Enforce SSO). Client and token look-ups happen before the tenant is known (like API
// keys); everything else is bound to one organisation by forTenant(). Tables are typed here with
// withTables(), so database.ts stays the console/SCIM schema.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { OAuthClientKind, OAuthClientRecord, OAuthSecretRecord, OAuthStore, SignInPolicyStore, TenantOAuthStore } from '../ports.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';
import { constraintViolation } from '../dialects/errors.js';
import { runPrepared } from './prepared.js';

type OAuthClientsTable = {
  tenant_id: string;
  id: string;
  name: string;
  kind: string;
  issuer: string | null;
  jwks_url: string | null;
  subject: string | null;
  audience: string | null;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
};

type OAuthClientSecretsTable = {
  tenant_id: string;
  client_id: string;
  id: string;
  secret_hash: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
};

type OAuthAccessTokensTable = {
  id: string;
  tenant_id: string;
  client_id: string;
  secret_id: string | null;
  token_hash: string;
  scope: string;
  created_at: string;
  expires_at: string;
};

type OAuthAssertionJtisTable = {
  tenant_id: string;
  client_id: string;
  jti: string;
  expires_at: string;
};

type SignInPolicyTable = {
  tenant_id: string;
  enforce_sso: number;
  updated_at: string;
  updated_by: string | null;
};

type SignInBreakGlassTable = {
  tenant_id: string;
  account_id: string;
  created_at: string;
  created_by: string | null;
};

type OAuthTables = {
  oauth_clients: OAuthClientsTable;
  oauth_client_secrets: OAuthClientSecretsTable;
  oauth_access_tokens: OAuthAccessTokensTable;
  oauth_assertion_jtis: OAuthAssertionJtisTable;
  sign_in_policy: SignInPolicyTable;
  sign_in_break_glass: SignInBreakGlassTable;
};

type Db = Kysely<Database & OAuthTables>;

const toClient = (r: Selectable<OAuthClientsTable>): OAuthClientRecord => ({
  tenantId: trustedTenantId(r.tenant_id),
  id: r.id,
  name: r.name,
  kind: r.kind as OAuthClientKind,
  issuer: r.issuer,
  jwksUrl: r.jwks_url,
  subject: r.subject,
  audience: r.audience,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

const toSecret = (r: Omit<Selectable<OAuthClientSecretsTable>, 'secret_hash' | 'tenant_id'>): OAuthSecretRecord => ({
  id: r.id,
  clientId: r.client_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
});

const SECRET_COLUMNS = ['id', 'client_id', 'created_by', 'created_at', 'expires_at', 'last_used_at'] as const;

export function createTenantOAuthStore(database: Kysely<Database>, tenantId: TenantId): TenantOAuthStore {
  const db: Db = database.withTables<OAuthTables>();
  return {
    tenantId,
    async createClient(c) {
      const row = {
        tenant_id: tenantId,
        id: c.id,
        name: c.name,
        kind: c.kind,
        issuer: c.issuer,
        jwks_url: c.jwksUrl,
        subject: c.subject,
        audience: c.audience,
        created_by: c.createdBy,
        created_at: c.createdAt,
        last_used_at: null,
      };
      await db.insertInto('oauth_clients').values(row).execute();
      return toClient(row);
    },
    async listClients() {
      const rows = await db.selectFrom('oauth_clients').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').orderBy('id').execute();
      return rows.map(toClient);
    },
    async findClient(id) {
      const row = await db.selectFrom('oauth_clients').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toClient(row) : undefined;
    },
    async deleteClient(id) {
      // Foreign keys cascade to secrets, tokens and jtis (both dialects enforce them).
      const r = await db.deleteFrom('oauth_clients').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async secretsWithHashes(clientId) {
      const rows = await db
        .selectFrom('oauth_client_secrets')
        .select([...SECRET_COLUMNS, 'secret_hash'])
        .where('tenant_id', '=', tenantId)
        .where('client_id', '=', clientId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({ ...toSecret(r), secretHash: r.secret_hash }));
    },
    async listSecrets() {
      const rows = await db.selectFrom('oauth_client_secrets').select(SECRET_COLUMNS).where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toSecret);
    },
    async addSecret({ id, clientId, secretHash, createdBy, now, expiresAt }) {
      const row = { tenant_id: tenantId, client_id: clientId, id, secret_hash: secretHash, created_by: createdBy, created_at: now, expires_at: expiresAt, last_used_at: null };
      await db.insertInto('oauth_client_secrets').values(row).execute();
      return toSecret(row);
    },
    async removeSecret(clientId, secretId) {
      // The tokens' foreign key to the secret cascades: live tokens issued with it die with it.
      const r = await db.deleteFrom('oauth_client_secrets').where('tenant_id', '=', tenantId).where('client_id', '=', clientId).where('id', '=', secretId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async saveToken({ id, clientId, secretId, tokenHash, scope, now, expiresAt }) {
      await db
        .insertInto('oauth_access_tokens')
        .values({ id, tenant_id: tenantId, client_id: clientId, secret_id: secretId, token_hash: tokenHash, scope, created_at: now, expires_at: expiresAt })
        .execute();
    },
    async rememberJti(clientId, jti, expiresAt) {
      try {
        await db.insertInto('oauth_assertion_jtis').values({ tenant_id: tenantId, client_id: clientId, jti, expires_at: expiresAt }).execute();
        return true;
      } catch (e) {
        if (constraintViolation(e)?.kind === 'unique') return false;
        throw e;
      }
    },
    async touchClient(clientId, secretId, now) {
      await db.updateTable('oauth_clients').set({ last_used_at: now }).where('tenant_id', '=', tenantId).where('id', '=', clientId).execute();
      if (secretId !== null) {
        await db.updateTable('oauth_client_secrets').set({ last_used_at: now }).where('tenant_id', '=', tenantId).where('id', '=', secretId).execute();
      }
    },
  };
}

export function createOAuthStore(database: Kysely<Database>, dialect: SqlDialectName): OAuthStore {
  const db: Db = database.withTables<OAuthTables>();
  return {
    async findClient(clientId) {
      const row = await db
        .selectFrom('oauth_clients as c')
        .innerJoin('organizations as o', 'o.id', 'c.tenant_id')
        .selectAll('c')
        .select('o.api_access_approved')
        .where('c.id', '=', clientId)
        .executeTakeFirst();
      if (!row) return undefined;
      const { api_access_approved, ...client } = row;
      return { client: toClient(client), orgApproved: api_access_approved === 1 };
    },
    async findAccessToken(tokenId) {
      // On every SCIM request made with an access token: compiled once (see prepared.ts).
      const { rows } = await runPrepared(db as unknown as Kysely<Database>, `${dialect}:findAccessToken`, [tokenId], (k) =>
        db
          .selectFrom('oauth_access_tokens as t')
          .innerJoin('organizations as o', 'o.id', 't.tenant_id')
          .select(['t.tenant_id', 't.client_id', 't.token_hash', 't.expires_at', 'o.api_access_approved'])
          .where('t.id', '=', k),
      );
      const row = rows[0] as { tenant_id: string; client_id: string; token_hash: string; expires_at: string; api_access_approved: number } | undefined;
      if (!row) return undefined;
      return { tenantId: trustedTenantId(row.tenant_id), clientId: row.client_id, tokenHash: row.token_hash, expiresAt: row.expires_at, orgApproved: row.api_access_approved === 1 };
    },
    async deleteExpired(now) {
      const a = await db.deleteFrom('oauth_access_tokens').where('expires_at', '<', now).executeTakeFirst();
      const b = await db.deleteFrom('oauth_assertion_jtis').where('expires_at', '<', now).executeTakeFirst();
      return Number(a.numDeletedRows) + Number(b.numDeletedRows);
    },
    forTenant: (tenantId) => createTenantOAuthStore(database, tenantId),
  };
}

export function createSignInPolicyStore(database: Kysely<Database>): SignInPolicyStore {
  const db: Db = database.withTables<OAuthTables>();
  return {
    forTenant(tenantId) {
      return {
        async get() {
          const [row, rows] = await Promise.all([
            db.selectFrom('sign_in_policy').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst(),
            db.selectFrom('sign_in_break_glass').select('account_id').where('tenant_id', '=', tenantId).orderBy('created_at').execute(),
          ]);
          return { enforceSso: row?.enforce_sso === 1, breakGlass: rows.map((r) => r.account_id), updatedAt: row?.updated_at ?? null, updatedBy: row?.updated_by ?? null };
        },
        async setEnforceSso(enforce, now, by) {
          await db
            .insertInto('sign_in_policy')
            .values({ tenant_id: tenantId, enforce_sso: enforce ? 1 : 0, updated_at: now, updated_by: by })
            .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ enforce_sso: enforce ? 1 : 0, updated_at: now, updated_by: by }))
            .execute();
        },
        async addBreakGlass(accountId, now, by) {
          const r = await db
            .insertInto('sign_in_break_glass')
            .values({ tenant_id: tenantId, account_id: accountId, created_at: now, created_by: by })
            .onConflict((oc) => oc.columns(['tenant_id', 'account_id']).doNothing())
            .executeTakeFirst();
          return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
        },
        async removeBreakGlass(accountId) {
          const r = await db.deleteFrom('sign_in_break_glass').where('tenant_id', '=', tenantId).where('account_id', '=', accountId).executeTakeFirst();
          return Number(r.numDeletedRows) > 0;
        },
      };
    },
  };
}
