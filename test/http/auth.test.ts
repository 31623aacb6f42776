// R-GEN-04 / issue #2: every bad-key case under /scim/v2 gets 401 with WWW-Authenticate: Bearer
// and a SCIM error body whose detail says which case it was, without revealing whether a key id exists.
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { json, scimClient } from '../support/test-app.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describeEachDialect('bearer authentication', (t) => {
  const expect401 = async (headers: Record<string, string>, detail: RegExp) => {
    const r = await t().app.inject({ method: 'GET', url: '/scim/v2/Users', headers });
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    const body = json(r);
    expect(body.schemas).toEqual([ERROR]);
    expect(body.status).toBe('401');
    expect(body.detail).toMatch(detail);
    return body;
  };

  it('accepts a key made by the key service and reaches a /scim/v2 route', async () => {
    const r = await t().scim.get('/Users');
    expect(r.statusCode).toBe(200);
    expect(json(r).totalResults).toBe(0);
  });

  it('401 for a missing Authorization header', () => expect401({}, /Missing Authorization/));
  it('401 for a non-Bearer scheme (Okta spec test sends "non-token")', () => expect401({ authorization: 'non-token' }, /Bearer scheme/));
  it('401 for a malformed token', () => expect401({ authorization: 'Bearer not-a-key' }, /not a WiggleDesk API key/));

  it('401 for an unknown key id and for a wrong secret, with the same detail', async () => {
    const key = t().key;
    const unknownId = `wdk_${'0'.repeat(24)}_${key.slice(-43)}`;
    const wrongSecret = `${key.slice(0, -43)}${'A'.repeat(43)}`;
    const a = await expect401({ authorization: `Bearer ${unknownId}` }, /not valid/);
    const b = await expect401({ authorization: `Bearer ${wrongSecret}` }, /not valid/);
    expect(a.detail).toBe(b.detail);
  });

  it('401 for a revoked key on the very next request', async () => {
    const other = await t().newTenant();
    expect((await other.scim.get('/Users')).statusCode).toBe(200);
    const store = t().services.platform.forTenant(other.org.id);
    const [record] = await t().services.apiKeys.list(store);
    await t().services.apiKeys.revoke(store, record!.id);
    await expect401({ authorization: `Bearer ${other.key}` }, /revoked/);
  });

  it('401 for a key of an organisation not approved for API access', async () => {
    const other = await t().newTenant(undefined, false);
    await expect401({ authorization: `Bearer ${other.key}` }, /not approved for API access/);
  });

  it('refuses to create a key for an unapproved organisation', async () => {
    const org = await t().services.organizations.create(`Unapproved ${Date.now()}`);
    await expect(t().services.apiKeys.create(t().services.platform.forTenant(org.id), { name: 'x', createdBy: null })).rejects.toThrow(/not approved/);
  });

  it('records last use of a key', async () => {
    const other = await t().newTenant();
    await other.scim.get('/Users');
    await new Promise((r) => setTimeout(r, 50));
    const [record] = await t().services.apiKeys.list(t().services.platform.forTenant(other.org.id));
    expect(record!.lastUsedAt).not.toBeNull();
  });

  it('stores only a hash of the secret', async () => {
    const found = await t().services.platform.findApiKey(t().key.slice(4, 28));
    expect(found).toBeDefined();
    expect(found!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(t().key).not.toContain(found!.secretHash);
  });

  it('serves discovery without a key (R-CORE-30) and with one', async () => {
    const anon = scimClient(t().app, undefined);
    expect((await anon.get('/ServiceProviderConfig')).statusCode).toBe(200);
    expect((await t().scim.get('/ServiceProviderConfig')).statusCode).toBe(200);
  });
});

describe('health', () => {
  describeEachDialect('health endpoints', (t) => {
    it('/healthz and /readyz answer 200', async () => {
      expect((await t().app.inject('/healthz')).statusCode).toBe(200);
      expect((await t().app.inject('/readyz')).statusCode).toBe(200);
    });
  });
});
