// Per-API-key rate limits (issue #8): 429 with a SCIM error body and an integer Retry-After;
// one key's burst never limits another; with Redis, two instances share one budget per key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { describeEachDialect } from '../support/each-dialect.js';
import { buildTestApp, json, scimClient, type TestApp } from '../support/test-app.js';
import { buildApp } from '../../src/http/app.js';

const LIMITED = { SCIM_RATE_LIMIT_PER_SECOND: '5', SCIM_RATE_LIMIT_BURST: '10' };

describeEachDialect(
  'rate limits per API key',
  (t) => {
    it('the request after the burst gets 429 with a SCIM body and an integer Retry-After; other keys are unaffected', async () => {
      const statuses: number[] = [];
      let limited;
      for (let i = 0; i < 12; i++) {
        const r = await t().scim.get('/Users?count=1');
        statuses.push(r.statusCode);
        if (r.statusCode === 429) limited = r;
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(statuses[10]).toBe(429);
      expect(limited).toBeDefined();
      expect(json(limited!)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
      expect(json(limited!).detail).toMatch(/Rate limit/);
      expect(String(limited!.headers['retry-after'])).toMatch(/^\d+$/);
      const other = await t().newTenant();
      expect((await other.scim.get('/Users?count=1')).statusCode).toBe(200);
    });
  },
  { env: LIMITED },
);

const REDIS_URL = process.env.WIGGLEDESK_TEST_REDIS_URL;
if (!REDIS_URL && process.env.CI === 'true') throw new Error('CI needs WIGGLEDESK_TEST_REDIS_URL for the multi-instance rate-limit test');

describe.skipIf(!REDIS_URL)('rate limits shared through Redis across two instances', () => {
  let t: TestApp;
  let second: Awaited<ReturnType<typeof buildApp>>;
  const redis: Redis[] = [];

  beforeAll(async () => {
    const mk = () => {
      const r = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
      redis.push(r);
      return r;
    };
    t = await buildTestApp('sqlite', { env: LIMITED, redis: mk() });
    second = await buildApp(t.config, t.services, { logger: false, scim: { redis: mk() } });
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    for (const r of redis) r.disconnect();
  });

  it('requests through both instances draw on one budget per key', async () => {
    const fresh = await t.newTenant();
    const other = scimClient(second, fresh.key);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await (i % 2 ? other : fresh.scim).get('/Users?count=1')).statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });
});
