// An organisation's own OpenID Connect provider (Okta, OneLogin, JumpCloud, Ping, Keycloak…), as
// its admin configured it in the console: discovery, the authorization-code flow with PKCE (S256),
// state and nonce, and the verified identity — through openid-client v6, with every request
// (discovery, JWKS, token endpoint) sent through the outbound guard via `customFetch`, so an admin
// cannot make the server call a private address. Knows no routes and no storage.
//
// Discovery is done here rather than by client.discovery() so that each problem gets a message an
// admin can act on (OpenID Connect Discovery 1.0 §4: the document is at the issuer +
// /.well-known/openid-configuration; §4.3: its `issuer` must be identical to the issuer used to
// fetch it; the ID token's `iss` must then equal it too — Core §3.1.3.7).
import * as client from 'openid-client';
import { OutboundError, type OutboundPolicy } from '../outbound/outbound-request.js';
import { foldCase } from '../scim/filter/fold-case.js';
import { guardedFetch } from './guarded-fetch.js';
import { OidcError, normaliseIssuer, toOidcError, type AuthorizationRequest, type OidcIdentity } from './oidc.js';

export interface OrgOidcSettings {
  /** Normalised (normaliseIssuer): no trailing slash. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The outbound guard's policy; `allowPrivate` also permits http issuers (tests, development). */
  readonly policy: OutboundPolicy;
}

export interface OrgDiscovery {
  /** Exactly as the provider's document names it (it may end in "/"). */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly signingKeys: number;
  readonly tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** Things that work but deserve a look. */
  readonly warnings: readonly string[];
}

/** Discovery or configuration problems, worded for the admin who typed the settings. */
export class OrgOidcSetupError extends Error {
  constructor(
    message: string,
    readonly code: 'unreachable' | 'refused_target' | 'not_found' | 'not_json' | 'issuer_mismatch' | 'unsupported' | 'jwks' | 'secret',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OrgOidcSetupError';
  }
}

export interface OrgSignInResult {
  readonly identity: OidcIdentity;
  /** The ID token's claims, for the admin's "Try sign-in" report. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface OrgOidcClient {
  readonly discovery: OrgDiscovery;
  begin(redirectUri: string): Promise<AuthorizationRequest>;
  complete(
    callbackUrl: URL,
    expected: {
      readonly state: string;
      readonly nonce: string;
      readonly codeVerifier: string;
    },
  ): Promise<OrgSignInResult>;
}

const SCOPE = 'openid email profile';
const TIMEOUT_MS = 10_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function outboundCause(e: unknown): OutboundError | undefined {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    if (cur instanceof OutboundError) return cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function unreachable(what: string, url: string, e: unknown): OrgOidcSetupError {
  const o = outboundCause(e);
  if (o?.code === 'refused_target') {
    return new OrgOidcSetupError(
      `WiggleDesk connects only to https addresses on the public internet, and ${what} at ${url} is not one (${o.message}). Use your provider's public https address.`,
      'refused_target',
      { cause: e },
    );
  }
  if (o?.code === 'timeout')
    return new OrgOidcSetupError(`${what} at ${url} did not answer within ${TIMEOUT_MS / 1000} seconds. Check the address, or try again if your provider is having trouble.`, 'unreachable', {
      cause: e,
    });
  if (o?.code === 'too_large') return new OrgOidcSetupError(`${what} at ${url} answered with more data than an identity provider sends; check the address.`, 'unreachable', { cause: e });
  const detail = o?.message ?? (e instanceof Error ? e.message : String(e));
  return new OrgOidcSetupError(`${what} at ${url} could not be reached (${detail}). Check the issuer URL for typos.`, 'unreachable', { cause: e });
}

async function getJson(fetchFn: ReturnType<typeof guardedFetch>, url: string, what: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
    });
  } catch (e) {
    throw unreachable(what, url, e);
  }
  if (res.status !== 200) {
    const hint = res.status >= 300 && res.status < 400 ? ' (a redirect: WiggleDesk does not follow redirects; enter the final address)' : '';
    throw new OrgOidcSetupError(
      `${what} at ${url} answered HTTP ${res.status}${hint}. Check the issuer URL: it is the address your provider calls the "issuer", e.g. https://example.okta.com or https://example.okta.com/oauth2/default.`,
      'not_found',
    );
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (e) {
    throw new OrgOidcSetupError(`${what} at ${url} is not JSON. Check the issuer URL.`, 'not_json', { cause: e });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OrgOidcSetupError(`${what} at ${url} is not a JSON object. Check the issuer URL.`, 'not_json');
  return body as Record<string, unknown>;
}

/** Fetches and checks the discovery document and the key set; throws OrgOidcSetupError with an actionable message. */
export async function discoverOrgProvider(settings: OrgOidcSettings): Promise<{ discovery: OrgDiscovery; metadata: client.ServerMetadata }> {
  const policy: OutboundPolicy = {
    ...settings.policy,
    timeoutMs: Math.min(settings.policy.timeoutMs, TIMEOUT_MS),
  };
  const fetchFn = guardedFetch(policy);
  const wellKnown = `${settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const meta = await getJson(fetchFn, wellKnown, 'The discovery document');
  const warnings: string[] = [];

  const issuer = str(meta.issuer);
  if (!issuer || normaliseIssuer(issuer) !== normaliseIssuer(settings.issuer)) {
    throw new OrgOidcSetupError(
      `The discovery document at ${wellKnown} names the issuer "${String(meta.issuer ?? '(none)').slice(0, 300)}", not ${settings.issuer}. Enter exactly the issuer your provider names (OpenID Connect Discovery §4.3).`,
      'issuer_mismatch',
    );
  }
  const endpoint = (key: string): string => {
    const v = str(meta[key]);
    let u: URL | undefined;
    try {
      u = v ? new URL(v) : undefined;
    } catch {
      u = undefined;
    }
    if (!v || !u) throw new OrgOidcSetupError(`The discovery document has no valid ${key}. Is this an OpenID Connect provider (not only OAuth 2.0)?`, 'unsupported');
    if (u.protocol !== 'https:' && !(policy.allowPrivate && u.protocol === 'http:'))
      throw new OrgOidcSetupError(`The provider's ${key} (${v}) is not https; WiggleDesk sends codes and secrets only over https.`, 'unsupported');
    return v;
  };
  const authorizationEndpoint = endpoint('authorization_endpoint');
  const tokenEndpoint = endpoint('token_endpoint');
  const jwksUri = endpoint('jwks_uri');

  const list = (key: string): string[] | undefined => (Array.isArray(meta[key]) ? (meta[key] as unknown[]).filter((x): x is string => typeof x === 'string') : undefined);
  const responseTypes = list('response_types_supported');
  if (responseTypes && !responseTypes.includes('code'))
    throw new OrgOidcSetupError('The provider does not offer the authorization-code flow (response_types_supported lacks "code"); enable it for the application.', 'unsupported');
  const pkce = list('code_challenge_methods_supported');
  if (pkce && !pkce.includes('S256')) throw new OrgOidcSetupError('The provider does not support PKCE with S256 (code_challenge_methods_supported); WiggleDesk requires it.', 'unsupported');
  if (!pkce) warnings.push('The provider does not say whether it supports PKCE; WiggleDesk sends an S256 challenge anyway.');
  // OpenID Connect Discovery §3: when token_endpoint_auth_methods_supported is omitted, the default is client_secret_basic.
  const authMethods = list('token_endpoint_auth_methods_supported') ?? ['client_secret_basic'];
  const tokenAuthMethod = authMethods.includes('client_secret_basic') ? 'client_secret_basic' : authMethods.includes('client_secret_post') ? 'client_secret_post' : undefined;
  if (!tokenAuthMethod)
    throw new OrgOidcSetupError(
      `The provider's token endpoint accepts ${authMethods.join(', ')}, but neither client_secret_basic nor client_secret_post; configure the application to use a client secret.`,
      'unsupported',
    );

  const jwks = await getJson(fetchFn, jwksUri, 'The key set (jwks_uri)');
  const keys = Array.isArray(jwks.keys) ? (jwks.keys as unknown[]) : undefined;
  const signing = (keys ?? []).filter((k) => typeof k === 'object' && k !== null && (k as { use?: unknown }).use !== 'enc' && typeof (k as { kty?: unknown }).kty === 'string');
  if (signing.length === 0) throw new OrgOidcSetupError(`The key set at ${jwksUri} holds no signing key, so no ID token could be verified.`, 'jwks');

  return {
    discovery: {
      issuer,
      authorizationEndpoint,
      tokenEndpoint,
      jwksUri,
      signingKeys: signing.length,
      tokenAuthMethod,
      warnings,
    },
    metadata: { ...(meta as unknown as client.ServerMetadata), issuer },
  };
}

/** Discovers the provider and returns a client for sign-ins with it. */
export async function connectOrgOidc(settings: OrgOidcSettings): Promise<OrgOidcClient> {
  const { discovery, metadata } = await discoverOrgProvider(settings);
  const auth = discovery.tokenAuthMethod === 'client_secret_basic' ? client.ClientSecretBasic(settings.clientSecret) : client.ClientSecretPost(settings.clientSecret);
  const config = new client.Configuration(metadata, settings.clientId, undefined, auth);
  config[client.customFetch] = guardedFetch({
    ...settings.policy,
    timeoutMs: Math.min(settings.policy.timeoutMs, TIMEOUT_MS),
  }) as unknown as client.CustomFetch;
  if (settings.policy.allowPrivate) client.allowInsecureRequests(config);
  config.timeout = TIMEOUT_MS / 1000;

  return {
    discovery,
    async begin(redirectUri) {
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
      });
      return { url: url.href, state, nonce, codeVerifier };
    },
    async complete(callbackUrl, expected) {
      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          pkceCodeVerifier: expected.codeVerifier,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (e) {
        const o = outboundCause(e);
        if (o) throw new OidcError('unavailable', `the provider could not be reached: ${o.message}`, undefined, { cause: e });
        // A 401 from the token endpoint with `WWW-Authenticate: Basic error="invalid_client"` (RFC 6749 §5.2).
        if (e instanceof client.WWWAuthenticateChallengeError) {
          const error = e.cause.map((c) => c.parameters.error).find((x): x is string => typeof x === 'string') ?? 'unauthorized';
          throw new OidcError('invalid', `the token endpoint answered ${e.status} ${error}`, error, { cause: e });
        }
        throw toOidcError(e);
      }
      if (!claims) throw new OidcError('invalid', 'no ID token');
      // As for the operator's generic provider (auth/oidc.ts): preferred_username, and email only when verified.
      const username = str(claims.preferred_username);
      const email = claims.email_verified === true ? str(claims.email) : undefined;
      const names = [...new Set([username, email].filter((n): n is string => n !== undefined).map(foldCase))];
      const identity: OidcIdentity = {
        provider: 'oidc',
        subject: `${claims.iss} ${claims.sub}`,
        bindingValue: normaliseIssuer(claims.iss),
        names,
        loginName: username ?? email,
      };
      return { identity, claims: { ...claims } };
    },
  };
}
