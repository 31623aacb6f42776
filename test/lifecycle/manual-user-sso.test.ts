// Manual users (added by an admin in the console, not over SCIM) sign in with Microsoft/Google SSO
// when their verified email matches and the organisation's binding allows it (issue #14).
// Black-box over app.inject against the in-process OpenID providers (test/support/oidc-provider),
// modelled on test/http/sso.test.ts; every refusal asserts its sso/<reason> code and that no
// session was started.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { googleAccount, startMicrosoftIdp, startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import { ConsoleClient, signedIn } from '../http/console-client.js';
import { fakeDns, GLOBAL_ADMIN, proofCallbackUri, proveBySignIn, proveDomain } from '../support/bindings.js';

const SESSION = '__Host-wd_session';
const CONTOSO_TID = 'c0a1c0a1-0000-4000-8000-000000000001';
const NORTHWIND_TID = '10a7d000-0000-4000-8000-000000000003';
const ELSEWHERE_TID = '99999999-0000-4000-8000-000000000009';

const oid = (n: number) => `0b1d0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const msAccount = (id: string, n: number, preferredUsername: string, wids?: string[]) => ({ id, oid: oid(n), preferredUsername, name: id, ...(wids ? { wids } : {}) });
/** Each tenant's Global Administrator, who proves the binding (issue #18). */
const TENANT_ADMIN: Record<string, string> = { [CONTOSO_TID]: 'contoso-admin', [ELSEWHERE_TID]: 'elsewhere-admin' };

for (const dialect of DIALECTS) {
  describe(`manual users sign in with SSO (issue #14) [${dialect}]`, () => {
    let t: TestApp;
    let ms: TestIdp;
    let google: TestIdp;
    let admin: ConsoleClient;
    const ids: Record<string, string> = {};
    const dns = fakeDns();

    const refusalOf = (r: LightMyRequestResponse) => /data-refusal="([a-z_]+)"/.exec(r.body)?.[1];
    const sessionSet = (r: LightMyRequestResponse) => ([] as string[]).concat(r.headers['set-cookie'] ?? []).some((l) => l.startsWith(`${SESSION}=`) && !/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(l));

    /** Start → provider (as `account`) → callback, in a fresh browser. */
    async function sso(idp: TestIdp, account: string) {
      const c = new ConsoleClient(t.app);
      const start = await c.get(`/auth/${idp.kind}/start`);
      expect(start.statusCode, start.body.slice(0, 300)).toBe(303);
      const back = await idp.signIn(String(start.headers.location), account);
      return { c, response: await c.get(back.pathname + back.search) };
    }

    async function signsInToHome(idp: TestIdp, account: string, name: string) {
      const { c, response } = await sso(idp, account);
      expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
      expect(response.headers.location).toBe('/console/home');
      expect(sessionSet(response)).toBe(true);
      const home = await c.get('/console/home');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain(`Welcome, ${name}`);
    }

    async function expectRefused(idp: TestIdp, account: string, reason: string) {
      const { response } = await sso(idp, account);
      expect(refusalOf(response), response.body.slice(0, 400)).toBe(reason);
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain(`sso/${reason}`);
      expect(sessionSet(response)).toBe(false);
    }

    /** Adds a manual user through the console's Add user form; returns its id. */
    async function addManual(client: ConsoleClient, name: string, email: string) {
      await client.get('/console/users/new');
      const r = await client.post('/console/users/new', { name, email });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(303);
      return String(r.headers.location).split('/').pop()!.split('?')[0]!;
    }

    /** Binds with proof (issue #18): a tenant admin's sign-in, or a DNS TXT record for a domain. */
    async function bind(client: ConsoleClient, provider: string, value: string) {
      const r = provider === 'google' ? await proveDomain(client, dns, value) : await proveBySignIn(client, ms, TENANT_ADMIN[value]!);
      expect(r.statusCode, r.body.slice(0, 300)).toBe(303);
      expect(r.headers.location).toMatch(/done=binding-verified/);
    }

    beforeAll(async () => {
      ms = await startMicrosoftIdp([
        {
          tid: CONTOSO_TID,
          name: 'Contoso',
          accounts: [
            msAccount('maria', 1, 'Maria.Manual@contoso.com'),
            msAccount('sven', 2, 'sven@contoso.com'),
            msAccount('dora', 3, 'dora@contoso.com'),
            msAccount('ulla', 4, 'ulla@contoso.com'),
            msAccount('dina', 5, 'dina@contoso.com'),
            msAccount('contoso-admin', 6, 'admin@contoso.com', [GLOBAL_ADMIN]),
          ],
        },
        { tid: ELSEWHERE_TID, name: 'Elsewhere', accounts: [msAccount('elsewhere-admin', 21, 'admin@elsewhere.test', [GLOBAL_ADMIN])] },
        // Northwind's own tenant; its WiggleDesk organisation has bound nothing (or Google only).
        { tid: NORTHWIND_TID, name: 'Northwind', accounts: [msAccount('nina', 11, 'nina@northwind.test'), msAccount('nils', 12, 'nils@fabrikam.test')] },
      ]);
      google = await startStandardIdp('google', [
        googleAccount('gw-gina', 'gina@contoso.com', { hd: 'contoso.com' }),
        googleAccount('gw-gina-unverified', 'gina@contoso.com', { hd: 'contoso.com', verified: false }),
        googleAccount('gw-nina', 'nina@northwind.test', { hd: 'northwind.test' }),
      ]);
      for (const idp of [ms, google]) idp.registerRedirectUri(`https://wiggledesk.test/auth/${idp.kind}/callback`);
      ms.registerRedirectUri(proofCallbackUri('microsoft'));
      t = await buildTestApp(dialect, { env: { ...ms.env(), ...google.env() }, txtResolver: dns.resolver });

      // Contoso: manual users only, bound to its Entra tenant and its Workspace domain.
      admin = await signedIn(t, t.org);
      ids.maria = await addManual(admin, 'Maria Manual', 'maria.manual@contoso.com');
      ids.gina = await addManual(admin, 'Gina Google', 'gina@contoso.com');
      ids.sven = await addManual(admin, 'Sven Suspended', 'sven@contoso.com');
      ids.dora = await addManual(admin, 'Dora Deleted', 'dora@contoso.com');
      ids.ulla = await addManual(admin, 'Ulla Unlinked', 'ulla@contoso.com');
      ids.dina = await addManual(admin, 'Dina Deleted', 'dina@contoso.com');
      await bind(admin, 'microsoft', CONTOSO_TID);
      await bind(admin, 'google', 'contoso.com');

      // Northwind: a manual user, no Microsoft binding and no Google binding.
      const northwind = await t.newTenant('Northwind');
      const nwAdmin = await signedIn(t, northwind.org);
      await addManual(nwAdmin, 'Nina Nobinding', 'nina@northwind.test');
      // Fabrikam: a manual user, bound to Contoso's tenant only — not to Northwind's.
      const fabrikam = await t.newTenant('Fabrikam');
      const fbAdmin = await signedIn(t, fabrikam.org);
      await addManual(fbAdmin, 'Nils Elsewhere', 'nils@fabrikam.test');
      await bind(fbAdmin, 'microsoft', ELSEWHERE_TID);
    });

    afterAll(async () => {
      await t?.close();
      await Promise.all([ms?.close(), google?.close()]);
    });

    it('Microsoft: a manual user whose email matches preferred_username (any case) lands on their Home', async () => {
      await signsInToHome(ms, 'maria', 'Maria Manual');
      // Again: now by the linked subject.
      await signsInToHome(ms, 'maria', 'Maria Manual');
    });

    it('Google: a manual user with a verified email in the bound hd domain lands on their Home; unverified is refused', async () => {
      await signsInToHome(google, 'gw-gina', 'Gina Google');
      await expectRefused(google, 'gw-gina-unverified', 'unverified_email');
    });

    it('refuses a manual user whose organisation has no binding for the tenant or domain', async () => {
      await expectRefused(ms, 'nina', 'org_not_configured');
      await expectRefused(google, 'gw-nina', 'org_not_configured');
      // Bound, but to another tenant than the one the token comes from.
      await expectRefused(ms, 'nils', 'wrong_tenant');
    });

    it('refuses a suspended (active:false) manual user, before and after they first signed in', async () => {
      await admin.get(`/console/users/${ids.sven}`);
      expect((await admin.post(`/console/users/${ids.sven}/deactivate`)).statusCode).toBe(303);
      await expectRefused(ms, 'sven', 'inactive');

      await signsInToHome(ms, 'ulla', 'Ulla Unlinked');
      await admin.get(`/console/users/${ids.ulla}`);
      expect((await admin.post(`/console/users/${ids.ulla}/deactivate`)).statusCode).toBe(303);
      await expectRefused(ms, 'ulla', 'inactive');
    });

    it('refuses a soft-deleted manual user, before and after they first signed in', async () => {
      await admin.get(`/console/users/${ids.dina}`);
      expect((await admin.post(`/console/users/${ids.dina}/delete`)).statusCode).toBe(303);
      // Never linked: a soft-deleted user is no longer a sign-in candidate.
      await expectRefused(ms, 'dina', 'not_provisioned');

      await signsInToHome(ms, 'dora', 'Dora Deleted');
      await admin.get(`/console/users/${ids.dora}`);
      const del = await admin.post(`/console/users/${ids.dora}/delete`);
      expect(del.statusCode, del.body.slice(0, 300)).toBe(303);
      expect(del.headers.location).toBe('/console/deleted-users?done=deleted');
      await expectRefused(ms, 'dora', 'deleted');
    });
  });
}
