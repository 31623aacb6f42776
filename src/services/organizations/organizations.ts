// Organisations, their console admins and API keys: the use cases behind the CLI and console.
import { randomUUID } from 'node:crypto';
import type { CredentialWatch, PlatformStore, TenantStore } from '../../storage/ports.js';
import { API_KEY_SCOPES, isApiKeyScope, type Organization, type ApiKeyRecord, type ApiKeyScope, type ConsoleAccount, type AccountRole } from '../../domain/organization.js';
import { trustedTenantId } from '../../domain/ids.js';
import { isoNow } from '../../domain/clock.js';
import { generateApiKey } from '../../auth/api-key.js';
import { generatePassword, hashPassword } from '../../auth/password.js';
import { foldCase } from '../../scim/filter/fold-case.js';

export class ServiceError extends Error {
  constructor(readonly code: 'not_found' | 'conflict' | 'forbidden' | 'invalid', message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** `credentials`: revocations return once every instance of this process has forgotten the old state (credential-cache.ts). */
export function createOrganizationService(platform: PlatformStore, credentials?: CredentialWatch) {
  async function requireOrg(idOrName: string): Promise<Organization> {
    const org = await platform.findOrganization(idOrName);
    if (!org) throw new ServiceError('not_found', `No organisation with id or name "${idOrName}"`);
    return org;
  }

  return {
    requireOrg,
    list: () => platform.listOrganizations(),

    async create(name: string, options: { apiAccessApproved?: boolean } = {}): Promise<Organization> {
      const trimmed = name.trim();
      if (trimmed === '') throw new ServiceError('invalid', 'An organisation needs a name');
      if (await platform.findOrganization(trimmed)) throw new ServiceError('conflict', `An organisation named "${trimmed}" already exists`);
      return platform.createOrganization({ id: trustedTenantId(randomUUID()), name: trimmed, apiAccessApproved: options.apiAccessApproved ?? false, now: isoNow() });
    },

    async setApiAccess(idOrName: string, approved: boolean): Promise<Organization> {
      const org = await requireOrg(idOrName);
      await platform.setApiAccess(org.id, approved);
      await credentials?.settle();
      return { ...org, apiAccessApproved: approved };
    },

    /** Creates a console admin with a generated password, returned once. */
    async createAdmin(idOrName: string, email: string, options: { role?: AccountRole; displayName?: string } = {}): Promise<{ account: ConsoleAccount; password: string }> {
      const org = await requireOrg(idOrName);
      const clean = email.trim();
      if (!/^[^@\s]+@[^@\s]+$/.test(clean)) throw new ServiceError('invalid', `"${email}" is not an email address`);
      if (await platform.findAccountByEmail(foldCase(clean))) throw new ServiceError('conflict', `A console account for ${clean} already exists`);
      const password = generatePassword();
      const account = await platform.forTenant(org.id).accounts.create({
        id: randomUUID(),
        email: clean,
        displayName: options.displayName ?? clean.split('@')[0] ?? clean,
        passwordHash: await hashPassword(password),
        role: options.role ?? 'admin',
        scimUserId: null,
        now: isoNow(),
      });
      return { account, password };
    },
  };
}

export function createApiKeyService(credentials?: CredentialWatch) {
  return {
    /** Issues a key for the store's organisation. Refused unless the organisation is approved for API access. */
    async create(store: TenantStore, input: { name: string; createdBy: string | null; scopes?: readonly string[] | undefined }): Promise<{ record: ApiKeyRecord; key: string }> {
      const org = await store.organization();
      if (!org.apiAccessApproved) {
        throw new ServiceError('forbidden', `Organisation "${org.name}" is not approved for API access; ask your account manager to enable it`);
      }
      const name = input.name.trim() || 'API key';
      if (name.length > 100) throw new ServiceError('invalid', 'A key name is at most 100 characters');
      // Names tell keys apart on the Dashboard, in Activity and in refused-connection messages,
      // so they are unique per organisation — revoked keys included, as old rows still name them.
      const existing = (await store.apiKeys.list()).find((k) => foldCase(k.name) === foldCase(name));
      if (existing) {
        throw new ServiceError(
          'conflict',
          `Your organisation already has a ${existing.revokedAt ? 'revoked ' : ''}key named “${existing.name}”${existing.revokedAt ? ' (revoked keys keep their names so past activity stays readable)' : ''}. Choose another name, e.g. “${name} ${new Date().toISOString().slice(0, 7)}”.`,
        );
      }
      const scopes = checkScopes(input.scopes);
      const generated = generateApiKey();
      const record = await store.apiKeys.create({ id: generated.id, name, secretHash: generated.secretHash, createdBy: input.createdBy, now: isoNow(), scopes });
      return { record, key: generated.key };
    },
    list: (store: TenantStore) => store.apiKeys.list(),
    async revoke(store: TenantStore, keyId: string): Promise<void> {
      const key = await store.apiKeys.find(keyId);
      if (!key) throw new ServiceError('not_found', `No API key ${keyId} in this organisation`);
      if (key.revokedAt) return;
      await store.apiKeys.revoke(keyId, isoNow());
      await credentials?.settle();
    },
  };
}

/** Requested scopes → the stored list; none given keeps today's meaning (`scim`). */
export function checkScopes(raw: readonly string[] | undefined): ApiKeyScope[] {
  if (raw === undefined) return ['scim'];
  const words = [...new Set(raw.map((s) => s.trim()).filter((s) => s !== ''))];
  const unknown = words.filter((w) => !isApiKeyScope(w));
  if (unknown.length > 0) throw new ServiceError('invalid', `Unknown scope ${JSON.stringify(unknown[0])}: choose from ${API_KEY_SCOPES.join(', ')}`);
  if (words.length === 0) throw new ServiceError('invalid', `A key needs at least one scope (${API_KEY_SCOPES.join(', ')})`);
  return API_KEY_SCOPES.filter((s) => words.includes(s));
}
