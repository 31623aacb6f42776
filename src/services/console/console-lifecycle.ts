// The console's side of the user lifecycle (issue #14): the deprovisioning policy (Settings),
// manual users (Add user, CSV import, edit), removal under the policy, Deleted users with Restore
// and Erase now, pending claims, and Export user. Admins only; every action is logged with the
// admin's email as the actor.
import type { ConsoleStore, DeletedUserRecord, ErasureReport, LifecyclePolicy, StoredResource } from '../../storage/ports.js';
import type { JsonObject } from '../../domain/json.js';
import type { ScimResourceService } from '../scim/scim-resources.js';
import type { ImportPreview, ImportRowPreview, LifecycleActor, ManualUserInput, PendingClaimView, UserLifecycle } from '../lifecycle/lifecycle.js';
import { consoleScimContext, requireAdmin, type ConsoleActor } from './console-auth.js';
import { keyNamesOf } from './console-activity.js';

export interface DeletedUsersView {
  readonly policy: LifecyclePolicy;
  readonly total: number;
  readonly page: number;
  readonly pageCount: number;
  readonly rows: readonly DeletedUserRecord[];
}

const PAGE = 25;

const by = (actor: ConsoleActor, method: string, path: string): LifecycleActor => ({ keyId: null, actor: actor.account.email, method, path });

export function createConsoleLifecycle(deps: { store: ConsoleStore; users: ScimResourceService; lifecycle: UserLifecycle }) {
  const { users, lifecycle } = deps;
  return {
    async policy(actor: ConsoleActor): Promise<LifecyclePolicy> {
      requireAdmin(actor);
      return lifecycle.policy(actor.store);
    },

    async setPolicy(actor: ConsoleActor, form: Readonly<Record<string, string>>): Promise<LifecyclePolicy> {
      requireAdmin(actor);
      return lifecycle.setPolicy(actor.store, by(actor, 'POST', '/console/settings'), { claim: form.claim, onDelete: form.onDelete, retentionDays: form.retentionDays });
    },

    async deleted(actor: ConsoleActor, page: number): Promise<DeletedUsersView> {
      requireAdmin(actor);
      const policy = await lifecycle.policy(actor.store);
      let result = await lifecycle.listDeleted(actor.store, (page - 1) * PAGE, PAGE);
      const pageCount = Math.max(1, Math.ceil(result.total / PAGE));
      if (page > pageCount && result.total > 0) {
        page = pageCount;
        result = await lifecycle.listDeleted(actor.store, (page - 1) * PAGE, PAGE);
      }
      // "Deleted by" is stored as the actor label (`API key <id>` for the identity provider): the page names the key.
      const names = await keyNamesOf(actor);
      const rows = result.rows.map((r) => {
        const keyId = /^API key (\S+)$/.exec(r.deletedBy ?? '')?.[1];
        return keyId === undefined ? r : { ...r, deletedBy: `API key ‘${names.get(keyId) ?? 'deleted key'}’` };
      });
      return { policy, total: result.total, page, pageCount, rows };
    },

    /** Removal from the console: the same path as a SCIM DELETE, so the organisation's policy applies. */
    async remove(actor: ConsoleActor, id: string, scimBase: string): Promise<void> {
      requireAdmin(actor);
      await users.delete(consoleScimContext(actor, 'DELETE', `/console/users/${id}`, scimBase), id, {});
    },

    async restore(actor: ConsoleActor, id: string): Promise<StoredResource> {
      requireAdmin(actor);
      return lifecycle.restore(actor.store, by(actor, 'POST', `/console/deleted-users/${id}/restore`), id);
    },

    async eraseNow(actor: ConsoleActor, id: string): Promise<ErasureReport> {
      requireAdmin(actor);
      return lifecycle.eraseNow(actor.store, by(actor, 'POST', `/console/users/${id}/erase`), id);
    },

    async exportUser(actor: ConsoleActor, id: string): Promise<JsonObject> {
      requireAdmin(actor);
      return lifecycle.exportUser(actor.store, id);
    },

    async addManual(actor: ConsoleActor, input: ManualUserInput): Promise<StoredResource> {
      requireAdmin(actor);
      return lifecycle.addManual(actor.store, by(actor, 'POST', '/console/users/new'), input);
    },

    async editManual(actor: ConsoleActor, id: string, input: ManualUserInput): Promise<StoredResource> {
      requireAdmin(actor);
      return lifecycle.editManual(actor.store, by(actor, 'POST', `/console/users/${id}/edit`), id, input);
    },

    async findUser(actor: ConsoleActor, id: string): Promise<StoredResource | undefined> {
      requireAdmin(actor);
      return actor.store.users.findById(id);
    },

    async previewImport(actor: ConsoleActor, csv: string): Promise<ImportPreview> {
      requireAdmin(actor);
      return lifecycle.previewImport(actor.store, csv);
    },

    async importCsv(actor: ConsoleActor, csv: string): Promise<{ created: number; skipped: ImportRowPreview[]; fileError: string | undefined }> {
      requireAdmin(actor);
      return lifecycle.importCsv(actor.store, by(actor, 'POST', '/console/users/import'), csv);
    },

    async pendingClaims(actor: ConsoleActor): Promise<PendingClaimView[]> {
      requireAdmin(actor);
      return lifecycle.pendingClaims(actor.store);
    },

    async decideClaims(actor: ConsoleActor, userId: string | 'all', decision: 'approved' | 'rejected'): Promise<number> {
      requireAdmin(actor);
      return lifecycle.decideClaims(actor.store, by(actor, 'POST', '/console/claims'), userId, decision);
    },
  };
}

export type ConsoleLifecycle = ReturnType<typeof createConsoleLifecycle>;
