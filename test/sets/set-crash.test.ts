// SET push survives SIGKILL (issue #13 "Many instances, faults", both dialects). The real server runs
// as a child process with a push stream to a receiver on 127.0.0.1 that answers slowly; users are
// created over SCIM; mid-delivery the server is SIGKILLed, restarted on the same database, and then
// every created user's prov:create:notice arrives — possibly twice, but then with the same jti.
import { afterAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose } from '../../src/compose.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USERS = 40;
const started: ChildProcess[] = [];

afterAll(() => {
  // Only the processes this file started, by their own handle.
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function databaseUrl(db: FreshDatabase): string {
  return db.config.dialect === 'sqlite' ? `sqlite:${db.config.url}` : db.config.url;
}

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
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

for (const dialect of DIALECTS) {
  it(`[${dialect}] SIGKILL mid-delivery loses no SET; a SET sent twice keeps its jti`, async () => {
    const db = await freshDatabase(dialect);
    // The receiver holds every answer until the kill, so the SETs it has seen by then are exactly
    // the ones in flight (sent, 202 never recorded) — however slow the machine is; afterwards it
    // answers 202 at once.
    const got: Array<{ jti: string; uri: string; events: string[] }> = [];
    let holding = true;
    const receiver: HttpServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const claims = decodeJwt(Buffer.concat(chunks).toString('utf8'));
        got.push({ jti: claims.jti!, uri: (claims['sub_id'] as { uri: string }).uri, events: Object.keys(claims['events'] as object) });
        if (holding) return; // the socket dies with the killed server
        res.writeHead(202);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sets`;
    try {
      const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', ALLOW_PRIVATE_TARGETS: '1' }), database: db.config };
      const c = await compose(config);
      let key: string;
      try {
        const org = await c.services.organizations.create('SET Crash Org', { apiAccessApproved: true });
        key = (await c.services.apiKeys.create(c.services.platform.forTenant(org.id), { name: 'load', createdBy: null })).key;
        await c.services.sets.addStream(org.id, { push: { url } });
      } finally {
        await c.close();
      }

      let server = await startServer(db);
      const created = new Set<string>();
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json' };
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = w; i < USERS; i += 4) {
            const r = await fetch(`${server.base}/scim/v2/Users`, { method: 'POST', headers, body: JSON.stringify({ userName: `crash-${i}@sets.example` }) });
            if (r.status === 201) created.add(`/Users/${((await r.json()) as { id: string }).id}`);
          }
        }),
      );
      expect(created.size).toBe(USERS);
      // Killed while the receiver holds the first SETs: sent, but their 202 never recorded.
      // Three different users' SETs (not one SET sent again: on a loaded machine a push held past the
      // request timeout is retried with the same jti before others are sent).
      await waitFor(() => new Set(got.map((g) => g.uri)).size >= 3, 30_000);
      const exited = once(server.child, 'exit');
      server.child.kill('SIGKILL');
      await exited;
      holding = false;
      const inFlight = new Set(got.map((g) => g.uri));
      expect(inFlight.size).toBeGreaterThanOrEqual(3);

      // After the restart, the unsent SETs go out at once and the in-flight ones once their claim
      // expires (20 s): again, with the same jti.
      server = await startServer(db);
      await waitFor(() => [...created].every((u) => got.some((g) => g.uri === u)) && [...inFlight].every((u) => got.filter((g) => g.uri === u).length >= 2), 60_000);
      for (const u of created) {
        const sets = got.filter((g) => g.uri === u);
        expect(sets.length).toBeGreaterThanOrEqual(1);
        expect(sets[0]!.events).toEqual(['urn:ietf:params:scim:event:prov:create:notice']);
        expect(new Set(sets.map((s) => s.jti)).size).toBe(1);
      }
      for (const u of inFlight) expect(got.filter((g) => g.uri === u).length).toBeGreaterThanOrEqual(2);
      const exited2 = once(server.child, 'exit');
      server.child.kill('SIGKILL');
      await exited2;
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
      await db.drop();
    }
  }, 120_000);
}
