// Console accounts in Chromium (issue #17): the sign-in log (a refused attempt looked up by its
// reference and by user), Deleted users at 1280 px (every action visible, the deleting key by
// name), each page audited with axe-core (no serious or critical violation) at
// 1280 px and at 390 px without sideways scrolling.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser, newContext, watchErrors } from './support/browser.js';
import { LoginPage } from './pages/login.page.js';
import { ConsolePage } from './pages/console.page.js';
import type { Organization } from '../../src/domain/organization.js';
import { USER, scimOver } from './support/scim.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the current page (the context bypasses CSP to inject it). */
async function audit(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  })) as Array<{ id: string; impact: string | null; help: string }>;
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help}`);
}
const overflowsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

describe.skipIf(!CHROMIUM)('console accounts (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let org: Organization;
  let admin: { email: string; password: string };

  beforeAll(async () => {
    server = await startServer();
    org = await server.newOrg('Contoso');
    admin = await server.newAccount(org, 'admin@contoso.test', { displayName: 'Alex Admin' });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('Deleted users at 1280 px: "Erase now" is fully visible without scrolling, and "deleted by" names the key', async () => {
    const store = server.services.platform.forTenant(org.id);
    const { key, record } = await server.services.apiKeys.create(store, { name: 'Microsoft Entra ID provisioning', createdBy: admin.email });
    const scim = scimOver(server.url, key);
    for (const name of ['bartholomew.featherstonehaugh-montgomery', 'alexandria.ocasio-worthington']) {
      const created = await scim.post('/Users', { schemas: [USER], userName: `${name}@contoso-international-holdings.example.com`, displayName: name.replace(/[.-]/g, ' '), active: true });
      expect(created.status).toBe(201);
      expect((await scim.delete(`/Users/${created.body.id as string}`)).status).toBe(204);
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: server.url, bypassCSP: true });
    const page = await context.newPage();
    await page.goto('/console/login');
    await new LoginPage(page).signIn(admin.email, admin.password);
    await page.waitForURL(/\/console$/);
    await page.goto('/console/deleted-users');
    const wrap = page.locator('section[aria-label="Deleted users"] .table-wrap');
    // The table fits its card: nothing hides behind a horizontal scroll bar.
    expect(await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    const box = await wrap.boundingBox();
    expect(await page.getByRole('button', { name: /^Erase now/ }).count()).toBe(2);
    for (const button of await page.getByRole('button', { name: /^Erase now/ }).all()) {
      const b = (await button.boundingBox())!;
      expect(b.x).toBeGreaterThanOrEqual(box!.x);
      expect(b.x + b.width).toBeLessThanOrEqual(box!.x + box!.width + 0.5);
    }
    const table = await page.locator('section[aria-label="Deleted users"] table').textContent();
    expect(table).toContain('API key ‘Microsoft Entra ID provisioning’');
    expect(table).not.toContain(record.id);
    expect(await audit(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it('changes a password and passes on a one-time reset link (pages audited at 1280 and 390 px)', async () => {
    const colleague = await server.newAccount(org, 'pat@contoso.test', { role: 'user' });
    const me = { ...(await server.newAccount(org, 'lee@contoso.test', { displayName: 'Lee Admin' })) };
    for (const viewport of [
      { width: 1280, height: 860 },
      { width: 390, height: 844 },
    ]) {
      const context = await browser.newContext({ viewport, baseURL: server.url, bypassCSP: true });
      const page = await context.newPage();
      const errors = watchErrors(page);
      const check = async (what: string) => {
        expect(await audit(page), `${what} at ${viewport.width} px`).toEqual([]);
        if (viewport.width < 600) expect(await overflowsSideways(page), what).toBe(false);
      };
      await page.goto('/console/login');
      await new LoginPage(page).signIn(me.email, me.password);
      await page.goto('/console/profile');
      await page.getByRole('link', { name: 'Change password' }).click();
      await check('change password');
      const next = `lee's new passphrase at ${viewport.width}`;
      await page.getByLabel('Current password').fill(me.password);
      await page.getByLabel('New password', { exact: true }).fill(next);
      await page.getByLabel('Repeat the new password').fill(next);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your password was changed').waitFor();
      me.password = next;

      await page.goto('/console/accounts');
      await check('console accounts');
      await page.getByRole('button', { name: 'Create reset link for pat@contoso.test' }).click();
      const link = await page.getByRole('textbox', { name: 'One-time reset link' }).inputValue();
      expect(link).toMatch(/\/console\/reset-password\?token=wdr_/);
      await check('reset link shown once');

      // Pat opens the link in their own browser and sets a password.
      const patContext = await browser.newContext({ viewport, baseURL: server.url, bypassCSP: true });
      const pat = await patContext.newPage();
      await pat.goto(link);
      expect(new URL(pat.url()).search).toBe('');
      expect(await audit(pat), `reset page at ${viewport.width} px`).toEqual([]);
      const chosen = `pat's passphrase for ${viewport.width}`;
      await pat.getByLabel('New password', { exact: true }).fill(chosen);
      await pat.getByLabel('Repeat the new password').fill(chosen);
      await pat.getByRole('button', { name: 'Set password' }).click();
      await pat.getByText('Your password is set').waitFor();
      await new LoginPage(pat).signIn(colleague.email, chosen);
      await pat.waitForURL(/\/console\/(profile|home)$/);
      await patContext.close();
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 120_000);

  it('finds a refused sign-in in the Sign-in log by the reference the person saw and by user', async () => {
    const colleague = await server.newAccount(org, 'sam@contoso.test', { role: 'user' });
    // Sam mistypes the password: one generic message on the page, one row in the log.
    const samContext = await newContext(browser, server.url);
    const samPage = await samContext.newPage();
    await samPage.goto('/console/login');
    const refused = samPage.waitForResponse((r) => r.url().endsWith('/console/login') && r.request().method() === 'POST');
    await new LoginPage(samPage).signIn(colleague.email, 'not my password');
    const reference = (await refused).headers()['x-request-id']!;
    await expect(new LoginPage(samPage).error.textContent()).resolves.toContain('The email or password is incorrect.');
    await samContext.close();

    for (const viewport of [
      { width: 1280, height: 860 },
      { width: 390, height: 844 },
    ]) {
      const context = await browser.newContext({ viewport, baseURL: server.url, bypassCSP: true });
      const page = await context.newPage();
      const errors = watchErrors(page);
      await page.goto('/console/login');
      await new LoginPage(page).signIn(admin.email, admin.password);
      await page.waitForURL(/\/console$/);
      if (viewport.width >= 600) await new ConsolePage(page).open('Sign-in log');
      else await page.goto('/console/sign-ins');
      await page.getByRole('heading', { name: 'Sign-in log', level: 1 }).waitFor();

      await page.getByLabel('Code or reference').fill(reference);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/code=/);
      const rows = page.getByTestId('sign-in-row');
      expect(await rows.count()).toBe(1);
      await expect(rows.first().textContent()).resolves.toContain('password/wrong_password');
      await expect(rows.first().textContent()).resolves.toContain('sam@contoso.test');
      expect(await audit(page), `sign-in log at ${viewport.width} px`).toEqual([]);
      if (viewport.width < 600) expect(await overflowsSideways(page)).toBe(false);

      await page.getByRole('link', { name: 'Clear' }).click();
      await page.getByLabel('User').fill('SAM@');
      await page.getByLabel('Outcome').selectOption('refused');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/user=/);
      expect(await page.getByTestId('sign-in-row').count()).toBe(1);
      expect(errors).toEqual([]);
      await context.close();
    }
  }, 120_000);
});
