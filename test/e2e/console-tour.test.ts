// A tour of every console page in Chromium with realistic data: each renders without console
// errors (a CSP violation would show there), every form control has a label, the keyboard
// reaches the content first through the skip link. With WIGGLEDESK_SCREENSHOTS=1 the tour also
// refreshes docs/screenshots/ (referenced from docs/console.md); otherwise it writes to a temp dir.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser, newContext, watchErrors } from './support/browser.js';
import { seedDemo, type Demo } from './support/demo.js';
import { LoginPage } from './pages/login.page.js';
import { ProfilePage } from './pages/profile.page.js';

const KEEP = process.env.WIGGLEDESK_SCREENSHOTS === '1';

describe.skipIf(!CHROMIUM)('console tour (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let demo: Demo;
  let OUT = '';

  const shoot = async (name: string, options: { fullPage?: boolean } = {}) => {
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: options.fullPage ?? true });
  };

  /** Every visible input and select is named by a <label> or aria-label. */
  const unlabelled = () =>
    page.locator('input:not([type="hidden"]), select, textarea').evaluateAll((els) =>
      els.filter((e) => (e as HTMLInputElement).labels?.length === 0 && !e.getAttribute('aria-label')).map((e) => e.outerHTML),
    );

  const visit = async (path: string, heading: string | RegExp, shot: string) => {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    expect(await unlabelled(), path).toEqual([]);
    await shoot(shot);
  };

  beforeAll(async () => {
    OUT = KEEP ? resolve('docs/screenshots') : mkdtempSync(join(tmpdir(), 'wd-shots-'));
    mkdirSync(OUT, { recursive: true });
    server = await startServer();
    demo = await seedDemo(server);
    browser = await launchBrowser();
    const context = await newContext(browser, server.url);
    page = await context.newPage();
    errors = watchErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (!KEEP && OUT) rmSync(OUT, { recursive: true, force: true });
  });

  it('signs in with the keyboard, skip link first', async () => {
    await new LoginPage(page).goto();
    expect(await unlabelled()).toEqual([]);
    await shoot('01-sign-in', { fullPage: false });
    // The email field has focus on arrival; type, Tab to the password, Enter submits.
    await page.keyboard.type(demo.admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(demo.admin.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console$/);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('shows every page cleanly', async () => {
    await visit('/console', 'Dashboard', '02-dashboard');
    await visit('/console/users', 'Manage Users', '03-manage-users');
    await visit(`/console/users/${demo.userId}`, 'Grace Hopper', '04-user');
    await visit('/console/groups', 'Groups', '05-groups');
    await visit(`/console/groups/${demo.groupId}`, 'Engineering', '06-group');
    await visit('/console/activity', 'Provisioning activity', '07-activity');
    await visit(`/console/activity/${demo.errorSeq}`, /POST/, '08-activity-entry');
    await visit('/console/scim-setup', 'SCIM setup', '09-scim-setup');
    await visit('/console/profile', 'Profile', '10-profile');

    const profile = new ProfilePage(page);
    await profile.generateKey('Okta');
    await shoot('11-profile-new-key');
    await page.getByRole('link', { name: 'Revoke key Okta' }).click();
    await page.getByRole('heading', { level: 1, name: 'Revoke “Okta”?' }).waitFor();
    await shoot('12-revoke-key');

    await page.setViewportSize({ width: 390, height: 844 });
    await visit('/console', 'Dashboard', '13-dashboard-mobile');
    await visit('/console/users', 'Manage Users', '14-manage-users-mobile');
    expect(errors).toEqual([]);
  });

  it('shows the profile of a regular user', async () => {
    const context = await newContext(browser, server.url);
    const userPage = await context.newPage();
    const userErrors = watchErrors(userPage);
    await new LoginPage(userPage).goto().then((p) => p.signIn(demo.user.email, demo.user.password));
    await userPage.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();
    await userPage.screenshot({ path: join(OUT, '15-profile-regular-user.png'), fullPage: true });
    expect(userErrors).toEqual([]);
    await context.close();
  });
});
