#!/usr/bin/env node
// Which B-tree pages does one SCIM write put in the WAL? Every page a transaction changes is one
// WAL frame at COMMIT (two write() calls, and a copy at the next checkpoint), so pages per write is
// what the write path's storage layout costs (docs/performance.md, session 6).
//   node bench/wal-pages.mjs [--app-dir DIR] [--phase patch|post|groupsCreate|removeMember] [--requests 20]
// Seeds 2,000 users (as bench/http-path.mjs, app.inject), checkpoints and truncates the WAL, runs the
// requests, then maps each WAL frame's page number to its table or index with SQLite's dbstat.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PATCH_SCHEMA, USER_SCHEMA, inprocessPhases, startInProcessApp } from './lib/inprocess-app.mjs';

const { values: o } = parseArgs({ options: { 'app-dir': { type: 'string', default: '.' }, phase: { type: 'string', default: 'patch' }, requests: { type: 'string', default: '20' } } });
const appDir = resolve(o['app-dir']);
const Database = createRequire(join(appDir, 'package.json'))('better-sqlite3');
const kind = o.phase;
// SQLite's own checkpoints: the WAL must still hold the frames when it is read below.
const { c, inject, users, file, close } = await startInProcessApp({ appDir, users: 2000, backgroundCheckpoints: false });
const ids = users.map((u) => u.id);
for (let i = 0; i < 200; i++) await inject('PATCH', `/Users/${ids[i]}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'title', value: `W${i}` }] });
const phases = inprocessPhases(inject, users);
if (kind !== 'patch' && kind !== 'post' && !phases[kind]) throw new Error(`unknown phase ${kind}`);
if (kind === 'removeMember') await phases.removeMember(); // fills the group first
await c.services.activity.flush();
const side = new Database(file);
side.pragma('wal_checkpoint(TRUNCATE)');
const N = Number(o.requests);
for (let i = 0; i < N; i++) {
  if (kind === 'patch') await inject('PATCH', `/Users/${ids[(i * 97) % ids.length]}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'title', value: `T${i}` }, { op: 'Replace', path: 'active', value: 'True' }] });
  else if (kind !== 'post') await phases[kind]();
  else await inject('POST', '/Users', { schemas: [USER_SCHEMA], userName: `new${i}@bench.example`, emails: [{ value: `new${i}@bench.example`, primary: true }], active: true });
}
await c.services.activity.flush();
const wal = readFileSync(file + '-wal');
const pageSize = wal.readUInt32BE(8);
const pages = []; let commits = 0;
for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) { pages.push(wal.readUInt32BE(off)); if (wal.readUInt32BE(off + 4) !== 0) commits++; }
const owner = new Map();
for (const r of side.prepare('select name, pageno from dbstat').all()) owner.set(r.pageno, r.name);
const count = new Map();
for (const p of pages) { const n = p === 1 ? 'page 1 (header/schema)' : owner.get(p) ?? `free/new page`; count.set(n, (count.get(n) ?? 0) + 1); }
console.log(`${kind}: ${pages.length} frames, ${commits} commits, ${(pages.length / N).toFixed(1)} frames per request`);
for (const [n, k] of [...count].sort((a, b) => b[1] - a[1])) console.log(String((k / N).toFixed(2)).padStart(6), n);
side.close();
await close();
