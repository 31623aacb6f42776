// Process lifecycle: WiggleDesk (node dist/main.js serve) and the comparison servers, each pinned
// with taskset to the server CPU; a fresh database per run (SQLite file or PostgreSQL database).
// Processes are ended only by the PIDs this module started.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { log, sleep } from './util.mjs';

export const hasTaskset = () => spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function pinned(cpu, cmd, args) {
  return cpu != null && hasTaskset() ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
}

/** Spawns, tees output to logFile, resolves when `ready(text)` returns a truthy value. */
function spawnAndWait({ cmd, args, cwd, env, logFile, ready, timeoutMs = 180_000, label }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(logFile);
    let text = '';
    let done = false;
    const onData = (b) => {
      out.write(b);
      if (done) return;
      text += b.toString();
      const r = ready(text);
      if (r) { done = true; clearTimeout(timer); resolve({ child, info: r, text }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, sig) => {
      out.end();
      if (!done) { done = true; clearTimeout(timer); reject(new Error(`${label} exited (${sig ?? code}) before it was ready; log ${logFile}:\n${text.slice(-2000)}`)); }
    });
    const timer = setTimeout(() => { if (!done) { done = true; try { child.kill('SIGKILL'); } catch { /* gone */ } reject(new Error(`${label} not ready after ${timeoutMs} ms; log ${logFile}:\n${text.slice(-2000)}`)); } }, timeoutMs);
  });
}

async function stopPid(child, pid, label) {
  if (!pid) return;
  const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
  if (!alive()) return;
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  for (let i = 0; i < 100 && alive(); i++) await sleep(100);
  if (alive()) { log(`${label} (pid ${pid}) ignored SIGTERM for 10 s; SIGKILL`); try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  if (child && child.exitCode === null) await new Promise((r) => { child.once('exit', r); setTimeout(r, 2000); });
}

// ------------------------------------------------------------------ WiggleDesk

export function wdEnv(dbUrl, extra = {}) {
  return {
    ...process.env,
    DATABASE_URL: dbUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The bench must measure the service, not a per-key rate limiter.
    SCIM_RATE_LIMIT_PER_SECOND: '1000000',
    SCIM_RATE_LIMIT_BURST: '10000000',
    ...extra,
  };
}

/**
 * The V8 flags WiggleDesk's launchers set (package.json `start`, deploy/wiggledesk.service, deploy/Containerfile,
 * bin/wiggledesk.js): the bench measures what is deployed. `--node-flags` adds to them (a later
 * `--max-semi-space-size=N` wins over this one).
 */
export const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=16'];

export async function startWiggleDesk({ repoRoot, dbUrl, cpu, logFile, cpuProfDir, nodeFlags = [], env = {}, execPath = process.execPath, productionFlags = true }) {
  const port = await freePort();
  const flags = [...(productionFlags ? PRODUCTION_NODE_FLAGS : []), ...nodeFlags];
  if (cpuProfDir) { mkdirSync(cpuProfDir, { recursive: true }); flags.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`); }
  const [cmd, args] = pinned(cpu, execPath, [...flags, join(repoRoot, 'dist', 'main.js'), 'serve']);
  const { child, info } = await spawnAndWait({
    cmd, args, cwd: repoRoot, env: wdEnv(dbUrl, { PORT: String(port), ...env }), logFile, label: 'WiggleDesk',
    ready: (t) => { const m = /WiggleDesk listening on (http:\/\/[^\s]+) \(pid (\d+)/.exec(t); return m ? { url: m[1], pid: Number(m[2]) } : null; },
  });
  const pid = info.pid;
  return {
    pid, child, port, origin: info.url, baseUrl: `${info.url}/scim/v2`, logFile,
    stop: () => stopPid(child, pid, 'WiggleDesk'),
  };
}

export function createApiKey({ repoRoot, dbUrl, org = 'My Organisation' }) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'main.js'), 'key', 'create', org, '--name', 'bench'], { cwd: repoRoot, env: wdEnv(dbUrl), encoding: 'utf8' });
  const key = (r.stdout || '').trim();
  if (r.status !== 0 || !key.startsWith('wdk_')) throw new Error(`key create failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  return key;
}

// ------------------------------------------------------------------ databases

export async function freshDatabase({ kind, repoRoot, workDir, pgUrl }) {
  if (kind === 'sqlite') {
    const file = join(workDir, 'wiggledesk-bench.db');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    const snapFile = `${file}.snapshot`;
    return {
      kind, url: `sqlite:${file}`, file,
      /** Call with every connection closed: copies the database file; restore() copies it back. */
      snapshot: async () => {
        copyFileSync(file, snapFile);
        const wal = existsSync(`${file}-wal`);
        if (wal) copyFileSync(`${file}-wal`, `${snapFile}-wal`);
        return {
          restore: async () => {
            for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
            copyFileSync(snapFile, file);
            if (wal) copyFileSync(`${snapFile}-wal`, `${file}-wal`);
          },
        };
      },
      drop: async () => { for (const f of [file, `${file}-wal`, `${file}-shm`, snapFile, `${snapFile}-wal`]) rmSync(f, { force: true }); },
    };
  }
  const require = createRequire(join(repoRoot, 'package.json'));
  const pg = require('pg');
  const admin = new URL(pgUrl);
  const name = `wd_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin.toString()); u.pathname = `/${name}`;
  log(`created PostgreSQL database ${name}`);
  const adminQuery = async (...qs) => {
    const d = new pg.Client({ connectionString: admin.toString() });
    await d.connect();
    try { for (const q of qs) await d.query(q); } finally { await d.end(); }
  };
  let snap;
  return {
    kind, url: u.toString(), name,
    /** Call with every connection closed: a template copy of the database; restore() recreates from it. */
    snapshot: async () => {
      snap = `${name}_snap`;
      await adminQuery(`DROP DATABASE IF EXISTS ${snap}`, `CREATE DATABASE ${snap} TEMPLATE ${name}`);
      return { restore: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name} TEMPLATE ${snap}`) };
    },
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, ...(snap ? [`DROP DATABASE IF EXISTS ${snap} WITH (FORCE)`] : []));
      log(`dropped PostgreSQL database ${name}${snap ? ` and ${snap}` : ''}`);
    },
  };
}

// ------------------------------------------------------------------ comparison servers (as peers/run-all.sh)

const PEERS = {
  'bare-http': { dir: 'limits', file: 'bare-http.mjs', token: 'bench-token', path: '/scim/v2' },
  'bare-fastify': { dir: 'limits', file: 'bare-fastify.mjs', token: 'bench-token', path: '/scim/v2' },
  'fastify-sqlite': { dir: 'limits', file: 'fastify-sqlite.mjs', token: 'bench-token', path: '/scim/v2' },
  'fastify-sqlite-fastlist': { dir: 'limits', file: 'fastify-sqlite.mjs', token: 'bench-token', path: '/scim/v2', env: { LIST_MODE: 'fast' } },
  scimmy: { dir: 'scimmy', file: 'server.mjs', token: 'bench-token', path: '/scim/v2' },
  betterauth: { dir: 'betterauth', file: 'server.mjs', token: 'bench-token-0123456789abcdef0123456789abcdef', path: '/api/auth/scim/v2' },
  'jackson-mem': { dir: 'jackson', file: 'server.mjs', token: 'bench-token', jackson: true },
  'jackson-sqlite': { dir: 'jackson', file: 'server.mjs', token: 'bench-token', jackson: true, sqlite: true },
};
export const PEER_NAMES = Object.keys(PEERS);

export async function startPeer(name, { scratchDir, cpu, logFile, seed, workDir }) {
  const p = PEERS[name];
  if (!p) throw new Error(`unknown peer ${name} (known: ${PEER_NAMES.join(', ')})`);
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), TOKEN: p.token, SEED: String(seed), ...(p.env || {}) };
  let dbFile;
  if (p.sqlite) {
    dbFile = join(workDir, `jackson-bench-${port}.db`);
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
    Object.assign(env, { DB_ENGINE: 'sql', DB_TYPE: 'sqlite', DB_URL: dbFile });
  }
  const [cmd, args] = pinned(cpu, process.execPath, [p.file]);
  const { child, info } = await spawnAndWait({
    cmd, args, cwd: join(scratchDir, 'peers', p.dir), env, logFile, label: name, timeoutMs: 600_000,
    ready: (t) => {
      const m = new RegExp(` on ${port} pid (\\d+)`).exec(t);
      if (!m) return null;
      if (p.jackson) {
        const b = /BASE_URL=(\S+) TOKEN=(\S*)/.exec(t);
        return b ? { pid: Number(m[1]), baseUrl: b[1], token: b[2] } : null;
      }
      return { pid: Number(m[1]), baseUrl: `http://127.0.0.1:${port}${p.path}`, token: p.token };
    },
  });
  return {
    name, pid: info.pid, baseUrl: info.baseUrl, token: info.token, child, logFile,
    // jackson needs lowercase group ops (run-all.sh passes --group-ops=lower)
    harnessFlags: p.jackson ? ['--group-ops=lower'] : [],
    stop: async () => { await stopPid(child, info.pid, name); if (dbFile) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true }); },
  };
}

export { existsSync };
