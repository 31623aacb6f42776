// Fast seeding: rows written straight into the real schema, in large transactions, with the
// values computed by the app's own code (dist/): the stored document is what POST /Users stores
// (normalizeForWrite from dist/scim/resources/codec.js, checked byte-for-byte on a sample), and the
// hot columns and the email side table come from dist/storage/kysely/column-map.js
// (userHotValues, userEmailRows, groupHotValues — foldCase included), exactly as
// resource-repo.insert() fills them. resource_counts is kept in step. Column lists are read from the
// live schema, so a new nullable column does not break seeding; a new NOT NULL one fails loudly.
//
// SQLite: better-sqlite3 prepared statements, one transaction per 50,000 users, plain secondary
// indexes dropped and rebuilt around large loads, then a WAL checkpoint. PostgreSQL: INSERT … SELECT FROM unnest($1::text[], …) in batches of 5,000 rows,
// then ANALYZE (what autovacuum would do within a minute of such a load).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log } from './util.mjs';

const S_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const S_ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const S_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const FIRST = ['Ada', 'Grace', 'Alan', 'Barbara', 'Edsger', 'Frances', 'Ken', 'Radia', 'Linus', 'Margaret', 'Donald', 'Katherine', 'Dennis', 'Sophie', 'Tim', 'Hedy'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Liskov', 'Dijkstra', 'Allen', 'Thompson', 'Perlman', 'Torvalds', 'Hamilton', 'Knuth', 'Johnson', 'Ritchie', 'Wilson', 'Berners-Lee', 'Lamarr'];
const TITLES = ['Engineer', 'Senior Engineer', 'Staff Engineer', 'Manager', 'Director', 'Analyst', 'Designer', 'Product Manager'];

/** Deterministic identities of seeded users and groups (the drivers pick from these). */
export function identities(tag) {
  // A cheap deterministic v4-shaped UUID per (kind, index): 128 bits of a multiply-xorshift mix.
  let seed = 0x811c9dc5;
  for (const ch of String(tag)) seed = Math.imul(seed ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const mix = (x) => { x = Math.imul(x ^ (x >>> 16), 0x7feb352d); x = Math.imul(x ^ (x >>> 15), 0x846ca68b); return (x ^ (x >>> 16)) >>> 0; };
  const hex8 = (x) => x.toString(16).padStart(8, '0');
  const uuid = (kind, i) => {
    const k = kind === 'u' ? 0x9e3779b9 : 0x85ebca6b;
    const a = mix(seed ^ k ^ i), b = mix(a ^ (i * 0x27d4eb2f)), c = mix(b ^ k), d = mix(c ^ i ^ 0x165667b1);
    const h = hex8(a) + hex8(b) + hex8(c) + hex8(d);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  return {
    userId: (i) => uuid('u', i),
    userName: (i) => `s${tag}.${String(i).padStart(7, '0')}@contoso.example`,
    email: (i) => `${FIRST[i % 16].toLowerCase()}.${LAST[(i * 7) % 16].toLowerCase()}.${tag}${i}@mail.contoso.example`,
    groupId: (i) => uuid('g', i),
    groupName: (i) => `Seed group ${tag} ${i}`,
  };
}

function userBody(ids, i) {
  const g = FIRST[i % 16], f = LAST[(i * 7) % 16];
  return {
    schemas: [S_USER, S_ENT],
    externalId: `seed-${i}`,
    userName: ids.userName(i),
    active: true,
    displayName: `${g} ${f}`,
    title: TITLES[i % TITLES.length],
    emails: [{ primary: true, type: 'work', value: ids.email(i) }],
    name: { formatted: `${g} ${f}`, familyName: f, givenName: g },
    [S_ENT]: { department: `Dept ${i % 40}`, manager: { value: ids.userId(Math.floor(i / 2)) } },
  };
}

async function appModules(repoRoot) {
  const imp = (p) => import(pathToFileURL(join(repoRoot, 'dist', p)).href);
  try {
    const [codec, registry, limits, colmap] = await Promise.all([
      imp('scim/resources/codec.js'), imp('scim/schema/registry.js'), imp('scim/limits.js'), imp('storage/kysely/column-map.js'),
    ]);
    for (const [m, n] of [[codec, 'normalizeForWrite'], [registry, 'getResourceSchema'], [limits, 'DEFAULT_SCIM_LIMITS'], [colmap, 'userHotValues'], [colmap, 'userEmailRows'], [colmap, 'groupHotValues']]) {
      if (!m[n]) throw new Error(`dist no longer exports ${n}`);
    }
    return { normalizeForWrite: codec.normalizeForWrite, getResourceSchema: registry.getResourceSchema, limits: limits.DEFAULT_SCIM_LIMITS, ...colmap };
  } catch (e) {
    throw new Error(`fast seeding needs the app's codec and column map in dist/ (${e.message}); the seeding path in bench/lib/seed.mjs must follow the refactor`, { cause: e });
  }
}

/**
 * Builds user documents from one normalised template: the varying strings are tokens in the
 * template's JSON text. normalizeForWrite keeps strings as sent (R-GEN-11), so this is exact; it is
 * verified against a real normalizeForWrite call for a sample of users, with a per-user fallback.
 */
function userDocFactory(app, ids) {
  const rs = app.getResourceSchema('User');
  const norm = (body) => app.normalizeForWrite(rs, body, { mode: 'create', limits: app.limits });
  const tok = (k) => `~~${k}~~`;
  const tmplBody = {
    schemas: [S_USER, S_ENT], externalId: tok('EXT'), userName: tok('UN'), active: true, displayName: tok('DN'), title: tok('TI'),
    emails: [{ primary: true, type: 'work', value: tok('EM') }],
    name: { formatted: tok('DN'), familyName: tok('FA'), givenName: tok('GI') },
    [S_ENT]: { department: tok('DE'), manager: { value: tok('MG') } },
  };
  const tmpl = JSON.stringify(norm(tmplBody));
  const fast = (i) => {
    const b = userBody(ids, i);
    const v = { EXT: b.externalId, UN: b.userName, DN: b.displayName, TI: b.title, EM: b.emails[0].value, FA: b.name.familyName, GI: b.name.givenName, DE: b[S_ENT].department, MG: b[S_ENT].manager.value };
    return tmpl.replace(/~~(\w+)~~/g, (_, k) => v[k]);
  };
  let exact = true;
  for (const i of [0, 1, 7, 12345, 999_999]) if (fast(i) !== JSON.stringify(norm(userBody(ids, i)))) exact = false;
  if (!exact) log('WARNING: template documents differ from normalizeForWrite output; seeding per user through normalizeForWrite (slower)');
  return exact ? fast : (i) => JSON.stringify(norm(userBody(ids, i)));
}

export async function openSeeder({ kind, dbUrl, repoRoot, tag }) {
  const app = await appModules(repoRoot);
  const ids = identities(tag);
  const docOf = userDocFactory(app, ids);
  const now = new Date().toISOString();
  const require = createRequire(join(repoRoot, 'package.json'));
  const grs = app.getResourceSchema('Group');

  const userRow = (tenantId, i) => {
    const json = docOf(i);
    const doc = JSON.parse(json);
    // Same object as resource-repo.insert(): { tenant_id, id, created_at, updated_at, version, doc, ...hot(doc) }.
    const row = { tenant_id: tenantId, id: ids.userId(i), created_at: now, updated_at: now, version: 1, doc: json, ...app.userHotValues(doc), source: 'scim' };
    const emails = app.userEmailRows(doc).map((e) => ({ tenant_id: tenantId, user_id: row.id, ...e }));
    return { row, emails };
  };
  const groupRow = (tenantId, i) => {
    const doc = app.normalizeForWrite(grs, { schemas: [S_GROUP], displayName: ids.groupName(i), externalId: `seed-g-${i}` }, { mode: 'create', limits: app.limits });
    delete doc.members;
    return { tenant_id: tenantId, id: ids.groupId(i), created_at: now, updated_at: now, version: 1, doc: JSON.stringify(doc), ...app.groupHotValues(doc) };
  };
  const memberRow = (tenantId, gid, uid) => ({ tenant_id: tenantId, group_id: gid, member_id: uid, user_id: uid, child_group_id: null, member_type: 'User', created_at: now });

  if (kind === 'sqlite') {
    const Database = require('better-sqlite3');
    const db = new Database(dbUrl.replace(/^sqlite:/, ''));
    db.pragma('busy_timeout = 10000');
    db.pragma('cache_size = -1000000');
    db.pragma('synchronous = OFF');
    const tenantId = db.prepare(`SELECT id FROM organizations WHERE name = 'My Organisation'`).pluck().get();
    if (!tenantId) throw new Error('organisation "My Organisation" not found: start the server once on the fresh database first');
    // The server stays up (idle) while seeding; WAL mode, so its connection sees the rows at once.
    const afterSeed = () => () => { db.pragma('wal_checkpoint(TRUNCATE)'); };
    const cols = (t) => db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t);
    const insertFor = (table, sample) => {
      const live = new Set(cols(table));
      const keys = Object.keys(sample).filter((k) => live.has(k));
      const missing = Object.keys(sample).filter((k) => !live.has(k));
      if (missing.length) throw new Error(`schema of ${table} has no column(s) ${missing.join(', ')}`);
      return db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map((k) => `@${k}`).join(', ')})`);
    };
    const count = db.prepare(`INSERT INTO resource_counts (tenant_id, resource_type, count) VALUES (?, ?, ?) ON CONFLICT (tenant_id, resource_type) DO UPDATE SET count = count + excluded.count`);
    const s0 = userRow(tenantId, 0);
    const insUser = insertFor('scim_users', s0.row);
    const insEmail = insertFor('scim_user_emails', s0.emails[0]);
    const insGroup = insertFor('scim_groups', groupRow(tenantId, 0));
    const insMember = insertFor('group_members', memberRow(tenantId, 'g', 'u'));
    const txUsers = db.transaction((from, to, memberOf) => {
      for (let i = from; i < to; i++) {
        const { row, emails } = userRow(tenantId, i);
        insUser.run(row);
        for (const e of emails) insEmail.run(e);
        if (memberOf) for (const g of memberOf(i)) insMember.run(memberRow(tenantId, ids.groupId(g), row.id));
      }
      count.run(tenantId, 'User', to - from);
    });
    const txMembers = db.transaction((gid, from, to) => { for (let i = from; i < to; i++) insMember.run(memberRow(tenantId, gid, ids.userId(i))); });
    return {
      ids, tenantId,
      /** Users [from, to); memberOf(i) → indexes of (already seeded) groups user i belongs to. */
      async seedUsers(from, to, { memberOf } = {}) {
        const t = performance.now();
        const restore = afterSeed();
        // Large loads: drop the plain secondary indexes and recreate them from their own SQL afterwards
        // (a sorted build beats 1M random inserts); UNIQUE and primary-key indexes stay.
        const rebuild = to - from >= 100_000 ? db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('scim_users', 'scim_user_emails', 'group_members')`).all() : [];
        for (const ix of rebuild) db.exec(`DROP INDEX "${ix.name}"`);
        try {
          for (let i = from; i < to; i += 50_000) { txUsers(i, Math.min(to, i + 50_000), memberOf); if ((i - from) % 200_000 === 0 && to - from > 200_000) log(`  seeding users: ${i.toLocaleString()} (${((performance.now() - t) / 1000).toFixed(0)} s)`); }
        } finally {
          for (const ix of rebuild) db.exec(ix.sql);
          restore();
        }
        return performance.now() - t;
      },
      /** groups: [{ index, members: [fromUser, toUser) }] */
      async seedGroups(groups) {
        const t = performance.now();
        const restore = afterSeed();
        db.transaction(() => { for (const g of groups) insGroup.run(groupRow(tenantId, g.index)); count.run(tenantId, 'Group', groups.length); })();
        for (const g of groups) if (g.members) for (let i = g.members[0]; i < g.members[1]; i += 50_000) txMembers(ids.groupId(g.index), i, Math.min(g.members[1], i + 50_000));
        restore();
        return performance.now() - t;
      },
      async close() { db.close(); },
    };
  }

  // PostgreSQL
  const pg = require('pg');
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const tenantId = (await client.query(`SELECT id FROM organizations WHERE name = 'My Organisation'`)).rows[0]?.id;
  if (!tenantId) throw new Error('organisation "My Organisation" not found: start the server once on the fresh database first');
  const colTypes = async (t) => Object.fromEntries((await client.query(`SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = $1`, [t])).rows.map((r) => [r.column_name, r.udt_name]));
  const bulkFor = async (table, sample) => {
    const types = await colTypes(table);
    const keys = Object.keys(sample);
    const missing = keys.filter((k) => !types[k]);
    if (missing.length) throw new Error(`schema of ${table} has no column(s) ${missing.join(', ')}`);
    const arr = (k) => ({ int4: 'int4[]', int8: 'int8[]', jsonb: 'text[]', bool: 'bool[]' })[types[k]] ?? 'text[]';
    const cast = (k) => (types[k] === 'jsonb' ? `${k}::jsonb` : k);
    const text = `INSERT INTO ${table} (${keys.join(', ')}) SELECT ${keys.map(cast).join(', ')} FROM unnest(${keys.map((k, i) => `$${i + 1}::${arr(k)}`).join(', ')}) AS t(${keys.join(', ')})`;
    return async (rows) => { if (rows.length) await client.query(text, keys.map((k) => rows.map((r) => r[k]))); };
  };
  const s0 = userRow(tenantId, 0);
  const insUsers = await bulkFor('scim_users', s0.row);
  const insEmails = await bulkFor('scim_user_emails', s0.emails[0]);
  const insGroups = await bulkFor('scim_groups', groupRow(tenantId, 0));
  const insMembers = await bulkFor('group_members', memberRow(tenantId, 'g', 'u'));
  const count = async (type, n) => client.query(`INSERT INTO resource_counts (tenant_id, resource_type, count) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, resource_type) DO UPDATE SET count = resource_counts.count + excluded.count`, [tenantId, type, n]);
  const B = 5000;
  return {
    ids, tenantId,
    async seedUsers(from, to, { memberOf } = {}) {
      const t = performance.now();
      for (let i = from; i < to; i += 50_000) {
        await client.query('BEGIN');
        const end = Math.min(to, i + 50_000);
        for (let j = i; j < end; j += B) {
          const rows = [], emails = [], members = [];
          for (let k = j; k < Math.min(end, j + B); k++) {
            const u = userRow(tenantId, k); rows.push(u.row); emails.push(...u.emails);
            if (memberOf) for (const g of memberOf(k)) members.push(memberRow(tenantId, ids.groupId(g), u.row.id));
          }
          await insUsers(rows); await insEmails(emails); await insMembers(members);
        }
        await count('User', end - i);
        await client.query('COMMIT');
        if ((i - from) % 200_000 === 0 && to - from > 200_000) log(`  seeded users ${i.toLocaleString()}…`);
      }
      await client.query('ANALYZE');
      return performance.now() - t;
    },
    async seedGroups(groups) {
      const t = performance.now();
      await client.query('BEGIN');
      await insGroups(groups.map((g) => groupRow(tenantId, g.index)));
      await count('Group', groups.length);
      for (const g of groups) if (g.members) for (let i = g.members[0]; i < g.members[1]; i += B) {
        const rows = []; for (let k = i; k < Math.min(g.members[1], i + B); k++) rows.push(memberRow(tenantId, ids.groupId(g.index), ids.userId(k)));
        await insMembers(rows);
      }
      await client.query('COMMIT');
      await client.query('ANALYZE');
      return performance.now() - t;
    },
    async close() { await client.end(); },
  };
}
