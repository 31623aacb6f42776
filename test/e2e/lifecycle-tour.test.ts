// The user-lifecycle pages in Chromium with realistic data (issue #14): Settings, Add user, CSV
// import with its preview, a manual user's page, Deleted users and Pending claims render without
// console errors and with every control labelled. With WIGGLEDESK_SCREENSHOTS=1 the tour refreshes
// docs/screenshots/20-*.png … (referenced from docs/lifecycle.md); otherwise it writes to a temp dir.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser, newContext, watchErrors } from './support/browser.js';
import { seedDemo, type Demo } from './support/demo.js';
import { LoginPage } from './pages/login.page.js';
import { USER, scimOver } from './support/scim.js';
import { cliActor } from '../../src/services/lifecycle/lifecycle.js';

const KEEP = process.env.WIGGLEDESK_SCREENSHOTS === '1';

describe.skipIf(!CHROMIUM)('user lifecycle pages (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let demo: Demo;
  let OUT = '';
  let manualId = '';

  const shoot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  const unlabelled = () =>
    page.locator('input:not([type="hidden"]):not([hidden]), select, textarea:not([hidden])').evaluateAll((els) =>
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
    const org = (await server.services.organizations.list()).find((o) => o.name === 'Contoso')!;
    const store = server.services.platform.forTenant(org.id);
    const lc = server.services.lifecycle;
    const by = cliActor('demo');
    // Manual users added before the identity provider was connected; one of them claimed under "approve".
    const manual = await lc.addManual(store, by, { email: 'rosalind.franklin@contoso.com', name: 'Rosalind Franklin', department: 'Research', title: 'Crystallographer' });
    manualId = manual.id;
    await lc.addManual(store, by, { email: 'claude.shannon@contoso.com', name: 'Claude Shannon', department: 'Research' });
    await lc.addManual(store, by, { email: 'mary.jackson@contoso.com', name: 'Mary Jackson', title: 'Engineer' });
    await lc.setPolicy(store, by, { claim: 'approve', onDelete: 'retain', retentionDays: 30 });
    const { key } = await server.services.apiKeys.create(store, { name: 'Entra (claims)', createdBy: null });
    const scim = scimOver(server.url, key);
    await scim.post('/Users', { schemas: [USER], userName: 'claude.shannon@contoso.com', externalId: '7f3c9a1e-entra', displayName: 'Claude E. Shannon', name: { givenName: 'Claude', familyName: 'Shannon' }, emails: [{ value: 'claude.shannon@contoso.com', type: 'work', primary: true }] });
    await scim.post('/Users', { schemas: [USER], userName: 'mary.jackson@contoso.com', externalId: '0b2d44f0-entra', displayName: 'Mary W. Jackson', emails: [{ value: 'mary.jackson@contoso.com', type: 'work', primary: true }] });
    // Two people deleted by the identity provider, one by an admin.
    const list = await scim.get('/Users?filter=userName%20sw%20%22linus%22');
    await scim.delete(`/Users/${(list.body.Resources as Array<{ id: string }>)[0]!.id}`);
    const list2 = await scim.get('/Users?filter=userName%20sw%20%22frances%22');
    await scim.delete(`/Users/${(list2.body.Resources as Array<{ id: string }>)[0]!.id}`);
    browser = await launchBrowser();
    const context = await newContext(browser, server.url);
    page = await context.newPage();
    errors = watchErrors(page);
    await new LoginPage(page).goto();
    await new LoginPage(page).signIn(demo.admin.email, demo.admin.password);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (!KEEP && OUT) rmSync(OUT, { recursive: true, force: true });
  });

  it('shows the lifecycle pages cleanly', async () => {
    await visit('/console/settings', 'Settings', '20-settings');
    await visit('/console/users?source=manual', 'Manage Users', '21-manage-users-manual');
    await visit('/console/users/new', 'Add user', '22-add-user');
    await visit(`/console/users/${manualId}`, 'Rosalind Franklin', '23-manual-user');
    await visit('/console/claims', 'Pending claims', '24-pending-claims');
    await visit('/console/deleted-users', 'Deleted users', '25-deleted-users');

    await page.goto('/console/users/import');
    await page
      .getByLabel('CSV', { exact: true })
      .fill(['email,name,department,title', 'joan.clarke@contoso.com,Joan Clarke,Research,Cryptanalyst', 'tommy.flowers@contoso.com,Tommy Flowers,Engineering,', 'not-an-email,Broken Row,,', 'grace.hopper@contoso.com,Grace Hopper,,', 'joan.clarke@contoso.com,Joan Again,,'].join('\n'));
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: 'Preview' }).waitFor();
    expect(await page.getByText('2 rows will be imported; 3 with errors will be skipped').count()).toBe(1);
    await shoot('26-import-preview');
    await page.getByRole('button', { name: 'Import 2 users' }).click();
    await page.getByText('Imported 2 users').waitFor();

    // Restore from Deleted users brings the user back with the same id.
    await page.goto('/console/deleted-users');
    await page.getByRole('button', { name: /^Restore linus/ }).click();
    await page.getByText(/was restored under the same id/).waitFor();
    expect(errors).toEqual([]);
  });
});
