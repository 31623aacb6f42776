// Sign-in with OpenID Connect through openid-client v6: the authorization-code flow with PKCE
// (S256), state and nonce, for three kinds of provider. This module knows no routes and no
// storage: it builds the authorization URL, and turns the provider's redirect back into a
// verified, normalised identity (or an OidcError saying why not).
//
//  - Microsoft (Entra ID, multi-tenant). The `organizations`/`common` discovery document names a
//    templated issuer, `https://login.microsoftonline.com/{tenantid}/v2.0`, while each ID token
//    carries its tenant's concrete issuer and `tid`. openid-client only recognises that template
//    on login.microsoftonline.com itself (and through an internal hook), so we validate it with
//    public API only: the code is exchanged once through a configuration whose token request we
//    capture; then a configuration for the token's own tenant (issuer = template with {tenantid}
//    replaced by the token's tid) replays that response through openid-client, which verifies the
//    signature, `iss` (must equal the tenant's issuer), `aud`, `exp`, `nonce` and, if sent, the
//    `iss` authorization-response parameter. The identity uses tid, oid and preferred_username
//    (never the unverified `email` claim).
//  - Google: `email_verified` must be true; `hd` (the Workspace domain) is what an organisation binds.
//  - Generic (Okta, OneLogin, JumpCloud…): standard discovery; `preferred_username`, and `email`
//    only when `email_verified` is true; the issuer is what an organisation binds.
//
// http:// issuers are refused by openid-client unless `allowInsecureRequests` is executed; we do
// that only when the deployment sets SSO_ALLOW_INSECURE_HTTP (config accepts it for loopback
// issuers only, for development and the tests' in-process provider).
import * as client from 'openid-client';
import { importPKCS8, type CryptoKey } from 'jose';
import { foldCase } from '../scim/filter/fold-case.js';

export type OidcProviderKind = 'microsoft' | 'google' | 'oidc';

export interface OidcProviderSettings {
  readonly kind: OidcProviderKind;
  readonly label: string;
  /** Microsoft: the authority (…/organizations/v2.0). Others: the issuer identifier. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: { reveal(): string };
  /** Microsoft: private_key_jwt with a certificate instead of the secret (RS256, `x5t` header). */
  readonly clientCertificate?: { readonly privateKeyPem: { reveal(): string }; readonly x5t: string } | undefined;
  readonly allowInsecureHttp: boolean;
}

export interface AuthorizationRequest {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** A verified identity, the same shape for every provider. */
export interface OidcIdentity {
  readonly provider: OidcProviderKind;
  /** Never reassigned by the provider: `tid/oid` (Microsoft), `sub` (Google), `issuer sub` (generic). */
  readonly subject: string;
  /** What an organisation binds: the tenant id (lower case), the Workspace domain (folded) or the issuer; undefined when the account has none (a personal Google account). */
  readonly bindingValue: string | undefined;
  /** Folded names a provisioned user may be matched by (userName or a primary/work email). */
  readonly names: readonly string[];
  /** For messages only: the name the person signed in with. */
  readonly loginName: string | undefined;
  /**
   * Microsoft: the `wids` claim, the template ids of the Entra directory roles the account holds
   * (emitted when the app registration's groupMembershipClaims includes DirectoryRole or All).
   * Proving a tenant binding needs an admin role among them (issue #18).
   */
  readonly directoryRoles?: readonly string[];
}

export type OidcFailure =
  /** state missing or not the one this browser's flow expects (tampered, or another flow's). */
  | 'state'
  /** The ID token's nonce is not this flow's (a replayed or injected token). */
  | 'nonce'
  /** The provider answered with an error (the person cancelled, or was not allowed). */
  | 'denied'
  /** Anything else wrong with the response or the token. */
  | 'invalid'
  /** Google: the email address is not verified. */
  | 'unverified_email'
  /** The provider could not be reached or its metadata is unusable. */
  | 'unavailable';

export class OidcError extends Error {
  constructor(
    readonly reason: OidcFailure,
    message: string,
    /** The provider's `error` code for `denied`. */
    readonly providerError?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OidcError';
  }
}

export interface OidcClient {
  readonly kind: OidcProviderKind;
  readonly label: string;
  /** A fresh state, nonce and PKCE verifier, and the URL to send the browser to. */
  begin(redirectUri: string): Promise<AuthorizationRequest>;
  /** Verifies the redirect back (`callbackUrl` = redirect URI + the provider's query). */
  complete(callbackUrl: URL, expected: { readonly state: string; readonly nonce: string; readonly codeVerifier: string }): Promise<OidcIdentity>;
}

const SCOPE = 'openid email profile';
const TIMEOUT_SECONDS = 10;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TEMPLATE = '{tenantid}';

type Fetch = typeof fetch;

/** An issuer as organisations bind it and tokens are compared: the URL's normalised form, no trailing slash. */
export function normaliseIssuer(raw: string): string | undefined {
  try {
    const u = new URL(raw.trim());
    if (u.search || u.hash || u.username || u.password) return undefined;
    return u.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Walks an error's cause chain for openid-client's `claim` detail (which JWT claim failed). */
function failedClaim(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 5; depth++) {
    const claim = (cur as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** openid-client's errors → our reasons. Messages stay technical: they go to logs, not pages. */
export function toOidcError(e: unknown): OidcError {
  if (e instanceof OidcError) return e;
  if (e instanceof client.AuthorizationResponseError) {
    return new OidcError('denied', `the provider answered ${e.error}${e.error_description ? `: ${e.error_description}` : ''}`, e.error, { cause: e });
  }
  const code = (e as { code?: unknown } | undefined)?.code;
  const message = e instanceof Error ? e.message : String(e);
  const claim = failedClaim(e);
  if (claim === 'nonce') return new OidcError('nonce', 'the ID token nonce does not match this sign-in', undefined, { cause: e });
  if (code === 'OAUTH_INVALID_RESPONSE' && /"state"/.test(String((e as { cause?: { message?: unknown } }).cause?.message ?? message))) {
    return new OidcError('state', 'the state parameter does not match this sign-in', undefined, { cause: e });
  }
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT' || (e instanceof TypeError && /fetch failed/.test(message))) {
    return new OidcError('unavailable', `the provider could not be reached: ${message}`, undefined, { cause: e });
  }
  if (e instanceof client.ResponseBodyError) return new OidcError('invalid', `the token endpoint answered ${e.error}`, e.error, { cause: e });
  return new OidcError('invalid', `the provider's response failed validation: ${message}${claim ? ` (claim ${claim})` : ''}`, undefined, { cause: e });
}

function decodeJwtPayload(jwt: unknown): Record<string, unknown> | undefined {
  if (typeof jwt !== 'string') return undefined;
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createOidcClient(settings: OidcProviderSettings, options: { fetch?: Fetch } = {}): OidcClient {
  const fetchFn: Fetch = options.fetch ?? fetch;
  // How WiggleDesk authenticates to the provider's token endpoint: the client secret
  // (client_secret_post, openid-client's default), or — Microsoft, when a certificate is configured —
  // private_key_jwt: an RS256 assertion (iss = sub = client id, aud = token endpoint, jti, short exp)
  // whose `x5t` header names the certificate uploaded to the app registration. Microsoft's gallery
  // guidance: "use a certificate instead of a client secret".
  let certKey: Promise<CryptoKey> | undefined;
  // Entra wants the assertion's `aud` to be its token endpoint (openid-client's default is the
  // issuer, which for the multi-tenant authority is the {tenantid} template).
  async function credentials(meta?: client.ServerMetadata): Promise<[string | undefined, client.ClientAuth | undefined]> {
    const cert = settings.clientCertificate;
    if (!cert) return [settings.clientSecret.reveal(), undefined];
    certKey ??= importPKCS8(cert.privateKeyPem.reveal(), 'RS256');
    const key = await certKey;
    const audience = meta?.token_endpoint;
    return [
      undefined,
      client.PrivateKeyJwt(key, {
        [client.modifyAssertion]: (header, payload) => {
          header.x5t = cert.x5t;
          if (audience) payload.aud = audience;
        },
      }),
    ];
  }
  let jwksCache: ReturnType<typeof client.getJwksCache>;

  function prepare(config: client.Configuration): client.Configuration {
    if (settings.allowInsecureHttp) client.allowInsecureRequests(config);
    config.timeout = TIMEOUT_SECONDS;
    if (jwksCache) client.setJwksCache(config, jwksCache);
    return config;
  }
  const rememberJwks = (config: client.Configuration) => {
    jwksCache = client.getJwksCache(config) ?? jwksCache;
  };

  /** Microsoft's discovery document: the issuer must be the {tenantid} template on the authority's own origin. */
  async function discoverMicrosoft(): Promise<client.ServerMetadata> {
    const authority = new URL(settings.issuer);
    const wellKnown = new URL(`${authority.href.replace(/\/+$/, '')}/.well-known/openid-configuration`);
    if (wellKnown.protocol !== 'https:' && !settings.allowInsecureHttp) throw new OidcError('unavailable', 'the Microsoft authority must use https');
    const res = await fetchFn(wellKnown, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000) });
    if (res.status !== 200) throw new OidcError('unavailable', `Microsoft discovery answered ${res.status}`);
    const meta = (await res.json()) as Record<string, unknown>;
    const issuer = str(meta.issuer);
    if (!issuer || issuer.split(TEMPLATE).length !== 2) throw new OidcError('unavailable', `Microsoft discovery: issuer "${String(meta.issuer)}" is not a {tenantid} template`);
    if (new URL(issuer.replace(TEMPLATE, '00000000-0000-0000-0000-000000000000')).origin !== authority.origin) throw new OidcError('unavailable', 'Microsoft discovery: issuer is on another origin than the authority');
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
      const v = str(meta[key]);
      if (!v || (new URL(v).protocol !== 'https:' && !settings.allowInsecureHttp)) throw new OidcError('unavailable', `Microsoft discovery: ${key} is missing or not https`);
    }
    return meta as unknown as client.ServerMetadata;
  }

  // Discovered once per process; a failure is not cached, so the next sign-in retries.
  let discovered: Promise<client.Configuration> | undefined;
  let microsoftMeta: client.ServerMetadata | undefined;
  function configuration(): Promise<client.Configuration> {
    discovered ??= (async () => {
      if (settings.kind === 'microsoft') {
        microsoftMeta = await discoverMicrosoft();
        return prepare(new client.Configuration(microsoftMeta, settings.clientId, ...(await credentials(microsoftMeta))));
      }
      const execute = settings.allowInsecureHttp ? [client.allowInsecureRequests] : [];
      return prepare(await client.discovery(new URL(settings.issuer), settings.clientId, ...(await credentials()), { execute, timeout: TIMEOUT_SECONDS }));
    })().catch((e: unknown) => {
      discovered = undefined;
      throw e instanceof OidcError ? e : new OidcError('unavailable', `discovery of ${settings.issuer} failed: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
    });
    return discovered;
  }

  /** Microsoft: exchange the code once, then verify the captured response as the token's own tenant. */
  async function microsoftGrant(meta: client.ServerMetadata, callbackUrl: URL, checks: client.AuthorizationCodeGrantChecks) {
    const tokenEndpoint = meta.token_endpoint;
    if (!tokenEndpoint) throw new OidcError('unavailable', 'Microsoft discovery: no token endpoint');
    let captured: { status: number; headers: [string, string][]; body: string } | undefined;
    const capture = prepare(new client.Configuration(meta, settings.clientId, ...(await credentials(meta))));
    capture[client.customFetch] = async (url, init) => {
      const res = await fetchFn(url, init as RequestInit);
      if (new URL(url).href !== new URL(tokenEndpoint).href) return res;
      const headers: [string, string][] = [];
      res.headers.forEach((value, name) => headers.push([name, value]));
      captured = { status: res.status, headers, body: await res.text() };
      throw new Error('token response captured');
    };
    // The template issuer cannot equal a concrete `iss` parameter; Entra sends none, and if it
    // ever does, the second pass below checks it against the token's tenant.
    const withoutIss = new URL(callbackUrl);
    withoutIss.searchParams.delete('iss');
    try {
      await client.authorizationCodeGrant(capture, withoutIss, checks);
    } catch (e) {
      if (!captured) throw toOidcError(e);
    }
    if (!captured) throw new OidcError('invalid', 'no token response');
    if (captured.status !== 200) {
      let error = 'error';
      try {
        error = String((JSON.parse(captured.body) as { error?: unknown }).error ?? error);
      } catch {
        // not JSON
      }
      throw new OidcError('invalid', `the token endpoint answered ${captured.status} ${error}`, error);
    }
    let idToken: unknown;
    try {
      idToken = (JSON.parse(captured.body) as { id_token?: unknown }).id_token;
    } catch {
      throw new OidcError('invalid', 'the token response is not JSON');
    }
    const tid = str(decodeJwtPayload(idToken)?.tid)?.toLowerCase();
    if (!tid || !GUID.test(tid)) throw new OidcError('invalid', 'the ID token carries no tenant id (tid)');

    const body = captured;
    const tenant = prepare(new client.Configuration({ ...meta, issuer: meta.issuer.replace(TEMPLATE, tid) }, settings.clientId, ...(await credentials(meta))));
    tenant[client.customFetch] = async (url, init) =>
      new URL(url).href === new URL(tokenEndpoint).href ? new Response(body.body, { status: body.status, headers: body.headers }) : fetchFn(url, init as RequestInit);
    try {
      const tokens = await client.authorizationCodeGrant(tenant, callbackUrl, checks);
      rememberJwks(tenant);
      const claims = tokens.claims();
      if (!claims || str(claims.tid)?.toLowerCase() !== tid) throw new OidcError('invalid', 'the ID token tid changed between passes');
      return claims;
    } catch (e) {
      throw toOidcError(e);
    }
  }

  function identityOf(claims: client.IDToken): OidcIdentity {
    switch (settings.kind) {
      case 'microsoft': {
        const tid = str(claims.tid)?.toLowerCase();
        const oid = str(claims.oid)?.toLowerCase();
        if (!tid || !GUID.test(tid) || !oid) throw new OidcError('invalid', 'the Microsoft ID token lacks tid or oid');
        const username = str(claims.preferred_username);
        const wids = Array.isArray(claims.wids) ? claims.wids.filter((w): w is string => typeof w === 'string').map((w) => w.toLowerCase()) : [];
        return { provider: 'microsoft', subject: `${tid}/${oid}`, bindingValue: tid, names: username ? [foldCase(username)] : [], loginName: username, directoryRoles: wids };
      }
      case 'google': {
        const email = str(claims.email);
        if (!email || claims.email_verified !== true) throw new OidcError('unverified_email', 'Google says the email address is not verified');
        const hd = str(claims.hd);
        return { provider: 'google', subject: claims.sub, bindingValue: hd ? foldCase(hd) : undefined, names: [foldCase(email)], loginName: email };
      }
      case 'oidc': {
        const username = str(claims.preferred_username);
        const email = claims.email_verified === true ? str(claims.email) : undefined;
        const names = [...new Set([username, email].filter((n): n is string => n !== undefined).map(foldCase))];
        return { provider: 'oidc', subject: `${claims.iss} ${claims.sub}`, bindingValue: normaliseIssuer(claims.iss), names, loginName: username ?? email };
      }
    }
  }

  return {
    kind: settings.kind,
    label: settings.label,

    async begin(redirectUri) {
      const config = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        // Microsoft and Google: let the person pick the work account rather than reuse whichever
        // account the browser is signed in to. Generic providers do not all know the value.
        ...(settings.kind === 'oidc' ? {} : { prompt: 'select_account' }),
      });
      return { url: url.href, state, nonce, codeVerifier };
    },

    async complete(callbackUrl, expected) {
      const config = await configuration();
      const checks: client.AuthorizationCodeGrantChecks = { expectedState: expected.state, expectedNonce: expected.nonce, pkceCodeVerifier: expected.codeVerifier };
      let claims: client.IDToken | undefined;
      if (settings.kind === 'microsoft') {
        if (!microsoftMeta) throw new OidcError('unavailable', 'Microsoft discovery has not completed');
        claims = await microsoftGrant(microsoftMeta, callbackUrl, checks);
      } else {
        try {
          const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);
          claims = tokens.claims();
        } catch (e) {
          throw toOidcError(e);
        }
      }
      if (!claims) throw new OidcError('invalid', 'no ID token');
      return identityOf(claims);
    },
  };
}
