// Every console page, at 1280 and 390 px, in Chromium: an axe-core audit (axe-core from npm,
// injected by playwright-core) with no serious or critical violation, no sideways scrolling on a
// phone, and a screenshot. `npm run screenshots` (WIGGLEDESK_SCREENSHOTS=1) writes them to
// docs/screenshots/<page>-<width>.png; otherwise to a temporary directory.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser } from './support/browser.js';
import { seedDemo, type Demo } from './support/demo.js';
import { LoginPage } from './pages/login.page.js';

const KEEP = process.env.WIGGLEDESK_SCREENSHOTS === '1';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WIDTHS = [
  { width: 1280, height: 860 },
  { width: 390, height: 844 },
] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

describe.skipIf(!CHROMIUM)('console audit: axe-core, phone layout and screenshots of every page (Chromium)', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let demo: Demo;
  let OUT = '';

  beforeAll(async () => {
    OUT = KEEP ? resolve('docs/screenshots') : mkdtempSync(join(tmpdir(), 'wd-audit-'));
    mkdirSync(OUT, { recursive: true });
    server = await startServer();
    demo = await seedDemo(server);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (!KEEP && OUT) rmSync(OUT, { recursive: true, force: true });
  });

  /** axe-core's serious and critical violations on the current page. */
  async function audit(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations;
    })) as AxeViolation[];
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  }

  /** The page scrolls sideways (the document is wider than the viewport). */
  const overflowsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

  async function check(page: Page, path: string, slug: string, width: number): Promise<void> {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await page.waitForLoadState('load');
    expect(await audit(page), `${path} at ${width} px`).toEqual([]);
    if (width < 600) expect(await overflowsSideways(page), `${path} scrolls sideways at ${width} px`).toBe(false);
    await page.screenshot({ path: join(OUT, `${slug}-${width}.png`), fullPage: true });
  }

  for (const viewport of WIDTHS) {
    it(`audits every page at ${viewport.width} px`, async () => {
      // bypassCSP: the audit injects axe-core as a script tag, which the console's CSP (rightly) refuses.
      const context: BrowserContext = await browser.newContext({ viewport, baseURL: server.url, bypassCSP: true });
      const page = await context.newPage();
      await check(page, '/console/login', 'sign-in', viewport.width);
      await new LoginPage(page).signIn(demo.admin.email, demo.admin.password);
      await page.waitForURL(/\/console$/);

      // Every page the navigation offers (whoever added it), then the detail and confirmation pages.
      const navPaths = await page.locator('nav[aria-label="Console"] a').evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      expect(navPaths.length).toBeGreaterThanOrEqual(6);
      await page.goto('/console/profile');
      const revokeHref = await page.getByRole('link', { name: 'Revoke key Microsoft Entra ID' }).getAttribute('href');
      const pages: Array<[string, string]> = [
        ...navPaths.map((p): [string, string] => [p, p === '/console' ? 'dashboard' : p.replace('/console/', '').replaceAll('/', '-')]),
        [`/console/users/${demo.userId}`, 'user'],
        [`/console/users/${demo.userId}/deactivate`, 'user-deactivate'],
        [`/console/groups/${demo.groupId}`, 'group'],
        ['/console/activity?errors=1', 'activity-errors'],
        ['/console/activity?view=refused', 'activity-refused'],
        [`/console/activity/${demo.errorSeq}`, 'activity-entry'],
        [revokeHref!, 'profile-revoke-key'],
        ['/console/sign-in-settings/links', 'sign-in-links'],
      ];
      for (const [path, slug] of pages) await check(page, path, slug, viewport.width);

      // The pages a form leads to: a new key shown once, and a test request's answer.
      await page.goto('/console/profile');
      await page.getByLabel('Key name').fill(`Audit ${viewport.width}`);
      await page.getByRole('button', { name: 'Generate API key' }).click();
      await page.getByRole('textbox', { name: 'Your new API key' }).waitFor();
      expect(await audit(page)).toEqual([]);
      await page.screenshot({ path: join(OUT, `profile-new-key-${viewport.width}.png`), fullPage: true });
      // Sign-in settings with a pending DNS challenge (issue #18): the record to publish, Check and Cancel.
      await page.goto('/console/sign-in-settings');
      await page.getByLabel('Workspace domain').fill(`audit-${viewport.width}.example`);
      await page.getByRole('button', { name: 'Add domain' }).click();
      await page.locator(`[data-challenge="audit-${viewport.width}.example"]`).getByRole('textbox', { name: 'TXT value', exact: true }).waitFor();
      expect(await audit(page)).toEqual([]);
      if (viewport.width < 600) expect(await overflowsSideways(page)).toBe(false);
      await page.screenshot({ path: join(OUT, `sign-in-settings-challenge-${viewport.width}.png`), fullPage: true });
      await page.goto('/console/scim-setup');
      await page.getByRole('button', { name: 'Send test request' }).click();
      await page.getByTestId('test-result').waitFor();
      expect(await audit(page)).toEqual([]);
      if (viewport.width < 600) expect(await overflowsSideways(page)).toBe(false);
      await page.screenshot({ path: join(OUT, `scim-setup-test-${viewport.width}.png`), fullPage: true });
      await context.close();
    }, 240_000);
  }
});
