#!/usr/bin/env node
// node bench/runtime-compare.mjs --configs "NAME=NODE@APPDIR[@FLAGS[@ENV=V,…]];…" [--users 10000] [--rounds 5]
//                                [--seconds 3] [--phases lookup,get,patch,post] [--shared DIR]
//                                [--populations 10000,1000000]
//
// The same build (or builds) of WiggleDesk under different Node binaries and V8 flags, measured in ONE
// window: one seeded SQLite database copied per configuration, every server started at once pinned to
// the same CPU (idle ones cost nothing), then `--rounds` rounds in which each configuration gets the
// same phases in turn, in a rotated order. On a shared machine a slow minute then hits every
// configuration alike, which a run per configuration a few minutes apart does not. Round 1 is the
// server's first traffic (JIT warm-up included); rounds 2… are the steady state. Reported: server CPU
// ms per request (utime+stime of the server process, from /proc), req/s and RSS.
//
// --populations P1,P2,…: scale in one window (issue #15, "within 1.5× of its 10,000-user cost in the
// same run"). The database is seeded up to each population in turn and snapshotted there (VACUUM
// INTO, the same way for every population); each configuration then runs once per population
// (named NAME@P) and the rounds alternate between them, so the machine's drift hits both sides. Also
// prints, per phase, the ratio largest/smallest population of CPU per request and of req/s (median
// of the per-round ratios of rounds 2…).
//
// APPDIR is a folder with dist/ and node_modules/ (its better-sqlite3 built for NODE's ABI). The bench
// process itself must run on the Node whose ABI matches the FIRST configuration's app (it seeds).
// Example (docs/performance.md §8.3):
//   node_modules/.bin/node bench/runtime-compare.mjs --configs "node24=node_modules/.bin/node@.;node24-nomaglev=node_modules/.bin/node@.@--no-maglev"
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, parseArgs, procStats, round } from './lib/util.mjs';
import { prepareScratch, resolveShared } from './lib/scratch.mjs';
import { createApiKey, freshDatabase, hasTaskset, startWiggleDesk } from './lib/servers.mjs';
import { openSeeder } from './lib/seed.mjs';
import { httpClient, loadUndici } from './lib/driver.mjs';
import { userPhases } from './lib/phases.mjs';
import { mdTable } from './lib/report.mjs';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const A = parseArgs(process.argv.slice(2));
if (!A.configs || A.help) {
  console.log('node bench/runtime-compare.mjs --configs "NAME=NODE@APPDIR[@FLAGS[@ENV=V,…]];…" [--users N] [--rounds R] [--seconds S] [--phases list] [--shared DIR]');
  process.exit(A.help ? 0 : 2);
}
const configs = String(A.configs).split(';').filter(Boolean).map((c) => {
  const eq = c.indexOf('=');
  const name = c.slice(0, eq), rest = c.slice(eq + 1);
  const [node, app, flags = '', env = ''] = rest.split('@');
  return { name, node: resolve(REPO, node), app: resolve(REPO, app || '.'), flags: flags.split(/\s+/).filter(Boolean), env: Object.fromEntries(env.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) };
});
const rounds = Number(A.rounds ?? 5), seconds = Number(A.seconds ?? 3);
const populations = (A.populations ? String(A.populations).split(',').map(Number) : [Number(A.users ?? 10000)]).sort((a, b) => a - b);
const users = populations[populations.length - 1];
const phases = String(A.phases ?? 'lookup,get,patch,post').split(',');
const cpu = hasTaskset() && os.cpus().length >= 2 ? '0' : null;
if (cpu && !process.env.WD_BENCH_PINNED) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, WD_BENCH_PINNED: '1' } });
  process.exit(r.status ?? 1);
}

const workDir = mkdtempSync(join(os.tmpdir(), 'wd-rtcmp-'));
const servers = [];
try {
  log(`load average at start: ${os.loadavg().map((x) => round(x)).join(' ')}`);
  const scratch = prepareScratch(resolveShared(REPO, A.shared));
  const undici = await loadUndici(scratch);
  const tag = Math.random().toString(36).slice(2, 6);
  // Seed once (schema by the first configuration's server, rows by its dist/ code), then copy.
  const db = await freshDatabase({ kind: 'sqlite', repoRoot: configs[0].app, workDir });
  const first = await startWiggleDesk({ repoRoot: configs[0].app, dbUrl: db.url, cpu, logFile: join(workDir, 'seed.log') });
  const key = createApiKey({ repoRoot: configs[0].app, dbUrl: db.url });
  const seeder = await openSeeder({ kind: 'sqlite', dbUrl: db.url, repoRoot: configs[0].app, tag });
  await seeder.seedGroups(Array.from({ length: 100 }, (_, k) => ({ index: k })));
  const snapshots = new Map(); // population → database file
  let seeded = 0;
  for (const pop of populations) {
    const t = Date.now();
    await seeder.seedUsers(seeded, pop, { memberOf: (i) => [...new Set([i % 100, (i * 7 + 3) % 100])] });
    seeded = pop;
    log(`seeded ${pop.toLocaleString()} users (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    if (populations.length > 1) {
      const file = join(workDir, `snapshot-${pop}.db`);
      const Database = createRequire(join(configs[0].app, 'package.json'))('better-sqlite3');
      const src = new Database(db.file, { readonly: true });
      src.prepare('vacuum into ?').run(file);
      src.close();
      snapshots.set(pop, file);
    }
  }
  await seeder.close();
  await first.stop();
  for (const pop of populations) {
    for (const c of configs) {
      const name = populations.length > 1 ? `${c.name}@${pop}` : c.name;
      const file = join(workDir, `${name}.db`);
      const from = snapshots.get(pop) ?? db.file;
      copyFileSync(from, file);
      if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${file}-wal`);
      const s = await startWiggleDesk({ repoRoot: c.app, dbUrl: `sqlite:${file}`, cpu, logFile: join(workDir, `${name}.log`), execPath: c.node, nodeFlags: c.flags, env: c.env, productionFlags: false });
      servers.push({ ...c, name, base: c.name, population: pop, server: s, client: httpClient(undici, s.baseUrl, key, 32), runs: [], rssStart: procStats(s.pid)?.rssMB });
      log(`${name}: pid ${s.pid} (${c.node} ${c.flags.join(' ')}, ${c.app})`);
    }
  }
  for (let r = 0; r < rounds; r++) {
    const order = servers.map((_, i) => servers[(i + r) % servers.length]);
    for (const s of order) {
      const out = await userPhases({ client: s.client, pid: s.server.pid, ids: seeder.ids, population: s.population, duration: seconds, repeat: 1, warmupS: 0, tag: `${tag}${s.name.length}${r}`, which: phases });
      s.runs[r] = { ...out, rssMB: procStats(s.server.pid)?.rssMB };
    }
    log(`round ${r + 1}/${rounds} done; load average ${os.loadavg().map((x) => round(x)).join(' ')}`);
  }
  const med = (xs) => { const v = xs.filter((x) => x != null).sort((a, b) => a - b); return v.length ? v[Math.floor((v.length - 1) / 2)] : null; };
  const rows = [];
  for (const ph of phases) {
    for (const s of servers) {
      const cpus = s.runs.map((x) => x[ph]?.serverCpuMsPerReq), errs = s.runs.reduce((a, x) => a + (x[ph]?.errors ?? 0), 0);
      rows.push([ph, s.name, round(cpus[0], 3), round(med(cpus.slice(1)), 3), cpus.slice(1).map((x) => round(x, 3)).join(' '), round(med(s.runs.slice(1).map((x) => x[ph]?.rps)), 0), round(med(s.runs.slice(1).map((x) => x[ph]?.p99ms)), 1), errs]);
    }
  }
  // The server's own view (prom-client default metrics on /metrics): V8 heap by space and GC time by kind.
  const mem = [];
  for (const s of servers) {
    const text = await (await undici.request(`${s.server.origin}/metrics`)).body.text();
    const val = (re) => { let sum = 0, hit = false; for (const m of text.matchAll(re)) { sum += Number(m[1]); hit = true; } return hit ? sum : null; };
    const mb = (v) => (v == null ? '—' : round(v / 2 ** 20, 1));
    const gc = (kind, what) => val(new RegExp(`^wiggledesk_nodejs_gc_duration_seconds_${what}\\{kind="${kind}"\\} (\\S+)$`, 'gm'));
    const reqs = s.runs.reduce((a, x) => a + phases.reduce((b, ph) => b + (x[ph]?.requests ?? 0), 0), 0);
    mem.push([s.name, mb(val(/^wiggledesk_nodejs_heap_size_total_bytes (\S+)$/gm)), mb(val(/^wiggledesk_nodejs_heap_size_used_bytes (\S+)$/gm)),
      mb(val(/^wiggledesk_nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)$/gm)), mb(val(/^wiggledesk_nodejs_heap_space_size_total_bytes\{space="code"\} (\S+)$/gm)),
      mb(val(/^wiggledesk_nodejs_external_memory_bytes (\S+)$/gm)),
      ...['minor', 'major', 'incremental'].map((k) => `${gc(k, 'count') ?? 0} / ${round((gc(k, 'sum') ?? 0) * 1000, 0)} ms`),
      reqs ? round(((gc('minor', 'sum') ?? 0) + (gc('major', 'sum') ?? 0) + (gc('incremental', 'sum') ?? 0)) * 1e6 / reqs, 1) : '—']);
  }
  const rss = servers.map((s) => [s.name, round(s.rssStart, 0), s.runs.map((x) => round(x.rssMB, 0)).join(' ')]);
  const scale = [];
  if (populations.length > 1) {
    const [lo, hi] = [populations[0], populations[populations.length - 1]];
    for (const ph of phases) {
      for (const c of configs) {
        const a = servers.find((s) => s.base === c.name && s.population === lo), b = servers.find((s) => s.base === c.name && s.population === hi);
        const per = (f) => a.runs.slice(1).map((x, r) => (x[ph] && b.runs[r + 1]?.[ph] ? f(b.runs[r + 1][ph]) / f(x[ph]) : null));
        const cpuR = per((x) => x.serverCpuMsPerReq), slow = per((x) => 1 / x.rps);
        scale.push([ph, c.name, `×${round(med(cpuR), 2)}`, cpuR.map((x) => round(x, 2)).join(' '), `×${round(med(slow), 2)}`, slow.map((x) => round(x, 2)).join(' ')]);
      }
    }
  }
  console.log(`\n${users.toLocaleString()} users, ${rounds} rounds × ${seconds} s per phase, rotated; load average at end ${os.loadavg().map((x) => round(x)).join(' ')}\n`);
  console.log(mdTable(['phase', 'config', 'CPU ms/req round 1 (cold)', 'CPU ms/req median rounds 2…', 'rounds 2…', 'req/s median rounds 2…', 'p99 ms median rounds 2…', 'errors'], rows));
  if (scale.length) console.log(`\n${populations[populations.length - 1].toLocaleString()} users against ${populations[0].toLocaleString()}, median of the per-round ratios (rounds 2…)\n${mdTable(['phase', 'config', 'CPU ms/req ratio', 'per round', 'slowdown (req/s)', 'per round'], scale)}`);
  console.log(`\nRSS MB (after start; after each round)\n${mdTable(['config', 'start', 'rounds'], rss)}`);
  console.log(`\nV8 heap at the end (MB) and GC over the server's life (count / total ms), from its /metrics\n${mdTable(['config', 'heap total', 'heap used', 'new space', 'code space', 'external', 'minor GC', 'major GC', 'incremental', 'GC µs per request'], mem)}`);
} finally {
  for (const s of servers) { await s.client.close().catch(() => {}); await s.server.stop(); }
  rmSync(workDir, { recursive: true, force: true });
}
