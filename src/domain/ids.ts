// Branded ids. A TenantId can only be made by code that has verified who is asking
// (auth/api-key.ts from a key, auth/session.ts from a session, cli/ from an explicit argument).
export type TenantId = string & { readonly __brand: 'TenantId' };

/** Only for auth/, cli/ and test support: everything else receives a TenantId. */
export const trustedTenantId = (id: string): TenantId => id as TenantId;
