// Browser-level security of the console (issue #6): an organisation not approved for API access,
// a hostile userName rendered inert, a regular user kept out of admin pages, and form posts
// without the CSRF token or from another site refused.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser, newContext, watchErrors } from './support/browser.js';
import { USER, scimOver } from './support/scim.js';
import { LoginPage } from './pages/login.page.js';
import { ConsolePage } from './pages/console.page.js';
import { ProfilePage } from './pages/profile.page.js';
import { UsersPage } from './pages/users.page.js';
import type { Organization } from '../../src/domain/organization.js';

const XSS = '<img src=x onerror=alert(1)>';

describe.skipIf(!CHROMIUM)('console security (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let org: Organization;
  let admin: { email: string; password: string };

  const signedInPage = async (account: { email: string; password: string }): Promise<{ page: Page; errors: string[] }> => {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await new LoginPage(page).goto().then((p) => p.signIn(account.email, account.password));
    return { page, errors };
  };

  const keyCount = async (o: Organization) => (await server.services.apiKeys.list(server.services.platform.forTenant(o.id))).length;

  beforeAll(async () => {
    server = await startServer();
    org = await server.newOrg('Contoso');
    admin = await server.newAccount(org, 'admin@contoso.test', { displayName: 'Alex Admin' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('tells the admin of an unapproved organisation to reach out to their account manager, and the server refuses a key', async () => {
    const fabrikam = await server.newOrg('Fabrikam', { approved: false });
    const account = await server.newAccount(fabrikam, 'admin@fabrikam.test');
    const { page } = await signedInPage(account);
    const profile = await new ProfilePage(page).goto();
    await page.getByRole('heading', { name: 'Your organisation is not approved for API access yet' }).waitFor();
    await page.getByText('Reach out to your WiggleDesk account manager').waitFor();
    expect(await profile.generateButton.count()).toBe(0);
    expect(await profile.keyName.count()).toBe(0);

    // A hand-made form with a valid CSRF token is refused by the server too.
    await page.evaluate(() => {
      const token = document.querySelector<HTMLInputElement>('input[name="_csrf"]')!.value;
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/console/profile/keys';
      for (const [name, value] of [['_csrf', token], ['name', 'forced']]) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name!;
        input.value = value!;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    });
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await page.getByText('not approved for API access').first().waitFor();
    expect(await keyCount(fabrikam)).toBe(0);
  });

  it('renders a userName of <img src=x onerror=alert(1)> as text, with no image and no script run', async () => {
    const { key } = await server.services.apiKeys.create(server.services.platform.forTenant(org.id), { name: 'Entra', createdBy: null });
    const r = await scimOver(server.url, key).post('/Users', { schemas: [USER], userName: XSS, displayName: XSS, emails: [{ value: 'xss@contoso.test', type: 'work' }] });
    expect(r.status).toBe(201);
    const { page, errors } = await signedInPage(admin);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const users = await new UsersPage(page).goto();
    await users.row(XSS).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await users.openUser(XSS);
    await new ConsolePage(page).expectHeading(XSS);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('keeps a regular user on their own profile: admin pages answer 403', async () => {
    const account = await server.newAccount(org, 'user@contoso.test', { role: 'user', displayName: 'Uma User' });
    const { page } = await signedInPage(account);
    expect(new URL(page.url()).pathname).toBe('/console/profile');
    const frame = new ConsolePage(page);
    await frame.expectHeading('Profile');
    expect(await frame.nav.getByRole('link').allInnerTexts()).toEqual(['Profile']);
    expect(await page.getByRole('heading', { name: 'API keys' }).count()).toBe(0);
    for (const path of ['/console/users', '/console/groups', '/console/activity', '/console/scim-setup']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
      await frame.expectHeading('Admins only');
    }
  });

  it('refuses a form posted without its CSRF token', async () => {
    const { page } = await signedInPage(admin);
    const profile = await new ProfilePage(page).goto();
    const before = await keyCount(org);
    await page.evaluate(() => document.querySelector('form[action="/console/profile/keys"] input[name="_csrf"]')!.remove());
    await profile.keyName.fill('no token');
    await profile.generateButton.click();
    await page.getByRole('heading', { name: 'This form has expired' }).waitFor();
    expect(await keyCount(org)).toBe(before);
  });

  it('refuses a form posted from another site, even with the session cookie attached', async () => {
    const { page } = await signedInPage(admin);
    const target = `${server.url}/console/profile/keys`;
    // An attacker's page on another origin (same host, other port: "same-site", so Lax cookies go along).
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form id="f" method="post" action="${target}"><input name="name" value="evil"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const address = evil.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const before = await keyCount(org);
      const posted = page.waitForResponse((r) => r.url() === target && r.request().method() === 'POST');
      await page.goto(`http://127.0.0.1:${port}/`);
      const response = await posted;
      expect(response.status()).toBe(403);
      expect(await keyCount(org)).toBe(before);
    } finally {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  });
});
