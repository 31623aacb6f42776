// Console passwords and one-time reset links (migration 0017). Links are found by the SHA-256 of
// their token before the tenant is known (like sessions); everything else names its tenant.
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { PasswordResetRecord, PasswordStore } from '../ports.js';
import { trustedTenantId } from '../../domain/ids.js';
import type { AccountRole } from '../../domain/organization.js';

type PasswordResetsTable = { id: string; tenant_id: string; account_id: string; created_by: string | null; created_at: string; expires_at: string };
type Db = Kysely<Database & { password_resets: PasswordResetsTable }>;

export function createPasswordStore(raw: Kysely<Database>): PasswordStore {
  const db = raw as unknown as Db;
  return {
    async account(tenantId, accountId) {
      const r = await db.selectFrom('console_accounts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', accountId).executeTakeFirst();
      if (!r) return undefined;
      return {
        tenantId: trustedTenantId(r.tenant_id),
        id: r.id,
        email: r.email,
        displayName: r.display_name,
        role: r.role as AccountRole,
        hasPassword: r.password_hash !== null,
        scimUserId: r.scim_user_id,
        createdAt: r.created_at,
        lastLoginAt: r.last_login_at,
        passwordHash: r.password_hash,
      };
    },
    async setPassword(tenantId, accountId, hash) {
      await db.updateTable('console_accounts').set({ password_hash: hash }).where('tenant_id', '=', tenantId).where('id', '=', accountId).execute();
    },
    async endSessions(tenantId, accountId, keep) {
      let q = db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('account_id', '=', accountId);
      if (keep) q = q.where('id', '!=', keep);
      return Number((await q.executeTakeFirst()).numDeletedRows);
    },
    async createReset(r: PasswordResetRecord) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('password_resets').where('tenant_id', '=', r.tenantId).where('account_id', '=', r.accountId).execute();
        await tx
          .insertInto('password_resets')
          .values({ id: r.id, tenant_id: r.tenantId, account_id: r.accountId, created_by: r.createdBy, created_at: r.createdAt, expires_at: r.expiresAt })
          .execute();
      });
    },
    async findReset(id) {
      const r = await db.selectFrom('password_resets').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? { id: r.id, tenantId: trustedTenantId(r.tenant_id), accountId: r.account_id, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at } : undefined;
    },
    async consumeReset(id, nowIso) {
      const r = await db.deleteFrom('password_resets').where('id', '=', id).where('expires_at', '>', nowIso).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}
