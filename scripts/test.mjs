#!/usr/bin/env node
// `npm test`: every Vitest project (unit, http on SQLite and — when WIGGLEDESK_TEST_PG_URL is
// set — PostgreSQL, and the browser tests when Chromium is present). What is skipped is said
// plainly; under CI=true nothing may be skipped. Everything runs on the project's Node 24 (node_modules/.bin/node,
// which `npm test` puts first on PATH); Vitest's workers are started with the same Node (process.execPath).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (Number(process.versions.node.split('.')[0]) < 24) {
  // Started as `node scripts/test.mjs` with an older system Node: run again with the project's.
  const own = join(root, 'node_modules', '.bin', 'node');
  if (!existsSync(own)) {
    console.error(`npm test: needs Node.js >= 24 (this is ${process.version}); run \`npm install\` first.`);
    process.exit(1);
  }
  process.exit(spawnSync(own, process.argv.slice(1), { stdio: 'inherit' }).status ?? 1);
}
const runtimeCheck = spawnSync(process.execPath, [join(root, 'scripts', 'runtime.cjs'), 'check'], { stdio: 'inherit' });
if (runtimeCheck.status !== 0) process.exit(runtimeCheck.status ?? 1);
console.log(`npm test: node ${process.version} (${process.execPath})`);

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
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = [vitest, 'run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, WIGGLEDESK_CHROMIUM: existsSync(chromium) ? chromium : '' } });
for (const n of notes) console.log(`\nnpm test: ${n}`);
if (existsSync(report)) {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  console.log(`\ntests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${skipped} skipped`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
