// Console: Provisioning credentials (issue #20) — API key, OAuth client and workload identity
// federation side by side; a client secret shown once; add a second secret, delete the old one,
// delete a client; the approval gate; the activity log names the client. Sign-in policy:
// Enforce SSO refuses password sign-in except for named break-glass admins, and logs both.
import { beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachDialect } from '../support/each-dialect.js';
import { json, scimClient } from '../support/test-app.js';
import { ConsoleClient, newAccount, signedIn } from './console-client.js';

const tokenFor = async (app: FastifyInstance, clientId: string, secret: string) =>
  app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).toString() });

describeEachDialect('console: provisioning credentials', (t) => {
  let c: ConsoleClient;
  beforeAll(async () => {
    c = await signedIn(t(), t().org);
  });

  it('shows the three methods side by side with what to paste into Entra and Copy fields', async () => {
    const r = await c.get('/console/provisioning-credentials');
    expect(r.statusCode).toBe(200);
    for (const heading of ['API key', 'OAuth client (client credentials)', 'Workload identity federation']) expect(r.body).toContain(heading);
    expect(r.body).toContain('OAuth2 Client Credentials Grant');
    expect(r.body).toContain('value="https://wiggledesk.test/oauth2/token"');
    expect(r.body).toContain('value="https://wiggledesk.test/scim/v2"');
    expect(r.body).toContain('data-copy="oauth-token-url"');
    expect(r.body).toContain('href="/docs/provisioning"');
  });

  it('creates a client whose secret is shown once, adds a second secret, deletes the old one and then the client', async () => {
    const created = await c.post('/console/provisioning-credentials/clients', { name: 'Entra <gallery>', secret_days: '365' });
    expect(created.statusCode).toBe(201);
    expect(created.body).toContain('you will not see this secret again');
    expect(created.body).toContain('Entra &lt;gallery>');
    const clientId = /id="new-client-id" value="(wdc_[0-9a-f]{24})"/.exec(created.body)?.[1];
    const secret = /id="new-client-secret" value="(wdcs_[\w-]{43})"/.exec(created.body)?.[1];
    expect(clientId).toBeDefined();
    expect(secret).toBeDefined();
    const later = await c.get('/console/provisioning-credentials');
    expect(later.body).not.toContain(secret!);
    expect(later.body).toContain(clientId!);

    const first = json(await tokenFor(t().app, clientId!, secret!));
    expect(first.token_type).toBe('Bearer');

    const added = await c.post(`/console/provisioning-credentials/clients/${clientId}/secrets`);
    expect(added.statusCode).toBe(201);
    const second = /id="new-client-secret" value="(wdcs_[\w-]{43})"/.exec(added.body)?.[1] ?? '';
    expect(second).not.toBe('');
    expect((await tokenFor(t().app, clientId!, second)).statusCode).toBe(200);

    const view = await t().services.oauth.find(t().services.platform.forTenant(t().org.id), clientId!);
    expect(view.secrets).toHaveLength(2);
    const old = view.secrets[0]!;
    const removed = await c.post(`/console/provisioning-credentials/clients/${clientId}/secrets/${old.id}/delete`);
    expect(removed.statusCode).toBe(303);
    expect((await tokenFor(t().app, clientId!, secret!)).statusCode).toBe(401);
    expect((await scimClient(t().app, first.access_token).get('/Users')).statusCode).toBe(401);
    const withSecond = json(await tokenFor(t().app, clientId!, second)).access_token as string;
    expect((await scimClient(t().app, withSecond).get('/Users')).statusCode).toBe(200);

    // The activity log names the client for its SCIM requests and its token refusals; the
    // refused-connections view says what is going on with the client.
    await t().services.activity.flush();
    const activity = await c.get('/console/activity');
    expect(activity.body).toContain('Entra &lt;gallery>');
    const refusedView = await c.get('/console/activity?view=refused');
    expect(refusedView.body).toContain('as the OAuth client ‘Entra &lt;gallery>’, which failed to authenticate');

    expect((await c.post(`/console/provisioning-credentials/clients/${clientId}/delete`)).statusCode).toBe(303);
    expect((await scimClient(t().app, withSecond).get('/Users')).statusCode).toBe(401);
  });

  it('sets up workload identity federation from the four values Entra shows, and refuses a bad JWKS URL beside the form', async () => {
    const bad = await c.post('/console/provisioning-credentials/federated', { issuer: 'https://login.microsoftonline.com/t/v2.0', jwks_url: 'ftp://example.com/keys', subject: 's', audience: 'api://a' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('JWKS URL must be an https URL');
    const ok = await c.post('/console/provisioning-credentials/federated', { issuer: 'https://login.microsoftonline.com/72f988bf/v2.0', jwks_url: 'https://login.microsoftonline.com/72f988bf/discovery/v2.0/keys', subject: 'sync-fabric-oid', audience: 'api://wiggledesk' });
    expect(ok.statusCode).toBe(303);
    const page = await c.get(String(ok.headers.location));
    expect(page.body).toContain('Workload identity federation is set up');
    expect(page.body).toContain('sync-fabric-oid');
    expect(page.body).toMatch(/id="wid-wdc_[0-9a-f]{24}"/);
  });

  it('is for admins only, with CSRF; an unapproved organisation gets no forms and no clients', async () => {
    const user = await signedIn(t(), t().org, 'user');
    expect((await user.get('/console/provisioning-credentials')).statusCode).toBe(403);
    expect((await c.post('/console/provisioning-credentials/clients', { name: 'x' }, { csrf: false })).statusCode).toBe(403);
    const other = await t().newTenant(undefined, false);
    const admin = await signedIn(t(), other.org);
    const page = await admin.get('/console/provisioning-credentials');
    expect(page.body).toContain('not approved for API access');
    expect(page.body).not.toContain('action="/console/provisioning-credentials/clients"');
    expect((await admin.post('/console/provisioning-credentials/clients', { name: 'x' })).statusCode).toBe(403);
  });
});

describeEachDialect('console: Enforce SSO with break-glass admins', (t) => {
  it('refuses password sign-in while enforced, except for break-glass admins; logs both', async () => {
    const org = (await t().newTenant('Northwind')).org;
    const owner = await newAccount(t(), org);
    const other = await newAccount(t(), org);
    const admin = await new ConsoleClient(t().app).signInOk(owner.email, owner.password);
    expect((await admin.post('/console/sign-in-policy/break-glass', { email: owner.email })).statusCode).toBe(303);
    expect((await admin.post('/console/sign-in-policy/break-glass', { email: 'nobody@northwind.test' })).statusCode).toBe(400);
    const on = await admin.post('/console/sign-in-policy/enforce', { enforce: 'on' });
    expect(on.statusCode).toBe(303);
    expect((await admin.get(String(on.headers.location))).body).toContain('Single sign-on is now enforced');

    const refused = await new ConsoleClient(t().app).signIn(other.email, other.password);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('requires single sign-on');
    expect(refused.headers['set-cookie'] ?? '').not.toMatch(/wd_session=[^;]+/);
    // A wrong password still gets the generic answer (enforcement reveals nothing without the password).
    expect((await new ConsoleClient(t().app).signIn(other.email, 'wrong password')).statusCode).toBe(401);
    // The break-glass admin gets in.
    await new ConsoleClient(t().app).signInOk(owner.email, owner.password);

    await t().services.activity.flush();
    const rows = await t().services.platform.forTenant(org.id).activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 20 });
    const events = rows.map((r) => [r.actor, r.status, JSON.parse(r.summary ?? '{}').event]);
    expect(events).toEqual(expect.arrayContaining([[other.email, 403, 'password_sign_in_refused'], [owner.email, 200, 'break_glass_sign_in'], [owner.email, 200, 'enforce_sso_on']]));

    expect((await admin.post('/console/sign-in-policy/enforce', { enforce: 'off' })).statusCode).toBe(303);
    await new ConsoleClient(t().app).signInOk(other.email, other.password);
  });
});
