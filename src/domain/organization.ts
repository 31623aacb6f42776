import type { TenantId } from './ids.js';

export interface Organization {
  readonly id: TenantId;
  readonly name: string;
  readonly apiAccessApproved: boolean;
  readonly createdAt: string;
}

export type AccountRole = 'admin' | 'user';

export interface ConsoleAccount {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: AccountRole;
  readonly hasPassword: boolean;
  readonly scimUserId: string | null;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

/** What an API key may do: `scim` (the /scim/v2 API) and `events:read` (GET /api/v1/events). Keys made without a choice get `scim`. */
export const API_KEY_SCOPES = ['scim', 'events:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const isApiKeyScope = (s: string): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s);
/** Stored space-separated; unknown words (a newer version's scopes) are ignored. */
export const parseScopes = (stored: string): ApiKeyScope[] => stored.split(/\s+/).filter(isApiKeyScope);

export interface ApiKeyRecord {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly name: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly scopes: readonly ApiKeyScope[];
}
