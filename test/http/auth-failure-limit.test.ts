// Issue #18 attack 4: failed authentication is rate limited per client address and per presented
// key id (429, integer Retry-After, SCIM body), shared through Redis when configured, and a valid
// key is never limited by it, even from the same address or for the same key id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { describeEachDialect } from '../support/each-dialect.js';
import { buildTestApp, json, type TestApp } from '../support/test-app.js';
import { buildApp } from '../../src/http/app.js';

const LIMIT = { SCIM_AUTH_FAILURE_LIMIT: '5', SCIM_AUTH_FAILURE_WINDOW_SECONDS: '60' };
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const REDIS_URL = process.env.WIGGLEDESK_TEST_REDIS_URL;

const send = (app: FastifyInstance, address: string, authorization?: string) =>
  app.inject({ method: 'GET', url: '/scim/v2/Users?count=1', remoteAddress: address, headers: authorization ? { authorization } : {} });

const keyIdOf = (key: string) => /^wdk_([^_]+)_/.exec(key)![1]!;
const wrongSecretFor = (key: string) => `Bearer wdk_${keyIdOf(key)}_${'A'.repeat(43)}`;

describeEachDialect('Failed authentication is rate limited', (t) => {
  it('per presented key id: wrong secrets for a real key id get 429 after the limit, from any address; the right secret still works', async () => {
    const victim = await t().newTenant('Victim');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await send(t().app, `10.1.0.${i}`, wrongSecretFor(victim.key))).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const r = await send(t().app, '10.1.0.99', wrongSecretFor(victim.key));
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(json(r)).toMatchObject({ schemas: [ERROR], status: '429' });
    expect(json(r).detail).toMatch(/API key id/);
    // The owner of the key is not locked out.
    expect((await send(t().app, '10.1.0.1', `Bearer ${victim.key}`)).statusCode).toBe(200);
  });

  it('per client address: requests without a key or with garbage get 429 after the limit; valid keys from that address are not limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(t().app, '10.2.0.1')).statusCode);
    for (let i = 0; i < 3; i++) statuses.push((await send(t().app, '10.2.0.1', `Bearer nonsense-${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const r = await send(t().app, '10.2.0.1');
    expect(json(r).detail).toMatch(/from this address/);
    expect((await send(t().app, '10.2.0.1', `Bearer ${t().key}`)).statusCode).toBe(200);
    // Another address is unaffected.
    expect((await send(t().app, '10.2.0.2')).statusCode).toBe(401);
  });

  it('successful requests are never counted', async () => {
    for (let i = 0; i < 20; i++) expect((await send(t().app, '10.3.0.1', `Bearer ${t().key}`)).statusCode).toBe(200);
    expect((await send(t().app, '10.3.0.1')).statusCode).toBe(401);
  });
}, { env: LIMIT });

describe.skipIf(!REDIS_URL)('failed authentication counted across instances through Redis', () => {
  let t: TestApp;
  let second: FastifyInstance;
  const redis: Redis[] = [];
  beforeAll(async () => {
    const mk = () => {
      const r = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
      redis.push(r);
      return r;
    };
    t = await buildTestApp('sqlite', { env: LIMIT, redis: mk() });
    second = await buildApp(t.config, t.services, { logger: false, scim: { redis: mk() } });
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    for (const r of redis) r.disconnect();
  });

  it('failures through both instances draw on one budget per key id', async () => {
    const victim = await t.newTenant('Victim');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await send(i % 2 ? second : t.app, `10.9.${Math.floor(Math.random() * 250)}.${i}`, wrongSecretFor(victim.key))).statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });
});
