// Real OpenID providers for the SSO tests, in the test process on 127.0.0.1 (oidc-provider).
//
//  - startMicrosoftIdp(): stands in for Microsoft Entra ID, multi-tenant. Each tenant is its own
//    oidc-provider with the concrete issuer `http://127.0.0.1:<port>/<tid>/v2.0`; in front of them
//    sit the "organizations" endpoints an app actually talks to: a discovery document whose issuer
//    is the literal template `http://127.0.0.1:<port>/{tenantid}/v2.0`, an account picker as the
//    authorization endpoint, a token endpoint that finds the tenant which issued the code, and one
//    key set. ID tokens carry tid, oid and preferred_username (and the tenant's own `iss`); like
//    Entra, the authorization response has no `iss` parameter.
//  - startStandardIdp(): one provider at `http://127.0.0.1:<port>/<path>`, for Google (email,
//    email_verified, hd) or a generic OpenID provider.
//
// In a browser, the authorization endpoint shows an account picker ("Use another account"-style
// buttons, one per account); `signIn()` does the same for app.inject tests by passing login_hint.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider, { type Adapter, type AdapterPayload, type KoaContext } from 'oidc-provider';

export interface IdpAccount {
  /** Unique within the IdP: the picker's button and `signIn(…, id)`. */
  readonly id: string;
  /** The picker's button text. */
  readonly label: string;
  /** ID token claims; `sub` is required. */
  readonly claims: Readonly<Record<string, unknown>> & { readonly sub: string };
}

export interface TestIdp {
  readonly kind: 'microsoft' | 'google' | 'oidc';
  /** The value for SSO_<KIND>_ISSUER. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Environment for WiggleDesk: client id, secret, issuer, and SSO_ALLOW_INSECURE_HTTP. */
  env(): Record<string, string>;
  /** Allows WiggleDesk's callback (call once its address is known, before any sign-in). */
  registerRedirectUri(uri: string): void;
  /** Changes the next redirect back to WiggleDesk (tampering tests), once. */
  rewriteNextCallback(fn: (url: URL) => void): void;
  /** Without a browser: follows an authorization URL as account `accountId`, returns the redirect back to WiggleDesk. */
  signIn(authorizationUrl: string, accountId: string): Promise<URL>;
  close(): Promise<void>;
}

const ENV_PREFIX = { microsoft: 'SSO_MICROSOFT', google: 'SSO_GOOGLE', oidc: 'SSO_OIDC' } as const;

/** oidc-provider's storage, in memory (one per provider). */
class MemoryAdapter implements Adapter {
  static stores = new Map<string, Map<string, { payload: AdapterPayload; expiresAt: number }>>();
  private readonly store: Map<string, { payload: AdapterPayload; expiresAt: number }>;
  constructor(
    private readonly name: string,
    scope: string,
  ) {
    const key = `${scope}:${name}`;
    let s = MemoryAdapter.stores.get(key);
    if (!s) MemoryAdapter.stores.set(key, (s = new Map()));
    this.store = s;
  }
  private live(id: string) {
    const e = this.store.get(id);
    if (!e) return undefined;
    if (e.expiresAt < Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return e;
  }
  async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
    this.store.set(id, { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
  }
  async find(id: string) {
    return this.live(id)?.payload;
  }
  async findByUserCode(userCode: string) {
    return [...this.store.values()].find((e) => e.payload.userCode === userCode)?.payload;
  }
  async findByUid(uid: string) {
    return [...this.store.values()].find((e) => e.payload.uid === uid)?.payload;
  }
  async consume(id: string) {
    const e = this.live(id);
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    this.store.delete(id);
  }
  async revokeByGrantId(grantId: string) {
    for (const [id, e] of this.store) if (e.payload.grantId === grantId) this.store.delete(id);
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function pickerPage(title: string, links: ReadonlyArray<{ href: string; label: string; id: string }>): string {
  const items = links.map((l) => `<li><a class="account" data-account="${escapeHtml(l.id)}" href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>Pick an account</p><ul>${items}</ul></body></html>`;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface Mounted {
  /** Path prefix, e.g. `/1111…/v2.0` or `/google`. */
  readonly mount: string;
  readonly accounts: readonly IdpAccount[];
  provider: Provider;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

interface Shared {
  readonly server: Server;
  readonly base: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: Set<string>;
  readonly keys: { privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown> };
  rewrite: ((url: URL) => void) | undefined;
  stripIss: boolean;
}

function newKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

function buildProvider(shared: Shared, m: Omit<Mounted, 'provider' | 'handler'>): Provider {
  const scope = `${shared.base}${m.mount}:${randomUUID()}`;
  const provider = new Provider(`${shared.base}${m.mount}`, {
    adapter: class extends MemoryAdapter {
      constructor(name: string) {
        super(name, scope);
      }
    },
    clients: [
      {
        client_id: shared.clientId,
        client_secret: shared.clientSecret,
        redirect_uris: [...shared.redirectUris],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [shared.keys.privateJwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = m.accounts.find((a) => a.claims.sub === sub);
      return account ? { accountId: sub, claims: async () => ({ ...account.claims }) } : undefined;
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'tid', 'oid', 'hd', 'wids'],
      email: ['email', 'email_verified'],
    },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${m.mount}/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 120, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  });
  // The redirect back to the client: drop `iss` (Entra sends none) and apply a test's rewrite.
  provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    await next();
    if (ctx.status !== 302 && ctx.status !== 303) return;
    const location = ctx.response.get('location');
    if (!location || ![...shared.redirectUris].some((u) => location.startsWith(`${u}?`))) return;
    const url = new URL(location);
    if (shared.stripIss) url.searchParams.delete('iss');
    const rewrite = shared.rewrite;
    shared.rewrite = undefined;
    rewrite?.(url);
    if (url.href !== location) ctx.redirect(url.href);
  });
  return provider;
}

function mount(shared: Shared, m: Omit<Mounted, 'provider' | 'handler'>): Mounted {
  const mounted = { ...m } as Mounted;
  const rebuild = () => {
    mounted.provider = buildProvider(shared, m);
    mounted.handler = mounted.provider.callback();
  };
  rebuild();
  (mounted as Mounted & { rebuild: () => void }).rebuild = rebuild;
  return mounted;
}

/** Interactions: login with login_hint (or a picked account), then consent granted automatically. */
async function interact(m: Mounted, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const details = await m.provider.interactionDetails(req, res);
  const pick = url.pathname.endsWith('/login') ? url.searchParams.get('account') : typeof details.params.login_hint === 'string' ? details.params.login_hint : null;
  if (details.prompt.name === 'login') {
    const account = m.accounts.find((a) => a.id === pick);
    if (!account) {
      const links = m.accounts.map((a) => ({ id: a.id, label: a.label, href: `${m.mount}/interaction/${details.uid}/login?account=${encodeURIComponent(a.id)}` }));
      return send(res, 200, pickerPage('Sign in', links));
    }
    return m.provider.interactionFinished(req, res, { login: { accountId: account.claims.sub } }, { mergeWithLastSubmission: false });
  }
  const grant = new m.provider.Grant({ accountId: details.session?.accountId ?? '', clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  return m.provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

/** Routes a request to one mounted provider; false when the path is not under its mount. */
async function route(m: Mounted, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  if (url.pathname !== m.mount && !url.pathname.startsWith(`${m.mount}/`)) return false;
  if (url.pathname.startsWith(`${m.mount}/interaction/`)) {
    await interact(m, req, res, url);
    return true;
  }
  // Entra and Google answer prompt=select_account with their account picker even when the browser
  // is signed in already. oidc-provider does not know the value; prompt=login has the same effect
  // here (our picker, or the login_hint account, instead of the session's account).
  if (url.pathname === `${m.mount}/auth` && url.searchParams.get('prompt') === 'select_account') {
    url.searchParams.set('prompt', 'login');
    req.url = `${url.pathname}${url.search}`;
  }
  const r = req as IncomingMessage & { originalUrl?: string };
  r.originalUrl = req.url ?? '/';
  req.url = (req.url ?? '/').slice(m.mount.length) || '/';
  m.handler(req, res);
  return true;
}

async function listen(onRequest: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>): Promise<{ server: Server; base: string }> {
  let base = '';
  const server = createServer((req, res) => {
    onRequest(req, res, new URL(req.url ?? '/', base)).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `test idp error: ${e instanceof Error ? e.message : String(e)}`, 'text/plain');
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('test idp has no address');
  base = `http://127.0.0.1:${address.port}`;
  return { server, base };
}

function makeIdp(kind: TestIdp['kind'], shared: Shared, issuer: string, mounts: readonly Mounted[]): TestIdp {
  const idp: TestIdp = {
    kind,
    issuer,
    clientId: shared.clientId,
    clientSecret: shared.clientSecret,
    env: () => ({
      [`${ENV_PREFIX[kind]}_CLIENT_ID`]: shared.clientId,
      [`${ENV_PREFIX[kind]}_CLIENT_SECRET`]: shared.clientSecret,
      [`${ENV_PREFIX[kind]}_ISSUER`]: issuer,
      SSO_ALLOW_INSECURE_HTTP: 'true',
    }),
    registerRedirectUri(uri) {
      if (shared.redirectUris.has(uri)) return;
      shared.redirectUris.add(uri);
      for (const m of mounts) (m as Mounted & { rebuild: () => void }).rebuild();
    },
    rewriteNextCallback(fn) {
      shared.rewrite = fn;
    },
    async signIn(authorizationUrl, accountId) {
      const jar = new Map<string, string>();
      const withHint = new URL(authorizationUrl);
      withHint.searchParams.set('login_hint', accountId);
      let next = withHint.href;
      for (let hop = 0; hop < 15; hop++) {
        const r = await fetch(next, { redirect: 'manual', headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {} });
        for (const line of r.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const eq = pair!.indexOf('=');
          jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
        }
        const location = r.headers.get('location');
        if (!location) throw new Error(`test idp: sign-in stopped at ${next} with ${r.status}: ${(await r.text()).slice(0, 300)}`);
        next = new URL(location, next).href;
        if ([...shared.redirectUris].some((u) => next.startsWith(`${u}?`))) return new URL(next);
      }
      throw new Error('test idp: too many redirects');
    },
    async close() {
      shared.server.closeAllConnections();
      await new Promise<void>((resolve) => shared.server.close(() => resolve()));
    },
  };
  return idp;
}

export interface MicrosoftTenant {
  readonly tid: string;
  readonly name: string;
  /** `wids`: Entra directory role template ids (e.g. Global Administrator), as the ID token lists them. */
  readonly accounts: ReadonlyArray<{ readonly id: string; readonly oid: string; readonly preferredUsername: string; readonly name: string; readonly email?: string; readonly wids?: readonly string[] }>;
}

/** Microsoft Entra ID stand-in: `issuer` is the authority (…/organizations/v2.0) whose discovery names `{tenantid}`. */
export async function startMicrosoftIdp(tenants: readonly MicrosoftTenant[]): Promise<TestIdp> {
  const mounts: Mounted[] = [];
  const { server, base } = await listen(async (req, res, url) => {
    const common = '/organizations';
    if (url.pathname === `${common}/v2.0/.well-known/openid-configuration`) {
      const doc = {
        issuer: `${base}/{tenantid}/v2.0`,
        authorization_endpoint: `${base}${common}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}${common}/oauth2/v2.0/token`,
        jwks_uri: `${base}${common}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'name', 'preferred_username', 'oid', 'tid', 'email'],
      };
      return send(res, 200, JSON.stringify(doc), 'application/json');
    }
    if (url.pathname === `${common}/discovery/v2.0/keys`) return send(res, 200, JSON.stringify({ keys: [shared.keys.publicJwk] }), 'application/json');
    if (url.pathname === `${common}/oauth2/v2.0/authorize`) {
      const hint = url.searchParams.get('login_hint');
      const links = tenants.flatMap((t) =>
        t.accounts.map((a) => {
          const target = new URL(`${base}/${t.tid}/v2.0/auth`);
          url.searchParams.forEach((v, k) => target.searchParams.set(k, v));
          target.searchParams.set('login_hint', a.id);
          return { id: a.id, label: `${a.preferredUsername} — ${t.name}`, href: target.href };
        }),
      );
      const chosen = links.find((l) => l.id === hint);
      if (chosen) {
        res.writeHead(302, { location: chosen.href });
        return void res.end();
      }
      return send(res, 200, pickerPage('Sign in to your account', links));
    }
    if (url.pathname === `${common}/oauth2/v2.0/token` && req.method === 'POST') {
      // Codes are opaque: ask each tenant in turn; only the issuing one knows the code.
      const body = await readBody(req);
      const headers: Record<string, string> = { 'content-type': String(req.headers['content-type'] ?? 'application/x-www-form-urlencoded') };
      if (req.headers.authorization) headers.authorization = req.headers.authorization;
      let last: { status: number; text: string } | undefined;
      for (const t of tenants) {
        const r = await fetch(`${base}/${t.tid}/v2.0/token`, { method: 'POST', headers, body });
        last = { status: r.status, text: await r.text() };
        if (!(r.status === 400 && /"invalid_grant"/.test(last.text))) break;
      }
      return send(res, last?.status ?? 500, last?.text ?? '{}', 'application/json');
    }
    for (const m of mounts) if (await route(m, req, res, url)) return;
    send(res, 404, 'not found', 'text/plain');
  });
  const shared: Shared = { server, base, clientId: `wiggledesk-${randomUUID()}`, clientSecret: randomBytes(24).toString('base64url'), redirectUris: new Set(), keys: newKeys(), rewrite: undefined, stripIss: true };
  for (const t of tenants) {
    mounts.push(
      mount(shared, {
        mount: `/${t.tid}/v2.0`,
        accounts: t.accounts.map((a) => ({
          id: a.id,
          label: `${a.preferredUsername} — ${t.name}`,
          claims: { sub: `pairwise-${a.oid}`, tid: t.tid, oid: a.oid, preferred_username: a.preferredUsername, name: a.name, ...(a.email ? { email: a.email } : {}), ...(a.wids ? { wids: [...a.wids] } : {}) },
        })),
      }),
    );
  }
  return makeIdp('microsoft', shared, `${base}/organizations/v2.0`, mounts);
}

/** Google (or a generic OpenID provider): one issuer, `http://127.0.0.1:<port>/<path>`. */
export async function startStandardIdp(kind: 'google' | 'oidc', accounts: readonly IdpAccount[], path = kind === 'google' ? '/google' : '/oidc'): Promise<TestIdp> {
  const mounts: Mounted[] = [];
  const { server, base } = await listen(async (req, res, url) => {
    for (const m of mounts) if (await route(m, req, res, url)) return;
    send(res, 404, 'not found', 'text/plain');
  });
  const shared: Shared = { server, base, clientId: `wiggledesk-${randomUUID()}`, clientSecret: randomBytes(24).toString('base64url'), redirectUris: new Set(), keys: newKeys(), rewrite: undefined, stripIss: false };
  mounts.push(mount(shared, { mount: path, accounts }));
  return makeIdp(kind, shared, `${base}${path}`, mounts);
}

/** A Google account: verified email and, for Workspace accounts, `hd`. */
export function googleAccount(id: string, email: string, options: { hd?: string; verified?: boolean; name?: string } = {}): IdpAccount {
  return {
    id,
    label: `${email}${options.hd ? ` (${options.hd})` : ' (personal)'}`,
    claims: { sub: `1${BigInt(`0x${randomBytes(8).toString('hex')}`).toString()}`, email, email_verified: options.verified ?? true, name: options.name ?? email, ...(options.hd ? { hd: options.hd } : {}) },
  };
}
