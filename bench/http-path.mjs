#!/usr/bin/env node
// The application's own CPU per request, without the HTTP socket and without other processes'
// noise: `node bench/http-path.mjs [--app-dir DIR] [--users N] [--blocks B] [--block R]`.
// Builds the app from DIR/dist (default: this repository) on a fresh SQLite database in $TMPDIR,
// exactly as `serve` does (LOG_LEVEL=warn as in `npm run bench`), seeds N users through the API,
// then for each phase runs B blocks of R requests through `app.inject` (Fastify routing, hooks,
// auth, services, storage, rendering — everything but node's HTTP parser and socket writes) and
// prints CPU µs per request of this process: the minimum over the blocks (a shared machine only
// ever adds time) and the median. Compare two builds by running both, alternately, more than once.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { inprocessPhases, startInProcessApp } from './lib/inprocess-app.mjs';

const { values: o } = parseArgs({ options: { 'app-dir': { type: 'string', default: '.' }, users: { type: 'string', default: '2000' }, blocks: { type: 'string', default: '12' }, block: { type: 'string', default: '250' }, phases: { type: 'string', default: 'lookup,get,patch,post,list' } } });
const N = Number(o.users);
const { c, inject, users, close } = await startInProcessApp({ appDir: o['app-dir'], users: N, headers: { 'user-agent': 'Azure Active Directory SCIM Client' } });
const PHASES = inprocessPhases(inject, users);
const B = Number(o.blocks), R = Number(o.block);
const out = [];
for (const phase of o.phases.split(',')) {
  const run = PHASES[phase];
  const r = phase === 'list' ? Math.max(10, Math.floor(R / 10)) : R;
  for (let i = 0; i < r; i++) await run(); // warm-up
  const perReq = [];
  for (let b = 0; b < B; b++) {
    await c.services.activity.flush();
    const t = process.cpuUsage();
    for (let i = 0; i < r; i++) await run();
    await c.services.activity.flush(); // the batched activity rows of these requests are their cost too
    const d = process.cpuUsage(t);
    perReq.push((d.user + d.system) / r);
  }
  perReq.sort((x, y) => x - y);
  out.push({ phase, minUs: Math.round(perReq[0]), medianUs: Math.round(perReq[Math.floor(B / 2)]) });
}
console.log(JSON.stringify({ appDir: resolve(o['app-dir']), users: N, blocks: B, block: R, results: out }));
for (const x of out) console.log(`${x.phase.padEnd(8)} min ${String(x.minUs).padStart(6)} µs/req   median ${String(x.medianUs).padStart(6)} µs/req`);
await close();
