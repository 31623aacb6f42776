// The standing red-team suite (`npm run test:attacks`, also in CI): each attack of issue #18
// replayed against a real server (child process, real socket) on SQLite and on PostgreSQL,
// while another organisation probes the service. It fails when the other organisation waits
// more than OTHER_TENANT_BOUND_MS (docs/security.md "Cost model"), or when an attack is not
// answered as documented. Add every new attack here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose } from '../../src/compose.js';
import { OTHER_TENANT_BOUND_MS, USER_SCHEMA, filterAttackPaths, patchAttackBody, seedManyAddresses, seedManyEmails, underAttack, type Reply, type Send } from '../support/attacks.js';
import { googleAccount, startMicrosoftIdp, startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { HttpConsole } from '../support/http-console.js';
import { GLOBAL_ADMIN } from '../support/bindings.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening\n${out}\n${err}`));
    });
  });
}

interface Organisation {
  readonly name: string;
  readonly key: string;
  /** A console admin of the organisation. */
  readonly admin: { readonly email: string; readonly password: string };
}

/** Organisations approved for API access, each with a SCIM key and a console admin (made in-process on the server's database). */
async function organisations(db: FreshDatabase, names: string[]): Promise<Organisation[]> {
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent' }), database: db.config };
  const c = await compose(config);
  try {
    const made: Organisation[] = [];
    for (const name of names) {
      const org = await c.services.organizations.create(name, { apiAccessApproved: true });
      const key = (await c.services.apiKeys.create(c.services.platform.forTenant(org.id), { name: 'red team', createdBy: null })).key;
      const email = `admin@${name.replace(/\W/g, '').toLowerCase()}.example`;
      const { password } = await c.services.organizations.createAdmin(org.id, email, { role: 'admin', displayName: `${name} admin` });
      made.push({ name, key, admin: { email, password } });
    }
    return made;
  } finally {
    await c.close();
  }
}

// Attack 3's world: a Microsoft Entra stand-in with the owner's tenant (Contoso), a Google
// stand-in, and a DNS server the child process asks for binding challenges (SSO_BINDING_DNS_SERVERS).
const CONTOSO_TID = 'c0a1c0a1-0000-4000-8000-0000000000a3';
const oid = (n: number) => `0a3d0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
let ms: TestIdp;
let google: TestIdp;
let dns: TestDnsServer;

beforeAll(async () => {
  ms = await startMicrosoftIdp([
    {
      tid: CONTOSO_TID,
      name: 'Contoso',
      accounts: [
        { id: 'c-admin', oid: oid(1), preferredUsername: 'admin@contoso.test', name: 'Contoso admin', wids: [GLOBAL_ADMIN] },
        { id: 'c-alice', oid: oid(2), preferredUsername: 'alice@contoso.test', name: 'Alice' },
      ],
    },
  ]);
  google = await startStandardIdp('google', [googleAccount('gw-gina', 'gina@contoso.test', { hd: 'contoso.test' }), googleAccount('gw-sam', 'sam@squat.test', { hd: 'squat.test' })]);
  dns = await startDnsServer();
}, 60_000);
afterAll(async () => {
  await Promise.all([ms?.close(), google?.close(), dns?.close()]);
});

/** One raw HTTP exchange over a socket: the first response (or what was written before the close or `timeoutMs`). */
function raw(base: string, text: string, timeoutMs = 10_000): Promise<string> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => s.write(text));
    const chunks: Buffer[] = [];
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, timeoutMs);
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      const got = Buffer.concat(chunks).toString('latin1');
      const head = got.indexOf('\r\n\r\n');
      const length = head < 0 ? undefined : /\r\ncontent-length: *(\d+)/i.exec(got.slice(0, head))?.[1];
      if (length !== undefined && got.length - head - 4 >= Number(length)) done();
    });
    s.on('close', done);
    // The server may answer and close while a huge request is still being written.
    s.on('error', (e) => (chunks.length > 0 ? done() : reject(e)));
  });
}

/** A raw response as a Reply (status, body, content-type) for underAttack. */
const replyOf = (response: string): Reply => ({
  status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0),
  body: response.slice(response.indexOf('\r\n\r\n') + 4),
  headers: { 'content-type': /\r\ncontent-type: *([^\r]+)/i.exec(response)?.[1] },
});

/** A request with a chosen Host header (fetch does not send one). */
function withHost(base: string, method: string, path: string, host: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; location: string | undefined; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(port), method, path, headers: { host, ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const refusalOf = (body: string) => /data-refusal="([a-z_]+)"/.exec(body)?.[1];

const client = (base: string, key: string | undefined): Send => async (method, path, body, headers = {}) => {
  const r = await fetch(`${base}/scim/v2${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(120_000),
  });
  return { status: r.status, body: await r.text(), headers: { 'retry-after': r.headers.get('retry-after') ?? undefined, 'content-type': r.headers.get('content-type') ?? undefined } };
};

/** The least worst-latency of up to five runs: a stall shows in every run, machine noise does not. */
async function bestOf(run: () => Promise<{ otherWorstMs: number; attack: { status: number; body: string }; attackMs: number }>, label: string): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5 && best >= OTHER_TENANT_BOUND_MS; i++) {
    const r = await run();
    console.log(`${label}: attack ${r.attack.status} in ${Math.round(r.attackMs)} ms, other tenant worst ${Math.round(r.otherWorstMs)} ms`);
    best = Math.min(best, r.otherWorstMs);
  }
  return best;
}

for (const dialect of DIALECTS) {
  describe(`red team [${dialect}]`, () => {
    let db: FreshDatabase;
    let base: string;
    let databaseUrl: string;
    let attackerKey: string;
    let attacker: Send;
    let other: Send;
    let anonymous: Send;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      const [a, b] = await organisations(db, ['Attacker', 'Bystander']);
      databaseUrl = dialect === 'sqlite' ? `sqlite:${db.config.url}` : db.config.url;
      base = await startServer(databaseUrl, { SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000', ...ms.env(), ...google.env(), SSO_BINDING_DNS_SERVERS: dns.address });
      for (const uri of [`${base}/auth/microsoft/callback`, `${base}/console/sign-in-settings/verify/microsoft/callback`]) ms.registerRedirectUri(uri);
      google.registerRedirectUri(`${base}/auth/google/callback`);
      attackerKey = a!.key;
      attacker = client(base, a!.key);
      other = client(base, b!.key);
      anonymous = client(base, undefined);
    }, 120_000);
    afterAll(async () => {
      for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await db?.drop();
    });
    const probe = () => other('GET', '/Users?count=1');

    it('attack 1: 1,000 remove operations with 38-term value filters on a user with 1,000 emails', async () => {
      const victim = await seedManyEmails(attacker);
      for (const [ops, label] of [[1000, 'PATCH 1000 ops'], [26, 'PATCH 26 ops']] as const) {
        const best = await bestOf(async () => {
          const r = await underAttack(() => attacker('PATCH', `/Users/${victim}`, patchAttackBody(ops)), probe);
          expect(r.attack.status, r.attack.body.slice(0, 300)).toBe(400);
          expect(JSON.parse(r.attack.body).scimType).toBe('tooMany');
          return r;
        }, `${dialect} ${label}`);
        expect(best).toBeLessThan(OTHER_TENANT_BOUND_MS);
      }
    }, 120_000);

    it('attack 2: 100-term filters on addresses over 60 users with 1,000 addresses each', async () => {
      await seedManyAddresses(attacker, 60);
      for (const path of filterAttackPaths()) {
        const best = await bestOf(async () => {
          const r = await underAttack(() => attacker('GET', path), probe);
          expect([200, 400]).toContain(r.attack.status);
          if (r.attack.status === 400) expect(JSON.parse(r.attack.body).scimType).toBe('tooMany');
          return r;
        }, `${dialect} filter ${decodeURIComponent(path).slice(14, 40)}`);
        expect(best).toBeLessThan(OTHER_TENANT_BOUND_MS);
      }
    }, 180_000);

    /** An SSO sign-in through the running server, as `account` at `idp`; the callback's response. */
    async function sso(idp: TestIdp, account: string) {
      const c = new HttpConsole(base);
      const start = await c.get(`/auth/${idp.kind}/start`);
      expect(start.status, start.body.slice(0, 300)).toBe(303);
      const back = await idp.signIn(start.location!, account);
      return { c, response: await c.get(back.href) };
    }
    async function signsIn(idp: TestIdp, account: string): Promise<HttpConsole> {
      const { c, response } = await sso(idp, account);
      expect(response.status, response.body.slice(0, 400)).toBe(303);
      expect(response.location).toBe('/console/home');
      return c;
    }
    /** Admin proof by a Microsoft sign-in during the binding (docs/security.md "Sign-in bindings"). */
    async function proveByMicrosoftSignIn(c: HttpConsole, account: string) {
      await c.get('/console/sign-in-settings');
      const start = await c.get(`/console/sign-in-settings/verify/microsoft?_csrf=${encodeURIComponent(c.csrf ?? '')}`);
      expect(start.status, start.body.slice(0, 400)).toBe(303);
      return c.get((await ms.signIn(start.location!, account)).href);
    }
    /** Asks for the domain's challenge, publishes the TXT record the page names on the test DNS server, checks. */
    async function proveDomain(c: HttpConsole, domain: string) {
      await c.get('/console/sign-in-settings');
      const asked = await c.post('/console/sign-in-settings/bindings', { provider: 'google', value: domain });
      expect(asked.status, asked.body.slice(0, 400)).toBe(303);
      const page = (await c.get('/console/sign-in-settings')).body;
      const id = `txt-value-${domain.replace(/\./g, '\\.')}`;
      const m = new RegExp(`value="(wiggledesk-verification=[A-Za-z0-9_-]+)"[^>]*id="${id}"|id="${id}"[^>]*value="(wiggledesk-verification=[A-Za-z0-9_-]+)"`).exec(page);
      const record = m?.[1] ?? m?.[2];
      expect(record, 'the page shows the TXT value to publish').toBeDefined();
      dns.publish(`_wiggledesk-challenge.${domain}`, record!);
      return c.post('/console/sign-in-settings/bindings/check', { provider: 'google', value: domain });
    }

    it('attack 3: another organisation cannot bind, capture or unlink the owner\'s proven Microsoft tenant and Google domain', async () => {
      dns.clear();
      const [owner, squatter] = await organisations(db, ['Contoso Owner', 'Squatter']);
      const ownerScim = client(base, owner!.key);
      const squatterScim = client(base, squatter!.key);
      // The squatter provisions the owner's people too (and one of its own domain it does not control).
      for (const [send, names] of [
        [ownerScim, ['alice@contoso.test', 'gina@contoso.test']],
        [squatterScim, ['alice@contoso.test', 'gina@contoso.test', 'sam@squat.test']],
      ] as const) {
        for (const userName of names) {
          const r = await send('POST', '/Users', { schemas: [USER_SCHEMA], userName, active: true });
          expect(r.status, r.body).toBe(201);
        }
      }
      const a = await new HttpConsole(base).signIn(owner!.admin.email, owner!.admin.password);
      const b = await new HttpConsole(base).signIn(squatter!.admin.email, squatter!.admin.password);

      // The owner proves both: a sign-in of a Contoso Global Administrator, and the TXT record.
      expect((await proveByMicrosoftSignIn(a, 'c-admin')).location).toBe('/console/sign-in-settings?done=binding-verified');
      expect((await proveDomain(a, 'contoso.test')).location).toBe('/console/sign-in-settings?done=binding-verified');
      expect(dns.lookups).toContain('_wiggledesk-challenge.contoso.test');

      // The squatter claims both — the tenant even with a Contoso admin's sign-in (an insider) —
      // and is refused with the support message; the owner's API is served meanwhile.
      const supportRefusal = (r: Reply) => {
        expect(r.status, r.body.slice(0, 300)).toBe(409);
        expect(r.body).toContain('already bound to another WiggleDesk organisation');
        expect(r.body).toContain('support@wiggledesk.com');
      };
      await b.get('/console/sign-in-settings');
      const claims: Array<[string, () => Promise<Reply>]> = [
        ['Microsoft tenant by admin sign-in', () => proveByMicrosoftSignIn(b, 'c-admin')],
        ['Google domain', () => b.post('/console/sign-in-settings/bindings', { provider: 'google', value: 'Contoso.TEST' })],
      ];
      for (const [label, claim] of claims) {
        const best = await bestOf(async () => {
          const r = await underAttack(claim, () => ownerScim('GET', '/Users?count=1'));
          supportRefusal(r.attack);
          return r;
        }, `${dialect} attack 3 claim of the owner's ${label}`);
        expect(best).toBeLessThan(OTHER_TENANT_BOUND_MS);
      }
      // Typing the tenant id is no proof at all.
      await b.get('/console/sign-in-settings');
      const typed = await b.post('/console/sign-in-settings/bindings', { provider: 'microsoft', value: CONTOSO_TID });
      expect(typed.status).not.toBe(303);
      const settings = await b.get('/console/sign-in-settings');
      expect(settings.body).not.toContain(CONTOSO_TID);
      expect(settings.body).not.toContain('_wiggledesk-challenge.contoso.test');

      // A domain the squatter asks for but cannot prove routes nothing: not while pending, not with
      // no record, not with someone else's token at the name.
      expect((await b.post('/console/sign-in-settings/bindings', { provider: 'google', value: 'squat.test' })).status).toBe(303);
      expect(refusalOf((await sso(google, 'gw-sam')).response.body)).toBe('org_not_configured');
      await b.get('/console/sign-in-settings');
      expect((await b.post('/console/sign-in-settings/bindings/check', { provider: 'google', value: 'squat.test' })).body).toContain('No TXT record at _wiggledesk-challenge.squat.test yet');
      dns.publish('_wiggledesk-challenge.squat.test', 'wiggledesk-verification=not-this-organisations-token');
      await b.get('/console/sign-in-settings');
      expect((await b.post('/console/sign-in-settings/bindings/check', { provider: 'google', value: 'squat.test' })).body).toContain('do not include');
      expect(refusalOf((await sso(google, 'gw-sam')).response.body)).toBe('org_not_configured');

      // The person provisioned in both organisations signs in through the bound tenant and domain:
      // linked to the owner only.
      const alice = await signsIn(ms, 'c-alice');
      const home = (await alice.get('/console/home')).body;
      expect(home).toContain('Contoso Owner');
      expect(home).not.toContain('Squatter');
      const gina = await signsIn(google, 'gw-gina');
      expect((await gina.get('/console/home')).body).toContain('Contoso Owner');
      expect((await a.get('/console/sign-in-settings/links')).body).toContain('alice@contoso.test');

      // The squatter neither sees nor removes the owner's links; Alice's session survives the try.
      const theirs = await b.get('/console/sign-in-settings/links');
      expect(theirs.status).toBe(200);
      expect(theirs.body).not.toContain('alice@contoso.test');
      expect(theirs.body).not.toContain('gina@contoso.test');
      const unlink = await b.post('/console/sign-in-settings/links/remove', { provider: 'microsoft', subject: `${CONTOSO_TID}/${oid(2)}` });
      expect(unlink.status).toBe(404);
      expect((await alice.get('/console/home')).status).toBe(200);
      expect((await a.get('/console/sign-in-settings/links')).body).toContain('alice@contoso.test');
      // And the next sign-in still lands with the owner.
      expect((await (await signsIn(ms, 'c-alice')).get('/console/home')).body).toContain('Contoso Owner');
    }, 120_000);

    it('attack 5: no absolute URL from an arbitrary Host; HTTP-layer errors speak SCIM; decimal numbers only; HSTS with an https PUBLIC_URL', async () => {
      const { port } = new URL(base);
      // PUBLIC_URL is unset on this server: the Host header is not believed.
      const created = await withHost(base, 'POST', '/scim/v2/Users', 'evil.example', { authorization: `Bearer ${attackerKey}`, 'content-type': 'application/scim+json' }, JSON.stringify({ schemas: [USER_SCHEMA], userName: 'host-header' }));
      expect(created.status, created.body).toBe(201);
      expect(created.location).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/scim/v2/Users/`));
      expect((JSON.parse(created.body) as { meta: { location: string } }).meta.location).toBe(created.location);
      const start = await withHost(base, 'GET', '/auth/microsoft/start', 'evil.example');
      expect(start.status).toBe(303);
      expect(start.location).not.toContain('evil.example');
      expect(new URL(start.location!).searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/auth/microsoft/callback`);

      const scimError = (r: Reply, status: number, scimType?: string) => {
        expect(r.status, r.body.slice(0, 200)).toBe(status);
        expect(String(r.headers?.['content-type'])).toMatch(/application\/scim\+json/);
        const body = JSON.parse(r.body) as Record<string, unknown>;
        expect(body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}) });
        expect(typeof body.detail).toBe('string');
      };
      const tenThousandTerms = encodeURIComponent(Array.from({ length: 10_000 }, (_, i) => `userName eq "u${i}"`).join(' or '));
      const cases: Array<[string, () => Promise<Reply>, number, string?]> = [
        ['431 headers over 16 KiB', async () => replyOf(await raw(base, `GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)), 431],
        ['431 10,000-term URL', async () => replyOf(await raw(base, `GET /scim/v2/Users?filter=${tenThousandTerms} HTTP/1.1\r\nHost: x\r\n\r\n`)), 431],
        ['414 path segment', () => attacker('GET', `/Users/${'a'.repeat(600)}`), 414],
        ['400 bad JSON', () => attacker('POST', '/Users', '{"userName": '), 400, 'invalidSyntax'],
        ['400 startIndex=0x10', () => attacker('GET', '/Users?startIndex=0x10'), 400, 'invalidValue'],
      ];
      for (const [label, send, status, scimType] of cases) {
        const best = await bestOf(async () => {
          const r = await underAttack(send, probe);
          scimError(r.attack, status, scimType);
          return r;
        }, `${dialect} attack 5 ${label}`);
        expect(best).toBeLessThan(OTHER_TENANT_BOUND_MS);
      }
      // No HSTS over plain http…
      expect((await fetch(`${base}/healthz`)).headers.get('strict-transport-security')).toBeNull();
      // …and on every response once PUBLIC_URL is https (a second server on the same database).
      const https = await startServer(databaseUrl, { PUBLIC_URL: 'https://wiggledesk.test', ...ms.env() });
      try {
        for (const path of ['/healthz', '/scim/v2/ServiceProviderConfig', '/scim/v2/Users', '/console/sign-in', '/console/login', '/nowhere', '/auth/microsoft/start']) {
          const r = await fetch(`${https}${path}`, { redirect: 'manual' });
          expect(r.headers.get('strict-transport-security'), `${path} ${r.status}`).toBe('max-age=31536000');
        }
      } finally {
        const child = started.pop();
        child?.kill('SIGKILL');
      }
    }, 120_000);

    it('attack 4: wrong secrets for a real key id and requests without a key are rate limited, valid keys are not', async () => {
      const realKeyId = /^wdk_([^_]+)_/.exec((await organisations(db, ['Victim']))[0]!.key)![1]!;
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 60; i++) {
        const r = await anonymous('GET', '/Users', undefined, { authorization: `Bearer wdk_${realKeyId}_${'x'.repeat(43)}` });
        statuses.push(r.status);
        if (r.status === 429) retryAfter = String(r.headers?.['retry-after']);
      }
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      const none: number[] = [];
      for (let i = 0; i < 60; i++) none.push((await anonymous('GET', '/Users')).status);
      expect(none).toContain(429);
      // The other organisation's valid key is not slowed or limited meanwhile.
      const r = await probe();
      expect(r.status).toBe(200);
    }, 60_000);
  });
}
