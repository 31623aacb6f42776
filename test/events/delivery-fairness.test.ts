// A slow receiver must not slow anybody else's webhooks or SETs (issue #13; the brief: "a hostile
// tenant must not be able to slow another"). One organisation's endpoint never answers (each request
// would wait for its timeout); another organisation's event, written while those requests hang, still
// arrives at once. Before, a round sent its batch and waited for all of it, so the hanging batch held
// every other delivery of the instance until the timeout.
import { expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose, type Composition } from '../../src/compose.js';
import type { TenantId } from '../../src/domain/ids.js';
import { startWorkers } from '../../src/workers/workers.js';
import { startReceiver } from '../support/webhook-receiver.js';
import { startSetDeliveryWorker } from '../../src/workers/set-delivery-worker.js';
import { cliActor } from '../../src/services/lifecycle/lifecycle.js';

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return cond();
}

interface TestReceiver {
  readonly url: string;
  count(): number;
  /** What the first request was about: the webhook's `type`, the SET's event URI. */
  first(): string | undefined;
  close(): Promise<void>;
}

/** A SET push receiver (RFC 8935) that counts what it gets and answers 202, or never answers. */
async function setReceiver(hang: boolean): Promise<TestReceiver> {
  const events: string[] = [];
  const held = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      events.push(Object.keys(decodeJwt(Buffer.concat(chunks).toString('utf8'))['events'] as object)[0]!);
      if (hang) held.add(() => res.destroy());
      else res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sets`,
    count: () => events.length,
    first: () => events[0],
    async close() {
      for (const end of held) end();
      // Also the pushes still sending their body: else close waits for their timeout.
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Webhooks: Standard Webhooks receivers and the events worker. */
const webhooks = {
  what: 'webhooks',
  receivers: async () => {
    const slow = await startReceiver(() => 'hang');
    const fast = await startReceiver(() => ({ status: 204 }));
    const counted = (r: typeof slow): TestReceiver => ({ url: r.url, count: () => r.received.length, first: () => r.received[0]?.json.type, close: () => r.close() });
    return { slow: counted(slow), fast: counted(fast) };
  },
  created: 'user.created',
  subscribe: (c: Composition, org: TenantId, url: string) => c.services.events.webhooks.add(c.services.platform.forTenant(org), { url, createdBy: null }),
  startWorker: (c: Composition) => startWorkers(c.services.events, { idleMs: 20, onError: () => {} }),
};

/** SETs: push streams (RFC 8935) and the SET worker. */
const sets = {
  what: 'SETs',
  receivers: async () => ({ slow: await setReceiver(true), fast: await setReceiver(false) }),
  created: 'urn:ietf:params:scim:event:prov:create:notice',
  subscribe: (c: Composition, org: TenantId, url: string) => c.services.sets.addStream(org, { push: { url } }),
  startWorker: (c: Composition) => startSetDeliveryWorker(c.services.sets, { intervalMs: 20 }),
};

for (const kind of [webhooks, sets]) {
  for (const dialect of DIALECTS) {
    it(`[${dialect}] a receiver that never answers does not hold up another organisation's ${kind.what}`, async () => {
      const db = await freshDatabase(dialect);
      const { slow, fast } = await kind.receivers();
      const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', ALLOW_PRIVATE_TARGETS: '1' }), database: db.config };
      const c = await compose(config);
      const worker = kind.startWorker(c);
      try {
        const orgs = c.services.organizations;
        const hostile = (await orgs.create('Slow Receiver Org', { apiAccessApproved: true })).id;
        const victim = (await orgs.create('Victim Org', { apiAccessApproved: true })).id;
        await kind.subscribe(c, hostile, slow.url);
        await kind.subscribe(c, victim, fast.url);
        const addUser = (org: TenantId, userName: string) => c.services.lifecycle.addManual(c.services.platform.forTenant(org), cliActor('test'), { email: userName, name: userName });

        for (let i = 0; i < 30; i++) await addUser(hostile, `slow${i}@hostile.test`);
        expect(await waitFor(() => slow.count() >= 1, 10_000)).toBe(true); // its requests now hang

        const written = Date.now();
        await addUser(victim, 'first@victim.test');
        expect(await waitFor(() => fast.count() >= 1, 5_000)).toBe(true);
        expect(Date.now() - written).toBeLessThan(3_000); // not the timeout of the hanging requests
        expect(fast.first()).toBe(kind.created);
      } finally {
        await slow.close();
        await worker.stop();
        await fast.close();
        await c.close();
      }
    }, 60_000);
  }
}
