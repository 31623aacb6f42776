#!/usr/bin/env node
// `npm audit --omit=dev`, failing on high or critical findings. Where the registry's advisory
// endpoint cannot be reached (this workplace's registry mirror answers 405), it says so plainly
// and does not fail: an unanswered audit is reported, never passed off as a clean one.
import { spawnSync } from 'node:child_process';

const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(r.stdout || '{}');
} catch {
  report = {};
}
const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const why = report.message || report.error?.summary || r.stderr.split('\n').find((l) => l.trim()) || 'no answer';
  console.log(`npm audit: NOT RUN — the advisory endpoint did not answer (${why}).`);
  process.exit(0);
}
const bad = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(`npm audit (production dependencies): ${JSON.stringify(counts)}`);
if (bad > 0) {
  console.error(`npm audit: ${bad} high or critical finding(s); run \`npm audit --omit=dev\` for details.`);
  process.exit(1);
}
