// Self-service sign-in in Chromium (issue #17): an org admin connects the organisation's own
// OpenID Connect provider (a real oidc-provider in this process on 127.0.0.1, reached through the
// outbound guard with ALLOW_PRIVATE_TARGETS=1), runs "Try sign-in" through the provider's account
// picker, sees the claims and the user it would reach, enables it, and a user signs in with the
// link. The page passes an axe-core audit (no serious or critical violation) before and after the
// try, at 1280 px and, without sideways scrolling, at 390 px. With WIGGLEDESK_SCREENSHOTS=1
// (`npm run screenshots`) the screenshots go to docs/screenshots/org-provider-*.png.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type ConsoleServer } from './support/server.js';
import { CHROMIUM, launchBrowser, watchErrors } from './support/browser.js';
import { USER, scimOver } from './support/scim.js';
import { LoginPage } from './pages/login.page.js';
import { ConsolePage } from './pages/console.page.js';
import { startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import type { Organization } from '../../src/domain/organization.js';

const KEEP = process.env.WIGGLEDESK_SCREENSHOTS === '1';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PAGE = '/console/sign-in-settings/org-provider';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

describe.skipIf(!CHROMIUM)("an organisation's own OpenID Connect provider (Chromium)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  let idp: TestIdp;
  let org: Organization;
  let admin: { email: string; password: string };
  let OUT = '';
  const contexts: BrowserContext[] = [];

  /** bypassCSP only so that axe-core can be injected; the flows themselves run under the console's CSP in `strict` pages. */
  async function freshPage(options: { width?: number; audit?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
    const width = options.width ?? 1280;
    const context = await browser.newContext({ viewport: { width, height: 860 }, baseURL: server.url, bypassCSP: options.audit === true });
    contexts.push(context);
    const page = await context.newPage();
    return { page, errors: watchErrors(page) };
  }

  async function audit(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: AXE });
    const violations = (await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations;
    })) as AxeViolation[];
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  }
  const overflowsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

  async function checkPage(page: Page, slug: string, width: number) {
    expect(await audit(page), `${slug} at ${width} px`).toEqual([]);
    if (width < 600) expect(await overflowsSideways(page), `${slug} scrolls sideways at ${width} px`).toBe(false);
    await page.screenshot({ path: join(OUT, `${slug}-${width}.png`), fullPage: true });
  }

  beforeAll(async () => {
    OUT = KEEP ? resolve('docs/screenshots') : mkdtempSync(join(tmpdir(), 'wd-org-oidc-'));
    mkdirSync(OUT, { recursive: true });
    idp = await startStandardIdp(
      'oidc',
      [
        { id: 'alice', label: 'alice@contoso.com', claims: { sub: '00u-alice', preferred_username: 'alice@contoso.com', email: 'alice@contoso.com', email_verified: true, name: 'Alice Anders' } },
        { id: 'zed', label: 'zed@contoso.com', claims: { sub: '00u-zed', preferred_username: 'zed@contoso.com' } },
      ],
      '/oauth2/default',
    );
    server = await startServer({ ALLOW_PRIVATE_TARGETS: '1' });
    org = await server.newOrg('Contoso');
    idp.registerRedirectUri(`${server.url}/auth/org/${org.id}/callback`);
    admin = await server.newAccount(org, 'admin@contoso.test', { displayName: 'Alex Admin' });
    const { key } = await server.services.apiKeys.create(server.services.platform.forTenant(org.id), { name: 'Okta', createdBy: null });
    const r = await scimOver(server.url, key).post('/Users', { schemas: [USER], userName: 'alice@contoso.com', displayName: 'Alice Anders', active: true });
    expect(r.status).toBe(201);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await idp?.close();
    if (!KEEP && OUT) rmSync(OUT, { recursive: true, force: true });
  });

  it('the admin connects the provider, tries it, sees the claims and the user, and enables it', async () => {
    const { page, errors } = await freshPage();
    await new LoginPage(page).goto().then((p) => p.signIn(admin.email, admin.password));
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Sign-in settings' }).click();
    await page.getByRole('link', { name: 'Your own identity provider…' }).click();
    await new ConsolePage(page).expectHeading('Your organisation’s identity provider');
    expect(await page.getByRole('textbox', { name: /Redirect URI/ }).inputValue()).toBe(`${server.url}/auth/org/${org.id}/callback`);

    // A wrong issuer first: the message says what to fix, beside the form.
    await page.getByLabel('Issuer URL').fill(`${new URL(idp.issuer).origin}/wrong`);
    await page.getByLabel('Client ID').fill(idp.clientId);
    await page.getByLabel('Client secret').fill(idp.clientSecret);
    await page.getByRole('button', { name: 'Add and check' }).click();
    await page.getByRole('alert').filter({ hasText: 'answered HTTP 404' }).waitFor();
    // That page was a deliberate 400 (Chromium logs it as a failed resource); nothing else may fail.
    errors.length = 0;

    await page.getByLabel('Issuer URL').fill(idp.issuer);
    await page.getByLabel('Client secret').fill(idp.clientSecret);
    await page.getByLabel('Display name').fill('Okta');
    await page.getByRole('button', { name: 'Add and check' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');
    expect(await page.content()).not.toContain(idp.clientSecret);
    expect(await page.getByRole('button', { name: /Enable sign-in/ }).count()).toBe(0);

    await page.getByRole('link', { name: 'Try sign-in with Okta' }).click();
    await page.getByRole('link', { name: 'alice@contoso.com', exact: true }).click();
    await page.waitForURL((url) => url.origin === server.url && url.pathname === PAGE);
    await page.getByRole('status').filter({ hasText: 'The try succeeded.' }).waitFor();
    await page.getByRole('table', { name: 'Claims in the ID token' }).getByRole('cell', { name: '00u-alice' }).waitFor();
    await page.getByRole('link', { name: 'Alice Anders' }).waitFor();

    await page.getByRole('button', { name: 'Enable sign-in with Okta' }).click();
    await page.getByRole('status').filter({ hasText: 'Enabled.' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Sign-in link for your users' }).inputValue()).toBe(`${server.url}/auth/org/${org.id}/start`);
    expect(errors).toEqual([]);
  });

  it('a user of the organisation signs in from the sign-in page; an account that is not provisioned is refused', async () => {
    const { page, errors } = await freshPage();
    await page.goto(`/console/login?org=${org.id}`);
    await page.getByRole('link', { name: 'Sign in with Okta' }).click();
    await page.getByRole('link', { name: 'alice@contoso.com', exact: true }).click();
    await page.waitForURL((url) => url.origin === server.url, { waitUntil: 'load' });
    expect(new URL(page.url()).pathname).toBe('/console/home');
    await new ConsolePage(page).expectHeading('Welcome, Alice Anders');
    expect(errors).toEqual([]);

    const other = await freshPage();
    await other.page.goto(`/auth/org/${org.id}/start`);
    await other.page.getByRole('link', { name: 'zed@contoso.com', exact: true }).click();
    await other.page.waitForURL((url) => url.origin === server.url, { waitUntil: 'load' });
    expect(await other.page.locator('[data-refusal]').getAttribute('data-refusal')).toBe('not_provisioned');
  });

  for (const width of [1280, 390]) {
    it(`the page passes axe-core at ${width} px, before and after a try`, async () => {
      const { page } = await freshPage({ width, audit: true });
      await new LoginPage(page).goto().then((p) => p.signIn(admin.email, admin.password));
      await page.goto(PAGE);
      await checkPage(page, 'org-provider', width);
      await page.getByRole('link', { name: 'Try sign-in with Okta' }).click();
      await page.getByRole('link', { name: 'zed@contoso.com', exact: true }).click();
      await page.waitForURL((url) => url.origin === server.url && url.pathname === PAGE);
      await page.getByText('Matches no provisioned user').waitFor();
      await checkPage(page, 'org-provider-try', width);
    }, 120_000);
  }
});
