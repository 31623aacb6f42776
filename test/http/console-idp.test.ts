// The connected identity provider, learned from its traffic (issue #17): client from the
// User-Agent or request shapes, last sync, hints; and a SCIM setup page that cannot mislead
// (labelled URLs, a warning for http/loopback endpoints, live status, "Send test request").
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { PATCH_OP, USER_SCHEMA, GROUP_SCHEMA, scimClient } from '../support/test-app.js';
import type { ConsoleClient } from './console-client.js';
import { signedIn } from './console-client.js';
import { clientFromUserAgent, syncRhythm } from '../../src/services/console/idp-profile.js';
import { endpointProblem } from '../../src/http/console/views/scim-setup-page.js';

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
const ENTRA_UA = 'Microsoft.Identity.Provisioning.Service/1.0';

describeEachDialect('console: identity provider profile', (t) => {
  let c: ConsoleClient;
  beforeAll(async () => {
    c = await signedIn(t(), t().org);
  });

  it('shows "Connected: Microsoft Entra ID · last sync … · N hints" with the Entra-flag, email, user-name, conflict and empty-group hints', async () => {
    const entra = scimClient(t().app, t().key);
    const h = { 'user-agent': ENTRA_UA };
    expect((await entra.get('/Users?filter=userName%20eq%20%22b1f2c3d4-0000-4000-8000-000000000000%22', h)).statusCode).toBe(200);
    const created = await entra.post('/Users', { schemas: [USER_SCHEMA], userName: 'jdoe', active: true }, h);
    expect(created.statusCode).toBe(201);
    const id = JSON.parse(created.body).id as string;
    // Entra's default (no aadOptscim062020) PATCH: capitalised ops, "False" as a string.
    expect((await entra.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }, h)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await entra.post('/Users', { schemas: [USER_SCHEMA], userName: 'JDoe' }, h)).statusCode).toBe(409);
    expect((await entra.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales' }, h)).statusCode).toBe(201);
    await t().services.activity.flush();

    const dash = await c.get('/console');
    const body = text(dash.body);
    expect(body).toMatch(/Connected: Microsoft Entra ID · last sync (just now|\d+ minutes? ago) · 5 hints/);
    expect(dash.body).toContain('data-hint="entra_flag_missing"');
    expect(dash.body).toContain('https://wiggledesk.test/scim/v2?aadOptscim062020');
    expect(dash.body).toContain('data-hint="users_without_email"');
    expect(dash.body).toContain('data-hint="non_email_user_names"');
    expect(dash.body).toContain('data-hint="repeated_conflict"');
    expect(dash.body).toContain(`href="/console/users/${id}">jdoe</a>`);
    expect(dash.body).toContain('data-hint="empty_groups"');
    expect(body).toContain(ENTRA_UA);

    const setup = await c.get('/console/scim-setup');
    expect(text(setup.body)).toMatch(/Connected: Microsoft Entra ID · last sync/);
    expect(text(setup.body)).toContain('Microsoft Entra ID → Tenant URL (paste exactly this)');
    expect(setup.body).toContain('value="https://wiggledesk.test/scim/v2?aadOptscim062020"');
    expect(setup.body).not.toContain('Identity providers cannot reach this address');
  });

  it('"Send test request" shows what Entra’s Test Connection gets: 200 and an empty list, or the 401 for a revoked key', async () => {
    await c.get('/console/scim-setup');
    const plain = await c.post('/console/scim-setup/test', { key: '' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toContain('&quot;totalResults&quot;: 0');
    expect(text(plain.body)).toContain('HTTP 200');
    const good = await c.post('/console/scim-setup/test', { key: t().key });
    expect(text(good.body)).toContain('Test Connection would succeed');
    const { key: revoked } = await c.generateKey('Old Entra');
    await c.post(`/console/profile/keys/${revoked!.slice(4, 28)}/revoke`);
    const bad = await c.post('/console/scim-setup/test', { key: revoked! });
    expect(text(bad.body)).toContain('Test Connection would fail: WiggleDesk answers 401');
    expect(text(bad.body)).toContain('This API key has been revoked');
    // The console's own test is not taken for the identity provider.
    expect(text((await c.get('/console')).body)).toContain('Connected: Microsoft Entra ID');
  });

  it('detects clients from their User-Agent and measures the sync rhythm', () => {
    expect(clientFromUserAgent('Okta SCIM Client 1.0.0')).toBe('okta');
    expect(clientFromUserAgent('OneLogin-SCIM')).toBe('onelogin');
    expect(clientFromUserAgent('JumpCloud SCIM')).toBe('jumpcloud');
    expect(clientFromUserAgent('PingFederate/11')).toBe('ping');
    expect(clientFromUserAgent('Google-Workspace-Provisioning')).toBe('google');
    expect(clientFromUserAgent('curl/8.5.0')).toBeUndefined();
    const at = (min: number) => ({ seq: min, at: new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString(), keyId: 'k', actor: null, method: 'GET', path: '/scim/v2/Users', status: 200, scimType: null, durationMs: 1, resourceType: 'User', resourceId: null, summary: null });
    const rhythm = syncRhythm([at(0), at(1), at(40), at(41), at(80), at(120)]);
    expect(rhythm.cycles).toBe(4);
    expect(rhythm.intervalMs).toBe(40 * 60_000);
  });
});

describeEachDialect(
  'console: SCIM setup on a loopback address',
  (t) => {
    it('warns that identity providers cannot reach an http or loopback PUBLIC_URL', async () => {
      const c = await signedIn(t(), t().org);
      const setup = await c.get('/console/scim-setup');
      expect(setup.body).toContain('Identity providers cannot reach this address');
      expect(text(setup.body)).toContain('PUBLIC_URL is set to http://127.0.0.1:8080, which only this machine or network can reach');
      expect(text(setup.body)).toContain('Not connected yet');
      expect(endpointProblem('http://wiggledesk.example.com/scim/v2', true)).toMatch(/plain http/);
      expect(endpointProblem('https://wiggledesk.example.com/scim/v2', true)).toBeUndefined();
    });
  },
  { env: { PUBLIC_URL: 'http://127.0.0.1:8080' } },
);

describeEachDialect('console: a user’s sign-in facts', (t) => {
  it('shows the last SSO sign-in and the linked sign-in account on the user’s page', async () => {
    const c = await signedIn(t(), t().org);
    const created = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'signin@contoso.test' });
    const id = JSON.parse(created.body).id as string;
    expect(text((await c.get(`/console/users/${id}`)).body)).toContain('Never signed in with SSO');
    const db = t().composition.db.db as unknown as { insertInto(t: string): { values(v: Record<string, unknown>): { execute(): Promise<unknown> } } };
    await db.insertInto('sign_in_users').values({ tenant_id: t().org.id, scim_user_id: id, account_id: null, is_admin: 0, created_at: '2026-01-01T10:00:00.000Z', last_sign_in_at: '2026-01-02T09:30:00.000Z' }).execute();
    await db.insertInto('sign_in_identities').values({ tenant_id: t().org.id, provider: 'microsoft', subject: 'tid/oid', scim_user_id: id, linked_at: '2026-01-01T10:00:00.000Z' }).execute();
    const page = text((await c.get(`/console/users/${id}`)).body);
    expect(page).toContain('Last sign-in2026-01-02 09:30 UTC');
    expect(page).toContain('Linked sign-in accountMicrosoft since');
  });
});
