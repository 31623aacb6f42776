#!/usr/bin/env node
// npm run bench -- [options]   (see --help, bench/README.md and docs/performance.md)
//
// Starts WiggleDesk (dist/, built first) on a fresh SQLite file or PostgreSQL database, pinned to
// the server CPU with taskset; seeds users and groups through the fast path (bench/lib/seed.mjs);
// runs our own phases at each population checkpoint (lookup by userName, lookup by emails.value,
// GET, Entra PATCH, POST) and the group-size phases; then the shared harness (../shared/bench,
// copied to os.tmpdir() and installed there) with its own phases; optionally the comparison
// servers side by side; prints tables, the issue #9 target checks, and writes
// bench/results/<stamp>-<db>-<users>/{run.json,summary.md,…}.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, parseArgs, rssSampler, round, sleep } from './lib/util.mjs';
import { preparePeers, prepareScratch, resolveShared } from './lib/scratch.mjs';
import { createApiKey, freshDatabase, hasTaskset, startPeer, startWiggleDesk, PEER_NAMES } from './lib/servers.mjs';
import { openSeeder } from './lib/seed.mjs';
import { httpClient, loadUndici } from './lib/driver.mjs';
import { groupPhases, groupPlan, userPhases, settle } from './lib/phases.mjs';
import { ceilingTargets, dialectTable, groupTargets, harnessPhases, issue15Table, mdTable, medianOfRuns, PHASE_HEADER, phaseRow, ratioTable, roundRatios, scaleTargets, targetsTable } from './lib/report.mjs';
import { coarse, summariseProfile } from './lib/cpuprofile.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const A = parseArgs(process.argv.slice(2));
// `--issue15`: the one command behind issue #15's final table (docs/performance.md §8.3). Explicit flags win.
const ISSUE15 = {
  db: 'sqlite', users: '10000', peers: 'fastify-sqlite,jackson-mem', rounds: '3', 'also-postgres': 'true',
  phases: 'lookup,get,patch,post', 'group-phases': 'false', 'harness-phases': 'load,lookup,get,patch,list,groups',
  'commit-results': 'true', label: 'issue15',
};
if (A.issue15 === 'true') for (const [k, v] of Object.entries(ISSUE15)) if (A[k] === undefined) A[k] = v;
// The app under test: this repo's dist/ by default; --app-dir points at another build (a folder with
// dist/, package.json and node_modules/), e.g. a patched copy to measure a proposed change.
const APP = resolve(A['app-dir'] ?? REPO);

const HELP = `npm run bench -- [options]
  --db sqlite|postgres        database (default sqlite; postgres uses --pg-url, a fresh wd_bench_* database, dropped after)
  --users N                   seeded population (default 10000; 100000, 1000000 …)
  --checkpoints a,b,…         populations at which our user phases run (default: 10000 and N when N > 10000)
  --groups G                  directory groups seeded up front (default 100); users join them as they are seeded
  --memberships M             groups each seeded user belongs to (default 2; 0 = none)
  --duration S                seconds per timed phase, split across --repeat (default 6)
  --repeat R                  repeats per timed phase, median reported (default 3)
  --phases list               our user phases (default lookup,emails,get,patch,post,list)
  --pause-after-seed S        wait S seconds after each seeding step before measuring (e.g. 65: let the
                              server's periodic PRAGMA optimize see the new rows; default 0 = measure at once)
  --no-scale                  skip our user phases
  --no-group-phases           skip our group-size phases (group of 100 vs group of up to 100,000)
  --no-harness                skip the shared harness (scim-bench.mjs)
  --harness-phases list       default load,lookup,get,patch,list,groups
  --harness-n N               users the harness POSTs in its load phase (default 10000)
  --peers [list]              also run comparison servers side by side (default list: fastify-sqlite,jackson-mem,jackson-sqlite,betterauth)
  --rounds R                  harness rounds: WiggleDesk (restored from a snapshot of the seeded DB) then each peer, R times;
                              medians and per-round ratios reported (default 1: harness on the live server, peers once)
  --peer-seed N               SEED rows for fastify-sqlite (default: --users, so both hold the same population)
  --cpu-prof                  run WiggleDesk under node --cpu-prof and summarise where time went
  --profile list              profiling mode: one server (with --cpu-prof) per listed phase on the seeded DB
                              (phases: lookup,emails,get,patch,post,list,groups.add,groups.getFull)
  --server-cpu 0 --client-cpu 1   taskset pinning (default 0 / 1; ignored without taskset or with 1 CPU)
  --no-build                  use dist/ as it is (default: npm run build first)
  --pg-url URL                admin URL (default $BENCH_PG_URL or postgres://postgres:postgres@127.0.0.1:5432/postgres)
  --shared DIR                the shared harness folder (default <repo>/../shared/bench)
  --out DIR                   results folder (default bench/results/<stamp>-<db>-<users>)
  --keep                      keep the database (prints its URL)
  --label NAME                suffix for the results folder
  --app-dir DIR               benchmark another build of the app (DIR/dist, DIR/node_modules); implies --no-build
  --node-flags="F …"          extra flags for WiggleDesk's node (e.g. "--max-semi-space-size=32", "--no-maglev"); the
                              server's own launcher flags still apply
  --also-postgres             the same population on a fresh PostgreSQL database too; at the last checkpoint each of our
                              point phases (--phases minus list) runs on SQLite and at once on PostgreSQL, side by side
  --commit-results            also write summary.md + run.json (small) to bench/results/committed/<date>-<commit>[-label]/,
                              which is NOT gitignored: commit it with the change it measures
  --issue15                   preset for issue #15's final table: ${Object.entries(ISSUE15).map(([k, v]) => (v === 'true' ? `--${k}` : v === 'false' ? `--no-${k}` : `--${k} ${v}`)).join(' ')}

Ratios between two servers are refused (printed as "no ratio") for a phase in which either saw errors.
The machine's load average is printed at the start and the end (and recorded per phase in run.json).`;
if (A.help) { console.log(HELP); process.exit(0); }

const serverCpu = A['server-cpu'] ?? '0';
const clientCpu = A['client-cpu'] ?? '1';
const canPin = hasTaskset() && os.cpus().length >= 2 && A.pin !== 'false';

// Pin this process (the load generator) to the client CPU by re-executing under taskset.
if (canPin && !process.env.WD_BENCH_PINNED) {
  const r = spawnSync('taskset', ['-c', clientCpu, process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, WD_BENCH_PINNED: '1' } });
  process.exit(r.status ?? 1);
}

const cfg = {
  db: A.db ?? 'sqlite',
  users: Number(A.users ?? 10000),
  groups: Number(A.groups ?? 100),
  duration: Number(A.duration ?? 6),
  repeat: Number(A.repeat ?? 3),
  phases: String(A.phases ?? 'lookup,emails,get,patch,post,list').split(',').filter(Boolean),
  scale: A.scale !== 'false',
  groupPhases: A['group-phases'] !== 'false',
  memberships: Number(A.memberships ?? 2),
  harness: A.harness !== 'false',
  harnessPhases: A['harness-phases'] ?? 'load,lookup,get,patch,list,groups',
  harnessN: Number(A['harness-n'] ?? 10000),
  rounds: Number(A.rounds ?? 1),
  pauseAfterSeed: Number(A['pause-after-seed'] ?? 0),
  peers: A.peers === undefined || A.peers === 'false' ? [] : (A.peers === 'true' ? 'fastify-sqlite,jackson-mem,jackson-sqlite,betterauth' : A.peers).split(',').filter(Boolean),
  cpuProf: A['cpu-prof'] === 'true',
  profile: A.profile ? String(A.profile === 'true' ? 'lookup,emails,get,patch,post,groups.add,groups.getFull' : A.profile).split(',') : null,
  build: A.build !== 'false' && APP === REPO,
  pgUrl: A['pg-url'] ?? process.env.BENCH_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres',
  keep: A.keep === 'true',
  nodeFlags: A['node-flags'] && A['node-flags'] !== 'true' ? String(A['node-flags']).split(/\s+/).filter(Boolean) : [],
  alsoPostgres: A['also-postgres'] === 'true',
  commitResults: A['commit-results'] === 'true',
};
cfg.checkpoints = A.checkpoints ? String(A.checkpoints).split(',').map(Number) : cfg.users > 10000 ? [10000, cfg.users] : [cfg.users];
if (cfg.checkpoints[cfg.checkpoints.length - 1] !== cfg.users) cfg.checkpoints.push(cfg.users);
if (!['sqlite', 'postgres'].includes(cfg.db)) { console.error(`--db must be sqlite or postgres`); process.exit(2); }
for (const p of cfg.peers) if (!PEER_NAMES.includes(p)) { console.error(`unknown peer ${p}; known: ${PEER_NAMES.join(', ')}`); process.exit(2); }

const stamp = new Date().toISOString().replace(/[:T]/g, '-').replace(/\..+/, '');
const outDir = resolve(A.out ?? join(REPO, 'bench', 'results', `${stamp}-${cfg.db}-${cfg.users}${cfg.profile ? '-profile' : ''}${A.label ? `-${A.label}` : ''}`));
mkdirSync(outDir, { recursive: true });
const workDir = mkdtempSync(join(os.tmpdir(), 'wd-bench-'));
const tag = Math.random().toString(36).slice(2, 6);

function git(args) { const r = spawnSync('git', args, { cwd: APP, encoding: 'utf8' }); // the measured build's commit (--app-dir: that folder's)
  return r.status === 0 ? r.stdout.trim() : null; }
const meta = {
  startedAt: new Date().toISOString(), node: process.version, platform: `${os.type()} ${os.release()}`,
  cpu: { model: os.cpus()[0]?.model, count: os.cpus().length }, memGiB: round(os.totalmem() / 2 ** 30, 1),
  loadavgAtStart: os.loadavg().map((x) => round(x)), pinned: canPin ? { server: serverCpu, client: clientCpu } : null,
  git: { commit: git(['rev-parse', '--short', 'HEAD']), dirtyFiles: (git(['status', '--porcelain']) ?? '').split('\n').filter(Boolean).length },
  argv: process.argv.slice(2), config: cfg, seedTag: tag, appDir: APP,
};

function build() {
  if (!cfg.build) { log('--no-build: using dist/ as it is'); return null; }
  log('npm run build …');
  const t = Date.now();
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, encoding: 'utf8' });
  const secs = ((Date.now() - t) / 1000).toFixed(0);
  if (r.status !== 0) {
    if (!existsSync(join(REPO, 'dist', 'main.js'))) throw new Error(`build failed and there is no dist/main.js:\n${r.stdout}${r.stderr}`);
    const first = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /error TS/.test(l)).slice(0, 3);
    log(`WARNING: tsc reported errors (${secs}s) but emitted dist/; benchmarking the emitted code. First errors:\n  ${first.join('\n  ')}`);
    return { status: r.status, errors: first };
  }
  log(`built in ${secs}s`);
  return { status: 0 };
}

/** Checks seeded rows through the API before measuring anything on them. */
async function verifySeed(client, ids, population, expectedUsersAtLeast) {
  const probes = [0, Math.floor(population / 2), population - 1];
  const problems = [];
  for (const i of probes) {
    const g = await client.req('GET', `/Users/${ids.userId(i)}`);
    const gj = g.status === 200 ? JSON.parse(g.text) : null;
    if (gj?.userName !== ids.userName(i)) problems.push(`GET user ${i}: ${g.status} ${g.text.slice(0, 200)}`);
    const l = await client.req('GET', `/Users?filter=${encodeURIComponent(`userName eq "${ids.userName(i)}"`)}`);
    if (l.status !== 200 || JSON.parse(l.text).totalResults !== 1) problems.push(`lookup user ${i}: ${l.status} ${l.text.slice(0, 200)}`);
    const e = await client.req('GET', `/Users?filter=${encodeURIComponent(`emails.value eq "${ids.email(i)}"`)}`);
    if (e.status !== 200 || JSON.parse(e.text).totalResults !== 1) problems.push(`emails lookup user ${i}: ${e.status} ${e.text.slice(0, 200)}`);
  }
  const c = await client.req('GET', '/Users?count=0');
  const total = c.status === 200 ? JSON.parse(c.text).totalResults : null;
  if (!(total >= expectedUsersAtLeast)) problems.push(`totalResults ${total} < ${expectedUsersAtLeast}`);
  if (problems.length) throw new Error(`seeded data does not read back through the API:\n  ${problems.join('\n  ')}`);
  return total;
}

function runHarness({ scratch, label, suffix = '', baseUrl, token, pid, extra = [], seedLabel }) {
  const out = join(outDir, `${label}${suffix}.json`);
  const args = [join(scratch, 'scim-bench.mjs'), `--base-url=${baseUrl}`, `--token=${token}`, `--pid=${pid}`, `--label=${label}`, `--out=${out}`,
    `--n=${cfg.harnessN}`, `--duration=${cfg.duration}`, `--list-duration=${Math.min(10, cfg.duration)}`, `--repeat=${cfg.repeat}`, `--phases=${cfg.harnessPhases}`, ...extra];
  const cmd = canPin ? ['taskset', ['-c', clientCpu, process.execPath, ...args]] : [process.execPath, args];
  log(`harness: ${label}${seedLabel ? ` (${seedLabel})` : ''} …`);
  return new Promise((resolveP) => {
    const child = spawn(cmd[0], cmd[1], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    const logf = createWriteStream(join(outDir, `${label}${suffix}.harness.log`));
    child.stdout.on('data', (b) => { logf.write(b); process.stdout.write(b); });
    child.stderr.on('data', (b) => { logf.write(b); process.stderr.write(b); });
    const timer = setTimeout(() => { log(`harness for ${label} over 40 min; stopping it`); child.kill('SIGTERM'); }, 40 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer); logf.end();
      if (code !== 0) log(`harness for ${label} exited ${code}`);
      resolveP(existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null);
    });
  });
}

function profileSummaries(dir, label) {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => {
    const s = summariseProfile(join(dir, f));
    return { label, file: join(dir, f), busyS: s.busyS, wallS: s.wallS, coarse: coarse(s), buckets: s.buckets.slice(0, 20), topSelf: s.topSelf.slice(0, 20), topInclusiveApp: s.topInclusiveApp.slice(0, 20) };
  });
}

function profileText(p) {
  return [`### ${p.label} (server busy ${p.busyS}s of ${p.wallS}s)`, `coarse: ${p.coarse.map(([k, v]) => `${k} ${v}%`).join(', ')}`,
    'top self time:', ...p.topSelf.slice(0, 12).map((f) => `  ${String(f.pct).padStart(5)}%  ${f.fn}`),
    'top inclusive (app code):', ...p.topInclusiveApp.slice(0, 12).map((f) => `  ${String(f.pct).padStart(5)}%  ${f.fn}`)].join('\n');
}

/**
 * `--also-postgres`: a second WiggleDesk on a fresh wd_bench_* database with the same population and
 * directory groups (same seeder), started before the last checkpoint's phases so that each point phase
 * runs on SQLite and then at once on PostgreSQL: minutes apart, a shared machine's drift would decide
 * the comparison (the first version of this option ran PostgreSQL after the peers and measured the
 * machine, not the dialect). Both servers are pinned to the server CPU; the idle one costs nothing.
 */
async function preparePostgres({ undici, memberOf, G, population }) {
  const pg = await freshDatabase({ kind: 'postgres', repoRoot: APP, workDir, pgUrl: cfg.pgUrl });
  const ctx = { pg, population, phases: {} };
  ctx.stop = async () => {
    if (ctx.client) await ctx.client.close().catch(() => {});
    if (ctx.seeder) await ctx.seeder.close().catch(() => {});
    if (ctx.server) await ctx.server.stop();
    await pg.drop().catch((e) => log(`drop database: ${e.message}`));
  };
  try {
    ctx.server = await startWiggleDesk({ repoRoot: APP, dbUrl: pg.url, cpu: canPin ? serverCpu : null, nodeFlags: cfg.nodeFlags, logFile: join(outDir, 'wiggledesk.postgres.server.log') });
    log(`WiggleDesk on PostgreSQL: pid ${ctx.server.pid} (${pg.name})`);
    const key = createApiKey({ repoRoot: APP, dbUrl: pg.url });
    ctx.seeder = await openSeeder({ kind: 'postgres', dbUrl: pg.url, repoRoot: APP, tag });
    const t = Date.now();
    if (G > 0) await ctx.seeder.seedGroups(Array.from({ length: G }, (_, k) => ({ index: k })));
    await ctx.seeder.seedUsers(0, population, { memberOf });
    log(`PostgreSQL: seeded ${population.toLocaleString()} users in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    ctx.client = httpClient(undici, ctx.server.baseUrl, key, 32);
    await verifySeed(ctx.client, ctx.seeder.ids, population, population);
    return ctx;
  } catch (e) { await ctx.stop(); throw e; }
}

async function main() {
  log(`load average at start: ${meta.loadavgAtStart.join(' ')} (1, 5, 15 min; ${os.cpus().length} CPUs)`);
  const result = { meta, checkpoints: [], seeding: [], groups: null, harness: null, peers: {}, profiles: [], rss: null, targets: [] };
  const cleanups = [];
  let db;
  try {
    const shared = resolveShared(REPO, A.shared);
    const scratch = prepareScratch(shared);
    meta.shared = shared; meta.scratch = scratch;
    if (cfg.peers.length) preparePeers(scratch, cfg.peers);
    meta.build = build();
    db = await freshDatabase({ kind: cfg.db, repoRoot: APP, workDir, pgUrl: cfg.pgUrl });
    meta.database = cfg.db === 'sqlite' ? { kind: 'sqlite', file: db.file } : { kind: 'postgres', name: db.name };
    const profDir = cfg.cpuProf ? join(outDir, 'cpuprof') : undefined;
    let server = await startWiggleDesk({ repoRoot: APP, dbUrl: db.url, cpu: canPin ? serverCpu : null, nodeFlags: cfg.nodeFlags, logFile: join(outDir, 'wiggledesk.server.log'), cpuProfDir: profDir });
    cleanups.push(() => server.stop());
    log(`WiggleDesk pid ${server.pid} at ${server.baseUrl} (${cfg.db})`);
    const key = createApiKey({ repoRoot: APP, dbUrl: db.url });
    const undici = await loadUndici(scratch);
    let client = httpClient(undici, server.baseUrl, key, 32);
    let rss = rssSampler(server.pid);
    const seeder = await openSeeder({ kind: cfg.db, dbUrl: db.url, repoRoot: APP, tag });
    cleanups.unshift(() => seeder.close());
    const ids = seeder.ids;

    // ---- directory groups: every user is a member of `memberships` of them (a tenant has groups)
    const G = cfg.groups;
    if (G > 0) {
      const ms = await seeder.seedGroups(Array.from({ length: G }, (_, k) => ({ index: k })));
      result.seeding.push({ what: `${G} directory groups`, ms: round(ms, 0) });
    }
    const per = G > 0 ? Math.min(cfg.memberships, G) : 0;
    const memberOf = per > 0 ? (i) => { const out = []; for (let m = 0; m < per; m++) out.push((i + m * (Math.floor(i / G) + 1) * 7) % G); return [...new Set(out)]; } : undefined;
    meta.population = { directoryGroups: G, membershipsPerUser: per };

    // ---- user population checkpoints
    let seeded = 0;
    let posted = 0;
    for (const cp of cfg.checkpoints) {
      rss.mark(`seed→${cp}`);
      log(`seeding users ${seeded.toLocaleString()} → ${cp.toLocaleString()}${per ? ` (each in ${per} of ${G} groups)` : ''} (${cfg.db}, fast path) …`);
      const ms = await seeder.seedUsers(seeded, cp, { memberOf });
      result.seeding.push({ what: `users ${seeded}→${cp}${per ? ` + ${per} memberships each` : ''}`, ms: round(ms, 0), usPerRow: round((ms * 1000) / Math.max(1, cp - seeded), 1) });
      log(`seeded ${(cp - seeded).toLocaleString()} users in ${(ms / 1000).toFixed(1)} s (${((ms * 1000) / Math.max(1, cp - seeded)).toFixed(0)} µs/user)`);
      seeded = cp;
      if (cfg.pauseAfterSeed > 0) { log(`pausing ${cfg.pauseAfterSeed} s after seeding (--pause-after-seed) …`); await sleep(cfg.pauseAfterSeed * 1000); }
      // a long seed outlives the server's keep-alive timeout: start from fresh connections
      await client.close();
      client = httpClient(undici, server.baseUrl, key, 32);
      const total = await verifySeed(client, ids, cp, cp + posted);
      if (cfg.scale && !cfg.profile) {
        rss.mark(`users@${cp}`);
        let pgx = null;
        if (cfg.alsoPostgres && cp === cfg.checkpoints[cfg.checkpoints.length - 1]) {
          try { pgx = await preparePostgres({ undici, memberOf, G, population: cp }); }
          catch (e) { log(`PostgreSQL point phases failed: ${e.message}`); result.postgres = { error: String(e.message).slice(0, 2000) }; }
        }
        const phases = {};
        try {
          for (const ph of cfg.phases) {
            Object.assign(phases, await userPhases({ client, pid: server.pid, ids, population: cp, duration: cfg.duration, repeat: cfg.repeat, tag, which: [ph] }));
            if (pgx && ph !== 'list') Object.assign(pgx.phases, await userPhases({ client: pgx.client, pid: pgx.server.pid, ids: pgx.seeder.ids, population: cp, duration: cfg.duration, repeat: cfg.repeat, tag: `${tag}pg`, which: [ph] }));
          }
          if (pgx) result.postgres = { database: pgx.pg.name, population: cp, phases: pgx.phases };
        } finally { if (pgx) await pgx.stop(); }
        posted += phases.post?.requests ?? 0;
        result.checkpoints.push({ population: cp, totalUsers: total, phases });
      }
    }

    // ---- groups
    const plan = groupPlan(seeded, { firstIndex: G });
    if (cfg.groupPhases || cfg.profile) {
      rss.mark('seed groups');
      const ms = await seeder.seedGroups([plan.big, ...plan.small]);
      await client.close();
      client = httpClient(undici, server.baseUrl, key, 32);
      result.seeding.push({ what: `groups for the size phases: 1 × ${plan.bigSize} members, ${plan.small.length} × ${plan.smallSize}`, ms: round(ms, 0) });
      log(`seeded groups (1 × ${plan.bigSize.toLocaleString()} members, ${plan.small.length} × ${plan.smallSize}) in ${(ms / 1000).toFixed(1)} s`);
    }

    if (cfg.profile) {
      // ---- profiling mode: a fresh server process under --cpu-prof per phase, same database.
      await client.close(); rss.stop(); await server.stop(); cleanups.length = 0; cleanups.push(() => seeder.close());
      for (const ph of cfg.profile) {
        const dir = join(outDir, 'cpuprof', ph.replace(/[^\w.]/g, '_'));
        server = await startWiggleDesk({ repoRoot: APP, dbUrl: db.url, cpu: canPin ? serverCpu : null, nodeFlags: cfg.nodeFlags, logFile: join(outDir, `wiggledesk.${ph}.server.log`), cpuProfDir: dir });
        client = httpClient(undici, server.baseUrl, key, 32);
        log(`profiling ${ph} (pid ${server.pid}) …`);
        let summary;
        if (ph === 'groups.add' || ph === 'groups.getFull') {
          const g = await groupPhases({ client, pid: server.pid, ids, plan: { ...plan, rounds: Math.min(plan.rounds, 50) }, duration: 1, repeat: 1 });
          summary = g;
          plan.poolFrom += 0; // memberships added are idempotent re-adds on later runs
        } else {
          summary = await userPhases({ client, pid: server.pid, ids, population: seeded, duration: cfg.duration, repeat: 1, tag: `${tag}${ph}`, which: [ph] });
        }
        await client.close();
        await server.stop();
        for (const p of profileSummaries(dir, ph)) { result.profiles.push({ ...p, phaseSummary: summary[ph] ?? null }); console.log(`\n${profileText(p)}`); }
      }
      server = null;
    } else {
      // ---- our group-size phases
      if (cfg.groupPhases) {
        rss.mark('groups');
        result.groups = await groupPhases({ client, pid: server.pid, ids, plan, duration: cfg.duration, repeat: cfg.repeat });
      }
      // ---- the shared harness against WiggleDesk, then the comparison servers, one at a time
      const runPeers = async (suffix) => {
        const out = {};
        for (const name of cfg.peers) {
          let peer;
          try {
            log(`starting ${name} (SEED=${A['peer-seed'] ?? cfg.users}) …`);
            peer = await startPeer(name, { scratchDir: scratch, cpu: canPin ? serverCpu : null, logFile: join(outDir, `${name}${suffix}.server.log`), seed: Number(A['peer-seed'] ?? cfg.users), workDir });
            out[name] = await runHarness({ scratch, label: name, suffix, baseUrl: peer.baseUrl, token: peer.token, pid: peer.pid, extra: peer.harnessFlags });
          } catch (e) {
            log(`peer ${name} failed: ${e.message}`);
            out[name] = { error: String(e.message).slice(0, 2000) };
          } finally {
            if (peer) await peer.stop();
          }
        }
        return out;
      };
      if (cfg.rounds <= 1) {
        if (cfg.harness) {
          rss.mark('harness');
          await settle(client);
          result.harness = await runHarness({ scratch, label: 'wiggledesk', baseUrl: server.baseUrl, token: key, pid: server.pid, seedLabel: `${seeded.toLocaleString()} seeded users` });
        }
        result.rss = rss.stop();
        await client.close();
        await server.stop();
        cleanups.length = 0; cleanups.push(() => seeder.close());
        if (profDir) for (const p of profileSummaries(profDir, 'whole run')) { result.profiles.push(p); console.log(`\n${profileText(p)}`); }
        result.peers = await runPeers('');
      } else {
        // Rounds: WiggleDesk (restored from a snapshot of the seeded database) and every peer, in
        // turn, `rounds` times; medians per phase and per-round ratios are reported, so drift in a
        // shared machine's speed hits both sides alike.
        result.rss = rss.stop();
        await client.close();
        await server.stop();
        await seeder.close();
        cleanups.length = 0;
        if (profDir) for (const p of profileSummaries(profDir, 'seeded phases')) { result.profiles.push(p); console.log(`\n${profileText(p)}`); }
        const snap = await db.snapshot();
        result.rounds = [];
        for (let r = 1; r <= cfg.rounds; r++) {
          log(`round ${r}/${cfg.rounds}`);
          await snap.restore();
          const srv = await startWiggleDesk({ repoRoot: APP, dbUrl: db.url, cpu: canPin ? serverCpu : null, nodeFlags: cfg.nodeFlags, logFile: join(outDir, `wiggledesk.r${r}.server.log`) });
          const rr = rssSampler(srv.pid);
          let wd;
          try { wd = await runHarness({ scratch, label: 'wiggledesk', suffix: `.r${r}`, baseUrl: srv.baseUrl, token: key, pid: srv.pid, seedLabel: `round ${r}, ${seeded.toLocaleString()} seeded users` }); }
          finally { const x = rr.stop(); result.rss.byPhase[`harness r${r}`] = x.overallMaxMB; result.rss.overallMaxMB = Math.max(result.rss.overallMaxMB, x.overallMaxMB); await srv.stop(); }
          result.rounds.push({ wiggledesk: wd, peers: await runPeers(`.r${r}`) });
        }
        result.harness = medianOfRuns(result.rounds.map((x) => x.wiggledesk));
        for (const name of cfg.peers) {
          const runs = result.rounds.map((x) => x.peers[name]).filter((v) => v && !v.error);
          result.peers[name] = runs.length ? medianOfRuns(runs) : result.rounds[0].peers[name];
        }
      }
    }
    if (!cfg.profile && cfg.rounds > 1) { /* seeder closed before the rounds */ } else await seeder.close();
    cleanups.length = 0;

  } finally {
    for (const c of cleanups) { try { await c(); } catch (e) { log(`cleanup: ${e.message}`); } }
    if (db && !cfg.keep) await db.drop().catch((e) => log(`drop database: ${e.message}`));
    else if (db) log(`kept database: ${db.url}`);
    if (!cfg.keep) rmSync(workDir, { recursive: true, force: true });
  }

  // ---- report
  meta.finishedAt = new Date().toISOString();
  meta.loadavgAtEnd = os.loadavg().map((x) => round(x));
  meta.durationS = round((Date.parse(meta.finishedAt) - Date.parse(meta.startedAt)) / 1000, 0);
  log(`load average at end: ${meta.loadavgAtEnd.join(' ')} (start ${meta.loadavgAtStart.join(' ')}); run took ${(meta.durationS / 60).toFixed(1)} min`);
  const md = [];
  md.push(`# WiggleDesk bench ${meta.startedAt} — ${cfg.db}, ${cfg.users.toLocaleString()} users`);
  md.push(`node ${meta.node}${cfg.nodeFlags.length ? ` (server flags ${cfg.nodeFlags.join(' ')})` : ''}, ${meta.cpu.count} × ${meta.cpu.model}, ${meta.memGiB} GiB, **load average (1/5/15 min) at start ${meta.loadavgAtStart.join(' ')}, at end ${meta.loadavgAtEnd.join(' ')}**; took ${(meta.durationS / 60).toFixed(1)} min; git ${meta.git.commit}${meta.git.dirtyFiles ? ` + ${meta.git.dirtyFiles} uncommitted files` : ''}; server CPU ${canPin ? serverCpu : 'unpinned'}, load generator CPU ${canPin ? clientCpu : 'unpinned'}`);
  md.push(`\n## Seeding (fast path: bench/lib/seed.mjs)\n${mdTable(['what', 'ms', 'µs/row'], result.seeding.map((s) => [s.what, s.ms, s.usPerRow ?? '—']))}`);
  if (result.checkpoints.length) {
    const rows = [];
    for (const c of result.checkpoints) for (const [k, s] of Object.entries(c.phases)) rows.push(phaseRow(`${k}@${c.population.toLocaleString()}`, s));
    md.push(`\n## Our phases on the seeded population (random users of the whole population; median of ${cfg.repeat} repeats)\n${mdTable(PHASE_HEADER, rows)}`);
    const errs = result.checkpoints.flatMap((c) => Object.entries(c.phases).filter(([, s]) => s.errors).map(([k, s]) => `- ${k}@${c.population}: ${s.errors} errors, status ${JSON.stringify(s.status)}; samples: ${s.errSamples.join(' | ')}`));
    if (errs.length) md.push(`\nErrors:\n${errs.join('\n')}`);
  }
  if (result.groups) {
    const g = result.groups;
    md.push(`\n## Group membership by group size (sequential PATCH, as Entra sends them)\n${mdTable(PHASE_HEADER, [
      phaseRow('add 100 → group of 100', g.add100Small), phaseRow(`add 100 → group of ${g.bigSize.toLocaleString()}`, g.add100Big),
      phaseRow('remove 1 ← group of ~200', g.remove1Small), phaseRow(`remove 1 ← group of ${g.bigSize.toLocaleString()}`, g.remove1Big),
      phaseRow('GET ?excludedAttributes=members, small', g.getNoMembersSmall), phaseRow(`GET ?excludedAttributes=members, ${g.bigSize.toLocaleString()}`, g.getNoMembersBig)])}`);
    md.push(`\nFull GET of the big group: ${g.fullGet.map((f) => `${f.status} ${f.members} members, ${(f.bytes / 1e6).toFixed(1)} MB, ${f.ms} ms, server RSS ${f.rssStartMB}→max ${f.rssMaxMB} MB`).join('; ')}`);
  }
  if (result.rss) md.push(`\n## Server RSS (sampled every 200 ms over the whole WiggleDesk run)\nmax ${result.rss.overallMaxMB} MB; by stage: ${Object.entries(result.rss.byPhase).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (result.harness) {
    md.push(`\n## Shared harness (scim-bench.mjs) against WiggleDesk\n${mdTable(PHASE_HEADER, Object.entries(harnessPhases(result.harness)).filter(([_k, s]) => s && typeof s === 'object' && !Array.isArray(s) && 'requests' in s).map(([k, s]) => phaseRow(k, s)))}`);
    const hg = harnessPhases(result.harness)['groups.raw'];
    if (hg?.addMembers) md.push(`\nharness groups: add batch first-tenth avg ${hg.addMembers.firstTenthAvgMs} ms, last-tenth avg ${hg.addMembers.lastTenthAvgMs} ms; full GET ${hg.fullGet?.bytes} bytes in ${hg.fullGet?.ms} ms (${hg.fullGet?.members} members); after remove ${hg.afterRemoveMembers} (expected ${hg.expectedAfterRemove}); notes: ${(hg.notes || []).join('; ') || 'none'}`);
    const errs = Object.entries(harnessPhases(result.harness)).filter(([, s]) => s?.errors).map(([k, s]) => `- ${k}: ${s.errors} errors ${JSON.stringify(s.status)}; ${(s.errSamples || []).join(' | ')}`);
    if (errs.length) md.push(`\nHarness errors:\n${errs.join('\n')}`);
  }
  const okPeers = Object.fromEntries(Object.entries(result.peers).filter(([, v]) => v && !v.error));
  if (result.harness && (okPeers['fastify-sqlite'] || okPeers['jackson-mem'])) {
    const t = issue15Table(result.harness, okPeers, { rounds: result.rounds ?? [] });
    result.issue15 = { met: t.met, of: t.verdicts };
    md.push(`\n## Issue #15 final table (${cfg.rounds > 1 ? `median of ${cfg.rounds} alternating rounds` : 'one round'}; ${t.met} of ${t.verdicts} phases meet every target)\n${t.table}`);
  }
  if (result.postgres && !result.postgres.error) {
    const sq = result.checkpoints.find((c) => c.population === result.postgres.population)?.phases ?? {};
    const pick = (o) => Object.fromEntries(Object.entries(o).filter(([k]) => k in result.postgres.phases));
    md.push(`\n## Point phases: SQLite and PostgreSQL in the same run (our phases, median of ${cfg.repeat} repeats)\n${dialectTable(pick(sq), result.postgres.phases, result.postgres.population)}`);
  } else if (result.postgres?.error) md.push(`\nPostgreSQL point phases failed: ${result.postgres.error.split('\n')[0]}`);
  if (result.harness && Object.keys(okPeers).length) {
    md.push(`\n## Side by side (same run, server CPU ${serverCpu}, harness CPU ${clientCpu}; ratio to fastify-sqlite)\n${ratioTable({ wiggledesk: result.harness, ...okPeers })}`);
  }
  if (result.rounds?.length > 1 && cfg.peers.includes('fastify-sqlite')) md.push(`\n## Per-round req/s ratios to fastify-sqlite (rounds alternate WiggleDesk and the peers)\n${roundRatios(result.rounds)}`);
  for (const [n, v] of Object.entries(result.peers)) if (v?.error) md.push(`\npeer ${n} failed: ${v.error.split('\n')[0]}`);
  result.targets = [...scaleTargets(result.checkpoints), ...groupTargets(result.groups)];
  if (result.rss) result.targets.push({ target: 'server RSS < 300 MB throughout', measured: `max ${result.rss.overallMaxMB} MB`, met: result.rss.overallMaxMB < 300, verdict: result.rss.overallMaxMB < 300 ? 'MET' : 'NOT MET' });
  if (result.harness) result.targets.push(...ceilingTargets(result.harness, okPeers));
  if (result.targets.length) md.push(`\n## Issue #9 targets\n${targetsTable(result.targets)}`);
  if (result.profiles.length) md.push(`\n## CPU profiles\n${result.profiles.map((p) => '```\n' + profileText(p) + '\n```').join('\n')}`);
  const text = md.join('\n');
  writeFileSync(join(outDir, 'run.json'), JSON.stringify(result, null, 2));
  writeFileSync(join(outDir, 'summary.md'), `${text}\n`);
  console.log(`\n${text}\n`);
  log(`wrote ${join(outDir, 'summary.md')} and run.json`);
  if (cfg.commitResults) commitResults(result, text);
}

/**
 * `--commit-results`: summary.md and a small run.json (phase figures only: no profiles, logs or
 * server output) under bench/results/committed/<date>-<commit>[-label]/, the one results
 * path that is not gitignored. A tree with uncommitted changes outside bench/ and docs/ is marked
 * `-dirty` in the folder name: the commit id alone would not say what was measured.
 */
function commitResults(result, text) {
  const commit = meta.git.commit ?? 'nogit';
  const dirty = (git(['status', '--porcelain', '--', '.', ':!bench', ':!docs']) ?? '').split('\n').filter(Boolean).length;
  const dir = join(REPO, 'bench', 'results', 'committed', `${meta.startedAt.slice(0, 10)}-${commit}${dirty ? '-dirty' : ''}${A.label ? `-${A.label}` : ''}`);
  mkdirSync(dir, { recursive: true });
  const phasesOnly = (h) => (h && Array.isArray(h.results) ? { label: h.label, results: h.results } : h);
  const small = {
    meta, seeding: result.seeding, checkpoints: result.checkpoints, postgres: result.postgres ?? null, rss: result.rss, issue15: result.issue15 ?? null,
    harness: phasesOnly(result.harness), peers: Object.fromEntries(Object.entries(result.peers).map(([k, v]) => [k, phasesOnly(v)])),
    rounds: (result.rounds ?? []).map((r) => ({ wiggledesk: phasesOnly(r.wiggledesk), peers: Object.fromEntries(Object.entries(r.peers).map(([k, v]) => [k, phasesOnly(v)])) })),
    targets: result.targets,
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(small, null, 1));
  writeFileSync(join(dir, 'summary.md'), `${text}\n`);
  log(`--commit-results: wrote ${dir} (git add it with the change it measures)${dirty ? `; ${dirty} uncommitted files outside bench/ and docs/, so the folder is marked -dirty` : ''}`);
}

process.on('SIGINT', () => { log('interrupted'); });
main().catch((e) => { console.error(e?.stack || e); process.exit(1); });
