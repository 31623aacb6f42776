// A slow receiver must not slow anybody else's webhooks or SETs (issue #13; the brief: "a hostile
// tenant must not be able to slow another"). One organisation's endpoint never answers (each request
// would wait for its timeout); another organisation's event, written while those requests hang, still
// arrives at once. Before, a round sent its batch and waited for all of it, so the hanging batch held
// every other delivery of the instance until the timeout.
import { expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose } from '../../src/compose.js';
import { startWorkers } from '../../src/workers/workers.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startReceiver } from '../support/webhook-receiver.js';
import { startSetDeliveryWorker } from '../../src/workers/set-delivery-worker.js';
import { cliActor } from '../../src/services/lifecycle/lifecycle.js';

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

for (const dialect of DIALECTS) {
  it(`[${dialect}] a receiver that never answers does not hold up another organisation's webhooks`, async () => {
    const db = await freshDatabase(dialect);
    const slow = await startReceiver(() => 'hang');
    const fast = await startReceiver(() => ({ status: 204 }));
    const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', ALLOW_PRIVATE_TARGETS: '1' }), database: db.config };
    const c = await compose(config);
    const workers = startWorkers(c.services.events, { idleMs: 20, onError: () => {} });
    try {
      const orgs = c.services.organizations;
      const hostile = c.services.platform.forTenant((await orgs.create('Slow Receiver Org', { apiAccessApproved: true })).id);
      const victim = c.services.platform.forTenant((await orgs.create('Victim Org', { apiAccessApproved: true })).id);
      await c.services.events.webhooks.add(hostile, { url: slow.url, createdBy: null });
      await c.services.events.webhooks.add(victim, { url: fast.url, createdBy: null });
      const addUser = (store: typeof hostile, userName: string) => c.services.lifecycle.addManual(store, cliActor('test'), { email: userName, name: userName });

      for (let i = 0; i < 30; i++) await addUser(hostile, `slow${i}@hostile.test`);
      expect(await waitFor(() => slow.received.length >= 1, 10_000)).toBe(true); // its requests now hang

      const written = Date.now();
      await addUser(victim, 'first@victim.test');
      expect(await waitFor(() => fast.received.length >= 1, 5_000)).toBe(true);
      const waited = Date.now() - written;
      expect(fast.received[0]!.json.type).toBe('user.created');
      expect(waited).toBeLessThan(3_000); // not the 15 s timeout of the hanging requests
    } finally {
      await slow.close();
      await workers.stop();
      await fast.close();
      await c.close();
    }
  }, 60_000);
}

/** A SET push receiver (RFC 8935) that counts what it gets and answers 202, or never answers. */
async function setReceiver(hang: boolean): Promise<{ url: string; count: () => number; close(): Promise<void> }> {
  let n = 0;
  const held = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      if (hang) held.add(() => res.destroy());
      else res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sets`,
    count: () => n,
    async close() {
      for (const end of held) end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

for (const dialect of DIALECTS) {
  it(`[${dialect}] a SET receiver that never answers does not hold up another organisation's SETs`, async () => {
    const db = await freshDatabase(dialect);
    const slow = await setReceiver(true);
    const fast = await setReceiver(false);
    const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', ALLOW_PRIVATE_TARGETS: '1' }), database: db.config };
    const c = await compose(config);
    const worker = startSetDeliveryWorker(c.services.sets, { intervalMs: 20 });
    try {
      const orgs = c.services.organizations;
      const hostileOrg = await orgs.create('Slow SET Receiver Org', { apiAccessApproved: true });
      const victimOrg = await orgs.create('SET Victim Org', { apiAccessApproved: true });
      await c.services.sets.addStream(hostileOrg.id, { push: { url: slow.url } });
      await c.services.sets.addStream(victimOrg.id, { push: { url: fast.url } });
      const addUser = (orgId: typeof hostileOrg.id, userName: string) => c.services.lifecycle.addManual(c.services.platform.forTenant(orgId), cliActor('test'), { email: userName, name: userName });

      for (let i = 0; i < 30; i++) await addUser(hostileOrg.id, `slow${i}@hostile.test`);
      expect(await waitFor(() => slow.count() >= 1, 10_000)).toBe(true); // its pushes now hang

      const written = Date.now();
      await addUser(victimOrg.id, 'first@victim.test');
      expect(await waitFor(() => fast.count() >= 1, 5_000)).toBe(true);
      expect(Date.now() - written).toBeLessThan(3_000); // not the timeout of the hanging pushes
    } finally {
      await slow.close();
      await worker.stop();
      await fast.close();
      await c.close();
    }
  }, 60_000);
}
