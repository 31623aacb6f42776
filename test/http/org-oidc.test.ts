// An organisation's own OpenID Connect provider (issue #17, self-service sign-in), through
// app.inject against a real OpenID provider in this process on 127.0.0.1 (test/support/oidc-provider),
// reached only through the outbound guard (ALLOW_PRIVATE_TARGETS=1 lets it use loopback http).
// An org admin saves issuer / client id / secret (discovery and the key set are checked), runs a
// real "Try sign-in", enables it only after a successful try, and the organisation's users then
// sign in at /auth/org/<org id>/start with the existing matching and deprovisioning rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, PATCH_OP, type TestApp } from '../support/test-app.js';
import { startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import { ConsoleClient, scimUser, signedIn } from './console-client.js';

const SESSION = '__Host-wd_session';
const FLOW = '__Host-wd_sso_org';
const PAGE = '/console/sign-in-settings/org-provider';
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

const refusalOf = (r: LightMyRequestResponse) => /data-refusal="([a-z_]+)"/.exec(r.body)?.[1];
const sessionSet = (r: LightMyRequestResponse) => ([] as string[]).concat(r.headers['set-cookie'] ?? []).some((l) => l.startsWith(`${SESSION}=`) && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(l));
const withoutFragment = (location: unknown) => String(location).replace(/#.*$/, '');

/** A discovery server with deliberate faults: /mismatch names another issuer, /nokeys has an empty key set, /nopkce offers only "plain". */
async function fakeDiscovery(): Promise<{
  base: string;
  close(): Promise<void>;
}> {
  let base = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('/.well-known/')[0]!;
    const doc = (issuer: string, extra: Record<string, unknown> = {}) => ({
      issuer,
      authorization_endpoint: `${base}${path}/auth`,
      token_endpoint: `${base}${path}/token`,
      jwks_uri: `${base}${path}/jwks`,
      response_types_supported: ['code'],
      ...extra,
    });
    const body =
      req.url === '/mismatch/.well-known/openid-configuration'
        ? doc('https://elsewhere.example')
        : req.url === '/nokeys/.well-known/openid-configuration'
          ? doc(`${base}/nokeys`)
          : req.url === '/nopkce/.well-known/openid-configuration'
            ? doc(`${base}/nopkce`, {
                code_challenge_methods_supported: ['plain'],
              })
            : req.url?.endsWith('/jwks')
              ? { keys: [] }
              : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const dialect of DIALECTS) {
  describe(`organisation's own OpenID Connect provider [${dialect}]`, () => {
    let t: TestApp;
    let idp: TestIdp;
    let other: TestIdp;
    let admin: ConsoleClient;
    const ids: Record<string, string> = {};

    const save = async (form: Record<string, string>) => {
      await admin.get(PAGE);
      return admin.post(PAGE, form);
    };
    const saveGood = async (extra: Record<string, string> = {}) => {
      const r = await save({
        issuer: idp.issuer,
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        label: 'Okta',
        ...extra,
      });
      expect(r.statusCode, r.body.slice(0, 600)).toBe(303);
      return r;
    };
    /** Try sign-in as `account`: returns the callback's response (in the admin's browser). */
    async function tryAs(account: string, client = admin) {
      const start = await client.get(`${PAGE}/try`, {
        'sec-fetch-site': 'same-origin',
      });
      expect(start.statusCode, start.body.slice(0, 600)).toBe(303);
      const back = await idp.signIn(String(start.headers.location), account);
      expect(back.origin + back.pathname).toBe(`https://wiggledesk.test/auth/org/${t.org.id}/callback`);
      return client.get(back.pathname + back.search);
    }
    async function signInAs(account: string) {
      const c = new ConsoleClient(t.app);
      const start = await c.get(`/auth/org/${t.org.id}/start`);
      if (start.statusCode !== 303) return { c, response: start };
      const back = await idp.signIn(String(start.headers.location), account);
      return { c, response: await c.get(back.pathname + back.search) };
    }
    async function expectRefused(account: string, reason: string, status = 403) {
      const { response } = await signInAs(account);
      expect(refusalOf(response), response.body.slice(0, 500)).toBe(reason);
      expect(response.statusCode).toBe(status);
      expect(sessionSet(response)).toBe(false);
    }
    const enable = async () => {
      await admin.get(PAGE);
      return admin.post(`${PAGE}/enable`);
    };

    beforeAll(async () => {
      idp = await startStandardIdp(
        'oidc',
        [
          {
            id: 'alice',
            label: 'alice',
            claims: {
              sub: '00u-alice',
              preferred_username: 'alice@contoso.com',
              email: 'alice@contoso.com',
              email_verified: true,
              name: 'Alice Anders',
            },
          },
          {
            id: 'bob',
            label: 'bob',
            claims: {
              sub: '00u-bob',
              preferred_username: 'bob.okta',
              email: 'Bob@Contoso.com',
              email_verified: true,
            },
          },
          {
            id: 'carol',
            label: 'carol',
            claims: {
              sub: '00u-carol',
              preferred_username: 'carol@contoso.com',
            },
          },
          {
            id: 'dave',
            label: 'dave',
            claims: { sub: '00u-dave', preferred_username: 'dave@contoso.com' },
          },
          {
            id: 'nobody',
            label: 'nobody',
            claims: {
              sub: '00u-nobody',
              preferred_username: 'nobody@contoso.com',
            },
          },
          {
            id: 'nameless',
            label: 'nameless',
            claims: {
              sub: '00u-nameless',
              email: 'x@contoso.com',
              email_verified: false,
            },
          },
        ],
        '/oauth2/default',
      );
      other = await startStandardIdp(
        'oidc',
        [
          {
            id: 'alice',
            label: 'alice',
            claims: {
              sub: 'other-alice',
              preferred_username: 'alice@contoso.com',
            },
          },
        ],
        '/other',
      );
      t = await buildTestApp(dialect, {
        env: { ALLOW_PRIVATE_TARGETS: '1', WEBHOOK_SECRET_KEY: SECRET_KEY },
      });
      idp.registerRedirectUri(`https://wiggledesk.test/auth/org/${t.org.id}/callback`);
      other.registerRedirectUri(`https://wiggledesk.test/auth/org/${t.org.id}/callback`);
      ids.alice = await scimUser(t, 'alice@contoso.com', {
        displayName: 'Alice Anders',
        emails: [{ value: 'alice@contoso.com', type: 'work', primary: true }],
      });
      ids.bob = await scimUser(t, 'bob.berg', {
        displayName: 'Bob Berg',
        emails: [{ value: 'bob@contoso.com', type: 'work' }],
      });
      ids.carol = await scimUser(t, 'carol@contoso.com', { active: false });
      ids.dave = await scimUser(t, 'dave@contoso.com');
      admin = await signedIn(t, t.org);
    });

    afterAll(async () => {
      await t?.close();
      await Promise.all([idp?.close(), other?.close()]);
    });

    it('shows the redirect URI to register, and refuses users while nothing is set up', async () => {
      const page = await admin.get(PAGE);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`value="https://wiggledesk.test/auth/org/${t.org.id}/callback"`);
      expect(page.body).toContain('Not set up');
      await expectRefused('alice', 'org_not_configured');
    });

    it('checks discovery on save, with a message the admin can act on, and stores nothing on failure', async () => {
      const base = new URL(idp.issuer).origin;
      const cases: Array<[Record<string, string>, string]> = [
        [
          {
            issuer: 'ftp://idp.example.com',
            client_id: 'x',
            client_secret: 's',
          },
          'The issuer is the https URL',
        ],
        [{ issuer: `${base}/nowhere`, client_id: 'x', client_secret: 's' }, 'answered HTTP 404'],
        [
          {
            issuer: 'http://127.0.0.1:9/closed',
            client_id: 'x',
            client_secret: 's',
          },
          'could not be reached',
        ],
        [{ issuer: `${idp.issuer}`, client_id: '', client_secret: 's' }, 'Enter the client id'],
        [{ issuer: `${idp.issuer}`, client_id: 'x', client_secret: '' }, 'Enter the client secret'],
      ];
      for (const [form, message] of cases) {
        const r = await save(form);
        expect(r.statusCode, `${JSON.stringify(form)}: ${r.body.slice(0, 300)}`).toBe(400);
        expect(r.body).toContain(message);
        expect(r.body).toContain('role="alert"');
      }
      // A document naming another issuer (OpenID Connect Discovery §4.3), and an empty key set.
      const fake = await fakeDiscovery();
      try {
        const mismatch = await save({
          issuer: `${fake.base}/mismatch`,
          client_id: 'x',
          client_secret: 's',
        });
        expect(mismatch.statusCode).toBe(400);
        expect(mismatch.body).toContain('names the issuer &quot;https://elsewhere.example&quot;');
        const noKeys = await save({
          issuer: `${fake.base}/nokeys`,
          client_id: 'x',
          client_secret: 's',
        });
        expect(noKeys.statusCode).toBe(400);
        expect(noKeys.body).toContain('holds no signing key');
        const noPkce = await save({
          issuer: `${fake.base}/nopkce`,
          client_id: 'x',
          client_secret: 's',
        });
        expect(noPkce.statusCode).toBe(400);
        expect(noPkce.body).toContain('PKCE with S256');
      } finally {
        await fake.close();
      }
      expect((await admin.get(PAGE)).body).toContain('Not set up');
    });

    it('saves the settings, never echoes the secret and stores it sealed', async () => {
      const r = await saveGood();
      expect(r.headers.location).toBe(`${PAGE}?done=saved`);
      const page = await admin.get(PAGE);
      expect(page.body).toContain('Needs a successful try');
      expect(page.body).toContain(idp.clientId);
      expect(page.body).not.toContain(idp.clientSecret);
      const rows = await sql<{
        client_secret_sealed: string;
        issuer: string;
      }>`select client_secret_sealed, issuer from org_oidc_providers`.execute(t.composition.db.db);
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]!.issuer).toBe(idp.issuer);
      expect(rows.rows[0]!.client_secret_sealed).toMatch(/^gcm1:/);
      expect(rows.rows[0]!.client_secret_sealed).not.toContain(idp.clientSecret);
    });

    it('cannot be enabled before a successful try; users stay refused', async () => {
      const r = await enable();
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('Run “Try sign-in” successfully');
      await expectRefused('alice', 'org_not_configured');
    });

    it('refuses a try started from another site', async () => {
      const r = await admin.get(`${PAGE}/try`, {
        'sec-fetch-site': 'cross-site',
      });
      expect(r.statusCode).toBe(403);
      expect(r.headers.location).toBeUndefined();
    });

    it('"Try sign-in" runs a real round trip (PKCE S256, state, nonce) and reports the claims and the user it would reach, signing nobody in', async () => {
      const start = await admin.get(`${PAGE}/try`);
      expect(start.statusCode).toBe(303);
      const url = new URL(String(start.headers.location));
      expect(url.href.startsWith(idp.issuer)).toBe(true);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(url.searchParams.get('state')).toBeTruthy();
      expect(url.searchParams.get('nonce')).toBeTruthy();
      expect(url.searchParams.get('redirect_uri')).toBe(`https://wiggledesk.test/auth/org/${t.org.id}/callback`);
      expect(admin.cookies.has(FLOW)).toBe(true);
      const back = await idp.signIn(url.href, 'alice');
      const done = await admin.get(back.pathname + back.search);
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(`${PAGE}?done=try-ok#try-result`);
      expect(sessionSet(done)).toBe(false);
      const page = await admin.get(withoutFragment(done.headers.location));
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('data-try="ok"');
      expect(page.body).toContain('data-try-match="match"');
      expect(page.body).toContain(`href="/console/users/${ids.alice}"`);
      expect(page.body).toContain('00u-alice');
      expect(page.body).toContain('Tested, not enabled');
      // The admin is still the admin (the try signed nobody in).
      expect((await admin.get('/console/sign-in-settings')).statusCode).toBe(200);
      // A try's callback cannot be replayed.
      const replay = await admin.get(back.pathname + back.search);
      expect(refusalOf(replay)).toBe('flow_missing');
    });

    it('reports an account that would reach nobody, and fails a token without usable names', async () => {
      const nobody = await tryAs('nobody');
      expect(nobody.headers.location).toBe(`${PAGE}?done=try-ok#try-result`);
      expect((await admin.get(PAGE)).body).toContain('data-try-match="not_provisioned"');
      const nameless = await tryAs('nameless');
      expect(nameless.headers.location).toBe(`${PAGE}?done=try-failed#try-result`);
      const page = await admin.get(PAGE);
      expect(page.body).toContain('data-try-error="no_names"');
      expect(page.body).toContain('Needs a successful try');
      expect((await enable()).statusCode).toBe(400);
    });

    it('after a successful try it is enabled, and users sign in; the existing rules refuse the rest', async () => {
      expect((await tryAs('alice')).headers.location).toBe(`${PAGE}?done=try-ok#try-result`);
      const r = await enable();
      expect(r.statusCode, r.body.slice(0, 400)).toBe(303);
      const page = await admin.get(PAGE);
      expect(page.body).toContain(`value="https://wiggledesk.test/auth/org/${t.org.id}/start"`);

      const { c, response } = await signInAs('alice');
      expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
      expect(response.headers.location).toBe('/console/home');
      expect(sessionSet(response)).toBe(true);
      const home = await c.get('/console/home');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('Alice Anders');

      // The sign-in page offers the organisation's button (with `next`) only now that it is enabled.
      expect(page.body).toContain(`value="https://wiggledesk.test/console/login?org=${t.org.id}"`);
      const login = await new ConsoleClient(t.app).get(`/console/login?org=${t.org.id}&next=%2Fconsole%2Fusers`);
      expect(login.body).toContain(`href="/auth/org/${t.org.id}/start?next=%2Fconsole%2Fusers"`);
      expect(login.body).toContain('Sign in with Okta');

      // A work email matches (userName bob.berg, token email Bob@Contoso.com).
      expect((await signInAs('bob')).response.headers.location).toBe('/console/home');
      await expectRefused('carol', 'inactive');
      await expectRefused('nobody', 'not_provisioned');
      // Deprovisioning ends access at once: dave signs in, is deactivated, is refused.
      const dave = await signInAs('dave');
      expect(dave.response.headers.location).toBe('/console/home');
      const patched = await t.scim.patch(`/Users/${ids.dave}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      expect(patched.statusCode).toBe(200);
      expect((await dave.c.get('/console/home')).statusCode).toBe(303);
      await expectRefused('dave', 'inactive');
      const deleted = await t.scim.delete(`/Users/${ids.dave}`);
      expect(deleted.statusCode).toBe(204);
      await expectRefused('dave', 'deleted');

      // The sign-in log (issue #17) has each of them, newest first, as the organisation's provider.
      const log = await admin.get('/console/sign-ins?size=25');
      const codes = [...log.body.matchAll(/<span class="mono small">([^<]+)<\/span>/g)].map((m) => m[1]);
      expect(codes.slice(0, 7)).toEqual(['sso/deleted', 'sso/inactive', 'sso/signed_in', 'sso/not_provisioned', 'sso/inactive', 'sso/signed_in', 'sso/signed_in']);
      expect(log.body).toContain('Your OpenID Connect provider');
    });

    it('refuses a changed state and a callback in a browser that did not start the flow', async () => {
      const c = new ConsoleClient(t.app);
      const start = await c.get(`/auth/org/${t.org.id}/start`);
      const back = await idp.signIn(String(start.headers.location), 'alice');
      const stranger = await new ConsoleClient(t.app).get(back.pathname + back.search);
      expect(refusalOf(stranger)).toBe('flow_missing');
      back.searchParams.set('state', 'tampered');
      const tampered = await c.get(back.pathname + back.search);
      expect(refusalOf(tampered)).toBe('state');
      expect(sessionSet(tampered)).toBe(false);
    });

    it('a new secret disables it until a new try succeeds; a wrong secret fails the try with the reason', async () => {
      const r = await saveGood({ client_secret: 'not-the-secret' });
      expect(r.headers.location).toBe(`${PAGE}?done=saved`);
      expect((await admin.get(PAGE)).body).toContain('Needs a successful try');
      await expectRefused('alice', 'org_not_configured');
      const failed = await tryAs('alice');
      expect(failed.headers.location).toBe(`${PAGE}?done=try-failed#try-result`);
      const page = await admin.get(PAGE);
      expect(page.body).toContain('data-try-error="invalid"');
      expect(page.body).toContain('invalid_client');
      expect((await enable()).statusCode).toBe(400);
      // The right secret again, a try, enable: alice is back (her remembered subject kept: same issuer).
      await saveGood();
      expect((await tryAs('alice')).headers.location).toBe(`${PAGE}?done=try-ok#try-result`);
      expect((await enable()).statusCode).toBe(303);
      expect((await signInAs('alice')).response.headers.location).toBe('/console/home');
    });

    it('a label-only change keeps it enabled; a new issuer needs a try and forgets remembered sign-ins', async () => {
      const label = await saveGood({
        client_secret: '',
        label: 'Contoso Okta',
      });
      expect(label.headers.location).toBe(`${PAGE}?done=saved-label`);
      expect((await admin.get(PAGE)).body).toContain('Sign-in link for your users');
      const linked = await sql<{
        n: number;
      }>`select count(*) as n from sign_in_identities where provider = 'org_oidc'`.execute(t.composition.db.db);
      expect(Number(linked.rows[0]!.n)).toBeGreaterThan(0);

      const moved = await save({
        issuer: other.issuer,
        client_id: other.clientId,
        client_secret: other.clientSecret,
        label: 'Other',
      });
      expect(moved.headers.location).toBe(`${PAGE}?done=saved`);
      const after = await sql<{
        n: number;
      }>`select count(*) as n from sign_in_identities where provider = 'org_oidc'`.execute(t.composition.db.db);
      expect(Number(after.rows[0]!.n)).toBe(0);
      await expectRefused('alice', 'org_not_configured');
      // Back to the first provider for the remaining tests.
      await saveGood();
      expect((await tryAs('alice')).headers.location).toBe(`${PAGE}?done=try-ok#try-result`);
      expect((await enable()).statusCode).toBe(303);
    });

    it('is for admins only, needs the CSRF token, and is per organisation', async () => {
      const user = await signedIn(t, t.org, 'user');
      expect((await user.get(PAGE)).statusCode).toBe(403);
      expect((await user.get(`${PAGE}/try`)).statusCode).toBe(403);
      await admin.get(PAGE);
      expect((await admin.post(`${PAGE}/disable`, {}, { csrf: false })).statusCode).toBe(403);
      expect((await admin.post(PAGE, { issuer: idp.issuer, client_id: 'x', client_secret: 'y' }, { headers: { 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(403);

      // Another organisation sees none of it and cannot sign in with it.
      const b = await t.newTenant('Fabrikam');
      const bAdmin = await signedIn(t, b.org);
      const bPage = await bAdmin.get(PAGE);
      expect(bPage.body).toContain('Not set up');
      expect(bPage.body).not.toContain(idp.clientId);
      const bStart = await new ConsoleClient(t.app).get(`/auth/org/${b.org.id}/start`);
      expect(refusalOf(bStart)).toBe('org_not_configured');
      // A flow started for A, brought back to B's callback, does not exist there.
      const c = new ConsoleClient(t.app);
      const start = await c.get(`/auth/org/${t.org.id}/start`);
      const back = await idp.signIn(String(start.headers.location), 'alice');
      const crossed = await c.get(`/auth/org/${b.org.id}/callback${back.search}`);
      expect(refusalOf(crossed)).toBe('flow_missing');
      expect(refusalOf(await new ConsoleClient(t.app).get('/auth/org/no-such-org/start'))).toBe('unknown_provider');
    });

    it('does not keep a try whose settings changed while it was under way', async () => {
      const start = await admin.get(`${PAGE}/try`);
      const back = await idp.signIn(String(start.headers.location), 'alice');
      await saveGood(); // a secret entered again is a new configuration
      const late = await admin.get(back.pathname + back.search);
      expect(late.headers.location).toBe(`${PAGE}?done=try-stale#try-result`);
      const page = await admin.get(withoutFragment(late.headers.location));
      expect(page.body).toContain('its result was not kept');
      expect(page.body).toContain('Needs a successful try');
      expect((await tryAs('alice')).headers.location).toBe(`${PAGE}?done=try-ok#try-result`);
      expect((await enable()).statusCode).toBe(303);
    });

    it('says what to do when the stored secret cannot be unsealed (WEBHOOK_SECRET_KEY changed), and never answers 500', async () => {
      await sql`update org_oidc_providers set client_secret_sealed = ${'gcm1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA'}`.execute(t.composition.db.db);
      const tried = await admin.get(`${PAGE}/try`);
      expect(tried.statusCode).toBe(502);
      expect(tried.body).toContain('Enter the client secret again');
      await expectRefused('alice', 'unavailable', 503);
      await saveGood();
      expect((await tryAs('alice')).headers.location).toBe(`${PAGE}?done=try-ok#try-result`);
      expect((await enable()).statusCode).toBe(303);
      expect((await signInAs('alice')).response.headers.location).toBe('/console/home');
    });

    it('disable and remove end new sign-ins', async () => {
      await admin.get(PAGE);
      expect((await admin.post(`${PAGE}/disable`)).headers.location).toBe(`${PAGE}?done=disabled`);
      await expectRefused('alice', 'org_not_configured');
      const login = await new ConsoleClient(t.app).get(`/console/login?org=${t.org.id}`);
      expect(login.statusCode).toBe(200);
      expect(login.body).not.toContain(`/auth/org/${t.org.id}/start`);
      await admin.get(PAGE);
      expect((await admin.post(`${PAGE}/remove`)).headers.location).toBe(`${PAGE}?done=removed`);
      expect((await admin.get(PAGE)).body).toContain('Not set up');
      const rows = await sql<{
        n: number;
      }>`select count(*) as n from org_oidc_providers`.execute(t.composition.db.db);
      expect(Number(rows.rows[0]!.n)).toBe(0);
      await expectRefused('alice', 'org_not_configured');
    });
  });
}

describe('the outbound guard applies to discovery', () => {
  it('refuses a loopback issuer when private targets are not allowed, saying why', async () => {
    const t = await buildTestApp('sqlite');
    try {
      const admin = await signedIn(t, t.org);
      await admin.get(PAGE);
      const r = await admin.post(PAGE, {
        issuer: 'https://127.0.0.1:9/realms/x',
        client_id: 'x',
        client_secret: 's',
      });
      expect(r.statusCode).toBe(400);
      expect(r.body).toContain('only to https addresses on the public internet');
      const http = await admin.post(PAGE, {
        issuer: 'http://idp.example.com',
        client_id: 'x',
        client_secret: 's',
      });
      expect(http.statusCode).toBe(400);
      expect(http.body).toContain('The issuer is the https URL');
    } finally {
      await t.close();
    }
  });
});
