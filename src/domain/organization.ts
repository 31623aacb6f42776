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

export interface ApiKeyRecord {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly name: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}
