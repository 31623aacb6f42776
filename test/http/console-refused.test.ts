// Refused connections (issue #17): a request with a revoked key, a wrong secret for a known key
// id, or a key of an organisation whose API access was withdrawn is counted against that
// organisation and key — aggregated, without the presented secret — and explained on the
// Dashboard and in Activity; unattributable garbage only reaches /metrics.
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import type { ConsoleClient } from './console-client.js';
import { signedIn } from './console-client.js';

const plainText = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

describeEachDialect('console: refused connections', (t) => {
  let c: ConsoleClient;
  beforeAll(async () => {
    c = await signedIn(t(), t().org);
  });

  // Each test from its own address, so the per-address failed-authentication limit (#18) of one
  // test does not turn another's 401s into 429s.
  let address = 1;
  beforeEach(() => {
    address++;
  });
  const scimWith = (authorization: string, userAgent = 'Microsoft.Identity.Provisioning.Service') =>
    t().app.inject({ method: 'GET', url: '/scim/v2/Users?filter=userName%20eq%20%22x%22', headers: { authorization, 'user-agent': userAgent }, remoteAddress: `10.9.0.${address}` });

  it('says on the Dashboard that the identity provider calls with a revoked key, how often and when last, and lists it in Activity', async () => {
    const { key } = await c.generateKey('Entra ID');
    expect(key).toBeDefined();
    const keyId = key!.slice(4, 28);
    expect((await scimWith(`Bearer ${key}`)).statusCode).toBe(200);
    await c.post(`/console/profile/keys/${keyId}/revoke`);

    // Past the failed-authentication limit (#18) the answer becomes 429; every attempt still counts.
    for (let i = 0; i < 37; i++) expect([401, 429]).toContain((await scimWith(`Bearer ${key}`)).statusCode);

    const dash = await c.get('/console');
    const text = plainText(dash.body);
    expect(text).toContain('Your identity provider is calling with the revoked key ‘Entra ID’ — last at');
    expect(text).toMatch(/last at (\d{2}:\d{2}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC, 37 times\./);
    expect(text).toContain('Generate a new key on your Profile');
    expect(dash.body).toContain('Microsoft.Identity.Provisioning.Service');
    // The secret is nowhere in the page (nor, by construction, in storage: only the key id is kept).
    expect(dash.body).not.toContain(key!.slice(29));

    const activity = await c.get('/console/activity?view=refused');
    expect(activity.statusCode).toBe(200);
    const rows = [...activity.body.matchAll(/data-testid="refused-row"/g)];
    expect(rows).toHaveLength(1);
    expect(plainText(activity.body)).toContain('Revoked key');
    expect(plainText(activity.body)).toContain('37');
  });

  it('counts a wrong secret for a known key id against that key, aggregated in one row, with the same 401 as an unknown key', async () => {
    const key = (await c.generateKey('Okta prod')).key!;
    const wrong = `${key.slice(0, 29)}${'A'.repeat(43)}`;
    const r1 = await scimWith(`Bearer ${wrong}`, 'Okta SCIM Client 1.0.0');
    const r2 = await scimWith(`Bearer ${wrong}`, 'Okta SCIM Client 1.0.0');
    const unknown = await scimWith(`Bearer wdk_${'0'.repeat(24)}_${'A'.repeat(43)}`);
    expect(r1.statusCode).toBe(401);
    expect(JSON.parse(r2.body).detail).toBe(JSON.parse(unknown.body).detail);
    const rows = await t().services.platform.forTenant(t().org.id).authFailures.list('2000-01-01T00:00:00.000Z');
    const okta = rows.filter((r) => r.reason === 'wrong_secret');
    expect(okta).toHaveLength(1);
    expect(okta[0]!.attempts).toBe(2);
    expect(okta[0]!.userAgent).toBe('Okta SCIM Client 1.0.0');
    expect(JSON.stringify(rows)).not.toContain('A'.repeat(43));
    expect(plainText((await c.get('/console')).body)).toContain('with a wrong secret for the key ‘Okta prod’');
  });

  it('attributes a key of an organisation whose API access was withdrawn to that organisation only', async () => {
    const other = await t().newTenant('Withdrawn Inc');
    await t().services.organizations.setApiAccess(other.org.id, false);
    expect((await scimWith(`Bearer ${other.key}`)).statusCode).toBe(401);
    const theirs = await t().services.platform.forTenant(other.org.id).authFailures.list('2000-01-01T00:00:00.000Z');
    expect(theirs.map((r) => [r.reason, r.attempts])).toEqual([['api_access_withdrawn', 1]]);
    const ours = await t().services.platform.forTenant(t().org.id).authFailures.list('2000-01-01T00:00:00.000Z');
    expect(ours.some((r) => r.reason === 'api_access_withdrawn')).toBe(false);
  });

  it('counts unattributable garbage only in /metrics', async () => {
    const before = await t().services.platform.forTenant(t().org.id).authFailures.list('2000-01-01T00:00:00.000Z');
    await scimWith('Bearer not-a-key');
    await scimWith('Basic Zm9vOmJhcg==');
    await scimWith(`Bearer wdk_${'f'.repeat(24)}_${'B'.repeat(43)}`);
    const after = await t().services.platform.forTenant(t().org.id).authFailures.list('2000-01-01T00:00:00.000Z');
    expect(after).toEqual(before);
    const metrics = await t().app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body, metrics.body.split('\n').filter((l) => l.includes('auth_refused')).join('\n')).toMatch(/wiggledesk_scim_auth_refused_total\{reason="not_an_api_key"\} [1-9]/);
    expect(metrics.body).toMatch(/wiggledesk_scim_auth_refused_total\{reason="not_bearer"\} [1-9]/);
    expect(metrics.body).toMatch(/wiggledesk_scim_auth_refused_total\{reason="unknown_key"\} [1-9]/);
    expect(metrics.body).toMatch(/wiggledesk_scim_auth_refused_total\{reason="revoked_key"\} 37/);
  });
});
