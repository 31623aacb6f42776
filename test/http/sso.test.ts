// Sign-in with Microsoft, Google and a generic OpenID provider (issue #7), through app.inject
// against real OpenID providers running in this process on 127.0.0.1 (test/support/oidc-provider):
// a multi-tenant Microsoft stand-in with the `{tenantid}`-templated issuer, a Google stand-in
// (email_verified, hd) and a generic provider. Every refusal asserts its reason code, its status
// and that no session was started; deprovisioning is checked for every accepted SCIM shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json, type TestApp } from '../support/test-app.js';
import { googleAccount, startMicrosoftIdp, startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import { ConsoleClient, newAccount, scimUser, signedIn } from './console-client.js';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { fakeDns, GLOBAL_ADMIN, proofCallbackUri, proveBySignIn, proveDomain } from '../support/bindings.js';

const SESSION = '__Host-wd_session'; // https PUBLIC_URL: __Host- cookies
const FLOW = '__Host-wd_sso_microsoft';

const CONTOSO_TID = 'c0a1c0a1-0000-4000-8000-000000000001';
const FABRIKAM_TID = 'fab00000-0000-4000-8000-000000000002';
const NORTHWIND_TID = '10a7d000-0000-4000-8000-000000000003';
const LONELY_TID = '10e1e000-0000-4000-8000-000000000004';
const EXTRA_TID = '99999999-0000-4000-8000-000000000009';
/** Each tenant's Global Administrator, who proves a binding (issue #18). */
const TENANT_ADMIN: Record<string, string> = { [CONTOSO_TID]: 'contoso-admin', [NORTHWIND_TID]: 'northwind-admin', [EXTRA_TID]: 'extra-admin' };

const oid = (n: number) => `0b1d0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const contosoAccount = (id: string, n: number, preferredUsername: string, name = id, wids?: string[]) => ({ id, oid: oid(n), preferredUsername, name, ...(wids ? { wids } : {}) });

// Users provisioned for the deprovisioning shapes, one each.
const DEPROVISION = ['patch', 'entra-quirk', 'no-path', 'put', 'delete', 'bulk', 'console'] as const;

function msTenants() {
  return [
    {
      tid: CONTOSO_TID,
      name: 'Contoso',
      accounts: [
        contosoAccount('alice', 1, 'alice@contoso.com', 'Alice Anders'),
        contosoAccount('bob', 2, 'BOB@contoso.com', 'Bob Berg'),
        contosoAccount('angstrom', 3, 'ångström@contoso.com', 'Anders Ångström'),
        contosoAccount('carol', 4, 'carol@contoso.com'),
        contosoAccount('dave', 5, 'dave@contoso.com'),
        contosoAccount('erin', 6, 'erin@contoso.com'),
        contosoAccount('henry', 7, 'henry@contoso.com'),
        contosoAccount('zed', 8, 'zed@contoso.com'),
        contosoAccount('grace', 9, 'grace@contoso.com', 'Grace Hopper'),
        contosoAccount('ivan', 10, 'ivan@contoso.com'),
        contosoAccount('sam', 11, 'sam@contoso.com'),
        contosoAccount('sam-recreated', 12, 'sam@contoso.com'),
        contosoAccount('rita', 13, 'rita@contoso.com'),
        contosoAccount('quinn', 14, 'quinn@contoso.com'),
        contosoAccount('olga', 15, 'olga@contoso.com'),
        ...DEPROVISION.map((shape, i) => contosoAccount(`deprov-${shape}`, 100 + i, `deprov-${shape}@contoso.com`)),
        contosoAccount('contoso-admin', 150, 'admin@contoso.com', 'Contoso Admin', [GLOBAL_ADMIN]),
      ],
    },
    { tid: FABRIKAM_TID, name: 'Fabrikam', accounts: [contosoAccount('alice-fabrikam', 201, 'alice@contoso.com', 'Not Alice')] },
    { tid: NORTHWIND_TID, name: 'Northwind', accounts: [contosoAccount('nina', 301, 'nina@northwind.test'), contosoAccount('northwind-admin', 302, 'admin@northwind.test', 'Northwind Admin', [GLOBAL_ADMIN])] },
    { tid: LONELY_TID, name: 'Lonely', accounts: [contosoAccount('lonely', 401, 'lonely@nowhere.test')] },
    { tid: EXTRA_TID, name: 'Extra', accounts: [contosoAccount('extra-admin', 501, 'admin@extra.test', 'Extra Admin', [GLOBAL_ADMIN])] },
  ];
}

describe('SSO configuration', () => {
  const base = { LOG_LEVEL: 'silent' };
  it('turns a provider on with its client id and secret, defaulting the Microsoft authority and Google issuer', () => {
    const c = loadConfig({ ...base, SSO_MICROSOFT_CLIENT_ID: 'm', SSO_MICROSOFT_CLIENT_SECRET: 'ms', SSO_GOOGLE_CLIENT_ID: 'g', SSO_GOOGLE_CLIENT_SECRET: 'gs' });
    expect(c.sso.providers.map((p) => [p.kind, p.issuer, p.label])).toEqual([
      ['microsoft', 'https://login.microsoftonline.com/organizations/v2.0', 'Microsoft'],
      ['google', 'https://accounts.google.com', 'Google'],
    ]);
    expect(c.sso.allowInsecureHttp).toBe(false);
    // The secret never prints.
    expect(JSON.stringify(c)).not.toContain('"ms"');
    expect(String(c.sso.providers[0]!.clientSecret)).toBe('[redacted]');
    expect(c.sso.providers[0]!.clientSecret.reveal()).toBe('ms');
  });

  it('refuses http issuers unless SSO_ALLOW_INSECURE_HTTP is set, and then only on loopback', () => {
    const http = { ...base, SSO_OIDC_CLIENT_ID: 'o', SSO_OIDC_CLIENT_SECRET: 's', SSO_OIDC_ISSUER: 'http://127.0.0.1:9999/oidc' };
    expect(() => loadConfig(http)).toThrow(/SSO_OIDC_ISSUER must use https/);
    expect(() => loadConfig({ ...http, SSO_ALLOW_INSECURE_HTTP: 'true', SSO_OIDC_ISSUER: 'http://idp.example.com/oidc' })).toThrow(/loopback|127\.0\.0\.1/);
    expect(loadConfig({ ...http, SSO_ALLOW_INSECURE_HTTP: 'true', SSO_OIDC_NAME: 'Okta' }).sso.providers[0]).toMatchObject({ kind: 'oidc', label: 'Okta', issuer: 'http://127.0.0.1:9999/oidc' });
  });

  it('answers 503 with its own page when the provider cannot be reached, and retries discovery next time', async () => {
    const closed = await buildTestApp('sqlite', { env: { SSO_OIDC_CLIENT_ID: 'o', SSO_OIDC_CLIENT_SECRET: 's', SSO_OIDC_ISSUER: 'http://127.0.0.1:9/nowhere', SSO_ALLOW_INSECURE_HTTP: 'true' } });
    try {
      for (let i = 0; i < 2; i++) {
        const r = await closed.app.inject({ method: 'GET', url: '/auth/oidc/start' });
        expect(r.statusCode).toBe(503);
        expect(r.body).toContain('data-refusal="unavailable"');
        expect(r.headers['set-cookie']).toBeUndefined();
      }
    } finally {
      await closed.close();
    }
  });

  it('takes the name servers for binding challenges from SSO_BINDING_DNS_SERVERS, and refuses what is not an address', () => {
    expect(loadConfig(base).sso.bindingDnsServers).toEqual([]);
    expect(loadConfig({ ...base, SSO_BINDING_DNS_SERVERS: ' 10.0.0.53, 10.0.0.54:5353 ,[fd00::53]:53, fd00::54' }).sso.bindingDnsServers).toEqual(['10.0.0.53', '10.0.0.54:5353', '[fd00::53]:53', 'fd00::54']);
    for (const bad of ['ns1.example.com', '10.0.0.53:0', '10.0.0.53:70000', '[10.0.0.53]:x']) {
      expect(() => loadConfig({ ...base, SSO_BINDING_DNS_SERVERS: bad }), bad).toThrow(/SSO_BINDING_DNS_SERVERS: ".*" is not an IP address/);
    }
  });

  it('names every missing or bad SSO variable', () => {
    try {
      loadConfig({ ...base, SSO_GOOGLE_CLIENT_ID: 'g', SSO_OIDC_CLIENT_ID: 'o', SSO_OIDC_CLIENT_SECRET: 's', SSO_MICROSOFT_CLIENT_SECRET: 'x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/SSO_MICROSOFT_CLIENT_ID must be set/);
      expect(problems).toMatch(/SSO_GOOGLE_CLIENT_SECRET must be set/);
      expect(problems).toMatch(/SSO_OIDC_ISSUER must be set/);
    }
  });
});

for (const dialect of DIALECTS) {
  describe(`sign-in with Microsoft, Google and OpenID Connect [${dialect}]`, () => {
    let t: TestApp;
    let ms: TestIdp;
    let google: TestIdp;
    let okta: TestIdp;
    let admin: ConsoleClient;
    const ids: Record<string, string> = {};
    const dns = fakeDns();

    const refusalOf = (r: LightMyRequestResponse) => /data-refusal="([a-z_]+)"/.exec(r.body)?.[1];
    const sessionSet = (r: LightMyRequestResponse) => ([] as string[]).concat(r.headers['set-cookie'] ?? []).some((l) => l.startsWith(`${SESSION}=`) && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(l));

    /** Start → provider (as `account`) → callback; returns the callback response. */
    async function sso(idp: TestIdp, account: string, options: { client?: ConsoleClient; next?: string; tamper?: (u: URL) => void } = {}) {
      const c = options.client ?? new ConsoleClient(t.app);
      const start = await c.get(`/auth/${idp.kind}/start${options.next ? `?next=${encodeURIComponent(options.next)}` : ''}`);
      expect(start.statusCode, start.body.slice(0, 300)).toBe(303);
      const back = await idp.signIn(String(start.headers.location), account);
      options.tamper?.(back);
      expect(back.origin).toBe('https://wiggledesk.test');
      const response = await c.get(back.pathname + back.search);
      return { c, response, back };
    }

    async function signedInWith(idp: TestIdp, account: string, landing = '/console/home') {
      const { c, response } = await sso(idp, account);
      expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
      expect(response.headers.location).toBe(landing);
      expect(sessionSet(response)).toBe(true);
      const page = await c.get(landing);
      expect(page.statusCode).toBe(200);
      return c;
    }

    async function expectRefused(idp: TestIdp, account: string, reason: string, status: number) {
      const { response } = await sso(idp, account);
      expect(refusalOf(response), response.body.slice(0, 400)).toBe(reason);
      expect(response.statusCode).toBe(status);
      expect(sessionSet(response)).toBe(false);
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['cache-control']).toBe('no-store');
      return response;
    }

    const provision = async (key: string, userName: string, extra: Record<string, unknown> = {}) => {
      ids[key] = await scimUser(t, userName, extra);
      return ids[key]!;
    };
    const patchUser = (id: string, Operations: unknown[]) => t.scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations });
    /** Binds with proof (issue #18): the tenant admin's sign-in, a DNS TXT record for a domain, a sign-in through the issuer. */
    const bind = async (client: ConsoleClient, provider: string, value: string) => {
      const r =
        provider === 'google' ? await proveDomain(client, dns, value) : provider === 'oidc' ? await proveBySignIn(client, okta, 'okta-alice') : await proveBySignIn(client, ms, TENANT_ADMIN[value.toLowerCase()]!);
      expect(r.statusCode, r.body.slice(0, 300)).toBe(303);
      expect(r.headers.location).toMatch(/done=binding-(re)?verified/);
      return r;
    };

    beforeAll(async () => {
      ms = await startMicrosoftIdp(msTenants());
      google = await startStandardIdp('google', [
        googleAccount('gw-alice', 'alice@contoso.com', { hd: 'contoso.com', name: 'Alice Anders' }),
        googleAccount('gw-other-domain', 'alice@contoso.com', { hd: 'fabrikam.test' }),
        googleAccount('gw-personal', 'alice@contoso.com'),
        googleAccount('gw-unverified', 'bob@contoso.com', { hd: 'contoso.com', verified: false }),
        googleAccount('gw-nobody', 'nobody@contoso.com', { hd: 'contoso.com' }),
      ]);
      okta = await startStandardIdp('oidc', [
        { id: 'okta-alice', label: 'alice@contoso.com', claims: { sub: '00u1alice', preferred_username: 'alice@contoso.com', email: 'alice@contoso.com', email_verified: true } },
        { id: 'okta-unverified', label: 'mallory', claims: { sub: '00u2mallory', preferred_username: 'mallory@okta.test', email: 'bob@contoso.com', email_verified: false } },
      ]);
      for (const idp of [ms, google, okta]) idp.registerRedirectUri(`https://wiggledesk.test/auth/${idp.kind}/callback`);
      for (const idp of [ms, okta]) idp.registerRedirectUri(proofCallbackUri(idp.kind));
      t = await buildTestApp(dialect, { env: { ...ms.env(), ...google.env(), ...okta.env(), SSO_OIDC_NAME: 'Okta' }, txtResolver: dns.resolver });

      await provision('alice', 'alice@contoso.com', { displayName: 'Alice Anders', title: 'Engineer', emails: [{ value: 'alice@contoso.com', type: 'work', primary: true }] });
      await provision('bob', 'bob.berg', { displayName: 'Bob Berg', emails: [{ value: 'Bob@Contoso.com', type: 'work' }] });
      // Decomposed Å and ö in the userName; the token carries the composed forms.
      await provision('angstrom', 'A\u030ANGSTRO\u0308M@CONTOSO.COM', { displayName: 'Anders Ångström' });
      await provision('carol', 'carol@contoso.com', { active: false });
      await provision('dave', 'dave@contoso.com');
      await provision('erin', 'erin@contoso.com');
      await provision('henry', 'henry.h', { emails: [{ value: 'henry@contoso.com', type: 'home' }] });
      await provision('grace', 'grace@contoso.com', { displayName: 'Grace Hopper' });
      await provision('ivan', 'ivan@contoso.com');
      await provision('sam', 'sam@contoso.com');
      await provision('rita', 'rita@contoso.com');
      await provision('quinn', 'quinn@contoso.com');
      await provision('olga', 'olga@contoso.com');
      for (const shape of DEPROVISION) await provision(`deprov-${shape}`, `deprov-${shape}@contoso.com`);

      admin = await signedIn(t, t.org);
      await bind(admin, 'microsoft', CONTOSO_TID.toUpperCase());
      await bind(admin, 'google', '@Contoso.com');
    });

    afterAll(async () => {
      await t?.close();
      await Promise.all([ms?.close(), google?.close(), okta?.close()]);
    });

    describe('the sign-in page', () => {
      it('offers a button per configured provider, keeping `next` for admins', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/console/login?next=%2Fconsole%2Fusers' });
        expect(r.statusCode).toBe(200);
        expect(r.body).toContain('href="/auth/microsoft/start?next=%2Fconsole%2Fusers"');
        for (const label of ['Microsoft', 'Google', 'Okta']) expect(r.body).toMatch(new RegExp(`Sign in with (<!-- -->)?${label}`));
      });

      it('sends the browser to the provider with PKCE (S256), state and nonce, and binds the flow to a cookie', async () => {
        const c = new ConsoleClient(t.app);
        const start = await c.get('/auth/microsoft/start');
        expect(start.statusCode).toBe(303);
        const url = new URL(String(start.headers.location));
        expect(url.href.startsWith(`${ms.issuer.replace('/v2.0', '')}/oauth2/v2.0/authorize`)).toBe(true);
        expect(url.searchParams.get('client_id')).toBe(ms.clientId);
        expect(url.searchParams.get('redirect_uri')).toBe('https://wiggledesk.test/auth/microsoft/callback');
        expect(url.searchParams.get('response_type')).toBe('code');
        expect(url.searchParams.get('code_challenge_method')).toBe('S256');
        expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
        expect(url.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
        expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
        expect(url.searchParams.get('scope')).toBe('openid email profile');
        const cookie = ([] as string[]).concat(start.headers['set-cookie'] ?? []).find((l) => l.startsWith(`${FLOW}=`));
        expect(cookie).toMatch(/HttpOnly/);
        expect(cookie).toMatch(/Secure/);
        expect(cookie).toMatch(/SameSite=Lax/);
        expect(cookie).toMatch(/Max-Age=600/);
        // Server-side: the row is keyed by the cookie's hash; state/nonce/verifier never leave it.
        const rows = await t.composition.db.db.withTables<{ sign_in_flows: { id: string; state: string } }>().selectFrom('sign_in_flows').select(['id', 'state']).execute();
        expect(rows.some((r) => r.state === url.searchParams.get('state'))).toBe(true);
        expect(rows.some((r) => r.id === c.cookies.get(FLOW))).toBe(false);
      });

      it('answers an unknown provider with its own 404 page', async () => {
        const r = await t.app.inject({ method: 'GET', url: '/auth/facebook/start' });
        expect(r.statusCode).toBe(404);
        expect(refusalOf(r)).toBe('unknown_provider');
      });
    });

    describe('Microsoft (multi-tenant Entra ID, templated issuer)', () => {
      it('signs a provisioned user in: their home shows their name, organisation and groups', async () => {
        const group = json(await t.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Hybrid Tuesday', members: [{ value: ids.alice }] })).id as string;
        await t.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'All staff', members: [{ value: group, type: 'Group' }] });
        const c = await signedInWith(ms, 'alice');
        const home = await c.get('/console/home');
        expect(home.body).toContain('Welcome, Alice Anders');
        expect(home.body).toContain('Contoso');
        expect(home.body).toContain('Engineer');
        expect(home.body).toContain('Hybrid Tuesday');
        expect(home.body).toMatch(/All staff<span class="muted small"> \(through another group\)/);
        expect(home.body).toContain('href="/console/home" aria-current="page"');
        // A regular user: no admin pages.
        expect((await c.get('/console/users')).statusCode).toBe(403);
        expect((await c.get('/console/sign-in-settings')).statusCode).toBe(403);
      });

      it('matches a work email case-insensitively, and Unicode userNames by full case folding', async () => {
        await signedInWith(ms, 'bob');
        await signedInWith(ms, 'angstrom');
      });

      it('does not match a home email: the identity is not provisioned', async () => {
        const r = await expectRefused(ms, 'henry', 'not_provisioned', 403);
        expect(r.body).toContain('has not been set up in WiggleDesk — ask your administrator');
        await expectRefused(ms, 'zed', 'not_provisioned', 403);
      });

      it('refuses the same email from another Entra tenant', async () => {
        const r = await expectRefused(ms, 'alice-fabrikam', 'wrong_tenant', 403);
        expect(r.body).toContain(FABRIKAM_TID);
        expect(r.body).not.toContain('Contoso');
      });

      it('refuses a tenant no organisation trusts, and names the tenant id to give the admin', async () => {
        const r = await expectRefused(ms, 'lonely', 'not_bound', 403);
        expect(r.body).toContain(LONELY_TID);
      });

      it('refuses users of an organisation that has not bound a tenant yet, then lets them in once it has', async () => {
        const other = await t.newTenant('Northwind');
        await other.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'nina@northwind.test', active: true });
        const r = await expectRefused(ms, 'nina', 'org_not_configured', 403);
        expect(r.body).toContain(NORTHWIND_TID);
        const northwindAdmin = await signedIn(t, other.org);
        await bind(northwindAdmin, 'microsoft', NORTHWIND_TID);
        await signedInWith(ms, 'nina');
        // Each organisation sees only its own bindings.
        const page = await northwindAdmin.get('/console/sign-in-settings');
        expect(page.body).toContain(NORTHWIND_TID);
        expect(page.body).not.toContain(CONTOSO_TID);
      });

      it('refuses an inactive user and a deleted user', async () => {
        await expectRefused(ms, 'carol', 'inactive', 403);
        await signedInWith(ms, 'dave');
        expect((await t.scim.delete(`/Users/${ids.dave}`)).statusCode).toBe(204);
        await expectRefused(ms, 'dave', 'deleted', 403);
        // Deleted before ever signing in: not set up (there is nothing left to know them by).
        expect((await t.scim.delete(`/Users/${ids.erin}`)).statusCode).toBe(204);
        await expectRefused(ms, 'erin', 'not_provisioned', 403);
      });

      it('remembers the subject (tid + oid): a renamed user still signs in, a recreated account with the same name does not until an admin resets it', async () => {
        await signedInWith(ms, 'sam');
        expect((await patchUser(ids.sam!, [{ op: 'replace', path: 'userName', value: 'samuel@contoso.com' }])).statusCode).toBe(200);
        await signedInWith(ms, 'sam');
        expect((await patchUser(ids.sam!, [{ op: 'replace', path: 'userName', value: 'sam@contoso.com' }])).statusCode).toBe(200);
        await expectRefused(ms, 'sam-recreated', 'linked_elsewhere', 403);

        await admin.get('/console/sign-in-settings');
        const forget = await admin.post('/console/sign-in-settings/forget', { user: 'SAM@contoso.com' });
        expect(forget.headers.location).toBe('/console/sign-in-settings?done=links-forgotten');
        await signedInWith(ms, 'sam-recreated');
        await expectRefused(ms, 'sam', 'linked_elsewhere', 403);
      });

      it('never creates a user', async () => {
        const before = json(await t.scim.get('/Users?count=0')).totalResults as number;
        await expectRefused(ms, 'zed', 'not_provisioned', 403);
        expect(json(await t.scim.get('/Users?count=0')).totalResults).toBe(before);
      });

      it('refuses a second organisation\'s claim on a bound tenant (issue #18), so it cannot capture or lock out the users', async () => {
        await signedInWith(ms, 'rita');
        const squatter = await t.newTenant('Squatter');
        const squatterAdmin = await signedIn(t, squatter.org);
        await squatterAdmin.get('/console/sign-in-settings');
        // Typing the tenant id proves nothing and binds nothing.
        const typed = await squatterAdmin.post('/console/sign-in-settings/bindings', { provider: 'microsoft', value: CONTOSO_TID });
        expect(typed.statusCode).toBe(400);
        expect(typed.body).toContain('Bind with Microsoft');
        // A Contoso account without an admin role proves nothing either.
        const notAdmin = await proveBySignIn(squatterAdmin, ms, 'quinn');
        expect(notAdmin.statusCode).toBe(403);
        expect(notAdmin.body).toContain('holds none of the Entra roles');
        // Even with a Contoso admin's sign-in, a proven binding is never taken: support moves it.
        const page = await proveBySignIn(squatterAdmin, ms, 'contoso-admin');
        expect(page.statusCode).toBe(409);
        expect(page.body).toContain('already bound to another WiggleDesk organisation');
        expect(page.body).toContain('support@wiggledesk.com');
        expect((await squatterAdmin.get('/console/sign-in-settings')).body).not.toContain(CONTOSO_TID);
        for (const name of ['rita@contoso.com', 'olga@contoso.com']) await squatter.scim.post('/Users', { schemas: [USER_SCHEMA], userName: name, active: true });
        // The squatter's users of the same names change nothing: the binding decides.
        await signedInWith(ms, 'rita');
        await signedInWith(ms, 'olga');
        await signedInWith(ms, 'quinn');
      });
    });

    describe('deprovisioning ends access at once', () => {
      const shapes: Record<(typeof DEPROVISION)[number], (id: string) => Promise<void>> = {
        patch: async (id) => void expect((await patchUser(id, [{ op: 'replace', path: 'active', value: false }])).statusCode).toBe(200),
        'entra-quirk': async (id) => void expect((await patchUser(id, [{ op: 'Replace', path: 'active', value: 'False' }])).statusCode).toBe(200),
        'no-path': async (id) => void expect((await patchUser(id, [{ op: 'replace', value: { active: false } }])).statusCode).toBe(200),
        put: async (id) => {
          const current = json(await t.scim.get(`/Users/${id}`));
          expect((await t.scim.put(`/Users/${id}`, { schemas: [USER_SCHEMA], userName: current.userName, active: false })).statusCode).toBe(200);
        },
        delete: async (id) => void expect((await t.scim.delete(`/Users/${id}`)).statusCode).toBe(204),
        bulk: async (id) => {
          const r = await t.scim.post('/Bulk', {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
            Operations: [{ method: 'PATCH', path: `/Users/${id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } }],
          });
          expect(r.statusCode).toBe(200);
          expect(json(r).Operations[0].status).toBe('200');
        },
        console: async (id) => {
          await admin.get(`/console/users/${id}`);
          expect((await admin.post(`/console/users/${id}/deactivate`)).statusCode).toBe(303);
        },
      };

      for (const shape of DEPROVISION) {
        it(`signs the user out on the very next request after ${shape}`, async () => {
          const c = await signedInWith(ms, `deprov-${shape}`);
          const token = c.cookies.get(SESSION)!;
          expect((await c.get('/console/home')).statusCode).toBe(200);
          await shapes[shape](ids[`deprov-${shape}`]!);
          const next = await c.get('/console/home');
          expect(next.statusCode).toBe(303);
          expect(next.headers.location).toBe('/console/login?next=%2Fconsole%2Fhome');
          // The session row is gone, not just this response: the old cookie is dead everywhere.
          const again = await t.app.inject({ method: 'GET', url: '/console/profile', headers: { cookie: `${SESSION}=${token}` } });
          expect(again.statusCode).toBe(303);
          const expected = shape === 'delete' ? 'deleted' : 'inactive';
          await expectRefused(ms, `deprov-${shape}`, expected, 403);
        });
      }
    });

    describe('roles', () => {
      it('an org admin makes a provisioned user an admin by name, and takes it back', async () => {
        const c = await signedInWith(ms, 'ivan');
        expect((await c.get('/console/users')).statusCode).toBe(403);
        await admin.get('/console/sign-in-settings');
        const made = await admin.post('/console/sign-in-settings/admins', { user: 'Ivan@Contoso.com' });
        expect(made.headers.location).toBe('/console/sign-in-settings?done=admin-added');
        expect((await c.get('/console/users')).statusCode).toBe(200);
        const page = await c.get('/console/sign-in-settings');
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain('ivan@contoso.com');
        // Signing in again as an admin lands on the dashboard, or on `next`.
        await signedInWith(ms, 'ivan', '/console');
        const withNext = await sso(ms, 'ivan', { next: '/console/users?q=x' });
        expect(withNext.response.headers.location).toBe('/console/users?q=x');
        const open = await sso(ms, 'ivan', { next: 'https://evil.example/' });
        expect(open.response.headers.location).toBe('/console');

        await admin.get('/console/sign-in-settings');
        const removed = await admin.post('/console/sign-in-settings/admins/remove', { id: ids.ivan! });
        expect(removed.headers.location).toBe('/console/sign-in-settings?done=admin-removed');
        expect((await c.get('/console/users')).statusCode).toBe(403);
      });

      it('members of the named identity-provider group are admins; SCIM membership changes apply on the next request', async () => {
        const groupId = json(await t.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'WiggleDesk Admins' })).id as string;
        await admin.get('/console/sign-in-settings');
        const set = await admin.post('/console/sign-in-settings/admin-group', { group: 'wiggledesk admins' });
        expect(set.headers.location).toBe('/console/sign-in-settings?done=group-set');
        expect((await admin.get('/console/sign-in-settings')).body).toContain('value="WiggleDesk Admins"');

        const c = await signedInWith(ms, 'grace');
        expect((await c.get('/console/users')).statusCode).toBe(403);
        const add = await t.scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: ids.grace }] }] });
        expect(add.statusCode).toBeLessThan(300);
        expect((await c.get('/console/users')).statusCode).toBe(200);
        const remove = await t.scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ids.grace}"]` }] });
        expect(remove.statusCode).toBeLessThan(300);
        expect((await c.get('/console/users')).statusCode).toBe(403);

        // Nested: grace ∈ Ops ∈ WiggleDesk Admins.
        const ops = json(await t.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ops', members: [{ value: ids.grace }] })).id as string;
        await t.scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: ops, type: 'Group' }] }] });
        expect((await c.get('/console/users')).statusCode).toBe(200);
        expect((await t.scim.delete(`/Groups/${ops}`)).statusCode).toBe(204);
        expect((await c.get('/console/users')).statusCode).toBe(403);

        // A deleted admin group makes nobody an admin, and says so.
        await t.scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: ids.grace }] }] });
        expect((await c.get('/console/users')).statusCode).toBe(200);
        expect((await t.scim.delete(`/Groups/${groupId}`)).statusCode).toBe(204);
        expect((await c.get('/console/users')).statusCode).toBe(403);
        expect((await admin.get('/console/sign-in-settings')).body).toContain('The admin group was deleted');
        await admin.post('/console/sign-in-settings/admin-group', { group: '' });
      });

      it('refuses an unknown admin group or user with the message beside the form', async () => {
        await admin.get('/console/sign-in-settings');
        const group = await admin.post('/console/sign-in-settings/admin-group', { group: 'No Such Group' });
        expect(group.statusCode).toBe(404);
        expect(group.body).toContain('No group named “No Such Group”');
        const user = await admin.post('/console/sign-in-settings/admins', { user: 'nobody@contoso.com' });
        expect(user.statusCode).toBe(404);
        expect(user.body).toContain('No provisioned user “nobody@contoso.com”');
      });
    });

    describe('the flow cannot be tampered with or replayed', () => {
      it('refuses a changed state', async () => {
        const { response } = await sso(ms, 'alice', { tamper: (u) => u.searchParams.set('state', 'tampered') });
        expect(refusalOf(response)).toBe('state');
        expect(response.statusCode).toBe(400);
        expect(sessionSet(response)).toBe(false);
      });

      it('refuses a callback replayed after use, and a callback in a browser that did not start the flow', async () => {
        const { c, response, back } = await sso(ms, 'alice');
        expect(response.statusCode).toBe(303);
        const replay = await c.get(back.pathname + back.search);
        expect(refusalOf(replay)).toBe('flow_missing');
        expect(sessionSet(replay)).toBe(false);

        const victim = new ConsoleClient(t.app);
        const attacker = new ConsoleClient(t.app);
        const start = await attacker.get('/auth/microsoft/start');
        const forged = await ms.signIn(String(start.headers.location), 'alice');
        const r = await victim.get(forged.pathname + forged.search);
        expect(refusalOf(r)).toBe('flow_missing');
        expect(r.statusCode).toBe(400);
      });

      it("refuses an ID token carrying another flow's nonce (a replayed token)", async () => {
        const c = new ConsoleClient(t.app);
        const first = new URL(String((await c.get('/auth/microsoft/start')).headers.location));
        const second = new URL(String((await c.get('/auth/microsoft/start')).headers.location));
        // The provider is asked with the first flow's nonce but the current flow's state and PKCE.
        first.searchParams.set('state', second.searchParams.get('state')!);
        first.searchParams.set('code_challenge', second.searchParams.get('code_challenge')!);
        const back = await ms.signIn(first.href, 'alice');
        const r = await c.get(back.pathname + back.search);
        expect(refusalOf(r)).toBe('nonce');
        expect(r.statusCode).toBe(400);
        expect(sessionSet(r)).toBe(false);
      });

      it('refuses a flow older than 10 minutes', async () => {
        const c = new ConsoleClient(t.app);
        const start = await c.get('/auth/microsoft/start');
        await sql`update sign_in_flows set expires_at = ${new Date(Date.now() - 1000).toISOString()}`.execute(t.composition.db.db);
        const back = await ms.signIn(String(start.headers.location), 'alice');
        const r = await c.get(back.pathname + back.search);
        expect(refusalOf(r)).toBe('flow_expired');
        expect(r.statusCode).toBe(400);
      });

      it('refuses a forged code and a provider error', async () => {
        const forged = await sso(ms, 'alice', { tamper: (u) => u.searchParams.set('code', 'forged-code') });
        expect(refusalOf(forged.response)).toBe('invalid');
        const denied = await sso(google, 'gw-alice', {
          tamper: (u) => {
            u.searchParams.delete('code');
            u.searchParams.set('error', 'access_denied');
          },
        });
        expect(refusalOf(denied.response)).toBe('denied');
        expect(denied.response.statusCode).toBe(403);
      });
    });

    describe('Google', () => {
      it('signs a Workspace user in by verified email, and refuses another domain, a personal account and an unverified email', async () => {
        await signedInWith(google, 'gw-alice');
        const other = await expectRefused(google, 'gw-other-domain', 'wrong_tenant', 403);
        expect(other.body).toContain('fabrikam.test');
        const personal = await expectRefused(google, 'gw-personal', 'wrong_tenant', 403);
        expect(personal.body).toContain('personal Google account');
        await expectRefused(google, 'gw-unverified', 'unverified_email', 403);
        await expectRefused(google, 'gw-nobody', 'not_provisioned', 403);
      });
    });

    describe('generic OpenID Connect (Okta, OneLogin, JumpCloud)', () => {
      it('needs the issuer bound, then signs in by preferred_username; an unverified email never matches', async () => {
        await expectRefused(okta, 'okta-alice', 'org_not_configured', 403);
        await bind(admin, 'oidc', `${okta.issuer}/`);
        await signedInWith(okta, 'okta-alice');
        await expectRefused(okta, 'okta-unverified', 'not_provisioned', 403);
      });
    });

    describe('Sign-in settings', () => {
      it('validates what an admin binds', async () => {
        await admin.get('/console/sign-in-settings');
        // Tenants and issuers are bound by signing in, never by typing them.
        const typed = await admin.post('/console/sign-in-settings/bindings', { provider: 'microsoft', value: 'contoso.onmicrosoft.com' });
        expect(typed.statusCode).toBe(400);
        expect(typed.body).toContain('Bind with Microsoft');
        const gmail = await admin.post('/console/sign-in-settings/bindings', { provider: 'google', value: 'gmail.com' });
        expect(gmail.statusCode).toBe(400);
        expect(gmail.body).toContain('consumer domain');
        const badDomain = await admin.post('/console/sign-in-settings/bindings', { provider: 'google', value: 'not a domain' });
        expect(badDomain.statusCode).toBe(400);
        const issuer = await admin.post('/console/sign-in-settings/bindings', { provider: 'oidc', value: 'http://idp.example.com' });
        expect(issuer.statusCode).toBe(400);
        // Proving a tenant the organisation already holds again is harmless.
        const again = await proveBySignIn(admin, ms, 'contoso-admin');
        expect(again.headers.location).toBe('/console/sign-in-settings?done=binding-reverified');
      });

      it('removes a binding: new sign-ins from that tenant are refused', async () => {
        const extra = EXTRA_TID;
        await bind(admin, 'microsoft', extra);
        expect((await admin.get('/console/sign-in-settings')).body).toContain(extra);
        const r = await admin.post('/console/sign-in-settings/bindings/remove', { provider: 'microsoft', value: extra });
        expect(r.headers.location).toBe('/console/sign-in-settings?done=binding-removed');
        expect((await admin.get('/console/sign-in-settings')).body).not.toContain(extra);
      });

      it('is for admins only and needs the CSRF token', async () => {
        const user = await newAccount(t, t.org, 'user');
        const c = await new ConsoleClient(t.app).signInOk(user.email, user.password);
        expect((await c.get('/console/sign-in-settings')).statusCode).toBe(403);
        await admin.get('/console/sign-in-settings');
        const noToken = await admin.post('/console/sign-in-settings/bindings', { provider: 'microsoft', value: LONELY_TID }, { csrf: false });
        expect(noToken.statusCode).toBe(403);
        const crossSite = await admin.post('/console/sign-in-settings/bindings', { provider: 'microsoft', value: LONELY_TID }, { headers: { 'sec-fetch-site': 'cross-site' } });
        expect(crossSite.statusCode).toBe(403);
        expect((await admin.get('/console/sign-in-settings')).body).not.toContain(LONELY_TID);
      });

      it('is in the admin navigation', async () => {
        const page = await admin.get('/console/sign-in-settings');
        expect(page.body).toContain('href="/console/sign-in-settings" aria-current="page"');
      });
    });
  });
}
