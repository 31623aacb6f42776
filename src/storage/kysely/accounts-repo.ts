import type { Kysely, Selectable } from 'kysely';
import type { ConsoleAccountsTable, Database } from './database.js';
import type { AccountsStore } from '../ports.js';
import type { AccountRole, ConsoleAccount } from '../../domain/organization.js';
import { trustedTenantId, type TenantId } from '../../domain/ids.js';
import { foldCase } from '../../scim/filter/fold-case.js';

export const toAccount = (r: Selectable<ConsoleAccountsTable>): ConsoleAccount => ({
  tenantId: trustedTenantId(r.tenant_id),
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role as AccountRole,
  hasPassword: r.password_hash !== null,
  scimUserId: r.scim_user_id,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
});

export function createAccountsRepo(db: Kysely<Database>, tenantId: TenantId): AccountsStore {
  return {
    async create(input) {
      await db
        .insertInto('console_accounts')
        .values({
          tenant_id: tenantId,
          id: input.id,
          email: input.email,
          email_folded: foldCase(input.email),
          display_name: input.displayName,
          password_hash: input.passwordHash,
          role: input.role,
          scim_user_id: input.scimUserId,
          created_at: input.now,
          last_login_at: null,
        })
        .execute();
      const created = await this.find(input.id);
      if (!created) throw new Error('account vanished after insert');
      return created;
    },
    async find(id) {
      const row = await db.selectFrom('console_accounts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toAccount(row) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('console_accounts').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
      return rows.map(toAccount);
    },
    async recordLogin(id, now) {
      await db.updateTable('console_accounts').set({ last_login_at: now }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
  };
}
