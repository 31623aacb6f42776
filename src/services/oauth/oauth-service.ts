// OAuth 2.0 for SCIM provisioning (issue #20): the organisation's OAuth clients (client secret or
// workload identity federation), the token endpoint's use case (RFC 6749 §4.4 client credentials
// with client_secret_basic, client_secret_post, or an RFC 7523 §2.2 client assertion), and the
// verification of the opaque access tokens it issues, which /scim/v2 accepts like API keys.
import { createHash } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { ActivityEntry, CredentialWatch, OAuthClientRecord, OAuthSecretRecord, OAuthStore, PlatformStore, TenantStore } from '../../storage/ports.js';
import type { TenantId } from '../../domain/ids.js';
import { generateAccessToken, generateClientId, generateClientSecret, matchesHash, parseAccessToken } from '../../auth/oauth-credentials.js';
import { ServiceError } from '../organizations/organizations.js';
import type { ActivityRecorder } from '../activity/activity.js';
import { OAuthError, type OAuthErrorRef } from './oauth-errors.js';
import { JwksUnavailable, type JwksCache } from './jwks-cache.js';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const TOKEN_PATH = '/oauth2/token';
/** The one scope an access token carries: the organisation's SCIM API. */
export const SCIM_SCOPE = 'scim';
const DAY_MS = 86_400_000;
/** Microsoft: a client secret expires after 1–3 years. */
export const SECRET_DAYS = { min: 365, max: 1095, default: 730 } as const;
/** Microsoft: access tokens live 60 minutes to 6 hours. */
export const TOKEN_MINUTES = { min: 60, max: 360, default: 60 } as const;
/** Active secrets per client: enough for a rotation, not a hoard. */
const MAX_SECRETS = 5;
/** Clock skew allowed on exp/nbf/iat of client assertions. */
export const ASSERTION_SKEW_SECONDS = 60;
const MAX_ASSERTION_LIFETIME_S = DAY_MS / 1000;
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

export interface OAuthServiceDeps {
  readonly platform: PlatformStore;
  readonly store: OAuthStore;
  readonly activity: ActivityRecorder;
  readonly jwks: JwksCache;
  readonly now: () => number;
  /** Access token lifetime in minutes (60–360). */
  readonly tokenMinutes: number;
  readonly onBackgroundError?: (e: unknown) => void;
  /** Deleting a client or secret returns once every instance of this process has forgotten its tokens (credential-cache.ts). */
  readonly credentials?: CredentialWatch | undefined;
}

export interface FederationInput {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly subject: string;
  readonly audience: string;
}

export interface ClientView extends Omit<OAuthClientRecord, 'tenantId'> {
  readonly secrets: readonly (OAuthSecretRecord & { readonly expired: boolean })[];
}

/** The parsed token request, as the HTTP layer read it (each parameter at most once). */
export interface TokenRequest {
  readonly grantType: string | undefined;
  readonly scope: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly basic: { readonly clientId: string; readonly clientSecret: string } | undefined;
  readonly assertionType: string | undefined;
  readonly assertion: string | undefined;
  /** For the console's refused-connections view. */
  readonly userAgent?: string | undefined;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

export interface VerifiedAccessToken {
  readonly tenantId: TenantId;
  readonly clientId: string;
  /** Epoch milliseconds: a cached token (services/credentials/credential-cache.ts) expires with it. */
  readonly expiresAt: number;
}

export type AccessTokenFailure = 'unknown' | 'expired' | 'not_approved';

const iso = (ms: number) => new Date(ms).toISOString();

function validHttpsUrl(raw: string, what: string, allowHttp: boolean): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ServiceError('invalid', `The ${what} must be an absolute URL (got "${raw.slice(0, 200)}")`);
  }
  if (u.protocol !== 'https:' && !(allowHttp && u.protocol === 'http:')) throw new ServiceError('invalid', `The ${what} must be an https URL`);
  return u.toString();
}

export function createOAuthService(deps: OAuthServiceDeps & { readonly allowHttpJwks: boolean }) {
  const { platform, store, activity, jwks, now } = deps;
  const tokenSeconds = deps.tokenMinutes * 60;

  async function requireApproved(tenant: TenantStore): Promise<void> {
    const org = await tenant.organization();
    if (!org.apiAccessApproved) {
      throw new ServiceError('forbidden', `Organisation "${org.name}" is not approved for API access; ask your account manager to enable it`);
    }
  }

  async function requireClient(tenant: TenantStore, clientId: string): Promise<OAuthClientRecord> {
    const c = await tenant.oauth.findClient(clientId);
    if (!c) throw new ServiceError('not_found', `No OAuth client ${clientId} in this organisation`);
    return c;
  }

  function secretDays(days: number | undefined): number {
    const d = days ?? SECRET_DAYS.default;
    if (!Number.isInteger(d) || d < SECRET_DAYS.min || d > SECRET_DAYS.max) {
      throw new ServiceError('invalid', `A client secret lives ${SECRET_DAYS.min} to ${SECRET_DAYS.max} days (1 to 3 years); got ${days}`);
    }
    return d;
  }

  function cleanName(name: string | undefined, fallback: string): string {
    const n = (name ?? '').trim() || fallback;
    if (n.length > 100) throw new ServiceError('invalid', 'A client name is at most 100 characters');
    return n;
  }

  async function addSecretTo(tenant: TenantStore, client: OAuthClientRecord, days: number | undefined, createdBy: string | null) {
    if (client.kind !== 'secret') throw new ServiceError('invalid', `Client ${client.id} uses workload identity federation; it has no secrets`);
    const d = secretDays(days);
    const existing = await tenant.oauth.secretsWithHashes(client.id);
    if (existing.length >= MAX_SECRETS) throw new ServiceError('conflict', `A client has at most ${MAX_SECRETS} secrets; delete an old one first`);
    const g = generateClientSecret();
    const t = now();
    const record = await tenant.oauth.addSecret({ id: g.id, clientId: client.id, secretHash: g.secretHash, createdBy, now: iso(t), expiresAt: iso(t + d * DAY_MS) });
    return { record, secret: g.secret };
  }

  function normaliseFederation(f: FederationInput): FederationInput {
    const issuer = f.issuer.trim();
    const subject = f.subject.trim();
    const audience = f.audience.trim();
    if (!issuer) throw new ServiceError('invalid', 'The issuer is required (e.g. https://login.microsoftonline.com/<tenant id>/v2.0)');
    validHttpsUrl(issuer, 'issuer', deps.allowHttpJwks);
    if (!subject) throw new ServiceError('invalid', 'The subject is required (the object id of Entra’s provisioning workload identity)');
    if (!audience) throw new ServiceError('invalid', 'The audience is required (as shown by Entra, e.g. api://<app id>)');
    for (const [v, what] of [[issuer, 'issuer'], [subject, 'subject'], [audience, 'audience']] as const) {
      if (v.length > 500) throw new ServiceError('invalid', `The ${what} is at most 500 characters`);
    }
    return { issuer, jwksUrl: validHttpsUrl(f.jwksUrl, 'JWKS URL', deps.allowHttpJwks), subject, audience };
  }

  // ------------------------------------------------------------ management (CLI and console)

  const management = {
    /** A client with a first secret (shown once). Same API-access approval gate as API keys. */
    async createClient(tenant: TenantStore, input: { name?: string; secretDays?: number; createdBy: string | null }) {
      await requireApproved(tenant);
      const name = cleanName(input.name, 'OAuth client');
      secretDays(input.secretDays);
      return tenant.transaction(async (tx) => {
        const client = await tx.oauth.createClient({ id: generateClientId(), name, kind: 'secret', issuer: null, jwksUrl: null, subject: null, audience: null, createdBy: input.createdBy, createdAt: iso(now()) });
        const { record, secret } = await addSecretTo(tx, client, input.secretDays, input.createdBy);
        return { client, secret, secretRecord: record };
      });
    },

    /** A workload-identity-federation client: Entra's issuer, JWKS URL, subject and audience. */
    async federate(tenant: TenantStore, input: FederationInput & { name?: string; createdBy: string | null }) {
      await requireApproved(tenant);
      const f = normaliseFederation(input);
      const name = cleanName(input.name, 'Workload identity federation');
      return tenant.oauth.createClient({ id: generateClientId(), name, kind: 'federated', ...f, createdBy: input.createdBy, createdAt: iso(now()) });
    },

    async list(tenant: TenantStore): Promise<ClientView[]> {
      const [clients, secrets] = await Promise.all([tenant.oauth.listClients(), tenant.oauth.listSecrets()]);
      const t = now();
      return clients.map(({ tenantId: _t, ...c }) => ({
        ...c,
        secrets: secrets.filter((s) => s.clientId === c.id).map((s) => ({ ...s, expired: Date.parse(s.expiresAt) <= t })),
      }));
    },

    async find(tenant: TenantStore, clientId: string): Promise<ClientView> {
      const found = (await management.list(tenant)).find((c) => c.id === clientId);
      if (!found) throw new ServiceError('not_found', `No OAuth client ${clientId} in this organisation`);
      return found;
    },

    async addSecret(tenant: TenantStore, clientId: string, input: { secretDays?: number; createdBy: string | null }) {
      await requireApproved(tenant);
      return addSecretTo(tenant, await requireClient(tenant, clientId), input.secretDays, input.createdBy);
    },

    /** Deletes a secret; tokens issued with it stop working at once. */
    async removeSecret(tenant: TenantStore, clientId: string, secretId: string): Promise<void> {
      await requireClient(tenant, clientId);
      if (!(await tenant.oauth.removeSecret(clientId, secretId))) throw new ServiceError('not_found', `No secret ${secretId} on client ${clientId}`);
      await deps.credentials?.settle();
    },

    /** Deletes the client, its secrets and every live access token it was issued. */
    async deleteClient(tenant: TenantStore, clientId: string): Promise<void> {
      if (!(await tenant.oauth.deleteClient(clientId))) throw new ServiceError('not_found', `No OAuth client ${clientId} in this organisation`);
      await deps.credentials?.settle();
    },

    /** The organisation owning a client id (CLI commands given only a client id). */
    async tenantOfClient(clientId: string): Promise<TenantStore> {
      const found = await store.findClient(clientId);
      if (!found) throw new ServiceError('not_found', `No OAuth client with id ${clientId}`);
      return platform.forTenant(found.client.tenantId);
    },
  };

  // ------------------------------------------------------------ the token endpoint

  function scopeFor(requested: string | undefined, client: OAuthClientRecord): string {
    if (requested === undefined || requested.trim() === '') return SCIM_SCOPE;
    const allowed = new Set([SCIM_SCOPE]);
    if (client.audience) {
      const aud = client.audience.replace(/\/\.default$/, '');
      allowed.add(aud).add(`${aud}/.default`);
    }
    // RFC 6749 §3.3: space-delimited; every requested value must be one we grant.
    const parts = requested.split(' ').filter(Boolean);
    if (parts.length === 0 || !parts.every((p) => allowed.has(p))) throw new OAuthError('OAUTH_E_SCOPE');
    return SCIM_SCOPE;
  }

  async function verifyAssertion(client: OAuthClientRecord, assertion: string, t: number): Promise<{ jti: string; exp: number }> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw new OAuthError('OAUTH_E_ASSERTION_MALFORMED');
    }
    if (assertion.split('.').length !== 3) throw new OAuthError('OAUTH_E_ASSERTION_MALFORMED');
    if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) throw new OAuthError('OAUTH_E_ASSERTION_ALG');
    let keySet;
    try {
      keySet = await jwks.get(client.jwksUrl!, typeof header.kid === 'string' ? header.kid : undefined);
    } catch (e) {
      if (e instanceof JwksUnavailable) throw new OAuthError('OAUTH_E_JWKS_UNAVAILABLE');
      throw e;
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, createLocalJWKSet(keySet), {
        algorithms: ALGORITHMS,
        issuer: client.issuer!,
        subject: client.subject!,
        audience: client.audience!,
        clockTolerance: ASSERTION_SKEW_SECONDS,
        currentDate: new Date(t),
        requiredClaims: ['exp', 'iss', 'sub', 'aud'],
      }));
    } catch (e) {
      throw new OAuthError(assertionFailure(e));
    }
    const exp = payload.exp!;
    if (typeof payload.iat === 'number' && payload.iat > t / 1000 + ASSERTION_SKEW_SECONDS) throw new OAuthError('OAUTH_E_ASSERTION_NOT_YET_VALID');
    if (exp - t / 1000 > MAX_ASSERTION_LIFETIME_S) throw new OAuthError('OAUTH_E_ASSERTION_TOO_LONG');
    // Entra: keep tenants apart — the tid claim must be the issuer's tenant.
    const issuerTenant = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/i.exec(client.issuer!)?.[1];
    if (issuerTenant && payload.tid !== undefined && String(payload.tid).toLowerCase() !== issuerTenant.toLowerCase()) throw new OAuthError('OAUTH_E_ASSERTION_TID');
    // RFC 7523 §3 item 7: jti. Entra's assertions carry `uti` (its unique token id) instead;
    // without either, the assertion itself is what must not come twice.
    const jti = typeof payload.jti === 'string' && payload.jti ? `jti:${payload.jti}` : typeof payload.uti === 'string' && payload.uti ? `uti:${payload.uti}` : `sha256:${createHash('sha256').update(assertion).digest('hex')}`;
    return { jti: jti.slice(0, 300), exp };
  }

  function assertionFailure(e: unknown): OAuthErrorRef {
    if (e instanceof joseErrors.JWTExpired) return 'OAUTH_E_ASSERTION_EXPIRED';
    if (e instanceof joseErrors.JWTClaimValidationFailed) {
      if (e.claim === 'iss') return 'OAUTH_E_ASSERTION_ISS';
      if (e.claim === 'sub') return 'OAUTH_E_ASSERTION_SUB';
      if (e.claim === 'aud') return 'OAUTH_E_ASSERTION_AUD';
      if (e.claim === 'nbf' || e.claim === 'iat') return 'OAUTH_E_ASSERTION_NOT_YET_VALID';
      return 'OAUTH_E_ASSERTION_CLAIMS';
    }
    if (e instanceof joseErrors.JWKSNoMatchingKey) return 'OAUTH_E_ASSERTION_KID';
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'OAUTH_E_ASSERTION_SIGNATURE';
    if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'OAUTH_E_ASSERTION_ALG';
    if (e instanceof joseErrors.JWKSMultipleMatchingKeys) return 'OAUTH_E_ASSERTION_SIGNATURE';
    return 'OAUTH_E_ASSERTION_MALFORMED';
  }

  type Method = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

  function logToken(entry: { clientId: string; status: number; error: string | null; detail: string | null; method: Method | null; startedAt: number; extra?: Record<string, unknown> }): ActivityEntry {
    return {
      at: iso(now()),
      keyId: entry.clientId,
      actor: null,
      method: 'POST',
      path: TOKEN_PATH,
      status: entry.status,
      // The RFC 6749 error code, so the failed-attempts view shows what went wrong.
      scimType: entry.error,
      durationMs: Math.round((performance.now() - entry.startedAt) * 100) / 100,
      resourceType: null,
      resourceId: null,
      summary: JSON.stringify({ event: entry.error ? 'token_refused' : 'token_issued', auth_method: entry.method, ...(entry.detail ? { detail: entry.detail } : {}), ...entry.extra }),
    };
  }

  /**
   * Handles one token request. Resolves with the RFC 6749 §5.1 response, or throws OAuthError.
   * Every issuance and every refusal for a known client is written to that client's
   * organisation's activity log (unknown client ids have no organisation: server log only).
   */
  async function issueToken(req: TokenRequest): Promise<{ response: TokenResponse; clientId: string; tenantId: TenantId }> {
    const startedAt = performance.now();
    const t = now();
    let client: OAuthClientRecord | undefined;
    let method: Method | null = null;
    try {
      if (req.grantType === undefined || req.grantType === '') throw new OAuthError('OAUTH_E_REQ_GRANT_MISSING');
      const bodySecret = req.clientSecret !== undefined;
      const assertion = req.assertion !== undefined || req.assertionType !== undefined;
      const methods = [req.basic !== undefined, bodySecret, assertion].filter(Boolean).length;
      if (methods > 1) throw new OAuthError('OAUTH_E_REQ_TWO_METHODS');
      method = req.basic ? 'client_secret_basic' : bodySecret ? 'client_secret_post' : assertion ? 'private_key_jwt' : null;
      if (req.basic && req.clientId !== undefined && req.clientId !== req.basic.clientId) throw new OAuthError('OAUTH_E_REQ_CLIENT_ID_MISMATCH');
      const clientId = req.basic?.clientId ?? req.clientId;
      if (clientId !== undefined && clientId !== '') {
        // Looked up before the grant type is judged, so that refusals of a known client reach its log.
        client = (await store.findClient(clientId))?.client;
      }
      if (req.grantType !== 'client_credentials') throw new OAuthError('OAUTH_E_GRANT_TYPE');
      if (methods === 0) throw new OAuthError('OAUTH_E_CLIENT_NO_AUTH');
      if (clientId === undefined || clientId === '') throw new OAuthError(method === 'private_key_jwt' ? 'OAUTH_E_REQ_CLIENT_ID_MISSING' : 'OAUTH_E_CLIENT_UNKNOWN');
      if (!client) throw new OAuthError('OAUTH_E_CLIENT_UNKNOWN');

      let secretId: string | null = null;
      if (method === 'private_key_jwt') {
        if (req.assertionType !== JWT_BEARER_ASSERTION_TYPE) throw new OAuthError('OAUTH_E_REQ_ASSERTION_TYPE');
        if (!req.assertion) throw new OAuthError('OAUTH_E_ASSERTION_MALFORMED');
        if (client.kind !== 'federated') throw new OAuthError('OAUTH_E_CLIENT_WRONG_METHOD_ASSERTION');
        const { jti, exp } = await verifyAssertion(client, req.assertion, t);
        const tenant = platform.forTenant(client.tenantId);
        const fresh = await tenant.oauth.rememberJti(client.id, jti, iso((exp + ASSERTION_SKEW_SECONDS) * 1000));
        if (!fresh) throw new OAuthError('OAUTH_E_ASSERTION_REPLAY');
      } else {
        const presented = req.basic?.clientSecret ?? req.clientSecret ?? '';
        if (client.kind !== 'secret') throw new OAuthError('OAUTH_E_CLIENT_WRONG_METHOD_SECRET');
        const secrets = await platform.forTenant(client.tenantId).oauth.secretsWithHashes(client.id);
        // Compare with every secret (constant time each), so timing says nothing about which matched.
        let matched: (typeof secrets)[number] | undefined;
        for (const s of secrets) if (matchesHash(presented, s.secretHash) && !matched) matched = s;
        if (!matched) throw new OAuthError('OAUTH_E_CLIENT_UNKNOWN');
        if (Date.parse(matched.expiresAt) <= t) throw new OAuthError('OAUTH_E_SECRET_EXPIRED');
        secretId = matched.id;
      }

      const tenant = platform.forTenant(client.tenantId);
      if (!(await tenant.organization()).apiAccessApproved) throw new OAuthError('OAUTH_E_NOT_APPROVED');
      const scope = scopeFor(req.scope, client);

      const g = generateAccessToken();
      const expiresAt = iso(t + tokenSeconds * 1000);
      const issuedFor = client;
      await tenant.transaction(async (tx) => {
        await tx.oauth.saveToken({ id: g.id, clientId: issuedFor.id, secretId, tokenHash: g.tokenHash, scope, now: iso(t), expiresAt });
        await tx.oauth.touchClient(issuedFor.id, secretId, iso(t));
        await tx.activity.append([logToken({ clientId: issuedFor.id, status: 200, error: null, detail: null, method, startedAt, extra: { scope, expires_in: tokenSeconds, token_id: g.id } })]);
      });
      sweep();
      return { response: { access_token: g.token, token_type: 'Bearer', expires_in: tokenSeconds, scope }, clientId: client.id, tenantId: client.tenantId };
    } catch (e) {
      if (e instanceof OAuthError && client) {
        // The console's refused-connections view (Dashboard, Activity) aggregates these per client.
        const reason = e.ref === 'OAUTH_E_SECRET_EXPIRED' ? 'oauth_secret_expired' : e.spec.error === 'invalid_client' ? 'oauth_client_refused' : e.ref === 'OAUTH_E_NOT_APPROVED' ? 'api_access_withdrawn' : undefined;
        if (reason) {
          await platform
            .recordAuthFailure({ tenantId: client.tenantId, keyId: client.id, reason, at: iso(t), userAgent: req.userAgent?.slice(0, 300) ?? null })
            .catch((err: unknown) => deps.onBackgroundError?.(err));
        }
        activity.enqueue(platform.forTenant(client.tenantId), logToken({ clientId: client.id, status: e.spec.status, error: e.spec.error, detail: e.spec.description, method, startedAt, extra: { reference: e.ref } }));
      }
      throw e;
    }
  }

  // Expired tokens and jtis are swept at most every 10 minutes per instance, off the request path.
  let lastSweep = 0;
  function sweep(): void {
    const t = now();
    if (t - lastSweep < 10 * 60_000) return;
    lastSweep = t;
    store.deleteExpired(iso(t)).catch((e: unknown) => deps.onBackgroundError?.(e));
  }

  /** Bearer authentication on /scim/v2 with an access token (wdat_…): one indexed read, like an API key. */
  async function verifyAccessToken(token: string): Promise<VerifiedAccessToken | AccessTokenFailure> {
    const parsed = parseAccessToken(token);
    if (!parsed) return 'unknown';
    const found = await store.findAccessToken(parsed.id);
    if (!found || !matchesHash(parsed.secret, found.tokenHash)) return 'unknown';
    const expiresAt = Date.parse(found.expiresAt);
    if (expiresAt <= now()) return 'expired';
    if (!found.orgApproved) return 'not_approved';
    return { tenantId: found.tenantId, clientId: found.clientId, expiresAt };
  }

  return { ...management, issueToken, verifyAccessToken, tokenSeconds, sweep, now };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
