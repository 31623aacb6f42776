// CSRF protection on every state-changing console form, and roles: a regular user sees only
// their own profile and can call no console action; an organisation not approved for API
// access cannot get a key, whatever it posts.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { ConsoleClient, newAccount, scimUser, signedIn } from './console-client.js';

describeEachDialect('console CSRF', (t) => {
  const keyCount = async () => (await t().services.apiKeys.list(t().services.platform.forTenant(t().org.id))).length;

  it('accepts a same-origin form with the session token', async () => {
    const c = await signedIn(t(), t().org);
    const before = await keyCount();
    const r = await c.post('/console/profile/keys', { name: 'csrf ok' });
    expect(r.statusCode).toBe(303);
    expect(await keyCount()).toBe(before + 1);
  });

  it.each([
    ['no token', { csrf: false as const }],
    ['a wrong token', { csrf: 'x'.repeat(43) }],
    ['a cross-site Sec-Fetch-Site, even with the right token', { headers: { 'sec-fetch-site': 'cross-site' } }],
    ['a same-site (sibling subdomain) Sec-Fetch-Site', { headers: { 'sec-fetch-site': 'same-site' } }],
  ])('refuses a form post with %s (403, nothing changes)', async (_name, options) => {
    const c = await signedIn(t(), t().org);
    const before = await keyCount();
    const r = await c.post('/console/profile/keys', { name: 'csrf attack' }, options);
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('This form has expired');
    expect(await keyCount()).toBe(before);
  });

  it('refuses a foreign Origin when the browser sends no Sec-Fetch-Site', async () => {
    const c = await signedIn(t(), t().org);
    const r = await c.app.inject({
      method: 'POST',
      url: '/console/profile/keys',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      payload: new URLSearchParams({ _csrf: c.csrf!, name: 'x' }).toString(),
    });
    expect(r.statusCode).toBe(403);
  });

  it('refuses a token from another session', async () => {
    const a = await signedIn(t(), t().org);
    const b = await signedIn(t(), t().org);
    const r = await a.post('/console/profile/keys', { name: 'x' }, { csrf: b.csrf! });
    expect(r.statusCode).toBe(403);
  });

  it('protects every state-changing form: deactivate, revoke, sign out', async () => {
    const c = await signedIn(t(), t().org);
    const userId = await scimUser(t(), `csrf-${Date.now()}@contoso.test`);
    expect((await c.post(`/console/users/${userId}/deactivate`, {}, { csrf: false })).statusCode).toBe(403);
    const user = await t().scim.get(`/Users/${userId}`);
    expect(JSON.parse(user.body).active).toBe(true);
    const [key] = await t().services.apiKeys.list(t().services.platform.forTenant(t().org.id));
    expect((await c.post(`/console/profile/keys/${key!.id}/revoke`, {}, { csrf: false })).statusCode).toBe(403);
    expect((await t().scim.get('/Users?count=1')).statusCode).toBe(200);
    expect((await c.post('/console/logout', {}, { csrf: false })).statusCode).toBe(403);
    expect((await c.get('/console/profile')).statusCode).toBe(200);
  });

  it('protects the sign-in form with the login cookie (no login CSRF)', async () => {
    const { email, password } = await newAccount(t(), t().org);
    const c = new ConsoleClient(t().app);
    await c.get('/console/login');
    c.cookies.clear();
    const r = await c.post('/console/login', { email, password });
    expect(r.statusCode).toBe(403);
    const c2 = new ConsoleClient(t().app);
    await c2.get('/console/login');
    expect((await c2.post('/console/login', { email, password }, { headers: { 'sec-fetch-site': 'cross-site' } })).statusCode).toBe(403);
  });

  it('refuses JSON bodies on console routes (forms only)', async () => {
    const c = await signedIn(t(), t().org);
    const r = await c.app.inject({
      method: 'POST',
      url: '/console/profile/keys',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      payload: JSON.stringify({ _csrf: c.csrf, name: 'json' }),
    });
    expect(r.statusCode).toBe(415);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
  });
});

describeEachDialect('console roles', (t) => {
  it('sends a regular user to their own profile, without API keys or admin navigation', async () => {
    const c = await signedIn(t(), t().org, 'user');
    const home = await c.get('/console');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/console/profile');
    const profile = await c.get('/console/profile');
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('Your details');
    expect(profile.body).not.toContain('API keys');
    expect(profile.body).not.toContain('href="/console/users"');
  });

  it.each(['/console/users', '/console/groups', '/console/activity', '/console/scim-setup', '/console/activity/1'])('403 for a regular user on %s', async (url) => {
    const c = await signedIn(t(), t().org, 'user');
    const r = await c.get(url);
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('Admins only');
  });

  it('403 for a regular user on a user page and on every console action, and nothing changes', async () => {
    const c = await signedIn(t(), t().org, 'user');
    const userId = await scimUser(t(), `role-${Date.now()}@contoso.test`);
    const store = t().services.platform.forTenant(t().org.id);
    const [key] = await t().services.apiKeys.list(store);
    const keysBefore = (await t().services.apiKeys.list(store)).length;
    expect((await c.get(`/console/users/${userId}`)).statusCode).toBe(403);
    expect((await c.post(`/console/users/${userId}/deactivate`)).statusCode).toBe(403);
    expect((await c.post('/console/profile/keys', { name: 'sneaky' })).statusCode).toBe(403);
    expect((await c.get(`/console/profile/keys/${key!.id}/revoke`)).statusCode).toBe(403);
    expect((await c.post(`/console/profile/keys/${key!.id}/revoke`)).statusCode).toBe(403);
    expect(JSON.parse((await t().scim.get(`/Users/${userId}`)).body).active).toBe(true);
    expect((await t().services.apiKeys.list(store)).length).toBe(keysBefore);
    expect((await t().scim.get('/Users?count=1')).statusCode).toBe(200);
  });

  it('401 for a console action without a session', async () => {
    const r = await t().app.inject({
      method: 'POST',
      url: '/console/profile/keys',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      payload: 'name=x',
    });
    expect(r.statusCode).toBe(401);
  });
});

describeEachDialect('console for an organisation not approved for API access', (t) => {
  it('says so on the profile, offers no key generation, and the server refuses a key', async () => {
    const { org } = await t().newTenant('Fabrikam', false);
    const c = await signedIn(t(), org);
    const profile = await c.get('/console/profile');
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('not approved for API access');
    expect(profile.body).toContain('account manager');
    expect(profile.body).not.toContain('Generate API key');
    expect(profile.body).not.toContain('action="/console/profile/keys"');
    const store = t().services.platform.forTenant(org.id);
    const before = (await t().services.apiKeys.list(store)).length;
    const r = await c.post('/console/profile/keys', { name: 'forced' });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('not approved for API access');
    expect((await t().services.apiKeys.list(store)).length).toBe(before);
    const dashboard = await c.get('/console');
    expect(dashboard.body).toContain('not approved for API access');
  });
});
