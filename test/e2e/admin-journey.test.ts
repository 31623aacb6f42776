// The seed article's admin journey in a real browser against the real server (issue #6):
// sign in → generate a key → copy it → an identity provider uses it to POST a user → the user is
// on Manage Users as "Provisioned" → a SCIM PATCH deactivates it → the page shows it inactive →
// the activity log lists both requests → revoke the key → SCIM answers 401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser, newContext, watchErrors } from './support/browser.js';
import { PATCH_OP, USER, scimOver } from './support/scim.js';
import { LoginPage } from './pages/login.page.js';
import { ConsolePage } from './pages/console.page.js';
import { ProfilePage } from './pages/profile.page.js';
import { UsersPage, UserPage } from './pages/users.page.js';
import { ActivityPage } from './pages/activity.page.js';

describe.skipIf(!CHROMIUM)('admin journey (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let admin: { email: string; password: string };

  beforeAll(async () => {
    server = await startServer();
    const org = await server.newOrg('Contoso');
    admin = await server.newAccount(org, 'admin@contoso.test', { displayName: 'Alex Admin' });
    browser = await launchBrowser();
    context = await newContext(browser, server.url);
    page = await context.newPage();
    errors = watchErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('connects an identity provider, provisions and deprovisions a user, and revokes the key', async () => {
    // Sign in: `/` → /console → sign-in page → the dashboard.
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await new LoginPage(page).signIn(admin.email, admin.password);
    expect(new URL(page.url()).pathname).toBe('/console');
    const frame = new ConsolePage(page);
    await frame.expectHeading('Dashboard');
    await page.getByRole('heading', { name: 'Not connected yet' }).waitFor();

    // Profile → generate a key, shown once, and copy it.
    await frame.open('Profile');
    const profile = new ProfilePage(page);
    await profile.generateKey('Microsoft Entra ID');
    await page.getByText('you will not see this key again').waitFor();
    const key = await profile.newKeyField.inputValue();
    expect(key).toMatch(/^wdk_[0-9a-f]{24}_[\w-]{43}$/);
    expect(await profile.copyNewKey()).toBe(key);

    // The identity provider uses the key: the seed article's example user.
    const scim = scimOver(server.url, key);
    const created = await scim.post('/Users', {
      schemas: [USER],
      active: true,
      emails: [{ type: 'work', value: 'example@example.info' }],
      externalId: 'd8ffd6a9-cede-41a4-815e-a52a53180333',
      userName: 'Example Username',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // It appears on Manage Users, provisioned and active.
    await frame.open('Manage Users');
    const users = new UsersPage(page);
    await frame.expectHeading('Manage Users');
    const row = users.row('Example Username');
    await row.waitFor();
    expect(await row.getByRole('cell').allInnerTexts()).toEqual(expect.arrayContaining(['example@example.info', 'Active', 'Provisioned']));

    // Deactivated by SCIM PATCH → the page shows it suspended.
    const patched = await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(patched.status).toBe(200);
    await page.reload();
    expect(await users.row('Example Username').getByRole('cell').allInnerTexts()).toContain('Suspended');
    await users.search('example', { status: 'Suspended', source: 'Provisioned' });
    await users.row('Example Username').waitFor();

    // The user's page: attributes read-only, both requests in its history.
    await users.openUser('Example Username');
    const user = new UserPage(page);
    await frame.expectHeading('Example Username');
    await page.getByText('read-only here').waitFor();
    expect(await user.attribute('externalId').innerText()).toBe('d8ffd6a9-cede-41a4-815e-a52a53180333');
    await page.getByRole('button', { name: 'Reactivate user' }).waitFor();

    // The activity log lists both requests with the key's name.
    await frame.open('Activity');
    const activity = new ActivityPage(page);
    const texts = await activity.rows.allInnerTexts();
    const patchRow = texts.findIndex((t) => /PATCH/.test(t) && t.includes(id));
    const postRow = texts.findIndex((t) => /POST/.test(t) && /201 Created/.test(t));
    expect(patchRow).toBeGreaterThanOrEqual(0);
    expect(postRow).toBeGreaterThan(patchRow); // newest first
    expect(texts[patchRow]).toContain('Microsoft Entra ID');
    expect(texts[patchRow]).toContain('200 OK');
    await activity.openRow(patchRow);
    await page.getByRole('heading', { name: 'Summary' }).waitFor();
    await page.getByText('"path": "active"').waitFor();

    // The dashboard says provisioning is healthy.
    await frame.open('Dashboard');
    await page.getByRole('heading', { name: 'Provisioning is healthy' }).waitFor();
    await page.getByText('with the key “Microsoft Entra ID”').waitFor();

    // Revoke the key (behind a confirmation) → SCIM answers 401.
    await frame.open('Profile');
    await profile.revokeKey('Microsoft Entra ID');
    expect(await profile.keyRow('Microsoft Entra ID').innerText()).toContain('Revoked');
    expect((await scim.get('/Users')).status).toBe(401);

    await frame.signOut();
    await page.getByText('You have signed out.').waitFor();
    await page.goto('/console/users');
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(errors).toEqual([]);
  });
});
