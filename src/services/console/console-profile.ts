// Profile: the signed-in account, and for admins the organisation's API keys (generate, list,
// revoke). The server refuses key generation for an organisation not approved for API access
// (createApiKeyService throws `forbidden`), whatever the page shows.
import type { ConsoleStore, DirectoryUserRow } from '../../storage/ports.js';
import type { ConsoleAccount, Organization, ApiKeyRecord } from '../../domain/organization.js';
import { displayPrefix } from '../../auth/api-key.js';
import { ServiceError, type createApiKeyService } from '../organizations/organizations.js';
import { requireAdmin, type ConsoleActor } from './console-auth.js';

export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  /** `wdk_1a2b3c4d…`: enough to tell keys apart, useless to an attacker. */
  readonly prefix: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface ProfileView {
  readonly account: ConsoleAccount;
  readonly org: Organization;
  readonly isAdmin: boolean;
  /** Admins only. Active keys first, then revoked ones. */
  readonly keys: readonly ApiKeyView[] | undefined;
  /** The SCIM user this account belongs to, when it was provisioned. */
  readonly linkedUser: DirectoryUserRow | undefined;
}

const toView = (k: ApiKeyRecord): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: displayPrefix(k.id),
  createdBy: k.createdBy,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
});

export function createConsoleProfile(deps: { store: ConsoleStore; apiKeys: ReturnType<typeof createApiKeyService> }) {
  const { store, apiKeys } = deps;

  async function findKey(actor: ConsoleActor, keyId: string): Promise<ApiKeyView> {
    requireAdmin(actor);
    const key = await actor.store.apiKeys.find(keyId);
    if (!key) throw new ServiceError('not_found', 'No such API key in your organisation');
    return toView(key);
  }

  return {
    async view(actor: ConsoleActor): Promise<ProfileView> {
      const isAdmin = actor.account.role === 'admin';
      let keys: ApiKeyView[] | undefined;
      if (isAdmin) {
        const all = (await apiKeys.list(actor.store)).map(toView);
        keys = [...all.filter((k) => !k.revokedAt), ...all.filter((k) => k.revokedAt)];
      }
      const linkedUser = actor.account.scimUserId ? await store.reads(actor.org.id).findUser(actor.account.scimUserId) : undefined;
      return { account: actor.account, org: actor.org, isAdmin, keys, linkedUser };
    },

    /** The new key, to be shown once. */
    async generateKey(actor: ConsoleActor, name: string, scopes?: readonly string[]): Promise<{ key: string; view: ApiKeyView }> {
      requireAdmin(actor);
      const { record, key } = await apiKeys.create(actor.store, { name, createdBy: actor.account.email, scopes });
      return { key, view: toView(record) };
    },

    findKey,

    async revokeKey(actor: ConsoleActor, keyId: string): Promise<ApiKeyView> {
      const key = await findKey(actor, keyId);
      await apiKeys.revoke(actor.store, keyId);
      return key;
    },
  };
}

export type ConsoleProfile = ReturnType<typeof createConsoleProfile>;
