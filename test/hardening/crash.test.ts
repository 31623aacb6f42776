// Crash safety (issue #8 part 4). The real server runs as a child process (`node --import tsx
// src/main.ts serve`: one process, so the PID we SIGKILL is the server itself, and no build step),
// on a fresh SQLite file and a fresh PostgreSQL database. A concurrent load of user creates, user
// PATCHes, group creates and membership adds/removes runs against it; mid-load the process is
// killed with SIGKILL, restarted on the same database, and then:
//  * every write that was acknowledged (2xx received) is there, at least at the acknowledged version;
//  * nothing is half-written: membership rows point to existing users/groups, each user's email
//    side rows and hot columns match its document, resource_counts equals count(*) per type.
import { afterAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DIALECTS, freshDatabase, type DialectName, type FreshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose } from '../../src/compose.js';
import { createDb } from '../../src/storage/dialects/create-db.js';
import { userEmailRows, userHotValues, groupHotValues } from '../../src/storage/kysely/column-map.js';
import { parseDoc } from '../../src/storage/kysely/resource-repo.js';
import type { JsonObject } from '../../src/domain/json.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LOAD_MS = 3_000;
const WORKERS = 24;

interface Server {
  readonly child: ChildProcess;
  readonly base: string;
  readonly startedInMs: number;
}

const started: ChildProcess[] = [];

afterAll(() => {
  // Only the processes this file started, by their own handle.
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startServer(databaseUrl: string): Promise<Server> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      SCIM_RATE_LIMIT_PER_SECOND: '1000000',
      SCIM_RATE_LIMIT_BURST: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening\n${out}\n${err}`));
    });
  });
  return { child, base, startedInMs: Date.now() - t0 };
}

async function kill(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGKILL');
  await exited;
}

/** Organisation, key and the groups the load works on, written before the server starts. */
async function prepare(db: FreshDatabase): Promise<{ key: string; tenantId: string }> {
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent' }), database: db.config };
  const c = await compose(config);
  try {
    const org = await c.services.organizations.create('Crash Org', { apiAccessApproved: true });
    const { key } = await c.services.apiKeys.create(c.services.platform.forTenant(org.id), { name: 'load', createdBy: null });
    return { key, tenantId: org.id };
  } finally {
    await c.close();
  }
}

interface Acked {
  users: Map<string, { userName: string; version: number; displayName: string | undefined }>;
  groups: Set<string>;
  /** group id → member ids whose add was acknowledged (and never removed). */
  added: Map<string, Set<string>>;
  /** group id → member ids whose removal was acknowledged (and never re-added). */
  removed: Map<string, Set<string>>;
  /** 2xx responses received. */
  acks: number;
  /** Non-2xx responses received (e.g. a concurrent version conflict). */
  failures: number;
  stop: boolean;
}

async function runLoad(base: string, key: string, acked: Acked, seed: { addGroups: string[]; removeGroups: Map<string, string[]> }): Promise<void> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
  let n = 0;
  const send = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}/scim/v2${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(10_000) });
    const text = await r.text();
    if (r.status < 300) acked.acks++;
    return { status: r.status, etag: r.headers.get('etag'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const version = (etag: string | null) => Number(/W\/"(\d+)"/.exec(etag ?? '')?.[1] ?? 0);
  const userIds = () => [...acked.users.keys()];
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

  async function step(): Promise<void> {
    const kind = n++ % 5;
    if (kind === 0 || userIds().length < 10) {
      const userName = `load-${Date.now().toString(36)}-${n}@crash.example`;
      const r = await send('POST', '/Users', { userName, displayName: 'v1', emails: [{ type: 'work', value: userName, primary: true }, { type: 'home', value: `home-${n}@crash.example` }] });
      if (r.status === 201) acked.users.set(r.body!.id as string, { userName, version: version(r.etag), displayName: 'v1' });
      else acked.failures++;
    } else if (kind === 1) {
      const id = pick(userIds());
      if (!id) return;
      const displayName = `v-${n}`;
      const r = await send('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: displayName }, { op: 'replace', path: 'emails[type eq "home"].value', value: `moved-${n}@crash.example` }] });
      if (r.status === 200) {
        const v = version(r.etag);
        const prev = acked.users.get(id)!;
        if (v > prev.version) acked.users.set(id, { ...prev, version: v, displayName });
      } else acked.failures++;
    } else if (kind === 2) {
      const groupId = pick(seed.addGroups)!;
      const members = [pick(userIds()), pick(userIds())].filter((x): x is string => x !== undefined);
      const r = await send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }] });
      if (r.status === 204) for (const m of members) acked.added.get(groupId)!.add(m);
      else acked.failures++;
    } else if (kind === 3) {
      const groupId = pick([...seed.removeGroups.keys()])!;
      const remaining = seed.removeGroups.get(groupId)!;
      const member = remaining.pop();
      if (!member) return;
      const r = await send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${member}"]` }] });
      if (r.status === 204) acked.removed.get(groupId)!.add(member);
      else acked.failures++;
    } else {
      const members = [pick(userIds())].filter((x): x is string => x !== undefined).map((value) => ({ value }));
      const r = await send('POST', '/Groups', { displayName: `load group ${n}`, members });
      if (r.status === 201) {
        acked.groups.add(r.body!.id as string);
        acked.added.set(r.body!.id as string, new Set(members.map((m) => m.value)));
      } else acked.failures++;
    }
  }

  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (!acked.stop) {
        try {
          await step();
        } catch {
          // The connection died with the server: not acknowledged, and nothing to record.
        }
      }
    }),
  );
}

async function checkIntegrity(db: FreshDatabase, tenantId: string, acked: Acked): Promise<{ users: number; groups: number; memberships: number }> {
  const handle = createDb(db.config);
  try {
    const k = handle.db;
    const users = await k.selectFrom('scim_users').selectAll().where('tenant_id', '=', tenantId).execute();
    const groups = await k.selectFrom('scim_groups').selectAll().where('tenant_id', '=', tenantId).execute();
    const members = await k.selectFrom('group_members').selectAll().where('tenant_id', '=', tenantId).execute();
    const emails = await k.selectFrom('scim_user_emails').selectAll().where('tenant_id', '=', tenantId).execute();
    const counts = await k.selectFrom('resource_counts').selectAll().where('tenant_id', '=', tenantId).execute();

    // resource_counts equals count(*) per type.
    const count = (type: string) => Number(counts.find((c) => c.resource_type === type)?.count ?? 0);
    expect(count('User')).toBe(users.length);
    expect(count('Group')).toBe(groups.length);

    // Hot columns and email side rows match each document.
    const userIds = new Set(users.map((u) => u.id));
    const groupIds = new Set(groups.map((g) => g.id));
    for (const u of users) {
      const doc = parseDoc(u.doc) as JsonObject;
      const hot = userHotValues(doc);
      expect({ user_name_folded: u.user_name_folded, email_folded: u.email_folded, display_name: u.display_name }).toEqual({ user_name_folded: hot.user_name_folded, email_folded: hot.email_folded, display_name: hot.display_name });
      const expectedEmails = userEmailRows(doc).map((e) => `${e.value_folded} ${e.type_folded}`).sort();
      const storedEmails = emails.filter((e) => e.user_id === u.id).map((e) => `${e.value_folded} ${e.type_folded}`).sort();
      expect(storedEmails, `emails of ${u.id}`).toEqual(expectedEmails);
    }
    for (const g of groups) expect(g.display_name_folded).toBe(groupHotValues(parseDoc(g.doc) as JsonObject).display_name_folded);
    expect(emails.filter((e) => !userIds.has(e.user_id))).toEqual([]);

    // Every membership row points to an existing group and an existing member of the right kind.
    for (const m of members) {
      expect(groupIds.has(m.group_id), `group of ${JSON.stringify(m)}`).toBe(true);
      if (m.member_type === 'User') expect(userIds.has(m.member_id) && m.user_id === m.member_id && m.child_group_id === null).toBe(true);
      else expect(groupIds.has(m.member_id) && m.child_group_id === m.member_id && m.user_id === null).toBe(true);
    }

    // Every acknowledged write is there.
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const [id, a] of acked.users) {
      const u = byId.get(id);
      expect(u, `acknowledged user ${id}`).toBeDefined();
      expect(u!.user_name).toBe(a.userName);
      expect(Number(u!.version)).toBeGreaterThanOrEqual(a.version);
      if (Number(u!.version) === a.version) expect(u!.display_name ?? undefined).toBe(a.displayName);
    }
    for (const g of acked.groups) expect(groupIds.has(g), `acknowledged group ${g}`).toBe(true);
    const rows = new Set(members.map((m) => `${m.group_id}/${m.member_id}`));
    for (const [g, ms] of acked.added) for (const m of ms) expect(rows.has(`${g}/${m}`), `acknowledged add ${g}/${m}`).toBe(true);
    for (const [g, ms] of acked.removed) for (const m of ms) expect(rows.has(`${g}/${m}`), `acknowledged remove ${g}/${m}`).toBe(false);
    return { users: users.length, groups: groups.length, memberships: members.length };
  } finally {
    await handle.close();
  }
}

function databaseUrl(dialect: DialectName, db: FreshDatabase): string {
  return dialect === 'sqlite' ? `sqlite:${db.config.url}` : db.config.url;
}

for (const dialect of DIALECTS) {
  it(`[${dialect}] SIGKILL under a concurrent write load loses no acknowledged write and leaves nothing half-written`, async () => {
    const db = await freshDatabase(dialect);
    try {
      const { key, tenantId } = await prepare(db);
      const first = await startServer(databaseUrl(dialect, db));
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
      const post = async (path: string, body: unknown) => {
        const r = await fetch(`${first.base}/scim/v2${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
        expect(r.status).toBe(201);
        return ((await r.json()) as { id: string }).id;
      };

      // Seed: users, groups that only gain members, groups that only lose them.
      const acked: Acked = { users: new Map(), groups: new Set(), added: new Map(), removed: new Map(), acks: 0, failures: 0, stop: false };
      for (let i = 0; i < 12; i++) {
        const userName = `seed-${i}@crash.example`;
        acked.users.set(await post('/Users', { userName, displayName: 'v1' }), { userName, version: 1, displayName: 'v1' });
      }
      const seedUsers = [...acked.users.keys()];
      const addGroups: string[] = [];
      const removeGroups = new Map<string, string[]>();
      for (let i = 0; i < 4; i++) {
        const g = await post('/Groups', { displayName: `adds ${i}` });
        addGroups.push(g);
        acked.groups.add(g);
        acked.added.set(g, new Set());
        const r = await post('/Groups', { displayName: `removes ${i}`, members: seedUsers.map((value) => ({ value })) });
        removeGroups.set(r, [...seedUsers]);
        acked.groups.add(r);
        acked.removed.set(r, new Set());
      }

      // Load, and SIGKILL in the middle of it.
      const load = runLoad(first.base, key, acked, { addGroups, removeGroups });
      await new Promise((r) => setTimeout(r, LOAD_MS));
      await kill(first);
      acked.stop = true;
      await load;

      // Restart on the same database; it must come up and serve.
      const restartAt = Date.now();
      const second = await startServer(databaseUrl(dialect, db));
      const ready = await fetch(`${second.base}/scim/v2/Users?count=1`, { headers });
      expect(ready.status).toBe(200);
      const restartMs = Date.now() - restartAt;

      const stored = await checkIntegrity(db, tenantId, acked);
      // The restarted server answers for what was acknowledged.
      const sample = [...acked.users.keys()].slice(-5);
      for (const id of sample) expect((await fetch(`${second.base}/scim/v2/Users/${id}`, { headers })).status).toBe(200);
      await kill(second);
      expect(acked.acks).toBeGreaterThan(50);
      console.log(
        `crash [${dialect}]: ${acked.acks} writes acknowledged in ${LOAD_MS} ms of load before SIGKILL (${WORKERS} concurrent clients), ${acked.failures} refused; ` +
          `after restart ${stored.users} users, ${stored.groups} groups, ${stored.memberships} memberships, all consistent; ` +
          `first start ${first.startedInMs} ms, restart to first answer ${restartMs} ms`,
      );
    } finally {
      await db.drop();
    }
  }, 90_000);
}
