// Storage for sign-in with Microsoft, Google and generic OpenID Connect: pending flows and
// bindings are looked up before the tenant is known (like sessions and API keys); everything
// else is bound to one organisation by forTenant(). Tables come from migration 0003-sso and are
// typed here with withTables(), so database.ts stays the console/SCIM schema.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type {
  BindingStatus,
  SignInAccess,
  SignInBinding,
  SignInCandidate,
  SignInFlowRecord,
  SignInIdentityRecord,
  SignInProvider,
  SignInStore,
  SignInUserView,
  TenantSignInStore,
} from '../ports.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';
import { foldCase } from '../../scim/filter/fold-case.js';

type SignInFlowsTable = {
  id: string;
  provider: string;
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  return_to: string | null;
  created_at: string;
  expires_at: string;
}

type SignInBindingsTable = {
  tenant_id: string;
  provider: string;
  value: string;
  created_at: string;
  created_by: string | null;
  /** Migration 0015 (issue #18): verified | unverified | conflict, and how it was proven. */
  status: string;
  method: string | null;
  verified_at: string | null;
  verified_by: string | null;
  unverified_since: string | null;
}

type SignInSettingsTable = {
  tenant_id: string;
  admin_group_id: string | null;
  updated_at: string;
}

type SignInUsersTable = {
  tenant_id: string;
  scim_user_id: string;
  account_id: string | null;
  is_admin: number;
  created_at: string;
  last_sign_in_at: string | null;
}

type SignInIdentitiesTable = {
  tenant_id: string;
  provider: string;
  subject: string;
  scim_user_id: string;
  linked_at: string;
  /** Migration 0015: the tenant id / domain / issuer the link came through (NULL: older Google links). */
  binding_value: string | null;
}

export type SignInTables = {
  sign_in_flows: SignInFlowsTable;
  sign_in_bindings: SignInBindingsTable;
  sign_in_settings: SignInSettingsTable;
  sign_in_users: SignInUsersTable;
  sign_in_identities: SignInIdentitiesTable;
}

type Db = Kysely<Database & SignInTables>;

const MAX_NAMES = 8;

const toFlow = (r: Selectable<SignInFlowsTable>): SignInFlowRecord => ({
  id: r.id,
  provider: r.provider as SignInProvider,
  state: r.state,
  nonce: r.nonce,
  codeVerifier: r.code_verifier,
  redirectUri: r.redirect_uri,
  returnTo: r.return_to,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

const toIdentity = (r: Selectable<SignInIdentitiesTable>): SignInIdentityRecord => ({
  provider: r.provider as SignInProvider,
  subject: r.subject,
  scimUserId: r.scim_user_id,
  linkedAt: r.linked_at,
});

type UserRow = { id: string; user_name: string; user_name_folded: string; display_name: string | null; email: string | null; active: number };
const toUserView = (r: UserRow): SignInUserView => ({ id: r.id, userName: r.user_name, displayName: r.display_name, email: r.email, active: r.active === 1 });

/** The stored document (jsonb object in PostgreSQL, text in SQLite) as a plain object. */
function docOf(raw: unknown): Record<string, unknown> {
  if (typeof raw === 'string') {
    try {
      const v: unknown = JSON.parse(raw);
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
}

/** Whether one of the document's emails is primary or of type work and folds to one of `names`. */
function hasWorkOrPrimaryEmail(doc: Record<string, unknown>, names: ReadonlySet<string>): boolean {
  const emails = Array.isArray(doc.emails) ? doc.emails : [];
  return emails.some((e: unknown) => {
    if (typeof e !== 'object' || e === null) return false;
    const { value, type, primary } = e as Record<string, unknown>;
    if (typeof value !== 'string' || !names.has(foldCase(value))) return false;
    return primary === true || (typeof type === 'string' && foldCase(type) === 'work');
  });
}

export function createSignInStore(database: Kysely<Database>, dialect: SqlDialectName): SignInStore {
  const db: Db = database.withTables<SignInTables>();
  return {
    async saveFlow(f) {
      await db
        .insertInto('sign_in_flows')
        .values({
          id: f.id,
          provider: f.provider,
          state: f.state,
          nonce: f.nonce,
          code_verifier: f.codeVerifier,
          redirect_uri: f.redirectUri,
          return_to: f.returnTo,
          created_at: f.createdAt,
          expires_at: f.expiresAt,
        })
        .execute();
    },
    async takeFlow(id) {
      const row = await db.deleteFrom('sign_in_flows').where('id', '=', id).returningAll().executeTakeFirst();
      return row ? toFlow(row) : undefined;
    },
    async deleteExpiredFlows(now) {
      const r = await db.deleteFrom('sign_in_flows').where('expires_at', '<', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async boundTenants(provider, value, options = {}) {
      // One holder at most (UNIQUE sign_in_bindings_owner); conflicts never route, unverified
      // bindings only within the operator's grace period (issue #18).
      const after = options.unverifiedAfter;
      const rows = await db
        .selectFrom('sign_in_bindings')
        .select('tenant_id')
        .where('provider', '=', provider)
        .where('value', '=', value)
        .where((eb) =>
          eb.or([
            eb('status', '=', 'verified'),
            after === undefined ? eb('status', '=', 'unverified') : eb.and([eb('status', '=', 'unverified'), eb('unverified_since', '>', after)]),
          ]),
        )
        .orderBy('created_at')
        .limit(20)
        .execute();
      return rows.map((r) => trustedTenantId(r.tenant_id));
    },
    async tenantsWithUserNamed(provider, namesFolded, options = {}) {
      const after = options.unverifiedAfter;
      const names = [...new Set(namesFolded)].slice(0, MAX_NAMES);
      if (names.length === 0) return [];
      const rows = await db
        .selectFrom('organizations as o')
        .select((eb) => [
          'o.id',
          // Only bindings that route sign-ins count (issue #18: not conflicts, not unverified past the grace period).
          eb
            .exists(
              eb
                .selectFrom('sign_in_bindings as b')
                .select('b.tenant_id')
                .whereRef('b.tenant_id', '=', 'o.id')
                .where('b.provider', '=', provider)
                .where((w) =>
                  w.or([
                    w('b.status', '=', 'verified'),
                    after === undefined ? w('b.status', '=', 'unverified') : w.and([w('b.status', '=', 'unverified'), w('b.unverified_since', '>', after)]),
                  ]),
                ),
            )
            .as('has_binding'),
        ])
        .where((eb) =>
          eb.or([
            eb('o.id', 'in', eb.selectFrom('scim_users').select('tenant_id').where('user_name_folded', 'in', names)),
            eb('o.id', 'in', eb.selectFrom('scim_user_emails').select('tenant_id').where('value_folded', 'in', names)),
          ]),
        )
        .limit(20)
        .execute();
      return rows.map((r) => ({ tenantId: trustedTenantId(r.id), hasBinding: Boolean(Number(r.has_binding)) }));
    },
    forTenant: (tenantId) => createTenantSignInStore(db, dialect, tenantId),
  };
}

function createTenantSignInStore(db: Db, _dialect: SqlDialectName, tenantId: TenantId): TenantSignInStore {
  const userColumns = ['id', 'user_name', 'user_name_folded', 'display_name', 'email', 'active'] as const;

  async function inTransaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (db.isTransaction) return fn(db);
    return db.transaction().execute((trx) => fn(trx));
  }

  return {
    tenantId,

    async bindings() {
      const rows = await db.selectFrom('sign_in_bindings').selectAll().where('tenant_id', '=', tenantId).orderBy('provider').orderBy('created_at').execute();
      return rows.map(
        (r): SignInBinding => ({
          provider: r.provider as SignInProvider,
          value: r.value,
          createdAt: r.created_at,
          createdBy: r.created_by,
          status: r.status as BindingStatus,
          method: r.method,
          verifiedAt: r.verified_at,
          verifiedBy: r.verified_by,
          unverifiedSince: r.unverified_since,
        }),
      );
    },
    async adminGroupId() {
      const row = await db.selectFrom('sign_in_settings').select('admin_group_id').where('tenant_id', '=', tenantId).executeTakeFirst();
      return row?.admin_group_id ?? null;
    },
    async setAdminGroup(groupId, now) {
      await db
        .insertInto('sign_in_settings')
        .values({ tenant_id: tenantId, admin_group_id: groupId, updated_at: now })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ admin_group_id: groupId, updated_at: now }))
        .execute();
    },
    async findGroup(id) {
      const row = await db.selectFrom('scim_groups').select(['id', 'display_name']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, displayName: row.display_name } : undefined;
    },
    async findGroupByName(folded) {
      const row = await db.selectFrom('scim_groups').select(['id', 'display_name']).where('tenant_id', '=', tenantId).where('display_name_folded', '=', folded).executeTakeFirst();
      return row ? { id: row.id, displayName: row.display_name } : undefined;
    },

    async identityBySubject(provider, subject) {
      const row = await db.selectFrom('sign_in_identities').selectAll().where('tenant_id', '=', tenantId).where('provider', '=', provider).where('subject', '=', subject).executeTakeFirst();
      return row ? toIdentity(row) : undefined;
    },
    async identityOfUser(scimUserId, provider) {
      const row = await db.selectFrom('sign_in_identities').selectAll().where('tenant_id', '=', tenantId).where('scim_user_id', '=', scimUserId).where('provider', '=', provider).executeTakeFirst();
      return row ? toIdentity(row) : undefined;
    },
    async linkIdentity(provider, subject, scimUserId, now, bindingValue) {
      await inTransaction(async (tx) => {
        // One subject per user and provider, one user per subject: drop whichever link stands in the way.
        await tx
          .deleteFrom('sign_in_identities')
          .where('tenant_id', '=', tenantId)
          .where('provider', '=', provider)
          .where((eb) => eb.or([eb('subject', '=', subject), eb('scim_user_id', '=', scimUserId)]))
          .execute();
        await tx.insertInto('sign_in_identities').values({ tenant_id: tenantId, provider, subject, scim_user_id: scimUserId, linked_at: now, binding_value: bindingValue ?? null }).execute();
      });
    },
    async unlinkUser(scimUserId) {
      const r = await db.deleteFrom('sign_in_identities').where('tenant_id', '=', tenantId).where('scim_user_id', '=', scimUserId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async matchUsers(namesFolded) {
      const names = [...new Set(namesFolded.filter((n) => n !== ''))].slice(0, MAX_NAMES);
      if (names.length === 0) return [];
      const nameSet = new Set(names);
      const rows = await db
        .selectFrom('scim_users')
        .select([...userColumns, 'email_folded', 'doc'])
        .where('tenant_id', '=', tenantId)
        .where((eb) =>
          eb.or([
            eb('user_name_folded', 'in', names),
            eb('email_folded', 'in', names),
            eb('id', 'in', eb.selectFrom('scim_user_emails').select('user_id').where('tenant_id', '=', tenantId).where('value_folded', 'in', names)),
          ]),
        )
        .orderBy('seq')
        .limit(20)
        .execute();
      const out: SignInCandidate[] = [];
      for (const r of rows) {
        if (nameSet.has(r.user_name_folded)) out.push({ ...toUserView(r), matchedBy: 'userName' });
        else if (hasWorkOrPrimaryEmail(docOf(r.doc), nameSet)) out.push({ ...toUserView(r), matchedBy: 'email' });
      }
      return out;
    },
    async findUser(scimUserId) {
      const row = await db.selectFrom('scim_users').select(userColumns).where('tenant_id', '=', tenantId).where('id', '=', scimUserId).executeTakeFirst();
      return row ? toUserView(row) : undefined;
    },

    async ensureAccount(scimUserId, profile, now) {
      return inTransaction(async (tx) => {
        const existing = await tx
          .selectFrom('sign_in_users as s')
          .innerJoin('console_accounts as a', (j) => j.onRef('a.tenant_id', '=', 's.tenant_id').onRef('a.id', '=', 's.account_id'))
          .select('a.id')
          .where('s.tenant_id', '=', tenantId)
          .where('s.scim_user_id', '=', scimUserId)
          .executeTakeFirst();
        if (existing) {
          await tx.updateTable('console_accounts').set({ email: profile.email, display_name: profile.displayName, last_login_at: now }).where('tenant_id', '=', tenantId).where('id', '=', existing.id).execute();
          await tx.updateTable('sign_in_users').set({ last_sign_in_at: now }).where('tenant_id', '=', tenantId).where('scim_user_id', '=', scimUserId).execute();
          return existing.id;
        }
        const id = randomUUID();
        // SSO accounts have no password. email_folded is unique across organisations and used by
        // the password form; a value that is no email keeps the two apart (the same person may
        // also hold a password account, or be provisioned in two organisations).
        await tx
          .insertInto('console_accounts')
          .values({
            tenant_id: tenantId,
            id,
            email: profile.email,
            email_folded: `sso:${tenantId}:${scimUserId}`,
            display_name: profile.displayName,
            password_hash: null,
            role: 'user',
            scim_user_id: scimUserId,
            created_at: now,
            last_login_at: now,
          })
          .onConflict((oc) => oc.column('email_folded').doNothing())
          .execute();
        const account = await tx.selectFrom('console_accounts').select('id').where('email_folded', '=', `sso:${tenantId}:${scimUserId}`).executeTakeFirstOrThrow();
        await tx
          .insertInto('sign_in_users')
          .values({ tenant_id: tenantId, scim_user_id: scimUserId, account_id: account.id, is_admin: 0, created_at: now, last_sign_in_at: now })
          .onConflict((oc) => oc.columns(['tenant_id', 'scim_user_id']).doUpdateSet({ account_id: account.id, last_sign_in_at: now }))
          .execute();
        if (account.id !== id) {
          await tx.updateTable('console_accounts').set({ email: profile.email, display_name: profile.displayName, last_login_at: now }).where('tenant_id', '=', tenantId).where('id', '=', account.id).execute();
        }
        return account.id;
      });
    },

    async setAdmin(scimUserId, isAdmin, now) {
      await db
        .insertInto('sign_in_users')
        .values({ tenant_id: tenantId, scim_user_id: scimUserId, account_id: null, is_admin: isAdmin ? 1 : 0, created_at: now, last_sign_in_at: null })
        .onConflict((oc) => oc.columns(['tenant_id', 'scim_user_id']).doUpdateSet({ is_admin: isAdmin ? 1 : 0 }))
        .execute();
    },
    async admins() {
      const rows = await db
        .selectFrom('sign_in_users as s')
        .leftJoin('scim_users as u', (j) => j.onRef('u.tenant_id', '=', 's.tenant_id').onRef('u.id', '=', 's.scim_user_id'))
        .select(['s.scim_user_id', 'u.id', 'u.user_name', 'u.user_name_folded', 'u.display_name', 'u.email', 'u.active'])
        .where('s.tenant_id', '=', tenantId)
        .where('s.is_admin', '=', 1)
        .orderBy('u.user_name_folded')
        .limit(500)
        .execute();
      return rows.map((r) => ({
        scimUserId: r.scim_user_id,
        user:
          r.id === null || r.user_name === null || r.user_name_folded === null || r.active === null
            ? undefined
            : toUserView({ id: r.id, user_name: r.user_name, user_name_folded: r.user_name_folded, display_name: r.display_name, email: r.email, active: r.active }),
      }));
    },

    async access(accountId) {
      const row = await db
        .selectFrom('sign_in_users as s')
        .leftJoin('scim_users as u', (j) => j.onRef('u.tenant_id', '=', 's.tenant_id').onRef('u.id', '=', 's.scim_user_id'))
        .leftJoin('sign_in_settings as g', 'g.tenant_id', 's.tenant_id')
        .select(['s.scim_user_id', 's.is_admin', 'u.active', 'g.admin_group_id'])
        .where('s.tenant_id', '=', tenantId)
        .where('s.account_id', '=', accountId)
        .executeTakeFirst();
      if (!row) return undefined;
      const active = row.active === null ? null : row.active === 1;
      const isAdmin = row.is_admin === 1;
      let inAdminGroup = false;
      if (active && !isAdmin && row.admin_group_id) {
        // Direct or nested membership, walking up from the user; UNION stops at cycles.
        const hit = await sql<{ hit: number }>`
          with recursive up(group_id, depth) as (
            select group_id, 1 from group_members where tenant_id = ${tenantId} and user_id = ${row.scim_user_id}
            union
            select m.group_id, up.depth + 1 from group_members m join up on m.child_group_id = up.group_id
            where m.tenant_id = ${tenantId} and up.depth < 32
          )
          select 1 as hit from up where group_id = ${row.admin_group_id} limit 1`.execute(db);
        inAdminGroup = hit.rows.length > 0;
      }
      const access: SignInAccess = { scimUserId: row.scim_user_id, active, isAdmin, inAdminGroup };
      return access;
    },

    async deleteSessionsOf(scimUserId) {
      const r = await db
        .deleteFrom('sessions')
        .where('tenant_id', '=', tenantId)
        .where('account_id', 'in', (eb) => eb.selectFrom('sign_in_users').select('account_id').where('tenant_id', '=', tenantId).where('scim_user_id', '=', scimUserId).where('account_id', 'is not', null))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
