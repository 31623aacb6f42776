#!/usr/bin/env node
// Two builds of the app in ONE process, measured block by block in alternation: the way to tell a
// 5 % difference on a machine whose speed drifts by more than that between runs (docs/performance.md).
// `node bench/ab-path.mjs --a DIR --b DIR [--users N] [--blocks B] [--block R] [--phases patch,post,get,list,lookup,groupsCreate,removeMember]`
// Each DIR holds a built dist/ (e.g. this repository, and a copy with one change). Both apps get a
// fresh SQLite database and the same seeded users (as bench/http-path.mjs: app.inject, no socket);
// then for each phase, B rounds each run R requests on A and R on B (the order alternates per round)
// and CPU µs per request of this process is summed per block. Prints per phase the median of A, of
// B, and the median of the per-round ratios B/A (each ratio from two blocks run back to back).
import { parseArgs } from 'node:util';
import { PATCH_SCHEMA, USER_SCHEMA, inprocessPhases, startInProcessApp } from './lib/inprocess-app.mjs';

const { values: o } = parseArgs({ options: { a: { type: 'string', default: '.' }, b: { type: 'string' }, users: { type: 'string', default: '2000' }, blocks: { type: 'string', default: '20' }, block: { type: 'string', default: '200' }, phases: { type: 'string', default: 'patch,post,get' } } });
if (!o.b) throw new Error('--b DIR is required');
async function setUp(appDir) {
  const { c, inject, users, close } = await startInProcessApp({ appDir, users: Number(o.users) });
  let n = 0;
  const pick = () => users[(n * 7919) % users.length].id;
  const phases = {
    ...inprocessPhases(inject, users), // groupsCreate, removeMember, lookup (the four below are this file's own)
    get: () => inject('GET', `/Users/${pick()}`),
    list: () => inject('GET', `/Users?startIndex=${1 + ((n++ * 7919) % Math.max(1, users.length - 100))}&count=100`),
    patch: () => inject('PATCH', `/Users/${pick()}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'title', value: `T${n++}` }, { op: 'Replace', path: 'active', value: 'True' }] }),
    post: () => inject('POST', '/Users', { schemas: [USER_SCHEMA], userName: `new${n++}@bench.example`, emails: [{ value: `new${n}@bench.example`, primary: true }], active: true }),
  };
  return {
    async block(phase, r) {
      await c.services.activity.flush();
      const t = process.cpuUsage();
      for (let i = 0; i < r; i++) await phases[phase]();
      await c.services.activity.flush(); // batched activity rows are part of the cost
      const d = process.cpuUsage(t);
      return (d.user + d.system) / r;
    },
    close,
  };
}

const A = await setUp(o.a);
const B = await setUp(o.b);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const R = Number(o.block);
for (const phase of o.phases.split(',')) {
  await A.block(phase, R); // warm-up
  await B.block(phase, R);
  const a = [], b = [], ratio = [];
  for (let round = 0; round < Number(o.blocks); round++) {
    // Alternate which goes first, so a drift within a round does not favour one side.
    const first = round % 2 === 0 ? A : B;
    const x = await first.block(phase, R);
    const y = await (first === A ? B : A).block(phase, R);
    const [ta, tb] = first === A ? [x, y] : [y, x];
    a.push(ta);
    b.push(tb);
    ratio.push(tb / ta);
  }
  // The mean as well: work done every N requests (a WAL checkpoint) lands in a few blocks, so only
  // the mean charges it to every request.
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
  console.log(`${phase.padEnd(6)} A ${median(a).toFixed(0).padStart(5)} µs/req (mean ${mean(a).toFixed(0)})   B ${median(b).toFixed(0).padStart(5)} µs/req (mean ${mean(b).toFixed(0)})   B/A ×${median(ratio).toFixed(3)}, of the means ×${(mean(b) / mean(a)).toFixed(3)} (rounds ×${Math.min(...ratio).toFixed(2)}–×${Math.max(...ratio).toFixed(2)})`);
}
await A.close();
await B.close();
