// Bearer authentication for /scim/v2: API key → tenant. Every failure says which case it was
// without revealing whether a key id exists (unknown id and wrong secret read the same).
// A refusal that names one of an organisation's keys (revoked key, wrong secret for a known key
// id, organisation whose API access was withdrawn) is counted against that organisation and key
// so its admin sees it on the Dashboard; the presented secret is never kept. Every refusal, the
// unattributable ones too, is reported to `onRefused` (the operator's /metrics).
// A verified credential is remembered (credential-cache.ts): a warm request does no hashing and no
// database read, and any revocation anywhere empties the cache before the next request is served.
import type { AuthFailureReason, CredentialWatch, PlatformStore, TenantStore } from '../../storage/ports.js';
import { createCredentialCache } from './credential-cache.js';
import { parseApiKey, secretMatches } from '../../auth/api-key.js';
import { ScimError, unauthorized } from '../../scim/errors.js';
import type { ApiKeyScope } from '../../domain/organization.js';
import { isAccessTokenShaped } from '../../auth/oauth-credentials.js';
import type { AccessTokenFailure, VerifiedAccessToken } from '../oauth/oauth-service.js';

/** Verifies an OAuth access token (wdat_…) issued by /oauth2/token (services/oauth). */
export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken | AccessTokenFailure>;

export interface Authenticated {
  readonly store: TenantStore;
  /** The API key id, or the OAuth client id for an access token: activity, rate limits and names follow it. */
  readonly keyId: string;
  readonly scopes: readonly ApiKeyScope[];
}

/** A valid credential without the scope the route needs: 403, saying which scope and how to get it. */
const missingScope = (scope: ApiKeyScope): ScimError =>
  new ScimError(
    403,
    undefined,
    scope === 'scim'
      ? 'This API key cannot use the SCIM API: it was created without the "scim" scope. Create a key with the scim scope in the WiggleDesk console (Profile → API keys).'
      : `This credential cannot read events: it lacks the "${scope}" scope. Create a key with the ${scope} scope in the WiggleDesk console (Profile → API keys) or with \`wiggledesk key create ORG --scopes ${scope}\`.`,
    'SCIM_E_AUTH_SCOPE',
  );

/** Every bearer-authentication refusal on /scim/v2 (401), by stable code; the customer documentation (/docs/provisioning) lists them. */
export const BEARER_ERRORS = {
  SCIM_E_AUTH_001: 'Missing Authorization header: send "Authorization: Bearer <API key>" with a key from the WiggleDesk console (Profile → API keys).',
  SCIM_E_AUTH_002: 'The Authorization header must use the Bearer scheme: "Authorization: Bearer <API key>".',
  SCIM_E_AUTH_003: 'The bearer token is not a WiggleDesk API key or access token (they start with "wdk_" or "wdat_"); copy the whole key from the console.',
  SCIM_E_AUTH_004: 'The API key is not valid. Generate a new key in the WiggleDesk console (Profile → API keys).',
  SCIM_E_AUTH_005: 'This API key has been revoked. Generate a new key in the WiggleDesk console (Profile → API keys).',
  SCIM_E_AUTH_006: 'Your organisation is not approved for API access; ask your WiggleDesk account manager to enable it.',
  SCIM_E_AUTH_010: 'The access token is not valid: it was never issued, or its OAuth client or secret has been deleted. Request a new token from /oauth2/token.',
  SCIM_E_AUTH_011: 'The access token has expired. Request a new one from /oauth2/token.',
} as const;

export type BearerErrorCode = keyof typeof BEARER_ERRORS;

/** Why a bearer token was refused: the attributable reasons plus the garbage ones. */
export type RefusalReason = AuthFailureReason | 'missing_header' | 'not_bearer' | 'not_an_api_key' | 'unknown_key' | 'unknown_token' | 'expired_token';

/** What the request says about its client, kept with an attributed refusal. */
export interface ClientHints {
  readonly userAgent?: string | undefined;
}

const TOUCH_INTERVAL_MS = 60_000;

export interface BearerAuthOptions {
  /** Announces credential changes on every instance; without it nothing is cached. */
  readonly credentials?: CredentialWatch | undefined;
  /** The clock of access-token expiry (the OAuth service's). */
  readonly now?: () => number;
}

export function createBearerAuth(
  platform: PlatformStore,
  onBackgroundError: (e: unknown) => void,
  verifyAccessToken?: AccessTokenVerifier,
  onRefused: (reason: RefusalReason) => void = () => {},
  options: BearerAuthOptions = {},
) {
  const now = options.now ?? Date.now;
  // Successes only, keyed by the whole presented token (credential-cache.ts).
  const cache = createCredentialCache<{ readonly auth: Authenticated; readonly apiKey: boolean }>(options.credentials);
  // Start watching now (PostgreSQL: opens the listening connection), not on the first request.
  cache.epoch();
  // Per-instance memory of when we last wrote last_used_at; the UPDATE's WHERE makes it about
  // once a minute across instances too.
  const lastTouched = new Map<string, number>();

  function touch(keyId: string, now: number): void {
    const prev = lastTouched.get(keyId);
    if (prev !== undefined && now - prev < TOUCH_INTERVAL_MS) return;
    lastTouched.set(keyId, now);
    if (lastTouched.size > 10_000) lastTouched.clear();
    platform
      .touchApiKey(keyId, new Date(now).toISOString(), new Date(now - TOUCH_INTERVAL_MS).toISOString())
      .catch(onBackgroundError);
  }

  const fail = (reason: RefusalReason, code: BearerErrorCode): ScimError => {
    onRefused(reason);
    return unauthorized(BEARER_ERRORS[code], code);
  };

  /** Counts the refusal against the key's organisation; a storage hiccup must not turn a 401 into a 500. */
  async function attribute(found: { tenantId: TenantStore['tenantId']; keyId: string }, reason: AuthFailureReason, hints: ClientHints): Promise<void> {
    try {
      await platform.recordAuthFailure({ tenantId: found.tenantId, keyId: found.keyId, reason, at: new Date().toISOString(), userAgent: hints.userAgent ?? null });
    } catch (e) {
      onBackgroundError(e);
    }
  }

  /** `scope`: what the route needs (`scim` for /scim/v2, `events:read` for the Events API). */
  return async function authenticate(authorization: string | undefined, hints: ClientHints = {}, scope: ApiKeyScope = 'scim'): Promise<Authenticated> {
    if (!authorization) throw fail('missing_header', 'SCIM_E_AUTH_001');
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw fail('not_bearer', 'SCIM_E_AUTH_002');
    const token = m[1]!;
    const cached = cache.get(token, now());
    if (cached) {
      if (cached.apiKey) touch(cached.auth.keyId, Date.now());
      if (!cached.auth.scopes.includes(scope)) throw missingScope(scope);
      return cached.auth;
    }
    // Read before the database is: a change announced meanwhile keeps the result out of the cache.
    const epoch = cache.epoch();
    if (verifyAccessToken && isAccessTokenShaped(token)) {
      // An OAuth access token: tenant, scope and limits exactly as for an API key, keyed by the client id.
      const r = await verifyAccessToken(token);
      if (r === 'unknown') throw fail('unknown_token', 'SCIM_E_AUTH_010');
      if (r === 'expired') throw fail('expired_token', 'SCIM_E_AUTH_011');
      if (r === 'not_approved') throw fail('api_access_withdrawn', 'SCIM_E_AUTH_006');
      // OAuth clients are provisioning clients (Entra): SCIM only.
      const auth: Authenticated = { store: platform.forTenant(r.tenantId), keyId: r.clientId, scopes: ['scim'] };
      cache.set(token, { auth, apiKey: false }, epoch, r.expiresAt);
      if (scope !== 'scim') throw missingScope(scope);
      return auth;
    }
    const parsed = parseApiKey(token);
    if (!parsed) throw fail('not_an_api_key', 'SCIM_E_AUTH_003');
    const found = await platform.findApiKey(parsed.id);
    if (!found) throw fail('unknown_key', 'SCIM_E_AUTH_004');
    if (!secretMatches(parsed.secret, found.secretHash)) {
      // Same answer as an unknown key id; the organisation's admin still learns of it.
      await attribute(found, 'wrong_secret', hints);
      throw fail('wrong_secret', 'SCIM_E_AUTH_004');
    }
    if (found.revokedAt) {
      await attribute(found, 'revoked_key', hints);
      throw fail('revoked_key', 'SCIM_E_AUTH_005');
    }
    if (!found.orgApproved) {
      await attribute(found, 'api_access_withdrawn', hints);
      throw fail('api_access_withdrawn', 'SCIM_E_AUTH_006');
    }
    touch(found.keyId, Date.now());
    const auth: Authenticated = { store: platform.forTenant(found.tenantId), keyId: found.keyId, scopes: found.scopes };
    cache.set(token, { auth, apiKey: true }, epoch);
    if (!found.scopes.includes(scope)) throw missingScope(scope);
    return auth;
  };
}
