#!/usr/bin/env node
// Prints the SQL the app's storage layer sends for the hot SCIM queries, with timings and SQLite's
// EXPLAIN QUERY PLAN, on a database kept by `npm run bench -- --keep`:
//   node bench/explain.mjs /tmp/wd-bench-XXXX/wiggledesk-bench.db [--app-dir DIR]
//   node bench/explain.mjs postgres://postgres:postgres@127.0.0.1:5432/wd_bench_xxxx [--app-dir DIR]
// It goes through dist/storage (createTenantStore) with a logging Kysely instance, so what it shows
// is exactly what the server runs.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from './lib/util.mjs';

const A = parseArgs(process.argv.slice(2));
const file = process.argv[2];
if (!file || file.startsWith('--')) { console.error('usage: node bench/explain.mjs <sqlite file | postgres URL> [--app-dir DIR]'); process.exit(2); }
const APP = resolve(A['app-dir'] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const require = createRequire(join(APP, 'package.json'));
const Database = require('better-sqlite3');
const { Kysely, SqliteDialect } = require('kysely');
const imp = (p) => import(pathToFileURL(join(APP, 'dist', p)).href);
const { createTenantStore } = await imp('storage/kysely/tenant-store.js');
const { parseFilter } = await imp('scim/filter/parser.js');
const { foldCase } = await imp('scim/filter/fold-case.js');
const { chargeSqlWork } = await imp('storage/kysely/sql-work.js');

const isPg = /^postgres(ql)?:\/\//.test(file);
const queries = [];
const log = (e) => { if (e.level === 'query') queries.push({ sql: e.query.sql, params: e.query.parameters, ms: e.queryDurationMillis }); };
let db, one, all, plan;
if (isPg) {
  const pg = require('pg');
  const { PostgresDialect } = require('kysely');
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  const pool = new pg.Pool({ connectionString: file, max: 2 });
  db = new Kysely({ dialect: new PostgresDialect({ pool }), log });
  all = async (q, p = []) => (await pool.query(q.replace(/\?/g, ((n) => () => `$${++n}`)(0)), p)).rows;
  one = async (q, p) => Object.values((await all(q, p))[0] ?? {})[0];
  plan = async (q) => (await pool.query(`EXPLAIN ${q.sql}`, q.params)).rows.map((r) => r['QUERY PLAN']);
} else {
  const sqlite = new Database(file.replace(/^sqlite:/, ''), { readonly: true });
  sqlite.function('scim_fold', { deterministic: true }, (s) => (typeof s === 'string' ? foldCase(s) : s));
  // The filter cost meter the server registers (sql-work.ts): list queries call it.
  sqlite.function('scim_work', { deterministic: false, directOnly: true }, chargeSqlWork);
  db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }), log });
  all = async (q, p = []) => sqlite.prepare(q).all(...p);
  one = async (q, p = []) => sqlite.prepare(q).pluck().get(...p);
  plan = async (q) => sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params).map((r) => r.detail);
}
const tenant = await one('SELECT tenant_id FROM scim_users LIMIT 1');
const n = Number(await one('SELECT count(*) FROM scim_users'));
const pick = Math.floor(n / 2);
const u = (await all('SELECT id, user_name FROM scim_users ORDER BY seq LIMIT 1 OFFSET ?', [pick]))[0];
const em = await one('SELECT value_folded FROM scim_user_emails WHERE user_id = ?', [u.id]);
const gid = await one('SELECT group_id FROM group_members GROUP BY group_id ORDER BY count(*) DESC LIMIT 1');
const store = createTenantStore(db, isPg ? 'postgres' : 'sqlite', tenant);
const page = (startIndex, count = 100) => ({ kind: 'index', startIndex, count });

async function show(label, fn) {
  queries.length = 0;
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  console.log(`\n=== ${label}: ${ms.toFixed(2)} ms`);
  for (const q of queries) {
    console.log(`  [${q.ms.toFixed(2)} ms] ${q.sql.replace(/\s+/g, ' ').slice(0, 600)}`);
    try { for (const r of await plan(q)) console.log(`      plan: ${r}`); } catch (e) { console.log(`      plan: (${e.message})`); }
  }
}
console.log(`${file}: ${n} users; probing user #${pick}`);
await show('lookup userName eq', () => store.users.list({ filter: parseFilter(`userName eq "${u.user_name}"`), sort: undefined, page: page(1), withTotal: true }));
await show('lookup emails.value eq', () => store.users.list({ filter: parseFilter(`emails.value eq "${em}"`), sort: undefined, page: page(1), withTotal: true }));
await show('lookup externalId eq', () => store.users.list({ filter: parseFilter(`externalId eq "seed-${pick}"`), sort: undefined, page: page(1), withTotal: true }));
await show('findById', () => store.users.findById(u.id));
await show('ancestorsOf (User.groups on every user render)', () => store.members.ancestorsOf(u.id));
await show('list startIndex=n/2 count=100', () => store.users.list({ filter: undefined, sort: undefined, page: page(Math.floor(n / 2)), withTotal: true }));
if (gid) await show('members of the biggest group, first page', async () => { for await (const p of store.members.iterateMembers(gid, 1000)) { void p; break; } });
await db.destroy();
