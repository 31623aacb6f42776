import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
// Configuration: read once from the environment in main.ts, validated here into a frozen Config.
// No other module reads process.env. Each bad value yields one readable line.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface DatabaseConfig {
  readonly dialect: 'sqlite' | 'postgres';
  /** For sqlite: a file path or ':memory:'. For postgres: the connection URL. */
  readonly url: string;
  /** PostgreSQL pool size per instance. */
  readonly poolSize: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Absolute base for SCIM locations and console links; undefined = derive from the request's Host. */
  readonly publicUrl: string | undefined;
  /** ALLOWED_HOSTS: Host header values (host[:port], lower case) believed for absolute URLs when PUBLIC_URL is unset. */
  readonly allowedHosts: readonly string[];
  readonly logLevel: LogLevel;
  readonly database: DatabaseConfig;
  /** Trust X-Forwarded-* headers (behind a load balancer). */
  readonly trustProxy: boolean;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  /** SCIM_AUTH_FAILURE_LIMIT / SCIM_AUTH_FAILURE_WINDOW_SECONDS: failed authentications per client address and per key id. */
  readonly authFailureLimit: { readonly limit: number; readonly windowSeconds: number };
  readonly redisUrl: string | undefined;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  /** Set cookies with the Secure flag (true when PUBLIC_URL is https). */
  readonly secureCookies: boolean;
  /** Sign-in with Microsoft, Google and a generic OpenID Connect provider (README: "Sign-in with Microsoft and Google"). */
  readonly sso: SsoConfig;
  /** ALLOW_PRIVATE_TARGETS: development and tests only — outbound requests (webhooks, SET push, JWKS) may go to http and private/loopback addresses. */
  readonly allowPrivateTargets: boolean;
  /** The OAuth 2.0 token endpoint for SCIM (issue #20). */
  readonly oauth: OAuthConfig;
  /** Outbound events (docs/events.md). */
  readonly events: EventsConfig;
}

export interface EventsConfig {
  /** EVENTS_RETENTION_DAYS (default 30): events older than this are purged; older cursors get 410 cursor_expired. */
  readonly retentionDays: number;
  /**
   * WEBHOOK_SECRET_KEY: 32 bytes, base64 or hex. Webhook signing secrets are sealed with it
   * (AES-256-GCM) before they are stored; without it they are stored unsealed (a warning is logged).
   */
  readonly webhookSecretKey: Redacted | undefined;
}

export interface OAuthConfig {
  /** OAUTH_ACCESS_TOKEN_MINUTES: access token lifetime, 60–360 (Microsoft: 60 minutes to 6 hours). */
  readonly accessTokenMinutes: number;
  /** OAUTH_TOKEN_RATE_LIMIT_PER_MINUTE: token requests per client (or per address when no client is named). */
  readonly tokenRequestsPerMinute: number;
}

/** A secret that prints as [redacted] in logs, JSON and string templates; `reveal()` is the one way to read it. */
export class Redacted {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

export type SsoProviderKind = 'microsoft' | 'google' | 'oidc';

export interface SsoProviderConfig {
  readonly kind: SsoProviderKind;
  /** Shown on the sign-in button: "Sign in with <label>". */
  readonly label: string;
  /**
   * Microsoft: the authority whose discovery document carries the `{tenantid}`-templated issuer
   * (default https://login.microsoftonline.com/organizations/v2.0). Google and generic: the issuer.
   */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: Redacted;
  /**
   * Microsoft only: authenticate WiggleDesk to Entra with a certificate (private_key_jwt, an
   * RS256 client assertion with the certificate's `x5t` thumbprint) instead of the client secret.
   */
  readonly clientCertificate?: ClientCertificate | undefined;
}

export interface ClientCertificate {
  /** PKCS#8 PEM private key. */
  readonly privateKeyPem: Redacted;
  /** base64url SHA-1 thumbprint of the DER certificate (the `x5t` JOSE header Entra looks the key up by). */
  readonly x5t: string;
  /** base64url SHA-256 thumbprint (`x5t#S256`). */
  readonly x5tS256: string;
  /** For the start-up line and docs: the certificate's subject and expiry. */
  readonly subject: string;
  readonly validTo: string;
}

export interface SsoConfig {
  /** The configured providers, in button order (Microsoft, Google, generic). */
  readonly providers: readonly SsoProviderConfig[];
  /** Development and tests only: allow http:// issuers, and only on loopback addresses (127.0.0.1, ::1, localhost). */
  readonly allowInsecureHttp: boolean;
  /**
   * SSO_UNVERIFIED_BINDING_GRACE_DAYS (issue #18): bindings made before proofs existed keep routing
   * sign-ins for this many days after they were marked unverified (0: stop now); unset: until an
   * admin proves or removes them.
   */
  readonly unverifiedBindingGraceDays: number | undefined;
  /**
   * SSO_BINDING_DNS_SERVERS: name servers (`ip`, `ip:port`, `[ipv6]:port`) for the DNS TXT look-ups of
   * binding challenges; empty: the system's resolvers. For split-horizon DNS, and for the red-team
   * suite, which answers the look-ups of a server it runs as a child process.
   */
  readonly bindingDnsServers: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDatabaseUrl(raw: string, poolSize: number): DatabaseConfig | string {
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      return `DATABASE_URL is not a valid URL`;
    }
    return { dialect: 'postgres', url: raw, poolSize };
  }
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return 'DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/wiggledesk.db';
    return { dialect: 'sqlite', url: path, poolSize: 1 };
  }
  return `DATABASE_URL must start with sqlite: or postgres:// (got "${raw.split(':')[0]}:…")`;
}

function intFrom(env: Env, name: string, def: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return def;
  }
  return n;
}

function boolFrom(env: Env, name: string, def: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return def;
}

export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const host = env.HOST || '127.0.0.1';
  const port = intFrom(env, 'PORT', 8080, 0, 65535, problems);

  let publicUrl: string | undefined;
  if (env.PUBLIC_URL) {
    try {
      const u = new URL(env.PUBLIC_URL);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      publicUrl = u.toString().replace(/\/+$/, '');
    } catch {
      problems.push(`PUBLIC_URL must be an absolute http(s) URL such as https://wiggledesk.example.com (got "${env.PUBLIC_URL}")`);
    }
  }

  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);

  const poolSize = intFrom(env, 'DATABASE_POOL_SIZE', 10, 1, 500, problems);
  const db = parseDatabaseUrl(env.DATABASE_URL || 'sqlite:./data/wiggledesk.db', poolSize);
  if (typeof db === 'string') problems.push(db);

  const perSecond = intFrom(env, 'SCIM_RATE_LIMIT_PER_SECOND', 100, 1, 1_000_000, problems);
  const burst = intFrom(env, 'SCIM_RATE_LIMIT_BURST', 200, 1, 10_000_000, problems);

  let redisUrl: string | undefined;
  if (env.REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL)) problems.push(`REDIS_URL must start with redis:// or rediss:// (got "${env.REDIS_URL}")`);
    else redisUrl = env.REDIS_URL;
  }

  const trustProxy = boolFrom(env, 'TRUST_PROXY', false, problems);
  const sso = ssoFrom(env, problems);
  const allowPrivateTargets = boolFrom(env, 'ALLOW_PRIVATE_TARGETS', false, problems);
  const oauth = Object.freeze({
    accessTokenMinutes: intFrom(env, 'OAUTH_ACCESS_TOKEN_MINUTES', 60, 60, 360, problems),
    tokenRequestsPerMinute: intFrom(env, 'OAUTH_TOKEN_RATE_LIMIT_PER_MINUTE', 60, 1, 100_000, problems),
  });

  const retentionDays = intFrom(env, 'EVENTS_RETENTION_DAYS', 30, 1, 3650, problems);
  let webhookSecretKey: Redacted | undefined;
  if (env.WEBHOOK_SECRET_KEY) {
    const raw = env.WEBHOOK_SECRET_KEY.trim();
    const bytes = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (bytes.length !== 32) problems.push('WEBHOOK_SECRET_KEY must be 32 bytes, as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
    else webhookSecretKey = new Redacted(bytes.toString('base64'));
  }
  const events: EventsConfig = Object.freeze({ retentionDays, webhookSecretKey });

  if (problems.length > 0 || typeof db === 'string') throw new ConfigError(problems);
  return Object.freeze({
    host,
    port,
    publicUrl,
    allowedHosts: Object.freeze((env.ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '')),
    logLevel,
    database: Object.freeze(db),
    trustProxy,
    rateLimit: Object.freeze({ perSecond, burst }),
    authFailureLimit: Object.freeze({
      limit: intFrom(env, 'SCIM_AUTH_FAILURE_LIMIT', 20, 1, 1_000_000, problems),
      windowSeconds: intFrom(env, 'SCIM_AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400, problems),
    }),
    redisUrl,
    metricsToken: env.METRICS_TOKEN || undefined,
    secureCookies: publicUrl?.startsWith('https:') ?? false,
    sso,
    allowPrivateTargets,
    oauth,
    events,
  });
}

const SSO_DEFAULTS: ReadonlyArray<{ kind: SsoProviderKind; prefix: string; label: string; issuer: string | undefined }> = [
  { kind: 'microsoft', prefix: 'SSO_MICROSOFT', label: 'Microsoft', issuer: 'https://login.microsoftonline.com/organizations/v2.0' },
  { kind: 'google', prefix: 'SSO_GOOGLE', label: 'Google', issuer: 'https://accounts.google.com' },
  { kind: 'oidc', prefix: 'SSO_OIDC', label: 'SSO', issuer: undefined },
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * SSO providers: each is on when its `<PREFIX>_CLIENT_ID` is set. Issuers must be https; plain
 * http is accepted only with SSO_ALLOW_INSECURE_HTTP=true and only for a loopback host (tests
 * run a real OpenID provider on 127.0.0.1).
 */
function ssoFrom(env: Env, problems: string[]): SsoConfig {
  const allowInsecureHttp = boolFrom(env, 'SSO_ALLOW_INSECURE_HTTP', false, problems);
  const providers: SsoProviderConfig[] = [];
  for (const d of SSO_DEFAULTS) {
    const clientId = env[`${d.prefix}_CLIENT_ID`];
    const secret = env[`${d.prefix}_CLIENT_SECRET`];
    const rawIssuer = env[`${d.prefix}_ISSUER`] || d.issuer;
    if (!clientId) {
      if (secret || env[`${d.prefix}_ISSUER`]) problems.push(`${d.prefix}_CLIENT_ID must be set to turn on sign-in with ${d.label} (${d.prefix}_CLIENT_SECRET or _ISSUER is set without it)`);
      continue;
    }
    const certificate = d.kind === 'microsoft' ? certificateFrom(env, problems) : undefined;
    if (!secret && !certificate) problems.push(`${d.prefix}_CLIENT_SECRET must be set when ${d.prefix}_CLIENT_ID is${d.kind === 'microsoft' ? ' (or SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE and SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE, to use a certificate)' : ''}`);
    if (!rawIssuer) {
      problems.push(`${d.prefix}_ISSUER must be set when ${d.prefix}_CLIENT_ID is (the provider's issuer URL, e.g. https://example.okta.com)`);
      continue;
    }
    let issuer: URL;
    try {
      issuer = new URL(rawIssuer);
    } catch {
      problems.push(`${d.prefix}_ISSUER must be an absolute URL (got "${rawIssuer}")`);
      continue;
    }
    if (issuer.protocol === 'http:') {
      if (!allowInsecureHttp || !LOOPBACK_HOSTS.has(issuer.hostname)) {
        problems.push(`${d.prefix}_ISSUER must use https (http is allowed only for 127.0.0.1/localhost with SSO_ALLOW_INSECURE_HTTP=true, for development and tests)`);
        continue;
      }
    } else if (issuer.protocol !== 'https:') {
      problems.push(`${d.prefix}_ISSUER must be an https URL (got "${rawIssuer}")`);
      continue;
    }
    if (issuer.search || issuer.hash) {
      problems.push(`${d.prefix}_ISSUER must not carry a query or fragment (got "${rawIssuer}")`);
      continue;
    }
    const label = d.kind === 'oidc' ? (env.SSO_OIDC_NAME || d.label).trim().slice(0, 60) : d.label;
    providers.push(Object.freeze({ kind: d.kind, label, issuer: rawIssuer, clientId, clientSecret: new Redacted(secret ?? ''), ...(certificate ? { clientCertificate: certificate } : {}) }));
  }
  const rawGrace = env.SSO_UNVERIFIED_BINDING_GRACE_DAYS;
  const unverifiedBindingGraceDays = rawGrace === undefined || rawGrace === '' ? undefined : intFrom(env, 'SSO_UNVERIFIED_BINDING_GRACE_DAYS', 0, 0, 3650, problems);
  return Object.freeze({ providers: Object.freeze(providers), allowInsecureHttp, unverifiedBindingGraceDays, bindingDnsServers: dnsServersFrom(env, problems) });
}

/** SSO_BINDING_DNS_SERVERS: comma-separated `ip`, `ip:port` or `[ipv6]:port` (what Node's Resolver.setServers takes). */
function dnsServersFrom(env: Env, problems: string[]): readonly string[] {
  const servers = (env.SSO_BINDING_DNS_SERVERS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const s of servers) {
    const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([^:]+):(\d{1,5})$/.exec(s) ?? [s, s, undefined];
    const port = m[2] === undefined ? 53 : Number(m[2]);
    if (isIP(m[1]!) === 0 || port < 1 || port > 65535) problems.push(`SSO_BINDING_DNS_SERVERS: "${s}" is not an IP address with an optional port (e.g. 10.0.0.53, 10.0.0.53:5353, [fd00::53]:53)`);
  }
  return Object.freeze(servers);
}

/**
 * SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE + SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE: a certificate
 * uploaded to the Entra app registration (Certificates & secrets → Certificates) and its private
 * key. Read and checked once at start: both files, a matching RSA key pair, a certificate still valid.
 */
function certificateFrom(env: Env, problems: string[]): ClientCertificate | undefined {
  const certFile = env.SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE;
  const keyFile = env.SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE;
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) {
    problems.push('SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE and SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE must be set together');
    return undefined;
  }
  let cert: X509Certificate;
  let keyPem: string;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch (e) {
    problems.push(`SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE: cannot read a PEM certificate from "${certFile}" (${e instanceof Error ? e.message : String(e)})`);
    return undefined;
  }
  try {
    keyPem = readFileSync(keyFile, 'utf8');
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('an RSA key is required (RS256)');
    if (!cert.checkPrivateKey(key)) throw new Error('the key does not belong to the certificate');
    keyPem = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch (e) {
    problems.push(`SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE: ${e instanceof Error ? e.message : String(e)} ("${keyFile}")`);
    return undefined;
  }
  if (Date.parse(cert.validTo) <= Date.now()) {
    problems.push(`SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE: the certificate expired on ${cert.validTo}`);
    return undefined;
  }
  const b64url = (hex: string) => Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url');
  return Object.freeze({ privateKeyPem: new Redacted(keyPem), x5t: b64url(cert.fingerprint), x5tS256: b64url(cert.fingerprint256), subject: cert.subject.replace(/\n/g, ', '), validTo: cert.validTo });
}
