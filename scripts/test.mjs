#!/usr/bin/env node
// `npm test`: every Vitest project (unit, http on SQLite and — when WIGGLEDESK_TEST_PG_URL is
// set — PostgreSQL, and the browser tests when Chromium is present). What is skipped is said
// plainly; under CI=true nothing may be skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ci = process.env.CI === 'true';
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const problems = [];
const notes = [];

if (!process.env.WIGGLEDESK_TEST_PG_URL) {
  (ci ? problems : notes).push('PostgreSQL: WIGGLEDESK_TEST_PG_URL is not set, so the HTTP and storage suites ran on SQLite only (SKIPPED the PostgreSQL run).');
}
if (!existsSync(chromium)) {
  (ci ? problems : notes).push(`Browser tests: ${chromium} not found (SKIPPED the browser tests; apt-get install chromium to run them).`);
}
if (problems.length) {
  for (const p of problems) console.error(`npm test: ${p}`);
  console.error('npm test: CI=true requires PostgreSQL and Chromium; failing.');
  process.exit(1);
}

const args = ['vitest', 'run', ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, WIGGLEDESK_CHROMIUM: existsSync(chromium) ? chromium : '' } });
for (const n of notes) console.log(`\nnpm test: ${n}`);
process.exit(r.status ?? 1);
