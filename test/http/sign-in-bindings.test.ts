// Proven, exclusive sign-in bindings (issue #18 part D), over HTTP against the real app and the
// in-process OpenID providers (test/support/oidc-provider), with an injected DNS resolver (no real
// DNS) and an injected clock (the operator's grace period, no sleeps):
//  - a Google Workspace domain is bound only once `_wiggledesk-challenge.<domain>` carries the
//    organisation's token; a Microsoft tenant only through a sign-in of that tenant's admin (wids);
//  - one value, one organisation: a second claim is refused with the support message, also when
//    two claims race (the UNIQUE index decides), and a proof displaces only an unproven binding;
//  - bindings made before proofs existed are unverified: they route sign-ins, with a banner, until
//    the grace period ends; conflicting duplicates never route;
//  - links follow the binding: removing or moving a binding ends the links (and SSO sessions)
//    that came through it; admins see and remove their users' links;
//  - the operator's `binding move` is logged in both organisations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, USER_SCHEMA, type TestApp } from '../support/test-app.js';
import { googleAccount, startMicrosoftIdp, startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import { ConsoleClient, scimUser, signedIn } from './console-client.js';
import { fakeDns, GLOBAL_ADMIN, proofCallbackUri, proveBySignIn, proveDomain } from '../support/bindings.js';
import type { Organization } from '../../src/domain/organization.js';

const CONTOSO_TID = 'c0a1c0a1-0000-4000-8000-0000000000b1';
const FABRIKAM_TID = 'fab00000-0000-4000-8000-0000000000b2';
const LEGACY_TID = '1e6ac000-0000-4000-8000-0000000000b3';
const CLOUD_APP_ADMIN = '158c047a-c907-4556-b7ef-446551a6b5f7';
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1'; // User Administrator: not enough to bind
const DAY = 86_400_000;

const oid = (n: number) => `0b1d0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const acct = (id: string, n: number, upn: string, wids?: string[]) => ({ id, oid: oid(n), preferredUsername: upn, name: id, ...(wids ? { wids } : {}) });

for (const dialect of DIALECTS) {
  describe(`proven, exclusive sign-in bindings [${dialect}]`, () => {
    let t: TestApp;
    let ms: TestIdp;
    let google: TestIdp;
    let admin: ConsoleClient;
    let clock = Date.parse('2026-03-01T09:00:00.000Z');
    const dns = fakeDns();
    const db = () => t.composition.db.db as unknown as Kysely<Record<string, Record<string, unknown>>>;

    const refusalOf = (r: LightMyRequestResponse) => /data-refusal="([a-z_]+)"/.exec(r.body)?.[1];
    async function sso(idp: TestIdp, account: string) {
      const c = new ConsoleClient(t.app);
      const start = await c.get(`/auth/${idp.kind}/start`);
      expect(start.statusCode, start.body.slice(0, 300)).toBe(303);
      const back = await idp.signIn(String(start.headers.location), account);
      return { c, response: await c.get(back.pathname + back.search) };
    }
    async function signsIn(idp: TestIdp, account: string) {
      const { c, response } = await sso(idp, account);
      expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
      expect(response.headers.location).toBe('/console/home');
      return c;
    }
    async function refused(idp: TestIdp, account: string, reason: string) {
      const { response } = await sso(idp, account);
      expect(refusalOf(response), response.body.slice(0, 400)).toBe(reason);
    }
    /** A binding as a deployed database holds it after migration 0015: made without proof. */
    async function legacyBinding(org: Organization, provider: string, value: string, status: 'unverified' | 'conflict' = 'unverified', since = new Date(clock).toISOString()) {
      await sql`insert into sign_in_bindings (tenant_id, provider, value, created_at, created_by, status, unverified_since) values (${org.id}, ${provider}, ${value}, ${since}, ${'legacy'}, ${status}, ${since})`.execute(db());
    }
    const activity = async (org: Organization) =>
      (await t.services.platform.forTenant(org.id).activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 100 })).map((e) => ({ ...e, summary: JSON.parse(e.summary ?? '{}') as Record<string, unknown> }));

    beforeAll(async () => {
      ms = await startMicrosoftIdp([
        {
          tid: CONTOSO_TID,
          name: 'Contoso',
          accounts: [
            acct('c-admin', 1, 'admin@contoso.com', [GLOBAL_ADMIN]),
            acct('c-useradmin', 2, 'helpdesk@contoso.com', [USER_ADMIN]),
            acct('c-alice', 3, 'alice@contoso.com'),
            acct('c-bob', 4, 'bob@contoso.com'),
          ],
        },
        { tid: FABRIKAM_TID, name: 'Fabrikam', accounts: [acct('f-admin', 11, 'admin@fabrikam.test', [CLOUD_APP_ADMIN]), acct('f-fred', 12, 'fred@fabrikam.test')] },
        { tid: LEGACY_TID, name: 'Legacy', accounts: [acct('l-admin', 21, 'admin@legacy.test', [GLOBAL_ADMIN]), acct('l-lena', 22, 'lena@legacy.test')] },
      ]);
      google = await startStandardIdp('google', [googleAccount('gw-gina', 'gina@contoso.com', { hd: 'contoso.com' })]);
      for (const idp of [ms, google]) idp.registerRedirectUri(`https://wiggledesk.test/auth/${idp.kind}/callback`);
      ms.registerRedirectUri(proofCallbackUri('microsoft'));
      t = await buildTestApp(dialect, { env: { ...ms.env(), ...google.env(), SSO_UNVERIFIED_BINDING_GRACE_DAYS: '30' }, txtResolver: dns.resolver, now: () => clock });
      admin = await signedIn(t, t.org);
      for (const name of ['alice@contoso.com', 'bob@contoso.com', 'gina@contoso.com']) await scimUser(t, name);
    });

    afterAll(async () => {
      await t?.close();
      await Promise.all([ms?.close(), google?.close()]);
    });

    it('binds a Google Workspace domain only once the DNS TXT record carries the organisation\'s token', async () => {
      await refused(google, 'gw-gina', 'org_not_configured');
      // Asked, not yet published: nothing is bound; the page says what was (not) found.
      const notYet = await proveDomain(admin, dns, 'Contoso.com', { publish: false });
      expect(notYet.statusCode).toBe(200);
      expect(notYet.body).toContain('No TXT record at _wiggledesk-challenge.contoso.com yet');
      // Someone else's token (or a stale one) at the name does not count.
      dns.publish('_wiggledesk-challenge.contoso.com', 'wiggledesk-verification=not-this-organisations-token');
      const wrong = await admin.post('/console/sign-in-settings/bindings/check', { provider: 'google', value: 'contoso.com' });
      expect(wrong.body).toContain('do not include');
      // A failing name server is a message, not an error page, and binds nothing.
      dns.failNext('ETIMEOUT');
      const down = await admin.post('/console/sign-in-settings/bindings/check', { provider: 'google', value: 'contoso.com' });
      expect(down.statusCode).toBe(200);
      expect(down.body).toContain('The DNS look-up of _wiggledesk-challenge.contoso.com failed (ETIMEOUT)');
      await refused(google, 'gw-gina', 'org_not_configured');
      expect(dns.lookups.every((n) => n === '_wiggledesk-challenge.contoso.com')).toBe(true);

      const ok = await proveDomain(admin, dns, 'contoso.com');
      expect(ok.statusCode, ok.body.slice(0, 300)).toBe(303);
      expect(ok.headers.location).toBe('/console/sign-in-settings?done=binding-verified');
      const page = await admin.get('/console/sign-in-settings');
      expect(page.body).toContain('DNS record');
      expect(page.body).not.toContain('data-challenge="contoso.com"');
      await signsIn(google, 'gw-gina');
      const log = await activity(t.org);
      expect(log.find((e) => e.summary.event === 'binding_verified')?.summary).toMatchObject({ provider: 'google', value: 'contoso.com', method: 'dns_txt' });
    });

    it('refuses a second organisation\'s claim on a proven domain with the support message, before any challenge', async () => {
      const other = await t.newTenant('Domain Squatter');
      const squatter = await signedIn(t, other.org);
      await squatter.get('/console/sign-in-settings');
      const r = await squatter.post('/console/sign-in-settings/bindings', { provider: 'google', value: 'contoso.com' });
      expect(r.statusCode).toBe(409);
      expect(r.body).toContain('already bound to another WiggleDesk organisation');
      expect(r.body).toContain('support@wiggledesk.com');
      expect((await squatter.get('/console/sign-in-settings')).body).not.toContain('_wiggledesk-challenge.contoso.com');
    });

    it('binds a Microsoft tenant through a sign-in of that tenant\'s admin: the token\'s tid, only with an admin role', async () => {
      await refused(ms, 'c-alice', 'org_not_configured');
      const helpdesk = await proveBySignIn(admin, ms, 'c-useradmin');
      expect(helpdesk.statusCode).toBe(403);
      expect(helpdesk.body).toContain('helpdesk@contoso.com holds none of the Entra roles');
      const plain = await proveBySignIn(admin, ms, 'c-alice');
      expect(plain.statusCode).toBe(403);
      await refused(ms, 'c-alice', 'org_not_configured');

      const ok = await proveBySignIn(admin, ms, 'c-admin');
      expect(ok.headers.location).toBe('/console/sign-in-settings?done=binding-verified');
      const page = await admin.get('/console/sign-in-settings');
      expect(page.body).toContain(CONTOSO_TID);
      expect(page.body).toContain('Microsoft admin sign-in (admin@contoso.com)');
      await signsIn(ms, 'c-alice');
      const refusal = (await activity(t.org)).find((e) => e.summary.event === 'binding_refused');
      expect(refusal).toMatchObject({ status: 403, summary: { reason: 'not_an_entra_admin', value: CONTOSO_TID } });
    });

    it('ties a proof to the admin and browser that started it, once', async () => {
      await admin.get('/console/sign-in-settings');
      const start = await admin.get(`/console/sign-in-settings/verify/microsoft?_csrf=${encodeURIComponent(admin.csrf!)}`);
      expect(start.statusCode).toBe(303);
      const back = await ms.signIn(String(start.headers.location), 'c-admin');
      // Another admin of the same organisation (another browser) cannot finish it.
      const second = await signedIn(t, t.org);
      const stolen = await second.get(back.pathname + back.search);
      expect(stolen.statusCode).toBe(400);
      expect(stolen.body).toContain('not started in this browser');
      // Without the CSRF token, nothing starts.
      const forged = await admin.get('/console/sign-in-settings/verify/microsoft');
      expect(forged.statusCode).toBe(403);
      expect(forged.headers.location).toBeUndefined();
    });

    it('one value, one organisation: of two organisations proving the same domain at once, exactly one wins', async () => {
      const a = await t.newTenant('Racer A');
      const b = await t.newTenant('Racer B');
      const [ca, cb] = [await signedIn(t, a.org), await signedIn(t, b.org)];
      for (const c of [ca, cb]) {
        await c.get('/console/sign-in-settings');
        expect((await c.post('/console/sign-in-settings/bindings', { provider: 'google', value: 'race.test' })).statusCode).toBe(303);
        const token = /value="(wiggledesk-verification=[^"]+)"/.exec((await c.get('/console/sign-in-settings')).body)?.[1];
        dns.publish('_wiggledesk-challenge.race.test', token!);
      }
      const results = await Promise.all([ca, cb].map((c) => c.post('/console/sign-in-settings/bindings/check', { provider: 'google', value: 'race.test' })));
      expect(results.map((r) => r.statusCode).sort()).toEqual([303, 409]);
      expect(results.find((r) => r.statusCode === 409)!.body).toContain('support@wiggledesk.com');
      const holders = await sql<{ tenant_id: string; status: string }>`select tenant_id, status from sign_in_bindings where provider = 'google' and value = 'race.test'`.execute(db());
      expect(holders.rows).toHaveLength(1);
      expect(holders.rows[0]!.status).toBe('verified');
      // The database itself refuses a second holder.
      const loser = holders.rows[0]!.tenant_id === a.org.id ? b.org : a.org;
      await expect(legacyBinding(loser, 'google', 'race.test')).rejects.toThrow(/unique|duplicate/i);
    });

    it('an unproven binding keeps working with a banner until the grace period ends; a conflicting duplicate never routes', async () => {
      const legacy = await t.newTenant('Legacy Org');
      const dup = await t.newTenant('Duplicate Org');
      await legacyBinding(legacy.org, 'microsoft', LEGACY_TID);
      await legacyBinding(dup.org, 'microsoft', LEGACY_TID, 'conflict');
      await legacy.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'lena@legacy.test', active: true });
      await dup.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'lena@legacy.test', active: true });
      const legacyAdmin = await signedIn(t, legacy.org);
      const dupAdmin = await signedIn(t, dup.org);

      // Routes to the unverified holder only (not ambiguous: the conflict does not count).
      const lena = await signsIn(ms, 'l-lena');
      expect((await lena.get('/console/home')).body).toContain('Legacy Org');
      const dash = await legacyAdmin.get('/console');
      expect(dash.body).toContain('data-banner="unverified"');
      expect(dash.body).toContain('2026-03-31');
      const settings = await legacyAdmin.get('/console/sign-in-settings');
      expect(settings.body).toContain('Unverified');
      expect((await dupAdmin.get('/console')).body).toContain('data-banner="conflict"');
      // A verified organisation sees no banner.
      expect((await admin.get('/console')).body).not.toContain('data-banner=');

      clock += 31 * DAY;
      // No organisation routes the tenant now; Lena's organisation has no working Microsoft binding.
      await refused(ms, 'l-lena', 'org_not_configured');
      expect((await legacyAdmin.get('/console')).body).toContain('Its grace period has ended');

      // The holder proves it: routing resumes, the banner goes.
      const proven = await proveBySignIn(legacyAdmin, ms, 'l-admin');
      expect(proven.headers.location).toBe('/console/sign-in-settings?done=binding-reverified');
      await signsIn(ms, 'l-lena');
      expect((await legacyAdmin.get('/console')).body).not.toContain('data-banner="unverified"');
    });

    it('a proof displaces an unproven holder, whose links through the value end', async () => {
      const squatter = await t.newTenant('Early Squatter');
      const owner = await t.newTenant('Fabrikam');
      await legacyBinding(squatter.org, 'microsoft', FABRIKAM_TID);
      await squatter.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'fred@fabrikam.test', active: true });
      await owner.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'fred@fabrikam.test', active: true });
      // Before: the squatter captured fred (linked, signed in).
      const captured = await signsIn(ms, 'f-fred');
      expect((await captured.get('/console/home')).body).toContain('Early Squatter');

      const ownerAdmin = await signedIn(t, owner.org);
      const r = await proveBySignIn(ownerAdmin, ms, 'f-admin');
      expect(r.headers.location).toBe('/console/sign-in-settings?done=binding-verified-displaced');
      // The captured session ended with the link; fred now signs in to the owner.
      expect((await captured.get('/console/home')).statusCode).toBe(303);
      const fred = await signsIn(ms, 'f-fred');
      expect((await fred.get('/console/home')).body).toContain('Fabrikam');
      const links = await sql<{ n: number }>`select count(*) as n from sign_in_identities where tenant_id = ${squatter.org.id}`.execute(db());
      expect(Number(links.rows[0]!.n)).toBe(0);
      const squatterAdmin = await signedIn(t, squatter.org);
      expect((await squatterAdmin.get('/console/sign-in-settings')).body).toContain('Conflict');
      expect((await activity(squatter.org)).some((e) => e.summary.event === 'binding_displaced')).toBe(true);
      // And the squatter cannot take it back: the binding is proven now.
      const back = await proveBySignIn(squatterAdmin, ms, 'f-admin');
      expect(back.statusCode).toBe(409);
    });

    it('admins see their users\' links and remove one: the link and that user\'s SSO sessions end', async () => {
      const bob = await signsIn(ms, 'c-bob');
      const page = await admin.get('/console/sign-in-settings/links');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('bob@contoso.com');
      expect(page.body).toContain(CONTOSO_TID);
      expect(page.body).toContain('aria-label="Remove the linked sign-in of bob@contoso.com"');
      expect(page.body).toContain(`value="${CONTOSO_TID}/${oid(4)}"`);
      const r = await admin.post('/console/sign-in-settings/links/remove', { provider: 'microsoft', subject: `${CONTOSO_TID}/${oid(4)}` });
      expect(r.headers.location).toBe('/console/sign-in-settings/links?done=link-removed');
      expect((await bob.get('/console/home')).statusCode).toBe(303);
      expect((await admin.get('/console/sign-in-settings/links')).body).not.toContain('bob@contoso.com');
      // Another organisation's admin cannot remove this organisation's links.
      const alice = await signsIn(ms, 'c-alice');
      const other = await t.newTenant('Neighbour');
      const neighbour = await signedIn(t, other.org);
      await neighbour.get('/console/sign-in-settings/links');
      const cross = await neighbour.post('/console/sign-in-settings/links/remove', { provider: 'microsoft', subject: `${CONTOSO_TID}/${oid(3)}` });
      expect(cross.statusCode).toBe(404);
      expect((await alice.get('/console/home')).statusCode).toBe(200);
    });

    it('removing a binding ends the links and SSO sessions that came through it', async () => {
      const alice = await signsIn(ms, 'c-alice');
      await admin.get('/console/sign-in-settings');
      const r = await admin.post('/console/sign-in-settings/bindings/remove', { provider: 'microsoft', value: CONTOSO_TID });
      expect(r.headers.location).toBe('/console/sign-in-settings?done=binding-removed');
      expect((await alice.get('/console/home')).statusCode).toBe(303);
      await refused(ms, 'c-alice', 'org_not_configured');
      const left = await sql<{ n: number }>`select count(*) as n from sign_in_identities where tenant_id = ${t.org.id} and provider = 'microsoft'`.execute(db());
      expect(Number(left.rows[0]!.n)).toBe(0);
      // Google links (another binding) are untouched: gina still has hers.
      const gina = await sql<{ n: number }>`select count(*) as n from sign_in_identities where tenant_id = ${t.org.id} and provider = 'google'`.execute(db());
      expect(Number(gina.rows[0]!.n)).toBe(1);
    });

    it('the operator moves a binding: the links follow it, and both organisations\' activity logs say so', async () => {
      expect((await proveBySignIn(admin, ms, 'c-admin')).headers.location).toBe('/console/sign-in-settings?done=binding-verified');
      const alice = await signsIn(ms, 'c-alice');
      const target = await t.newTenant('Contoso Holdings');
      await target.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'alice@contoso.com', active: true });
      const moved = await t.services.bindings.move('microsoft', CONTOSO_TID.toUpperCase(), 'Contoso Holdings', 'cli:ops', 'ticket T-18');
      expect(moved).toMatchObject({ provider: 'microsoft', value: CONTOSO_TID, from: t.org.id, to: target.org.id, linksEnded: 1 });
      expect((await alice.get('/console/home')).statusCode).toBe(303);
      const again = await signsIn(ms, 'c-alice');
      expect((await again.get('/console/home')).body).toContain('Contoso Holdings');
      for (const org of [t.org, target.org]) {
        const e = (await activity(org)).find((x) => x.summary.event === 'binding_moved');
        expect(e, org.name).toMatchObject({ method: 'CLI', path: 'wiggledesk binding move', actor: 'cli:ops', summary: { value: CONTOSO_TID, from: t.org.id, to: target.org.id, reason: 'ticket T-18' } });
      }
      await expect(t.services.bindings.move('microsoft', CONTOSO_TID, 'No Such Org', 'cli:ops', undefined)).rejects.toThrow(/No organisation/);
    });
  });
}
