// Two server processes on ONE SQLite file deliver webhooks side by side (issue #13 "Many instances":
// "two instances against one receiver deliver no event twice in normal operation"). SQLite has no
// SKIP LOCKED: each claim is one UPDATE … RETURNING under the database's single write lock, so two
// processes cannot claim the same delivery (in one process the synchronous driver would only wait on
// itself, hence real processes; the PostgreSQL version is in webhooks.test.ts). Both workers run for
// the whole test; every event arrives exactly once, verified with `standardwebhooks`.
import { afterAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freshDatabase, type FreshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose } from '../../src/compose.js';
import { startReceiver, verifyWith } from '../support/webhook-receiver.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USERS = 120;
const started: ChildProcess[] = [];

afterAll(() => {
  // Only the processes this file started, by their own handle.
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const databaseUrl = (db: FreshDatabase) => (db.config.dialect === 'sqlite' ? `sqlite:${db.config.url}` : db.config.url);

async function startServer(db: FreshDatabase): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl(db), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', PUBLIC_URL: 'https://wd.test', ALLOW_PRIVATE_TARGETS: '1' },
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
  return { child, base };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

it('[sqlite] two server processes on one database deliver every event exactly once', async () => {
  const db = await freshDatabase('sqlite');
  const receiver = await startReceiver(() => ({ status: 204 }));
  try {
    const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', ALLOW_PRIVATE_TARGETS: '1' }), database: db.config };
    const c = await compose(config);
    let key: string;
    let secret: string;
    try {
      const org = await c.services.organizations.create('Two Instances Org', { apiAccessApproved: true });
      const store = c.services.platform.forTenant(org.id);
      key = (await c.services.apiKeys.create(store, { name: 'load', createdBy: null })).key;
      secret = (await c.services.events.webhooks.add(store, { url: receiver.url, createdBy: null })).secret;
    } finally {
      await c.close();
    }
    const [a, b] = await Promise.all([startServer(db), startServer(db)]);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
    const created = new Set<string>();
    // Writes go to both processes too, so both write the outbox while both deliver.
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = w; i < USERS; i += 4) {
          const base = i % 2 === 0 ? a.base : b.base;
          const r = await fetch(`${base}/scim/v2/Users`, { method: 'POST', headers, body: JSON.stringify({ userName: `two-${i}@hooks.example` }) });
          expect(r.status).toBe(201);
          created.add(((await r.json()) as { id: string }).id);
        }
      }),
    );
    await waitFor(() => receiver.received.length >= USERS, 60_000);
    // A little longer: a double claim would show up as a late duplicate.
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.received).toHaveLength(USERS);
    const ids = receiver.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(USERS);
    expect(new Set(receiver.received.map((r) => r.json.data.user.id as string))).toEqual(created);
    for (const r of receiver.received) expect(verifyWith(secret, r)).toBeTruthy();
    for (const s of [a, b]) {
      const exited = once(s.child, 'exit');
      s.child.kill('SIGKILL');
      await exited;
    }
  } finally {
    await receiver.close();
    await db.drop();
  }
}, 180_000);
