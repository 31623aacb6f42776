#!/usr/bin/env node
// Instructions per request of one in-process phase, counted by valgrind's callgrind: the same
// figure whatever else the machine is doing, so two builds can be told apart by a few per cent on
// a machine whose speed drifts by more than that (docs/performance.md, session 10).
//   node bench/instructions.mjs [--app-dir DIR] [--phase removeMember] [--requests 1500]
// Runs the app twice under callgrind (both times: 200 users seeded through the API, 300 requests of
// warm-up, no background checkpoints), once with R more requests of the phase and once with 2R;
// the difference divided by R is the steady state of one request, seeding, start-up and JIT
// warm-up cancelling out. Counts SQLite (native) and JavaScript alike. About 3 minutes per build.
// Node runs with --single-threaded (see below).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({ options: { 'app-dir': { type: 'string', default: '.' }, phase: { type: 'string', default: 'removeMember' }, requests: { type: 'string', default: '1500' }, child: { type: 'string' } } });

if (o.child !== undefined) {
  const { inprocessPhases, startInProcessApp } = await import('./lib/inprocess-app.mjs');
  const { c, inject, users, close } = await startInProcessApp({ appDir: o['app-dir'], users: 200, backgroundCheckpoints: false });
  const run = inprocessPhases(inject, users)[o.phase];
  if (!run) throw new Error(`unknown phase ${o.phase}`);
  for (let i = 0; i < 300; i++) await run();
  await c.services.activity.flush();
  for (let i = 0; i < Number(o.child); i++) await run();
  await c.services.activity.flush();
  await close();
} else {
  const R = Number(o.requests);
  const count = (n) => {
    const out = join(tmpdir(), `wd-callgrind-${process.pid}-${n}.out`);
    // V8's background threads (concurrent compilers, GC markers) do varying work: one thread, so
    // the count is the request's own.
    const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', fileURLToPath(import.meta.url), '--app-dir', resolve(o['app-dir']), '--phase', o.phase, '--child', String(n)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`valgrind exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const total = Number(/summary: (\d+)/.exec(readFileSync(out, 'utf8'))?.[1]);
    rmSync(out, { force: true });
    return total;
  };
  const once = count(R), twice = count(2 * R);
  console.log(`${o.phase} (${resolve(o['app-dir'])}): ${Math.round((twice - once) / R).toLocaleString('en')} instructions per request (${once.toLocaleString('en')} with ${R} requests, ${twice.toLocaleString('en')} with ${2 * R})`);
}
