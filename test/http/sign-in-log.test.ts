// The sign-in log (issue #17), through app.inject against the real app on both dialects, with a
// real Microsoft stand-in (test/support/oidc-provider): every password and SSO sign-in and refusal
// is recorded for the organisation it can be tied to, with its stable code and the reference the
// person saw; the console page searches by user, by code and by reference, pages, escapes, and
// shows only the signed-in admin's organisation. Retention purges rows older than 30 days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, PATCH_OP, type TestApp } from '../support/test-app.js';
import { hashPassword } from '../../src/auth/password.js';
import { startMicrosoftIdp, type TestIdp } from '../support/oidc-provider.js';
import { ConsoleClient, newAccount, scimUser, signedIn } from './console-client.js';
import { GLOBAL_ADMIN, proofCallbackUri, proveBySignIn } from '../support/bindings.js';
import { SIGN_IN_LOG_RETENTION_DAYS } from '../../src/services/sign-in-log/sign-in-log.js';

const CONTOSO_TID = 'c0a1c0a1-0000-4000-8000-0000000000a1';
const FABRIKAM_TID = 'fab00000-0000-4000-8000-0000000000a2';
const LONELY_TID = '10e1e000-0000-4000-8000-0000000000a4';
const oid = (n: number) => `0b1d0000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The rows of the sign-in log page: [code, user, reference]. */
function rowsOf(r: LightMyRequestResponse): Array<{ code: string; user: string; reference: string; outcome: string }> {
  const out = [];
  for (const m of r.body.matchAll(/<tr data-testid="sign-in-row">([\s\S]*?)<\/tr>/g)) {
    const row = m[1]!;
    const tds = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((x) => x[1]!);
    const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').trim();
    out.push({
      user: text(tds[1]!),
      outcome: /Signed in/.test(tds[3]!) ? 'success' : 'refused',
      code: /<span class="mono small">([^<]+)<\/span>/.exec(tds[3]!)?.[1] ?? '',
      reference: text(tds[4]!),
    });
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`sign-in log [${dialect}]`, () => {
    let t: TestApp;
    let ms: TestIdp;
    let admin: ConsoleClient;
    let clock = Date.parse('2026-03-01T09:00:00.000Z');
    const ids: Record<string, string> = {};

    async function sso(account: string) {
      const c = new ConsoleClient(t.app);
      const start = await c.get('/auth/microsoft/start');
      expect(start.statusCode, start.body.slice(0, 300)).toBe(303);
      const back = await ms.signIn(String(start.headers.location), account);
      const response = await c.get(back.pathname + back.search);
      return { c, response, reference: String(response.headers['x-request-id']) };
    }
    const log = (query = '') => admin.get(`/console/sign-ins${query}`);

    beforeAll(async () => {
      ms = await startMicrosoftIdp([
        {
          tid: CONTOSO_TID,
          name: 'Contoso',
          accounts: [
            { id: 'alice', oid: oid(1), preferredUsername: 'alice@contoso.com', name: 'Alice' },
            { id: 'carol', oid: oid(2), preferredUsername: 'carol@contoso.com', name: 'Carol' },
            { id: 'nobody', oid: oid(3), preferredUsername: 'nobody@contoso.com', name: 'Nobody' },
            { id: 'xss', oid: oid(4), preferredUsername: '<img src=x onerror=alert(1)>@contoso.com', name: 'X' },
            // The tenant's Global Administrator proves the binding (issue #18).
            { id: 'contoso-admin', oid: oid(5), preferredUsername: 'admin@contoso.com', name: 'Contoso Admin', wids: [GLOBAL_ADMIN] },
          ],
        },
        { tid: FABRIKAM_TID, name: 'Fabrikam', accounts: [{ id: 'alice-fabrikam', oid: oid(11), preferredUsername: 'alice@contoso.com', name: 'Not Alice' }] },
        { tid: LONELY_TID, name: 'Lonely', accounts: [{ id: 'lonely', oid: oid(21), preferredUsername: 'lonely@nowhere.test', name: 'Lonely' }] },
      ]);
      ms.registerRedirectUri('https://wiggledesk.test/auth/microsoft/callback');
      ms.registerRedirectUri(proofCallbackUri('microsoft'));
      t = await buildTestApp(dialect, { env: ms.env(), now: () => clock });
      ids.alice = await scimUser(t, 'alice@contoso.com', { displayName: 'Alice Anders' });
      ids.carol = await scimUser(t, 'carol@contoso.com', { active: false });
      admin = await signedIn(t, t.org);
      expect((await proveBySignIn(admin, ms, 'contoso-admin')).statusCode).toBe(303);
    });

    afterAll(async () => {
      await t?.close();
      await ms?.close();
    });

    it('records SSO sign-ins and each refusal for the organisation it concerns, with the reference the person saw', async () => {
      const ok = await sso('alice');
      expect(ok.response.statusCode).toBe(303);
      const inactive = await sso('carol');
      expect(inactive.response.body).toContain('data-refusal="inactive"');
      // The page shows the reference the admin looks up.
      expect(inactive.response.body).toContain(inactive.reference);
      const unprovisioned = await sso('nobody');
      expect(unprovisioned.response.body).toContain('data-refusal="not_provisioned"');
      const wrongTenant = await sso('alice-fabrikam');
      expect(wrongTenant.response.body).toContain('data-refusal="wrong_tenant"');
      // No organisation trusts this tenant and none has the user: nothing to attribute, nothing stored.
      const lonely = await sso('lonely');
      expect(lonely.response.body).toContain('data-refusal="not_bound"');

      const rows = rowsOf(await log());
      const byRef = new Map(rows.map((r) => [r.reference, r]));
      expect(byRef.get(ok.reference)).toMatchObject({ outcome: 'success', code: 'sso/signed_in', user: 'alice@contoso.com' });
      expect(byRef.get(inactive.reference)).toMatchObject({ outcome: 'refused', code: 'sso/inactive', user: 'carol@contoso.com' });
      expect(byRef.get(unprovisioned.reference)).toMatchObject({ outcome: 'refused', code: 'sso/not_provisioned', user: 'nobody@contoso.com' });
      expect(byRef.get(wrongTenant.reference)).toMatchObject({ outcome: 'refused', code: 'sso/wrong_tenant', user: 'alice@contoso.com' });
      expect(byRef.has(lonely.reference)).toBe(false);

      // The refused user's reference finds exactly their row; the user column links to the user.
      const found = await log(`?code=${encodeURIComponent(inactive.reference)}`);
      expect(rowsOf(found).map((r) => r.code)).toEqual(['sso/inactive']);
      expect(found.body).toContain(`href="/console/users/${ids.carol}"`);
      // And from the user's page.
      const userPage = await admin.get(`/console/users/${ids.carol}`);
      expect(userPage.body).toContain(`href="/console/sign-ins?user_id=${ids.carol}"`);
      expect(rowsOf(await log(`?user_id=${ids.carol}`)).map((r) => r.reference)).toEqual([inactive.reference]);
    });

    it('records password sign-ins and refusals with stable codes; an unknown email is not attributable', async () => {
      const { email, password } = await newAccount(t, t.org);
      const c = new ConsoleClient(t.app);
      const wrong = await c.signIn(email.toUpperCase(), 'not the password');
      expect(wrong.statusCode).toBe(401);
      const unknown = await c.signIn('ghost@contoso.test', 'whatever');
      expect(unknown.statusCode).toBe(401);
      const good = await c.signIn(email, password);
      expect(good.statusCode).toBe(303);
      // alice signed in with SSO before: her SSO account is not a password account (not found by email).
      const sso = await new ConsoleClient(t.app).signIn('alice@contoso.com', 'guess');
      expect(sso.statusCode).toBe(401);

      const mine = rowsOf(await log(`?user=${encodeURIComponent(email.slice(0, 8))}`));
      expect(mine.map((r) => [r.code, r.reference])).toEqual([
        ['password/signed_in', String(good.headers['x-request-id'])],
        ['password/wrong_password', String(wrong.headers['x-request-id'])],
      ]);
      expect(rowsOf(await log(`?code=${String(sso.headers['x-request-id'])}`))).toEqual([]);
      expect(rowsOf(await log(`?code=${String(unknown.headers['x-request-id'])}`))).toEqual([]);
      expect(rowsOf(await log('?user=ghost'))).toEqual([]);
    });

    it('refuses (and records) a right password of an account whose provisioned user is deactivated or deleted', async () => {
      const store = t.services.platform.forTenant(t.org.id);
      for (const [name, action] of [['dora', 'deactivated'], ['dan', 'deleted']] as const) {
        const id = await scimUser(t, `${name}@contoso.com`);
        await store.accounts.create({ id: `acct-${name}`, email: `${name}@contoso.com`, displayName: name, passwordHash: await hashPassword('a long enough password'), role: 'user', scimUserId: id, now: new Date().toISOString() });
        expect((await new ConsoleClient(t.app).signIn(`${name}@contoso.com`, 'a long enough password')).statusCode).toBe(303);
        if (action === 'deactivated') await t.scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
        else expect((await t.scim.delete(`/Users/${id}`)).statusCode).toBe(204);
        const r = await new ConsoleClient(t.app).signIn(`${name}@contoso.com`, 'a long enough password');
        expect(r.statusCode).toBe(403);
        expect(r.body).toContain('deactivated or removed by your organisation');
        expect(r.headers['set-cookie']?.toString() ?? '').not.toMatch(/wd_session=[^;]/);
        expect(rowsOf(await log(`?code=${String(r.headers['x-request-id'])}`)).map((x) => [x.code, x.user])).toEqual([[`password/${action}`, `${name}@contoso.com`]]);
      }
    });

    it('records Enforce SSO refusals and break-glass sign-ins with their own codes', async () => {
      const org = await t.newTenant('Enforcing');
      const boss = await newAccount(t, org.org);
      const other = await newAccount(t, org.org);
      const c = await new ConsoleClient(t.app).signInOk(boss.email, boss.password);
      await c.get('/console/sign-in-policy');
      expect((await c.post('/console/sign-in-policy/break-glass', { email: boss.email })).statusCode).toBe(303);
      expect((await c.post('/console/sign-in-policy/enforce', { enforce: 'on' })).statusCode).toBe(303);
      const refused = await new ConsoleClient(t.app).signIn(other.email, other.password);
      expect(refused.statusCode).toBe(403);
      const glass = await new ConsoleClient(t.app).signIn(boss.email, boss.password);
      expect(glass.statusCode).toBe(303);
      const rows = rowsOf(await c.get('/console/sign-ins'));
      expect(rows.slice(0, 2).map((r) => [r.code, r.user, r.reference])).toEqual([
        ['password/break_glass', boss.email, String(glass.headers['x-request-id'])],
        ['password/sso_required', other.email, String(refused.headers['x-request-id'])],
      ]);
    });

    it('filters by code, outcome and user (Unicode case-folded), and escapes what people typed', async () => {
      await sso('xss');
      const page = await log('?code=SSO/not_provisioned');
      const rows = rowsOf(page);
      expect(rows.length).toBe(2);
      expect(rows.every((r) => r.code === 'sso/not_provisioned')).toBe(true);
      expect(page.body).not.toContain('<img src=x');
      expect(page.body).toContain('&lt;img src=x onerror=alert(1)>@contoso.com');
      expect(rowsOf(await log('?user=CAROL%40CONTOSO')).map((r) => r.code)).toEqual(['sso/inactive']);
      // LIKE wildcards in the search are literal.
      expect(rowsOf(await log('?user=%25'))).toEqual([]);
      const refused = rowsOf(await log('?outcome=refused'));
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.every((r) => r.outcome === 'refused')).toBe(true);
      const successes = rowsOf(await log('?outcome=success'));
      expect(successes.every((r) => r.outcome === 'success')).toBe(true);
      expect(successes.length).toBeGreaterThan(0);
    });

    it('pages newest first with "Older →"', async () => {
      for (let i = 0; i < 30; i++) {
        await t.services.signInLog.record({ tenantIds: [t.org.id], outcome: 'refused', provider: 'password', code: 'password/wrong_password', userLabel: `pager${String(i).padStart(2, '0')}@contoso.test`, scimUserId: null, reference: `ref-pager-${i}` });
      }
      const first = await log('?user=pager&size=25');
      const a = rowsOf(first);
      expect(a.length).toBe(25);
      expect(a[0]!.user).toBe('pager29@contoso.test');
      const next = /href="([^"]+)" rel="next"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
      expect(next).toMatch(/before=\d+/);
      const second = await admin.get(next!);
      expect(rowsOf(second).map((r) => r.user)).toEqual(['pager04@contoso.test', 'pager03@contoso.test', 'pager02@contoso.test', 'pager01@contoso.test', 'pager00@contoso.test']);
      expect(second.body).not.toContain('rel="next"');
    });

    it('shows each organisation only its own attempts; regular users get 403', async () => {
      const other = await t.newTenant('Northwind');
      const otherAdmin = await signedIn(t, other.org);
      const theirs = await otherAdmin.get('/console/sign-ins');
      expect(theirs.statusCode).toBe(200);
      const rows = rowsOf(theirs);
      // Only their admin's own sign-in.
      expect(rows.map((r) => r.code)).toEqual(['password/signed_in']);
      expect(rowsOf(await otherAdmin.get('/console/sign-ins?code=sso/inactive'))).toEqual([]);
      expect(rowsOf(await otherAdmin.get('/console/sign-ins?user=alice'))).toEqual([]);
      const user = await signedIn(t, t.org, 'user');
      expect((await user.get('/console/sign-ins')).statusCode).toBe(403);
    });

    it(`purges rows older than ${SIGN_IN_LOG_RETENTION_DAYS} days (retention), keeping newer ones`, async () => {
      await t.services.signInLog.record({ tenantIds: [t.org.id], outcome: 'refused', provider: 'password', code: 'password/wrong_password', userLabel: 'old@contoso.test', scimUserId: null, reference: 'ref-old' });
      clock += 5 * 86_400_000;
      await t.services.signInLog.record({ tenantIds: [t.org.id], outcome: 'refused', provider: 'password', code: 'password/wrong_password', userLabel: 'newer@contoso.test', scimUserId: null, reference: 'ref-newer' });
      clock += (SIGN_IN_LOG_RETENTION_DAYS - 5) * 86_400_000 + 60_000;
      const purged = await t.services.signInLog.purgeExpired();
      expect(purged).toBeGreaterThan(0);
      expect(rowsOf(await log('?code=ref-old'))).toEqual([]);
      expect(rowsOf(await log('?code=ref-newer')).map((r) => r.user)).toEqual(['newer@contoso.test']);
      expect(await t.services.signInLog.purgeExpired()).toBe(0);
    });
  });
}
