#!/usr/bin/env node
// Which B-tree pages does one SCIM write put in the WAL? Every page a transaction changes is one
// WAL frame at COMMIT (two write() calls, and a copy at the next checkpoint), so pages per write is
// what the write path's storage layout costs (docs/performance.md, session 6).
//   node bench/wal-pages.mjs [--app-dir DIR] [--phase patch|post] [--requests 20]
// Seeds 2,000 users (as bench/http-path.mjs, app.inject), checkpoints and truncates the WAL, runs the
// requests, then maps each WAL frame's page number to its table or index with SQLite's dbstat.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({ options: { 'app-dir': { type: 'string', default: '.' }, phase: { type: 'string', default: 'patch' }, requests: { type: 'string', default: '20' } } });
const appDir = resolve(o['app-dir']);
const Database = createRequire(join(appDir, 'package.json'))('better-sqlite3');
const dist = (p) => pathToFileURL(join(appDir, 'dist', p)).href;
const kind = o.phase;
const { loadConfig } = await import(dist('config/config.js'));
const { compose } = await import(dist('compose.js'));
const { buildApp } = await import(dist('http/app.js'));
const dir = mkdtempSync(join(tmpdir(), 'wd-wal-'));
const file = join(dir, 'db.sqlite');
const config = { ...loadConfig({ LOG_LEVEL: 'warn', SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000' }), database: { dialect: 'sqlite', url: file, poolSize: 1 } };
const c = await compose(config); // SQLite's own checkpoints: the WAL is read before one runs
const app = await buildApp(config, c.services, { logger: { level: 'warn', stream: { write() {} } } });
await app.ready();
const org = await c.services.organizations.create('Bench', { apiAccessApproved: true });
const { key } = await c.services.apiKeys.create(c.services.platform.forTenant(org.id), { name: 'bench', createdBy: null });
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
const inject = async (method, url, body) => { const r = await app.inject({ method, url: `/scim/v2${url}`, headers, ...(body ? { payload: JSON.stringify(body) } : {}) }); if (r.statusCode >= 400) throw new Error(r.body); return r; };
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ids = [];
for (let i = 0; i < 2000; i++) ids.push(JSON.parse((await inject('POST', '/Users', { schemas: [USER], userName: `user${i}@bench.example`, name: { givenName: 'Ann', familyName: `Lee ${i}` }, emails: [{ value: `user${i}@bench.example`, type: 'work', primary: true }], active: true, title: 'Engineer' })).body).id);
for (let i = 0; i < 200; i++) await inject('PATCH', `/Users/${ids[i]}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value: `W${i}` }] });
await c.services.activity.flush();
const side = new Database(file);
side.pragma('wal_checkpoint(TRUNCATE)');
const N = Number(o.requests);
for (let i = 0; i < N; i++) {
  if (kind === 'patch') await inject('PATCH', `/Users/${ids[(i * 97) % ids.length]}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value: `T${i}` }, { op: 'Replace', path: 'active', value: 'True' }] });
  else await inject('POST', '/Users', { schemas: [USER], userName: `new${i}@bench.example`, emails: [{ value: `new${i}@bench.example`, primary: true }], active: true });
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
await app.close();
await c.close();
rmSync(dir, { recursive: true, force: true });
