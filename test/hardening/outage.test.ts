// Database outage (issue #8 part 5), PostgreSQL. The shared cluster is never stopped: a small TCP
// proxy built here sits between the app and PostgreSQL, and "stops the database" itself.
//  * stop/start: every proxied socket is destroyed and new connections are refused (a crash or a
//    restart of the database); later they are accepted again.
//  * partition/failover: every open socket goes silent without closing and new connections are
//    accepted but never answered (a network partition); later new connections reach the database
//    again while the old sockets stay silent forever (the old primary is gone).
// In both, /readyz fails (503), every SCIM request gets a 503 SCIM error within a bounded time (no
// hang, no 500, nothing written), and the service recovers by itself, without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose, type Composition } from '../../src/compose.js';
import { buildApp } from '../../src/http/app.js';
import { PG_URL, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { PATCH_OP, scimClient, json, type ScimClient } from '../support/test-app.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A TCP proxy in front of PostgreSQL that can play a crashed, partitioned or recovered database. */
class DatabaseProxy {
  private mode: 'up' | 'refuse' | 'stall' = 'up';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; silent: boolean }>();
  private readonly stalled = new Set<Socket>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<void> {
    this.server = createServer((client) => {
      client.on('error', () => {});
      if (this.mode === 'refuse') return void client.destroy();
      if (this.mode === 'stall') return void this.stalled.add(client);
      const upstream = connect(this.target.port, this.target.host);
      upstream.on('error', () => client.destroy());
      const pair = { client, upstream, silent: false };
      this.pairs.add(pair);
      client.on('data', (d) => void (pair.silent || upstream.write(d)));
      upstream.on('data', (d) => void (pair.silent || client.write(d)));
      const close = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', close);
      upstream.on('close', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** The database process is gone: connections reset, new ones refused. */
  stop(): void {
    this.mode = 'refuse';
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
  }

  /** The network to the database is cut: nothing is answered, nothing is closed. */
  partition(): void {
    this.mode = 'stall';
    for (const p of this.pairs) p.silent = true;
  }

  /** The database answers new connections again (old silent sockets stay silent). */
  start(): void {
    this.mode = 'up';
    for (const s of this.stalled) s.destroy();
    this.stalled.clear();
  }

  async close(): Promise<void> {
    this.stop();
    for (const s of this.stalled) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

describe.skipIf(!PG_URL)('Database outage (PostgreSQL through a TCP proxy)', () => {
  let db: FreshDatabase;
  let proxy: DatabaseProxy;
  let composition: Composition;
  let app: FastifyInstance;
  let scim: ScimClient;
  let userId = '';
  let groupId = '';
  let n = 0;

  beforeAll(async () => {
    db = await freshDatabase('postgres');
    const real = new URL(db.config.url);
    proxy = new DatabaseProxy({ host: real.hostname, port: Number(real.port || 5432) });
    await proxy.listen();
    const proxied = new URL(db.config.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    // A short client-side read timeout (a documented pg connection-string parameter) keeps the
    // partition scenario within seconds; production uses the pool's default.
    proxied.searchParams.set('query_timeout', '2000');
    const config: Config = {
      ...loadConfig({ PUBLIC_URL: 'https://wiggledesk.test', LOG_LEVEL: 'silent', SCIM_RATE_LIMIT_PER_SECOND: '100000', SCIM_RATE_LIMIT_BURST: '100000' }),
      database: { ...db.config, url: proxied.toString(), poolSize: 4 },
    };
    composition = await compose(config);
    app = await buildApp(config, composition.services, { logger: false });
    await app.ready();
    const org = await composition.services.organizations.create('Outage Org', { apiAccessApproved: true });
    const { key } = await composition.services.apiKeys.create(composition.services.platform.forTenant(org.id), { name: 'k', createdBy: null });
    scim = scimClient(app, key);
    userId = json(await scim.post('/Users', { userName: 'steady@outage.example' })).id;
    groupId = json(await scim.post('/Groups', { displayName: 'Steady', members: [{ value: userId }] })).id;
  });

  afterAll(async () => {
    proxy?.start();
    await app?.close();
    await composition?.close().catch(() => {});
    await proxy?.close();
    await db?.drop();
  });

  /** Every SCIM surface once, concurrently; each answer must be a 503 SCIM error within `ms`. */
  async function expectUnavailable(ms: number): Promise<number> {
    const requests: Array<[string, () => Promise<LightMyRequestResponse>]> = [
      ['GET /Users', () => scim.get('/Users?count=5')],
      ['GET /Users/{id}', () => scim.get(`/Users/${userId}`)],
      ['POST /Users', () => scim.post('/Users', { userName: `during-outage-${n++}@outage.example` })],
      ['PATCH /Users/{id}', () => scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Changed during outage' }] })],
      ['PATCH /Groups/{id}', () => scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] })],
      ['DELETE /Groups/{id}', () => scim.delete(`/Groups/${groupId}`)],
      ['POST /.search', () => scim.post('/.search', { filter: 'userName sw "s"' })],
      ['POST /Bulk', () => scim.post('/Bulk', { Operations: [{ method: 'POST', path: '/Users', bulkId: 'x', data: { userName: `bulk-during-outage-${n++}@outage.example` } }] })],
    ];
    const results = await Promise.all(
      requests.map(async ([name, send]) => {
        const started = Date.now();
        const r = await Promise.race([send(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} hung for ${ms} ms`)), ms))]);
        return { name, r, elapsed: Date.now() - started };
      }),
    );
    for (const { name, r, elapsed } of results) {
      const ctx = `${name} → ${r.statusCode} after ${elapsed} ms: ${r.body.slice(0, 300)}`;
      expect(r.statusCode, ctx).toBe(503);
      expect(r.headers['content-type'], ctx).toMatch(/^application\/scim\+json/);
      expect(json(r), ctx).toMatchObject({ schemas: [ERROR], status: '503' });
      expect(r.body, ctx).not.toMatch(/ECONN|terminated|timeout exceeded|Query read timeout|pg_|postgres/i);
    }
    return Math.max(...results.map((x) => x.elapsed));
  }

  async function readyz(): Promise<number> {
    return (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
  }

  /** Polls until /readyz is 200 and then every SCIM surface answers normally; returns the time taken. */
  async function expectRecovery(withinMs: number): Promise<number> {
    const started = Date.now();
    while ((await readyz()) !== 200) {
      if (Date.now() - started > withinMs) throw new Error(`not ready after ${withinMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // A burst of requests: none may land on a connection that died with the outage.
    for (let i = 0; i < 3; i++) {
      const batch = await Promise.all([
        scim.get('/Users?count=5'),
        scim.get(`/Users/${userId}`),
        scim.get(`/Groups/${groupId}`),
        scim.post('/Users', { userName: `after-${Date.now()}-${n++}@outage.example` }),
        scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `t${n++}` }] }),
      ]);
      for (const r of batch) expect(r.statusCode, r.body.slice(0, 300)).toBeLessThan(300);
    }
    expect(Date.now() - started).toBeLessThan(withinMs);
    return Date.now() - started;
  }

  async function nothingWrittenDuringOutage(): Promise<void> {
    const during = json(await scim.get(`/Users?filter=${encodeURIComponent('userName co "during-outage"')}`));
    expect(during.totalResults).toBe(0);
    const user = json(await scim.get(`/Users/${userId}`));
    expect(user.displayName).toBeUndefined();
    const group = json(await scim.get(`/Groups/${groupId}`));
    expect(group.members).toEqual([expect.objectContaining({ value: userId })]);
  }

  it('database stopped (connections reset, new ones refused): /readyz 503, SCIM 503 at once; recovers when it is back', async () => {
    expect(await readyz()).toBe(200);
    proxy.stop();
    expect(await readyz()).toBe(503);
    const slowest = await expectUnavailable(3_000);
    await expectUnavailable(3_000); // and again: no state left behind by the first failures
    proxy.start();
    const recovered = await expectRecovery(5_000);
    await nothingWrittenDuringOutage();
    console.log(`outage stop/start: slowest 503 after ${slowest} ms; recovered ${recovered} ms after the database returned`);
  });

  it('database crashes while requests are in flight (connections checked out mid-transaction): 503, no uncaught error, recovers', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      await Promise.all(Array.from({ length: 6 }, () => scim.get('/Users?count=1')));
      // Hold the answers so the requests sit on checked-out connections, then kill the sockets.
      proxy.partition();
      const inFlight = [
        scim.get('/Users?count=5'),
        scim.post('/Users', { userName: `during-outage-${n++}@outage.example` }),
        scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] }),
        scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Changed during outage' }] }),
      ];
      await new Promise((r) => setTimeout(r, 300));
      proxy.stop();
      for (const r of await Promise.all(inFlight)) {
        expect(r.statusCode, r.body).toBe(503);
        expect(json(r)).toMatchObject({ schemas: [ERROR], status: '503' });
      }
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      proxy.start();
      await expectRecovery(5_000);
      await nothingWrittenDuringOutage();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('network partition, then failover (old sockets silent forever): 503 within the timeouts, never a hang; recovers', async () => {
    // Warm the pool so that every pooled connection is one the partition silences.
    await Promise.all(Array.from({ length: 16 }, () => scim.get('/Users?count=1')));
    proxy.partition();
    const t0 = Date.now();
    expect(await readyz()).toBe(503);
    expect(Date.now() - t0).toBeLessThan(3_000);
    // Pooled connections fail by the read timeout (2 s here), new ones by connectionTimeoutMillis (5 s).
    const slowest = await expectUnavailable(9_000);
    proxy.start();
    const recovered = await expectRecovery(15_000);
    await nothingWrittenDuringOutage();
    console.log(`outage partition/failover: slowest 503 after ${slowest} ms; recovered ${recovered} ms after the database returned`);
  }, 60_000);
});
