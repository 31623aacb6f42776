// Sign-in with Microsoft and Google in Chromium (issue #7), against real OpenID providers running
// in this process on 127.0.0.1: a multi-tenant Microsoft stand-in whose discovery document names
// the `{tenantid}` issuer template, and a Google stand-in (email_verified, hd). The whole journey
// goes through the browser: the admin binds the organisation on the Sign-in settings page, people
// pick their account on the provider's page, and WiggleDesk answers with home or a refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser, newContext, watchErrors } from './support/browser.js';
import { GROUP, PATCH_OP, USER, scimOver } from './support/scim.js';
import { LoginPage } from './pages/login.page.js';
import { ConsolePage } from './pages/console.page.js';
import { googleAccount, startMicrosoftIdp, startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import type { Organization } from '../../src/domain/organization.js';
import { fakeDns, GLOBAL_ADMIN } from '../support/bindings.js';

const CONTOSO_TID = 'c0a1c0a1-0000-4000-8000-0000000000e2';
const FABRIKAM_TID = 'fab00000-0000-4000-8000-0000000000e2';
const account = (id: string, n: number, upn: string, name: string, wids?: string[]) => ({ id, oid: `0b1d0000-0000-4000-8000-${String(n).padStart(12, '0')}`, preferredUsername: upn, name, ...(wids ? { wids } : {}) });

describe.skipIf(!CHROMIUM)('sign-in with Microsoft and Google (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let ms: TestIdp;
  let google: TestIdp;
  let org: Organization;
  let admin: { email: string; password: string };
  let scim: ReturnType<typeof scimOver>;
  const ids: Record<string, string> = {};
  const contexts: BrowserContext[] = [];
  const dns = fakeDns();

  async function freshPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await newContext(browser, server.url);
    contexts.push(context);
    const page = await context.newPage();
    return { page, errors: watchErrors(page) };
  }

  /** From WiggleDesk's sign-in page, through the provider's account picker, back to WiggleDesk. */
  async function ssoSignIn(page: Page, provider: 'Microsoft' | 'Google', accountLabel: string): Promise<void> {
    await page.goto('/console/login');
    await page.getByRole('link', { name: `Sign in with ${provider}` }).click();
    await page.getByRole('link', { name: accountLabel, exact: true }).click();
    // Back on WiggleDesk: a console page after a successful sign-in, or the refusal page at /auth/…/callback.
    await page.waitForURL((url) => url.origin === server.url, { waitUntil: 'load' });
  }

  const refusal = async (page: Page) => page.locator('[data-refusal]').getAttribute('data-refusal');

  async function expectRefused(page: Page, reason: string, heading: string | RegExp) {
    expect(new URL(page.url()).pathname).toMatch(/^\/auth\/(microsoft|google)\/callback$/);
    expect(await refusal(page)).toBe(reason);
    await new ConsolePage(page).expectHeading(heading);
    // Not signed in: the console sends us to its sign-in page.
    await page.goto('/console/home');
    expect(new URL(page.url()).pathname).toBe('/console/login');
  }

  const provision = async (key: string, userName: string, extra: Record<string, unknown> = {}) => {
    const r = await scim.post('/Users', { schemas: [USER], userName, active: true, ...extra });
    expect(r.status).toBe(201);
    ids[key] = r.body.id as string;
  };

  beforeAll(async () => {
    ms = await startMicrosoftIdp([
      {
        tid: CONTOSO_TID,
        name: 'Contoso',
        accounts: [
          account('alice', 1, 'alice@contoso.com', 'Alice Anders'),
          account('bob', 2, 'bob@contoso.com', 'Bob Berg'),
          account('grace', 3, 'grace@contoso.com', 'Grace Hopper'),
          account('dave', 4, 'dave@contoso.com', 'Dave Deleted'),
          account('zed', 5, 'zed@contoso.com', 'Zed Unknown'),
          account('contoso-admin', 6, 'admin@contoso.com', 'Contoso Admin', [GLOBAL_ADMIN]),
        ],
      },
      { tid: FABRIKAM_TID, name: 'Fabrikam', accounts: [account('alice-fabrikam', 11, 'alice@contoso.com', 'Another Alice')] },
    ]);
    google = await startStandardIdp('google', [
      googleAccount('gw-alice', 'alice@contoso.com', { hd: 'contoso.com', name: 'Alice Anders' }),
      googleAccount('gw-fabrikam', 'alice@contoso.com', { hd: 'fabrikam.test' }),
    ]);
    server = await startServer({ ...ms.env(), ...google.env() }, { txtResolver: dns.resolver });
    for (const idp of [ms, google]) idp.registerRedirectUri(`${server.url}/auth/${idp.kind}/callback`);
    ms.registerRedirectUri(`${server.url}/console/sign-in-settings/verify/microsoft/callback`);

    org = await server.newOrg('Contoso');
    admin = await server.newAccount(org, 'admin@contoso.test', { displayName: 'Alex Admin' });
    const { key } = await server.services.apiKeys.create(server.services.platform.forTenant(org.id), { name: 'Entra ID', createdBy: null });
    scim = scimOver(server.url, key);
    await provision('alice', 'alice@contoso.com', { displayName: 'Alice Anders', emails: [{ value: 'alice@contoso.com', type: 'work', primary: true }] });
    await provision('bob', 'bob@contoso.com', { displayName: 'Bob Berg' });
    await provision('grace', 'grace@contoso.com', { displayName: 'Grace Hopper' });
    await provision('dave', 'dave@contoso.com', { displayName: 'Dave Deleted' });
    const team = await scim.post('/Groups', { schemas: [GROUP], displayName: 'Hybrid Tuesday', members: [{ value: ids.alice }] });
    expect(team.status).toBe(201);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await Promise.all([ms?.close(), google?.close()]);
  });

  it('an admin proves and binds the Entra tenant (admin sign-in) and the Google Workspace domain (DNS TXT record) on the Sign-in settings page', async () => {
    const { page, errors } = await freshPage();
    await new LoginPage(page).goto().then((p) => p.signIn(admin.email, admin.password));
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Sign-in settings' }).click();
    await new ConsolePage(page).expectHeading('Sign-in settings');
    // Microsoft: sign in as the tenant's Global Administrator; the tenant of that sign-in is bound.
    await page.getByRole('link', { name: 'Bind with Microsoft (admin sign-in)' }).click();
    await page.getByRole('link', { name: 'admin@contoso.com — Contoso', exact: true }).click();
    await page.waitForURL((url) => url.origin === server.url && url.pathname === '/console/sign-in-settings', { waitUntil: 'load' });
    await page.getByRole('status').filter({ hasText: 'Verified and bound.' }).waitFor();
    await page.getByRole('cell', { name: CONTOSO_TID, exact: true }).waitFor();
    // Google: the page names a TXT record; once DNS has it, the check binds the domain.
    await page.getByLabel('Workspace domain').fill('contoso.com');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const value = await page.getByRole('textbox', { name: 'TXT value', exact: true }).inputValue();
    expect(value).toMatch(/^wiggledesk-verification=[A-Za-z0-9_-]{32}$/);
    expect(await page.getByRole('textbox', { name: 'Name (host)', exact: true }).inputValue()).toBe('_wiggledesk-challenge.contoso.com');
    await page.getByRole('button', { name: 'Check DNS record for contoso.com' }).click();
    await page.getByRole('alert').filter({ hasText: 'No TXT record at _wiggledesk-challenge.contoso.com yet' }).waitFor();
    dns.publish('_wiggledesk-challenge.contoso.com', value);
    await page.getByRole('button', { name: 'Check DNS record for contoso.com' }).click();
    await page.getByRole('status').filter({ hasText: 'Verified and bound.' }).waitFor();
    await page.getByRole('cell', { name: 'contoso.com', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: /Verified/ }).count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('a provisioned user signs in with Microsoft and lands on their home: name, organisation, groups', async () => {
    const { page, errors } = await freshPage();
    await ssoSignIn(page, 'Microsoft', 'alice@contoso.com — Contoso');
    expect(new URL(page.url()).pathname).toBe('/console/home');
    const frame = new ConsolePage(page);
    await frame.expectHeading('Welcome, Alice Anders');
    await page.getByText('You are signed in to Contoso.').waitFor();
    await page.getByRole('listitem').filter({ hasText: 'Hybrid Tuesday' }).waitFor();
    expect(await frame.nav.getByRole('link').allInnerTexts()).toEqual(['Home', 'Profile']);
    // A regular user is kept out of admin pages.
    expect(errors).toEqual([]);
    const response = await page.goto('/console/users');
    expect(response?.status()).toBe(403);
  });

  it('the same user signs in with Google (Workspace domain)', async () => {
    const { page } = await freshPage();
    await ssoSignIn(page, 'Google', 'alice@contoso.com (contoso.com)');
    expect(new URL(page.url()).pathname).toBe('/console/home');
    await new ConsolePage(page).expectHeading('Welcome, Alice Anders');
  });

  it('the same email from another Entra tenant or another Google domain is refused', async () => {
    const { page, errors } = await freshPage();
    await ssoSignIn(page, 'Microsoft', 'alice@contoso.com — Fabrikam');
    await expectRefused(page, 'wrong_tenant', 'This Microsoft account is not from your organisation');
    await ssoSignIn(page, 'Google', 'alice@contoso.com (fabrikam.test)');
    await expectRefused(page, 'wrong_tenant', 'This Google account is not from your organisation');
    // Only the refusals' own 403 statuses, no script or CSP error.
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  });

  it('an identity nobody provisioned is told to ask their administrator', async () => {
    const { page } = await freshPage();
    await ssoSignIn(page, 'Microsoft', 'zed@contoso.com — Contoso');
    await page.getByText('has not been set up in WiggleDesk — ask your administrator').waitFor();
    await expectRefused(page, 'not_provisioned', 'Your account has not been set up in WiggleDesk');
    // The provider asks again which account to use (prompt=select_account): the right one gets in.
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('link', { name: 'alice@contoso.com — Contoso', exact: true }).click();
    await page.waitForURL((url) => url.origin === server.url && url.pathname === '/console/home', { waitUntil: 'load' });
    await new ConsolePage(page).expectHeading('Welcome, Alice Anders');
  });

  it('a user deactivated by SCIM mid-session is signed out on the next click', async () => {
    const { page } = await freshPage();
    await ssoSignIn(page, 'Microsoft', 'bob@contoso.com — Contoso');
    await new ConsolePage(page).expectHeading('Welcome, Bob Berg');
    const r = await scim.patch(`/Users/${ids.bob}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(r.status).toBe(200);
    await new ConsolePage(page).open('Profile');
    await page.waitForURL(/\/console\/login/);
    await page.getByRole('heading', { name: 'Sign in to the admin console' }).waitFor();
    // And cannot come back.
    await ssoSignIn(page, 'Microsoft', 'bob@contoso.com — Contoso');
    await expectRefused(page, 'inactive', 'Your WiggleDesk account is deactivated');
  });

  it('a deleted user is refused', async () => {
    const { page } = await freshPage();
    await ssoSignIn(page, 'Microsoft', 'dave@contoso.com — Contoso');
    await new ConsolePage(page).expectHeading('Welcome, Dave Deleted');
    expect((await scim.delete(`/Users/${ids.dave}`)).status).toBe(204);
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await ssoSignIn(page, 'Microsoft', 'dave@contoso.com — Contoso');
    await expectRefused(page, 'deleted', 'Your WiggleDesk account has been removed');
  });

  it('a tampered state is refused', async () => {
    const { page } = await freshPage();
    ms.rewriteNextCallback((u) => u.searchParams.set('state', 'tampered-by-an-attacker'));
    await ssoSignIn(page, 'Microsoft', 'alice@contoso.com — Contoso');
    await expectRefused(page, 'state', 'Sign-in could not be verified');
  });

  it("a replayed nonce (a token issued for another sign-in) is refused, and so is a replayed callback", async () => {
    const { page } = await freshPage();
    // Two sign-ins started in this browser; the first one's authorization request is replayed
    // with the second one's state and PKCE challenge, so only the nonce gives it away.
    await page.goto('/console/login');
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    const first = new URL(page.url());
    await page.goto('/console/login');
    await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
    const second = new URL(page.url());
    expect(first.searchParams.get('nonce')).not.toBe(second.searchParams.get('nonce'));
    first.searchParams.set('state', second.searchParams.get('state')!);
    first.searchParams.set('code_challenge', second.searchParams.get('code_challenge')!);
    await page.goto(first.href);
    await page.getByRole('link', { name: 'alice@contoso.com — Contoso', exact: true }).click();
    await page.waitForURL(/\/auth\/microsoft\/callback/, { waitUntil: 'load' });
    await expectRefused(page, 'nonce', 'Sign-in could not be verified');

    // A successful callback cannot be used twice.
    const callback = page.waitForRequest((r) => r.url().includes('/auth/microsoft/callback'));
    await ssoSignIn(page, 'Microsoft', 'alice@contoso.com — Contoso');
    const used = (await callback).url();
    expect(new URL(page.url()).pathname).toBe('/console/home');
    await new ConsolePage(page).signOut();
    await page.goto(used);
    await expectRefused(page, 'flow_missing', 'This sign-in has expired');
  });

  it('members of the admin group are admins, until SCIM removes the membership', async () => {
    const group = await scim.post('/Groups', { schemas: [GROUP], displayName: 'WiggleDesk Admins', members: [{ value: ids.grace }] });
    expect(group.status).toBe(201);
    const adminPage = (await freshPage()).page;
    await new LoginPage(adminPage).goto().then((p) => p.signIn(admin.email, admin.password));
    await adminPage.goto('/console/sign-in-settings');
    await adminPage.getByLabel('Admin group').fill('WiggleDesk Admins');
    await adminPage.getByRole('button', { name: 'Save admin group' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Admin group saved' }).waitFor();

    const { page, errors } = await freshPage();
    await ssoSignIn(page, 'Microsoft', 'grace@contoso.com — Contoso');
    expect(new URL(page.url()).pathname).toBe('/console');
    const frame = new ConsolePage(page);
    await frame.open('Manage Users');
    await frame.expectHeading('Manage Users');

    const removed = await scim.patch(`/Groups/${group.body.id as string}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${ids.grace}"]` }] });
    expect(removed.status).toBeLessThan(300);
    await frame.open('Groups');
    await frame.expectHeading('Admins only');
    expect(await frame.nav.getByRole('link').allInnerTexts()).toEqual(['Home', 'Profile']);
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  });
});
