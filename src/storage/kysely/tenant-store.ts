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
import { createAuthFailuresRepo, createIdpProfileRepo } from './auth-failures-repo.js';
import { createLifecycleRepo } from './lifecycle-repo.js';
import { createEventsRepo } from './events-repo.js';
import { ChangeJournal } from './change-journal.js';
import { groupCommitOf } from './group-commit.js';
import { createWebhooksRepo } from './webhooks-repo.js';
import { createTenantOAuthStore } from './oauth-repo.js';

/** `journal` is set inside a transaction: resource and membership writes need it (change-journal.ts). */
export function createTenantStore(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId, journal?: ChangeJournal): TenantStore {
  const store: TenantStore = {
    tenantId,
    users: createResourceRepo(db, dialect, tenantId, 'User', journal),
    groups: createResourceRepo(db, dialect, tenantId, 'Group', journal),
    members: createMembershipRepo(db, dialect, tenantId, journal),
    outbox: createEventsRepo(db, dialect, tenantId, journal),
    webhooks: createWebhooksRepo(db, dialect, tenantId),
    apiKeys: createApiKeysRepo(db, tenantId),
    accounts: createAccountsRepo(db, tenantId),
    activity: createActivityRepo(db, dialect, tenantId),
    lifecycle: createLifecycleRepo(db, dialect, tenantId),
    authFailures: createAuthFailuresRepo(db, tenantId),
    idpProfile: createIdpProfileRepo(db, tenantId),
    oauth: createTenantOAuthStore(db, tenantId),
    async organization() {
      const row = await db.selectFrom('organizations').select(['id', 'name', 'api_access_approved', 'created_at']).where('id', '=', tenantId).executeTakeFirstOrThrow();
      return { id: tenantId, name: row.name, apiAccessApproved: row.api_access_approved === 1, createdAt: row.created_at };
    },
    async transaction(fn) {
      if (db.isTransaction && journal) return fn(store);
      if (db.isTransaction) throw new Error('a tenant store bound to a transaction must come from store.transaction()');
      const change = async (trx: Transaction<Database>) => {
        const changes = new ChangeJournal();
        const result = await fn(createTenantStore(trx, dialect, tenantId, changes));
        // A change without its event rolls the whole transaction back (change-journal.ts).
        changes.assertRecorded();
        return result;
      };
      // SQLite: changes of the same moment share one COMMIT (group-commit.ts).
      const group = groupCommitOf(db);
      return group ? group.run(change) : db.transaction().execute(change);
    },
  };
  return store;
}
