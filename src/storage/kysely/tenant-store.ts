// forTenant(db, tenantId): the single entry point to tenant data. Every repository closes over
// the tenant id; nothing outside storage/ ever sees an unscoped query handle.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { TenantId } from '../../domain/ids.js';
import type { TenantStore } from '../ports.js';
import { createResourceRepo } from './resource-repo.js';
import { createMembershipRepo } from './membership-repo.js';
import { createApiKeysRepo } from './api-keys-repo.js';
import { createAccountsRepo } from './accounts-repo.js';
import { createActivityRepo } from './activity-repo.js';
import { createLifecycleRepo } from './lifecycle-repo.js';

export function createTenantStore(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId): TenantStore {
  const store: TenantStore = {
    tenantId,
    users: createResourceRepo(db, dialect, tenantId, 'User'),
    groups: createResourceRepo(db, dialect, tenantId, 'Group'),
    members: createMembershipRepo(db, dialect, tenantId),
    apiKeys: createApiKeysRepo(db, tenantId),
    accounts: createAccountsRepo(db, tenantId),
    activity: createActivityRepo(db, dialect, tenantId),
    lifecycle: createLifecycleRepo(db, dialect, tenantId),
    async organization() {
      const row = await db.selectFrom('organizations').select(['id', 'name', 'api_access_approved', 'created_at']).where('id', '=', tenantId).executeTakeFirstOrThrow();
      return { id: tenantId, name: row.name, apiAccessApproved: row.api_access_approved === 1, createdAt: row.created_at };
    },
    async transaction(fn) {
      if (db.isTransaction) return fn(store);
      return db.transaction().execute((trx: Transaction<Database>) => fn(createTenantStore(trx, dialect, tenantId)));
    },
  };
  return store;
}
