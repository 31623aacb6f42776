// Webhook delivery survives SIGKILL (issue #13 "Many instances, faults", both dialects). The real
// server runs as a child process (`src/main.ts serve`) with a webhook endpoint on a local receiver
// that holds every answer; users are created over SCIM; while the first deliveries are in flight
// (sent, their 2xx never recorded) the server is SIGKILLed and restarted on the same database. Then
// every user.created arrives, each signature verifies with `standardwebhooks`, and the in-flight
// ones arrive again with the same webhook-id (at-least-once: duplicates allowed, nothing lost).
import { afterAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose } from '../../src/compose.js';
import { startReceiver, verifyWith } from '../support/webhook-receiver.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USERS = 70; // more than one claim batch (50): some events are still unsent at the kill
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

for (const dialect of DIALECTS) {
  it(`[${dialect}] SIGKILL mid-delivery loses no webhook; a redelivery keeps its webhook-id`, async () => {
    const db = await freshDatabase(dialect);
    const receiver = await startReceiver(() => 'hang'); // held until the kill: in flight, never acknowledged
    try {
      const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', ALLOW_PRIVATE_TARGETS: '1' }), database: db.config };
      const c = await compose(config);
      let key: string;
      let secret: string;
      try {
        const org = await c.services.organizations.create('Webhook Crash Org', { apiAccessApproved: true });
        const store = c.services.platform.forTenant(org.id);
        key = (await c.services.apiKeys.create(store, { name: 'load', createdBy: null })).key;
        secret = (await c.services.events.webhooks.add(store, { url: receiver.url, eventTypes: ['user.created'], createdBy: null })).secret;
      } finally {
        await c.close();
      }

      let server = await startServer(db);
      const created = new Set<string>();
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = w; i < USERS; i += 4) {
            const r = await fetch(`${server.base}/scim/v2/Users`, { method: 'POST', headers, body: JSON.stringify({ userName: `crash-${i}@hooks.example` }) });
            if (r.status === 201) created.add(((await r.json()) as { id: string }).id);
          }
        }),
      );
      expect(created.size).toBe(USERS);
      await waitFor(() => receiver.received.length >= 3, 15_000);
      const exited = once(server.child, 'exit');
      server.child.kill('SIGKILL');
      await exited;
      const inFlight = new Map(receiver.received.map((r) => [r.json.data.user.id as string, r.id]));
      expect(inFlight.size).toBeGreaterThanOrEqual(3);
      expect(inFlight.size).toBeLessThan(USERS); // some were not even sent before the kill
      receiver.respond = () => ({ status: 204 });

      // After the restart, the unsent deliveries go out at once and the in-flight ones when their
      // lease (60 s) expires: again, with the same webhook-id.
      server = await startServer(db);
      const deliveredIds = () => new Set(receiver.received.filter((r) => r.json.type === 'user.created').map((r) => r.json.data.user.id as string));
      await waitFor(() => [...created].every((id) => deliveredIds().has(id)) && [...inFlight.keys()].every((id) => receiver.received.filter((r) => r.json.data.user.id === id).length >= 2), 120_000);
      for (const r of receiver.received) expect(verifyWith(secret, r)).toBeTruthy();
      for (const id of created) {
        const got = receiver.received.filter((r) => r.json.data.user.id === id);
        expect(got.length, id).toBeGreaterThanOrEqual(1);
        expect(new Set(got.map((g) => g.id)).size, id).toBe(1); // one event, one webhook-id
      }
      for (const [id, webhookId] of inFlight) {
        const got = receiver.received.filter((r) => r.json.data.user.id === id);
        expect(got.length).toBeGreaterThanOrEqual(2);
        expect(got.every((g) => g.id === webhookId)).toBe(true);
      }
      const exited2 = once(server.child, 'exit');
      server.child.kill('SIGKILL');
      await exited2;
    } finally {
      await receiver.close();
      await db.drop();
    }
  }, 240_000);
}
