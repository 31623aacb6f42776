// Passwords (issue #17), over HTTP on both dialects: change your own password (current one, CSRF,
// policy, other sessions end), an admin's one-time reset link (hashed, single use, replaced by a
// newer one, per organisation, logged without the secret), and `wiggledesk admin reset-password`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { ConsoleClient, newAccount } from './console-client.js';
import { runCli } from '../../src/cli/index.js';
import { serve } from '../../src/serve.js';
import { resetIdOf } from '../../src/services/passwords/passwords.js';

for (const dialect of DIALECTS) {
  describe(`passwords [${dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect);
    });
    afterAll(async () => t?.close());

    const activitySummaries = async () => {
      await t.services.activity.flush();
      return (await t.services.platform.forTenant(t.org.id).activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 200 })).map((r) => r.summary ?? '');
    };

    /** Follows a reset link like a browser; returns the client holding the link's cookie and the form page. */
    async function openLink(link: string) {
      const c = new ConsoleClient(t.app);
      const u = new URL(link);
      const opened = await c.get(u.pathname + u.search);
      expect(opened.statusCode).toBe(303);
      expect(opened.headers.location).toBe('/console/reset-password');
      return { c, page: await c.get('/console/reset-password') };
    }

    it('changes your own password: current password and CSRF required, policy checked, other sessions end', async () => {
      const { email, password } = await newAccount(t, t.org);
      const me = await new ConsoleClient(t.app).signInOk(email, password);
      const other = await new ConsoleClient(t.app).signInOk(email, password);
      await me.get('/console/profile/password');
      const next = 'a brand new passphrase for me';
      expect((await me.post('/console/profile/password', { current: password, next, confirm: next }, { csrf: false })).statusCode).toBe(403);
      const wrong = await me.post('/console/profile/password', { current: 'not it', next, confirm: next });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.body).toContain('The current password is not right.');
      for (const [bad, message] of [
        ['short', 'at least 12 characters'],
        [email, 'email address'],
        ['aaaaaaaaaaaaaaaa', 'more different characters'],
      ] as const) {
        const r = await me.post('/console/profile/password', { current: password, next: bad, confirm: bad });
        expect(r.statusCode).toBe(400);
        expect(r.body).toContain(message);
      }
      const ok = await me.post('/console/profile/password', { current: password, next, confirm: next });
      expect(ok.statusCode).toBe(303);
      expect((await me.get('/console/profile')).statusCode).toBe(200);
      // The other session ended; the old password no longer works; the new one does.
      expect((await other.get('/console/profile')).statusCode).toBe(303);
      expect((await new ConsoleClient(t.app).signIn(email, password)).statusCode).toBe(401);
      await new ConsoleClient(t.app).signInOk(email, next);
      expect((await activitySummaries()).some((s) => s.includes('password_changed') && !s.includes(next))).toBe(true);
    });

    it('an admin creates a one-time reset link for another account: shown once, hashed, works once, ends sessions', async () => {
      const admin = await newAccount(t, t.org);
      const colleague = await newAccount(t, t.org, 'user');
      const adminClient = await new ConsoleClient(t.app).signInOk(admin.email, admin.password);
      const colleagueSession = await new ConsoleClient(t.app).signInOk(colleague.email, colleague.password);
      const accounts = await adminClient.get('/console/accounts');
      expect(accounts.body).toContain('WiggleDesk sends no email');
      const id = (await t.services.platform.forTenant(t.org.id).accounts.list()).find((a) => a.email === colleague.email)!.id;
      const posted = await adminClient.post(`/console/accounts/${id}/reset-link`);
      // Post/redirect/get: the link is shown by the GET it redirects to, once; a reload shows no
      // link and creates none (a second link would silently invalidate the first).
      expect(posted.statusCode).toBe(303);
      expect(posted.headers.location).toBe('/console/accounts/reset-link');
      const first = await adminClient.get('/console/accounts/reset-link');
      expect(first.statusCode).toBe(200);
      const linksBefore = (await activitySummaries()).filter((s) => s.includes('password_link_created')).length;
      const reload = await adminClient.get('/console/accounts/reset-link');
      expect(reload.statusCode).toBe(200);
      expect(reload.body).not.toContain('id="reset-link"');
      expect(reload.body).toContain('already shown');
      expect((await activitySummaries()).filter((s) => s.includes('password_link_created')).length).toBe(linksBefore);
      const link1 = /id="reset-link"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="reset-link"/.exec(first.body);
      const url1 = (link1?.[1] ?? link1?.[2])!.replace(/&amp;/g, '&');
      expect(url1).toMatch(/^https:\/\/wiggledesk\.test\/console\/reset-password\?token=wdr_[\w-]{43}$/);
      const token1 = new URL(url1).searchParams.get('token')!;
      // Only the hash is stored.
      const rows = await t.composition.db.db.withTables<{ password_resets: { id: string } }>().selectFrom('password_resets').select('id').execute();
      expect(rows.map((r) => r.id)).toContain(resetIdOf(token1));
      expect(JSON.stringify(rows)).not.toContain(token1);
      // A second link replaces the first.
      expect((await adminClient.post(`/console/accounts/${id}/reset-link`)).statusCode).toBe(303);
      const second = await adminClient.get('/console/accounts/reset-link');
      const url2 = /value="(https:\/\/wiggledesk\.test\/console\/reset-password\?token=[^"]+)"/.exec(second.body)![1]!.replace(/&amp;/g, '&');
      expect((await openLink(url1)).page.statusCode).toBe(410);
      const { c, page } = await openLink(url2);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(colleague.email);
      const mismatch = await c.post('/console/reset-password', { next: 'one good passphrase', confirm: 'another one' });
      expect(mismatch.statusCode).toBe(400);
      const chosen = 'the colleague picks this one';
      const done = await c.post('/console/reset-password', { next: chosen, confirm: chosen });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/console/login?passwordset=1');
      expect((await c.post('/console/reset-password', { next: chosen, confirm: chosen })).statusCode).toBe(410);
      expect((await colleagueSession.get('/console/profile')).statusCode).toBe(303);
      await new ConsoleClient(t.app).signInOk(colleague.email, chosen);
      const log = await activitySummaries();
      expect(log.filter((s) => s.includes('password_link_created')).length).toBeGreaterThanOrEqual(2);
      expect(log.some((s) => s.includes('password_set_by_link'))).toBe(true);
      expect(log.join('\n')).not.toContain(token1);
    });

    it('expires after 24 hours, is per organisation, and is for admins only', async () => {
      let clock = Date.now();
      const timed = await buildTestApp(dialect, { now: () => clock });
      try {
        const a = await newAccount(timed, timed.org);
        const b = await newAccount(timed, timed.org, 'user');
        const c = await new ConsoleClient(timed.app).signInOk(a.email, a.password);
        await c.get('/console/accounts');
        const id = (await timed.services.platform.forTenant(timed.org.id).accounts.list()).find((x) => x.email === b.email)!.id;
        expect((await c.post(`/console/accounts/${id}/reset-link`)).statusCode).toBe(303);
        const r = await c.get('/console/accounts/reset-link');
        const url = /value="(https:\/\/wiggledesk\.test\/console\/reset-password\?token=[^"]+)"/.exec(r.body)![1]!;
        clock += 24 * 3600_000 + 1000;
        const u = new URL(url.replace(/&amp;/g, '&'));
        const browser = new ConsoleClient(timed.app);
        await browser.get(u.pathname + u.search);
        expect((await browser.get('/console/reset-password')).statusCode).toBe(410);
        // Another organisation's admin cannot reach this account.
        const other = await timed.newTenant('Elsewhere');
        const otherAdmin = await newAccount(timed, other.org);
        const oc = await new ConsoleClient(timed.app).signInOk(otherAdmin.email, otherAdmin.password);
        await oc.get('/console/accounts');
        expect((await oc.post(`/console/accounts/${id}/reset-link`)).statusCode).toBe(404);
        // A regular user gets 403.
        const user = await new ConsoleClient(timed.app).signInOk(b.email, b.password);
        expect((await user.get('/console/accounts')).statusCode).toBe(403);
      } finally {
        await timed.close();
      }
    });

    it('`wiggledesk admin reset-password ORG EMAIL` prints a one-time link and logs it without the secret', async () => {
      const target = await newAccount(t, t.org);
      let stdout = '';
      let stderr = '';
      const io = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
      const code = await runCli(['admin', 'reset-password', t.org.name, target.email.toUpperCase()], () => t.config, io, serve);
      expect(code, stderr).toBe(0);
      const url = /(https:\/\/wiggledesk\.test\/console\/reset-password\?token=(wdr_[\w-]{43}))/.exec(stdout);
      expect(url, stdout).not.toBeNull();
      const { c, page } = await openLink(url![1]!);
      expect(page.body).toContain(target.email);
      const pw = 'set from the command line';
      expect((await c.post('/console/reset-password', { next: pw, confirm: pw })).statusCode).toBe(303);
      await new ConsoleClient(t.app).signInOk(target.email, pw);
      const log = await activitySummaries();
      expect(log.some((s) => s.includes('password_link_created') && s.includes(target.email))).toBe(true);
      expect(log.join('\n')).not.toContain(url![2]!);
      // Unknown email: a clear error, non-zero exit.
      stderr = '';
      expect(await runCli(['admin', 'reset-password', t.org.name, 'nobody@nowhere.test'], () => t.config, io, serve)).not.toBe(0);
      expect(stderr).toContain('No console account nobody@nowhere.test');
    });
  });
}
