// The standing red-team suite (`npm run test:attacks`, also in CI): each attack of issue #18
// replayed against a real server (child process, real socket) on SQLite and on PostgreSQL,
// while another organisation probes the service. It fails when the other organisation waits
// more than OTHER_TENANT_BOUND_MS (docs/security.md "Cost model"), or when an attack is not
// answered as documented. Add every new attack here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose } from '../../src/compose.js';
import { OTHER_TENANT_BOUND_MS, filterAttackPaths, patchAttackBody, seedManyAddresses, seedManyEmails, underAttack, type Send } from '../support/attacks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: databaseUrl, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<string>((resolve, reject) => {
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
}

async function organisations(db: FreshDatabase, names: string[]): Promise<string[]> {
  const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent' }), database: db.config };
  const c = await compose(config);
  try {
    const keys: string[] = [];
    for (const name of names) {
      const org = await c.services.organizations.create(name, { apiAccessApproved: true });
      keys.push((await c.services.apiKeys.create(c.services.platform.forTenant(org.id), { name: 'red team', createdBy: null })).key);
    }
    return keys;
  } finally {
    await c.close();
  }
}

const client = (base: string, key: string | undefined): Send => async (method, path, body, headers = {}) => {
  const r = await fetch(`${base}/scim/v2${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(120_000),
  });
  return { status: r.status, body: await r.text(), headers: { 'retry-after': r.headers.get('retry-after') ?? undefined } };
};

/** The least worst-latency of up to five runs: a stall shows in every run, machine noise does not. */
async function bestOf(run: () => Promise<{ otherWorstMs: number; attack: { status: number; body: string }; attackMs: number }>, label: string): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5 && best >= OTHER_TENANT_BOUND_MS; i++) {
    const r = await run();
    console.log(`${label}: attack ${r.attack.status} in ${Math.round(r.attackMs)} ms, other tenant worst ${Math.round(r.otherWorstMs)} ms`);
    best = Math.min(best, r.otherWorstMs);
  }
  return best;
}

for (const dialect of DIALECTS) {
  describe(`red team [${dialect}]`, () => {
    let db: FreshDatabase;
    let base: string;
    let attacker: Send;
    let other: Send;
    let anonymous: Send;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      const [a, b] = await organisations(db, ['Attacker', 'Bystander']);
      base = await startServer(dialect === 'sqlite' ? `sqlite:${db.config.url}` : db.config.url, { SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000' });
      attacker = client(base, a);
      other = client(base, b);
      anonymous = client(base, undefined);
    }, 120_000);
    afterAll(async () => {
      for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await db?.drop();
    });
    const probe = () => other('GET', '/Users?count=1');

    it('attack 1: 1,000 remove operations with 38-term value filters on a user with 1,000 emails', async () => {
      const victim = await seedManyEmails(attacker);
      for (const [ops, label] of [[1000, 'PATCH 1000 ops'], [26, 'PATCH 26 ops']] as const) {
        const best = await bestOf(async () => {
          const r = await underAttack(() => attacker('PATCH', `/Users/${victim}`, patchAttackBody(ops)), probe);
          expect(r.attack.status, r.attack.body.slice(0, 300)).toBe(400);
          expect(JSON.parse(r.attack.body).scimType).toBe('tooMany');
          return r;
        }, `${dialect} ${label}`);
        expect(best).toBeLessThan(OTHER_TENANT_BOUND_MS);
      }
    }, 120_000);

    it('attack 2: 100-term filters on addresses over 60 users with 1,000 addresses each', async () => {
      await seedManyAddresses(attacker, 60);
      for (const path of filterAttackPaths()) {
        const best = await bestOf(async () => {
          const r = await underAttack(() => attacker('GET', path), probe);
          expect([200, 400]).toContain(r.attack.status);
          if (r.attack.status === 400) expect(JSON.parse(r.attack.body).scimType).toBe('tooMany');
          return r;
        }, `${dialect} filter ${decodeURIComponent(path).slice(15, 40)}`);
        expect(best).toBeLessThan(OTHER_TENANT_BOUND_MS);
      }
    }, 180_000);

    it('attack 4: wrong secrets for a real key id and requests without a key are rate limited, valid keys are not', async () => {
      const realKeyId = /^wdk_([^_]+)_/.exec((await organisations(db, ['Victim'])).at(0)!)![1]!;
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 60; i++) {
        const r = await anonymous('GET', '/Users', undefined, { authorization: `Bearer wdk_${realKeyId}_${'x'.repeat(43)}` });
        statuses.push(r.status);
        if (r.status === 429) retryAfter = String(r.headers?.['retry-after']);
      }
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      const none: number[] = [];
      for (let i = 0; i < 60; i++) none.push((await anonymous('GET', '/Users')).status);
      expect(none).toContain(429);
      // The other organisation's valid key is not slowed or limited meanwhile.
      const r = await probe();
      expect(r.status).toBe(200);
    }, 60_000);
  });
}
