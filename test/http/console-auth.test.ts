// Console sign-in, sessions and security headers (issue #6): server-side sessions keyed by the
// SHA-256 of the cookie token, cookie flags, generic failures, throttling per account and per
// address, sign-out, and immediate loss of access when a linked SCIM user is deactivated.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { PATCH_OP } from '../support/test-app.js';
import { ConsoleClient, newAccount, scimUser } from './console-client.js';
import { hashPassword } from '../../src/auth/password.js';

const SESSION = '__Host-wd_session'; // the test app has an https PUBLIC_URL, so cookies are Secure

describeEachDialect('console sign-in and sessions', (t) => {
  it('redirects / to /console and a signed-out /console to the sign-in page', async () => {
    const root = await t().app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/console');
    const home = await t().app.inject({ method: 'GET', url: '/console' });
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/console/login');
    const users = await t().app.inject({ method: 'GET', url: '/console/users?q=a' });
    expect(users.headers.location).toBe(`/console/login?next=${encodeURIComponent('/console/users?q=a')}`);
  });

  it('serves the sign-in page with a strict CSP and the other security headers', async () => {
    const r = await t().app.inject({ method: 'GET', url: '/console/login' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('same-origin');
    expect(r.headers['cache-control']).toBe('no-store');
    // No inline script and no third-party asset anywhere on the page.
    expect(r.body).not.toMatch(/<script(?![^>]*\ssrc="\/console\/assets\/)/);
    expect(r.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(r.body).toMatch(/<label for="email">Email<\/label>/);
  });

  it('signs the admin in to the dashboard with a Secure, HttpOnly, SameSite=Lax cookie whose SHA-256 is the stored session id', async () => {
    const { email, password } = await newAccount(t(), t().org);
    const c = new ConsoleClient(t().app);
    const r = await c.signIn(email, password);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/console');
    const line = ([] as string[]).concat(r.headers['set-cookie'] ?? []).find((l) => l.startsWith(`${SESSION}=`));
    expect(line).toBeDefined();
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).toMatch(/; Path=\//);
    const token = c.cookies.get(SESSION)!;
    const rows = await t().composition.db.db.selectFrom('sessions').select(['id', 'tenant_id']).execute();
    const ids = rows.map((s) => s.id);
    expect(ids).toContain(createHash('sha256').update(token).digest('hex'));
    expect(ids).not.toContain(token);
    const home = await c.get('/console');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('<h1>Dashboard</h1>');
  });

  it('goes back to the page asked for after signing in, but never off-site', async () => {
    const { email, password } = await newAccount(t(), t().org);
    const c = new ConsoleClient(t().app);
    await c.get('/console/login?next=%2Fconsole%2Fgroups');
    const r = await c.post('/console/login', { email, password, next: '/console/groups' });
    expect(r.headers.location).toBe('/console/groups');
    const c2 = new ConsoleClient(t().app);
    await c2.get('/console/login');
    const evil = await c2.post('/console/login', { email, password, next: '//evil.example/console' });
    expect(evil.headers.location).toBe('/console');
  });

  it('answers one generic message for a wrong password, an unknown email and an empty password', async () => {
    const { email } = await newAccount(t(), t().org);
    const bodies: string[] = [];
    for (const [e, p] of [[email, 'wrong password'], ['nobody@nowhere.test', 'whatever'], [email, '']] as const) {
      const c = new ConsoleClient(t().app);
      const r = await c.signIn(e, p, { remoteAddress: '10.1.0.1' });
      expect(r.statusCode).toBe(401);
      expect(c.cookies.has(SESSION)).toBe(false);
      bodies.push(/<div class="notice error"[^>]*>(.*?)<\/div>/s.exec(r.body)![1]!);
    }
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('The email or password is incorrect.');
  });

  it('throttles an account after 5 failures, even with the right password (429 + Retry-After)', async () => {
    const { email, password } = await newAccount(t(), t().org);
    for (let i = 0; i < 5; i++) {
      const r = await new ConsoleClient(t().app).signIn(email, `nope ${i}`, { remoteAddress: `10.2.0.${i + 1}` });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await new ConsoleClient(t().app).signIn(email, password, { remoteAddress: '10.2.1.1' });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('Too many sign-in attempts');
    // Another account is not affected.
    const other = await newAccount(t(), t().org);
    expect((await new ConsoleClient(t().app).signIn(other.email, other.password, { remoteAddress: '10.2.1.1' })).statusCode).toBe(303);
  });

  it('throttles an address after 20 failures across accounts', async () => {
    const address = '10.3.0.1';
    for (let i = 0; i < 20; i++) {
      const r = await new ConsoleClient(t().app).signIn(`spray${i}@nowhere.test`, 'guess', { remoteAddress: address });
      expect(r.statusCode).toBe(401);
    }
    const { email, password } = await newAccount(t(), t().org);
    expect((await new ConsoleClient(t().app).signIn(email, password, { remoteAddress: address })).statusCode).toBe(429);
    expect((await new ConsoleClient(t().app).signIn(email, password, { remoteAddress: '10.3.0.2' })).statusCode).toBe(303);
  });

  it('signs out: the session row is deleted and the old cookie no longer works', async () => {
    const { email, password } = await newAccount(t(), t().org);
    const c = await new ConsoleClient(t().app).signInOk(email, password);
    const token = c.cookies.get(SESSION)!;
    const out = await c.post('/console/logout');
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/login?signedout=1');
    expect(c.cookies.has(SESSION)).toBe(false);
    const stale = await t().app.inject({ method: 'GET', url: '/console/profile', headers: { cookie: `${SESSION}=${token}` } });
    expect(stale.statusCode).toBe(303);
    const id = createHash('sha256').update(token).digest('hex');
    expect(await t().composition.db.db.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('ends a session at once when its row is deleted (revocation works across instances)', async () => {
    const { email, password } = await newAccount(t(), t().org);
    const c = await new ConsoleClient(t().app).signInOk(email, password);
    const id = createHash('sha256').update(c.cookies.get(SESSION)!).digest('hex');
    await t().composition.db.db.deleteFrom('sessions').where('id', '=', id).execute();
    expect((await c.get('/console/profile')).statusCode).toBe(303);
  });

  it('ends the session of an account whose SCIM user is deactivated, on the next request', async () => {
    const userId = await scimUser(t(), `linked-${Date.now()}@contoso.test`);
    const password = 'a long enough test password';
    const store = t().services.platform.forTenant(t().org.id);
    const email = `linked-${Date.now()}@contoso.test`;
    await store.accounts.create({ id: `acct-${Date.now()}`, email, displayName: 'Linked', passwordHash: await hashPassword(password), role: 'user', scimUserId: userId, now: new Date().toISOString() });
    const c = await new ConsoleClient(t().app).signInOk(email, password);
    const profile = await c.get('/console/profile');
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('Your directory record');
    const patch = await t().scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(patch.statusCode).toBe(200);
    const after = await c.get('/console/profile');
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/console/login?next=%2Fconsole%2Fprofile');
  });

  it('serves its own assets with long-lived caching and no session lookup', async () => {
    const page = await t().app.inject({ method: 'GET', url: '/console/login' });
    const css = /href="(\/console\/assets\/console\.css\?v=[0-9a-f]+)"/.exec(page.body)![1]!;
    const js = /src="(\/console\/assets\/console\.js\?v=[0-9a-f]+)"/.exec(page.body)![1]!;
    const r1 = await t().app.inject({ method: 'GET', url: css });
    expect(r1.statusCode).toBe(200);
    expect(r1.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(r1.headers['cache-control']).toContain('immutable');
    const r2 = await t().app.inject({ method: 'GET', url: js });
    expect(r2.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r2.headers['x-content-type-options']).toBe('nosniff');
  });
});
