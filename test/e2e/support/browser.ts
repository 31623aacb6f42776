// Chromium for the browser tests: playwright-core driving the system Chromium headless.
// playwright's launch() gives every browser a fresh temporary profile (its own user-data-dir),
// removed on close. Skipped with a message when WIGGLEDESK_CHROMIUM is not set (scripts/test.mjs
// sets it whenever /usr/bin/chromium exists; CI=true fails when it does not).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WIGGLEDESK_CHROMIUM;

if (!CHROMIUM) {
  console.warn('e2e: WIGGLEDESK_CHROMIUM is not set — SKIPPING the browser tests (export WIGGLEDESK_CHROMIUM=/usr/bin/chromium to run them).');
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.WIGGLEDESK_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A fresh context (no cookies) that can use the clipboard on `origin`, failing on page errors. */
export async function newContext(browser: Browser, origin: string, viewport = { width: 1280, height: 860 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, baseURL: origin });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  return context;
}

/** Collects console errors (CSP violations show up there) and uncaught page errors. */
export function watchErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}
