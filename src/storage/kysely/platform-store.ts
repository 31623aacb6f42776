// The small cross-tenant store: organisations, and API-key lookup before the tenant is known.
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { PlatformStore } from '../ports.js';
import type { Organization } from '../../domain/organization.js';
import { parseScopes } from '../../domain/organization.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { createTenantStore } from './tenant-store.js';
import { runPrepared } from './prepared.js';
import { toAccount } from './accounts-repo.js';
import { recordAuthFailure } from './auth-failures-repo.js';

type OrgRow = { id: string; name: string; api_access_approved: number; created_at: string };
const toOrganization = (r: OrgRow): Organization => ({
  id: trustedTenantId(r.id),
  name: r.name,
  apiAccessApproved: r.api_access_approved === 1,
  createdAt: r.created_at,
});

export function createPlatformStore(db: Kysely<Database>, dialect: SqlDialectName): PlatformStore {
  const orgColumns = ['id', 'name', 'api_access_approved', 'created_at'] as const;
  return {
    async createOrganization({ id, name, apiAccessApproved, now }) {
      await db
        .insertInto('organizations')
        .values({ id, name, name_folded: foldCase(name), api_access_approved: apiAccessApproved ? 1 : 0, created_at: now })
        .execute();
      return { id, name, apiAccessApproved, createdAt: now };
    },
    async listOrganizations() {
      const rows = await db.selectFrom('organizations').select(orgColumns).orderBy('created_at').execute();
      return rows.map(toOrganization);
    },
    async findOrganization(idOrName) {
      const row = await db
        .selectFrom('organizations')
        .select(orgColumns)
        .where((eb) => eb.or([eb('id', '=', idOrName), eb('name_folded', '=', foldCase(idOrName))]))
        .orderBy(sql`case when id = ${idOrName} then 0 else 1 end`)
        .executeTakeFirst();
      return row ? toOrganization(row) : undefined;
    },
    async setApiAccess(id: TenantId, approved) {
      await db.updateTable('organizations').set({ api_access_approved: approved ? 1 : 0 }).where('id', '=', id).execute();
    },
    async countOrganizations() {
      const row = await db.selectFrom('organizations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async findApiKey(keyId) {
      // On every SCIM request: compiled once (see prepared.ts).
      const { rows } = await runPrepared(db, `${dialect}:findApiKey`, [keyId], (k) =>
        db
          .selectFrom('api_keys as k')
          .innerJoin('organizations as o', 'o.id', 'k.tenant_id')
          .select(['k.tenant_id', 'k.id', 'k.secret_hash', 'k.revoked_at', 'k.last_used_at', 'k.scopes', 'o.api_access_approved'])
          .where('k.id', '=', k),
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        tenantId: trustedTenantId(row.tenant_id),
        keyId: row.id,
        secretHash: row.secret_hash,
        revokedAt: row.revoked_at,
        lastUsedAt: row.last_used_at,
        orgApproved: row.api_access_approved === 1,
        scopes: parseScopes(row.scopes),
      };
    },
    async touchApiKey(keyId, now, notAfter) {
      // The WHERE keeps concurrent instances from rewriting it more than about once a minute.
      await db
        .updateTable('api_keys')
        .set({ last_used_at: now })
        .where('id', '=', keyId)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', notAfter)]))
        .execute();
    },
    async findAccountByEmail(emailFolded) {
      const row = await db.selectFrom('console_accounts').selectAll().where('email_folded', '=', emailFolded).executeTakeFirst();
      return row ? { ...toAccount(row), passwordHash: row.password_hash } : undefined;
    },
    recordAuthFailure: (input) => recordAuthFailure(db, input),
    async ping() {
      await sql`select 1`.execute(db);
    },
    forTenant(tenantId) {
      return createTenantStore(db, dialect, tenantId);
    },
  };
}
