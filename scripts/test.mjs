#!/usr/bin/env node
// `npm test`: every Vitest project (unit, http on SQLite and — when WIGGLEDESK_TEST_PG_URL is
// set — PostgreSQL, and the browser tests when Chromium is present). What is skipped is said
// plainly; under CI=true nothing may be skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

// The JSON reporter gives the totals for one plain closing line: "N passed, N failed, N skipped".
const dir = mkdtempSync(join(tmpdir(), 'wd-vitest-'));
const report = join(dir, 'report.json');
// The red-team suite (`npm run test:attacks`) runs on its own: it starts servers and measures latency.
const projects = process.argv.slice(2).some((a) => a.startsWith('--project')) ? [] : ['--project', 'unit', '--project', 'http', '--project', 'e2e'];
const args = ['vitest', 'run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const r = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, WIGGLEDESK_CHROMIUM: existsSync(chromium) ? chromium : '' } });
for (const n of notes) console.log(`\nnpm test: ${n}`);
if (existsSync(report)) {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  console.log(`\ntests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${skipped} skipped`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
