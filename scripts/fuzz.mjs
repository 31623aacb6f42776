#!/usr/bin/env node
// The long fuzz run (issue #8, docs/security.md "Fuzzing"): the same properties as
// test/hardening/fuzz.test.ts, with many more cases. `npm test` runs a bounded 320 per dialect.
//   npm run fuzz                               FUZZ_RUNS cases per dialect (default 20000)
//   FUZZ_SEED=<seed> npm run fuzz              replay the run fast-check printed
//   npm run fuzz -- -t "Bulk"                  any further arguments go to vitest
// PostgreSQL is fuzzed too when WIGGLEDESK_TEST_PG_URL is set.
import { spawnSync } from 'node:child_process';

const runs = process.env.FUZZ_RUNS || '20000';
if (!/^\d+$/.test(runs)) {
  console.error(`fuzz: FUZZ_RUNS must be a whole number (got "${runs}")`);
  process.exit(2);
}
const dialects = process.env.WIGGLEDESK_TEST_PG_URL ? 'SQLite and PostgreSQL' : 'SQLite only (set WIGGLEDESK_TEST_PG_URL for PostgreSQL)';
console.log(`fuzz: ${runs} cases per dialect on ${dialects}${process.env.FUZZ_SEED ? `, seed ${process.env.FUZZ_SEED}` : ''}`);
const started = Date.now();
const vitest = new URL('../node_modules/vitest/vitest.mjs', import.meta.url).pathname;
const r = spawnSync(process.execPath, [vitest, 'run', '--project', 'http', 'test/hardening/fuzz.test.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: runs },
});
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`fuzz: ${r.status === 0 ? 'no failure' : 'FAILED'} after ${seconds} s (${runs} cases per dialect)`);
process.exit(r.status ?? 1);
