// Issue #20: the OAuth 2.0 token endpoint (RFC 6749 §4.4 client credentials; client_secret_basic,
// client_secret_post, RFC 7523 §2.2 client assertions = workload identity federation), with a
// real token issuer in the test process (jose keys, JWKS on 127.0.0.1 through the outbound guard),
// and its access tokens on /scim/v2. Time comes from an injected clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, json, scimClient, type TestApp, USER_SCHEMA, GROUP_SCHEMA, PATCH_OP } from '../support/test-app.js';
import { startTestIssuer, type TestIssuer } from '../support/token-issuer.js';
import type { TenantStore } from '../../src/storage/ports.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DAY = 86_400_000;
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const dialect of DIALECTS) {
  describe(`OAuth token endpoint and SCIM access tokens [${dialect}]`, () => {
    let t: TestApp;
    let clock = Date.parse('2026-09-01T10:00:00.000Z');
    let issuer: TestIssuer;
    let tenant: TenantStore;
    const SUB = '6f1f2c1e-0d6a-4a0b-9b43-2c8b8a3f0a11';
    const AUD = 'api://1c0e8d7f-wiggledesk/.default';

    beforeAll(async () => {
      issuer = await startTestIssuer();
      t = await buildTestApp(dialect, { env: { ALLOW_PRIVATE_TARGETS: '1', OAUTH_TOKEN_RATE_LIMIT_PER_MINUTE: '1000' }, now: () => clock });
      tenant = t.services.platform.forTenant(t.org.id);
    });
    afterAll(async () => {
      await t?.close();
      await issuer?.close();
    });

    const token = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form(body) });

    const expectError = (r: Awaited<ReturnType<typeof token>>, status: number, error: string, description?: RegExp) => {
      expect(r.statusCode, r.body).toBe(status);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const body = json(r);
      expect(body.error).toBe(error);
      expect(typeof body.error_description).toBe('string');
      if (description) expect(body.error_description).toMatch(description);
      if (status === 401) expect(r.headers['www-authenticate']).toMatch(/^Basic realm=/);
      return body;
    };

    const federated = async (store = tenant, iss = issuer) => t.services.oauth.federate(store, { issuer: iss.issuer, jwksUrl: iss.jwksUrl, subject: SUB, audience: AUD, createdBy: null });
    const assertionFor = (clientId: string, assertion: string, scope = AUD) => token({ grant_type: 'client_credentials', client_id: clientId, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, scope });

    describe('client secret', () => {
      it('client_secret_basic: a token (RFC 6749 §5.1, no-store) that SCIM accepts like an API key', async () => {
        const { client, secret } = await t.services.oauth.createClient(tenant, { name: 'Entra gallery', createdBy: null });
        const r = await token({ grant_type: 'client_credentials', scope: 'scim' }, { authorization: basic(client.id, secret) });
        expect(r.statusCode, r.body).toBe(200);
        expect(r.headers['cache-control']).toBe('no-store');
        expect(r.headers.pragma).toBe('no-cache');
        const body = json(r);
        expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
        expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'scim' });
        expect(body.access_token).toMatch(/^wdat_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
        const scim = scimClient(t.app, body.access_token);
        const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'basic@contoso.test' });
        expect(created.statusCode).toBe(201);
        // Tenant scoping: the token's organisation only.
        const other = await t.newTenant();
        expect(json(await other.scim.get('/Users?filter=userName eq "basic@contoso.test"')).totalResults).toBe(0);
        expect(json(await scim.get('/Users?filter=userName eq "basic@contoso.test"')).totalResults).toBe(1);
      });

      it('client_secret_post, with no scope (defaults to scim)', async () => {
        const { client, secret } = await t.services.oauth.createClient(tenant, { createdBy: null });
        const r = await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret });
        expect(r.statusCode, r.body).toBe(200);
        expect(json(r).scope).toBe('scim');
        expect((await scimClient(t.app, json(r).access_token).get('/Users')).statusCode).toBe(200);
      });

      it('stores only hashes of secrets and tokens', async () => {
        const { client, secret } = await t.services.oauth.createClient(tenant, { createdBy: null });
        const stored = await tenant.oauth.secretsWithHashes(client.id);
        expect(stored[0]!.secretHash).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.stringify(stored)).not.toContain(secret);
        const at = json(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret })).access_token as string;
        const found = await t.services.platform.forTenant(t.org.id).oauth.listClients();
        expect(JSON.stringify(found)).not.toContain(at);
      });

      it('wrong secret and unknown client: invalid_client 401 with WWW-Authenticate, same description', async () => {
        const { client } = await t.services.oauth.createClient(tenant, { createdBy: null });
        const a = expectError(await token({ grant_type: 'client_credentials' }, { authorization: basic(client.id, 'wdcs_wrong') }), 401, 'invalid_client');
        const b = expectError(await token({ grant_type: 'client_credentials', client_id: 'wdc_000000000000000000000000', client_secret: 'x' }), 401, 'invalid_client');
        expect(a.error_description).toBe(b.error_description);
      });

      it('secrets expire after 1–3 years (configurable); no token with an expired secret; a second secret rotates seamlessly', async () => {
        await expect(t.services.oauth.createClient(tenant, { secretDays: 30, createdBy: null })).rejects.toThrow(/365 to 1095/);
        await expect(t.services.oauth.createClient(tenant, { secretDays: 2000, createdBy: null })).rejects.toThrow(/365 to 1095/);
        const { client, secret, secretRecord } = await t.services.oauth.createClient(tenant, { secretDays: 365, createdBy: null });
        expect(Date.parse(secretRecord.expiresAt) - clock).toBe(365 * DAY);
        const saved = clock;
        try {
          clock = saved + 300 * DAY;
          const second = await t.services.oauth.addSecret(tenant, client.id, { secretDays: 730, createdBy: null });
          // Both work during the rotation.
          expect((await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret })).statusCode).toBe(200);
          clock = saved + 366 * DAY;
          expectError(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret }), 400, 'invalid_grant', /expired/);
          expect((await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: second.secret })).statusCode).toBe(200);
          const view = await t.services.oauth.find(tenant, client.id);
          expect(view.secrets.map((s) => s.expired)).toEqual([true, false]);
          // Deleting the old secret; the token made with the new one is unaffected.
          await t.services.oauth.removeSecret(tenant, client.id, secretRecord.id);
          expectError(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret }), 401, 'invalid_client');
          const withSecond = json(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: second.secret })).access_token as string;
          expect((await scimClient(t.app, withSecond).get('/Users')).statusCode).toBe(200);
        } finally {
          clock = saved;
        }
      });

      it('deleting a secret kills the live tokens issued with it; deleting the client kills all of them', async () => {
        const { client, secret, secretRecord } = await t.services.oauth.createClient(tenant, { createdBy: null });
        const second = await t.services.oauth.addSecret(tenant, client.id, { createdBy: null });
        const a = json(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret })).access_token as string;
        const b = json(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: second.secret })).access_token as string;
        expect((await scimClient(t.app, a).get('/Users')).statusCode).toBe(200);
        await t.services.oauth.removeSecret(tenant, client.id, secretRecord.id);
        const refused = await scimClient(t.app, a).get('/Users');
        expect(refused.statusCode).toBe(401);
        expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(json(refused).detail).toMatch(/not valid/);
        expect((await scimClient(t.app, b).get('/Users')).statusCode).toBe(200);
        await t.services.oauth.deleteClient(tenant, client.id);
        expect((await scimClient(t.app, b).get('/Users')).statusCode).toBe(401);
        expectError(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: second.secret }), 401, 'invalid_client');
      });

      it('access tokens expire after the configured lifetime (1 h default)', async () => {
        const { client, secret } = await t.services.oauth.createClient(tenant, { createdBy: null });
        const at = json(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret })).access_token as string;
        const saved = clock;
        try {
          clock = saved + 59 * 60_000;
          expect((await scimClient(t.app, at).get('/Users')).statusCode).toBe(200);
          clock = saved + 60 * 60_000;
          const r = await scimClient(t.app, at).get('/Users');
          expect(r.statusCode).toBe(401);
          expect(json(r).detail).toMatch(/expired/);
        } finally {
          clock = saved;
        }
      });
    });

    describe('RFC 6749 request errors', () => {
      it('unsupported_grant_type, invalid_scope, invalid_request (missing, repeated, two methods, content type), GET', async () => {
        const { client, secret } = await t.services.oauth.createClient(tenant, { createdBy: null });
        expectError(await token({ grant_type: 'password', client_id: client.id, client_secret: secret }), 400, 'unsupported_grant_type');
        expectError(await token({ grant_type: 'authorization_code', client_id: client.id, client_secret: secret }), 400, 'unsupported_grant_type');
        expectError(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret, scope: 'admin' }), 400, 'invalid_scope');
        expectError(await token({ client_id: client.id, client_secret: secret }), 400, 'invalid_request', /grant_type/);
        const dup = await t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_id=${client.id}&client_secret=${secret}&client_secret=${secret}` });
        expectError(dup, 400, 'invalid_request', /more than once/);
        expectError(await token({ grant_type: 'client_credentials', client_secret: secret }, { authorization: basic(client.id, secret) }), 400, 'invalid_request', /more than one client authentication/i);
        const asJson = await t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ grant_type: 'client_credentials' }) });
        expectError(asJson, 400, 'invalid_request', /x-www-form-urlencoded/);
        expectError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client', /No client authentication/);
        const get = await t.app.inject({ method: 'GET', url: '/oauth2/token' });
        expect(get.statusCode).toBe(405);
      });

      it('an organisation not approved for API access: no client, and no token for an existing one', async () => {
        const other = await t.newTenant();
        const store = t.services.platform.forTenant(other.org.id);
        const { client, secret } = await t.services.oauth.createClient(store, { createdBy: null });
        await t.services.organizations.setApiAccess(other.org.id, false);
        await expect(t.services.oauth.createClient(store, { createdBy: null })).rejects.toThrow(/not approved/);
        await expect(t.services.oauth.federate(store, { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, subject: SUB, audience: AUD, createdBy: null })).rejects.toThrow(/not approved/);
        expectError(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret }), 400, 'unauthorized_client');
      });

      it('logs every issuance and refusal in the organisation’s activity log, and SCIM requests under the client', async () => {
        const other = await t.newTenant();
        const store = t.services.platform.forTenant(other.org.id);
        const { client, secret } = await t.services.oauth.createClient(store, { name: 'Logged client', createdBy: null });
        const at = json(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret })).access_token as string;
        await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: 'wdcs_nope' });
        await scimClient(t.app, at).get('/Users');
        await t.services.activity.flush();
        const rows = await store.activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 10 });
        const tokenRows = rows.filter((r) => r.path === '/oauth2/token');
        expect(tokenRows.map((r) => [r.status, r.scimType, r.keyId])).toEqual(
          expect.arrayContaining([
            [200, null, client.id],
            [401, 'invalid_client', client.id],
          ]),
        );
        const refused = tokenRows.find((r) => r.status === 401)!;
        expect(JSON.parse(refused.summary!)).toMatchObject({ event: 'token_refused', auth_method: 'client_secret_post', reference: 'OAUTH_E_CLIENT_UNKNOWN' });
        expect(rows.find((r) => r.path === '/scim/v2/Users')?.keyId).toBe(client.id);
        // The failed-attempts view (errors only) shows the refusal.
        const errors = await store.activity.list({ errorsOnly: true, resourceId: undefined, beforeSeq: undefined, limit: 10 });
        expect(errors.some((r) => r.path === '/oauth2/token' && r.scimType === 'invalid_client')).toBe(true);
        // …and the console's refused-connections view, aggregated per client and reason.
        const refusedConnections = await store.authFailures.list(new Date(clock - DAY).toISOString());
        expect(refusedConnections).toEqual([expect.objectContaining({ keyId: client.id, reason: 'oauth_client_refused', attempts: 1 })]);
      });
    });

    describe('workload identity federation (RFC 7523 §2.2 client assertions)', () => {
      it('a valid assertion gets a token that SCIM accepts', async () => {
        const client = await federated();
        const r = await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }));
        expect(r.statusCode, r.body).toBe(200);
        expect(r.headers['cache-control']).toBe('no-store');
        expect(json(r)).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'scim' });
        expect((await scimClient(t.app, json(r).access_token).get('/Users')).statusCode).toBe(200);
      });

      it.each([
        ['wrong iss', { iss: 'https://login.microsoftonline.com/someone-else/v2.0' }, /issuer/],
        ['wrong sub', { sub: 'another-workload' }, /subject/],
        ['wrong aud', { aud: 'api://someone-else' }, /audience/],
        ['expired', { exp: 'past' }, /expired/],
        ['not yet valid', { nbf: 'future' }, /not valid yet/],
        ['tid of another tenant', { tid: 'another-tenant' }, /tenant/],
      ] as const)('refuses an assertion with %s: invalid_client', async (_name, change, description) => {
        const client = await federated();
        const now = Math.floor(clock / 1000);
        const claims: Record<string, unknown> = { sub: SUB, aud: AUD, nowMs: clock };
        if ('iss' in change) claims.iss = change.iss;
        if ('sub' in change) claims.sub = change.sub;
        if ('aud' in change) claims.aud = change.aud;
        if ('exp' in change) Object.assign(claims, { iat: now - 7200, nbf: now - 7200, exp: now - 300 });
        if ('nbf' in change) Object.assign(claims, { nbf: now + 600, iat: now, exp: now + 3600 });
        if ('tid' in change) claims.tid = change.tid;
        // Issuers shaped like Entra's get their tid checked; the test issuer uses that shape for tid only.
        const target = 'tid' in change ? await t.services.oauth.federate(tenant, { issuer: `https://login.microsoftonline.com/${issuer.tenantId}/v2.0`, jwksUrl: issuer.jwksUrl, subject: SUB, audience: AUD, createdBy: null }) : client;
        if ('tid' in change) claims.iss = `https://login.microsoftonline.com/${issuer.tenantId}/v2.0`;
        const r = await assertionFor(target.id, await issuer.assertion(claims as never));
        expectError(r, 401, 'invalid_client', description);
      });

      it('a small clock skew is tolerated (exp 30 s ago, nbf 30 s ahead)', async () => {
        const client = await federated();
        const now = Math.floor(clock / 1000);
        expect((await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock, iat: now - 3600, nbf: now - 3600, exp: now - 30 }))).statusCode).toBe(200);
        expect((await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock, iat: now + 30, nbf: now + 30, exp: now + 3600 }))).statusCode).toBe(200);
      });

      it('refuses a wrong signature, a replayed jti, an assertion to a secret client and a secret to a federated client', async () => {
        const client = await federated();
        expectError(await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }, { key: 'unpublished' })), 401, 'invalid_client', /signature/);
        const once = await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock });
        expect((await assertionFor(client.id, once)).statusCode).toBe(200);
        expectError(await assertionFor(client.id, once), 401, 'invalid_client', /already been used/);
        expectError(await assertionFor(client.id, 'not.a.jwt'), 401, 'invalid_client');
        const withSecret = await t.services.oauth.createClient(tenant, { createdBy: null });
        expectError(await assertionFor(withSecret.client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock })), 401, 'invalid_client', /client secret/);
        expectError(await token({ grant_type: 'client_credentials', client_id: client.id, client_secret: 'wdcs_x' }), 401, 'invalid_client', /workload identity federation/);
        expectError(await token({ grant_type: 'client_credentials', client_id: client.id, client_assertion_type: 'urn:other', client_assertion: once }), 400, 'invalid_request');
      });

      it('the jti is remembered in the database: a replay to another instance is refused too', async () => {
        const client = await federated();
        const once = await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock });
        expect((await assertionFor(client.id, once)).statusCode).toBe(200);
        // A second app on the same database: another instance, with its own JWKS cache.
        const { compose } = await import('../../src/compose.js');
        const { buildApp } = await import('../../src/http/app.js');
        const second = await compose(t.config, { now: () => clock });
        const app2 = await buildApp(t.config, second.services, { logger: false });
        try {
          const r = await app2.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ grant_type: 'client_credentials', client_id: client.id, client_assertion_type: ASSERTION_TYPE, client_assertion: once }) });
          expectError(r, 401, 'invalid_client', /already been used/);
        } finally {
          await app2.close();
          await second.close();
        }
      });

      it('unknown kid: refetches the JWKS once and accepts the rotated key; a kid nobody published stays refused', async () => {
        const client = await federated();
        expect((await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }))).statusCode).toBe(200);
        const before = issuer.fetches();
        // A bogus kid: refused; the cache refetches at most once per cooldown.
        expectError(await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }, { kid: 'never-published' })), 401, 'invalid_client', /key id/);
        expectError(await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }, { kid: 'never-published' })), 401, 'invalid_client', /key id/);
        expect(issuer.fetches() - before).toBeLessThanOrEqual(1);
        clock += 31_000;
        await issuer.rotate();
        const r = await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }));
        expect(r.statusCode, r.body).toBe(200);
      });

      it('JWKS outage: cached keys keep working; a new kid fails until the endpoint is back', async () => {
        const client = await federated();
        expect((await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }))).statusCode).toBe(200);
        issuer.setDown(true);
        try {
          clock += 2 * 60 * 60_000; // past the periodic refresh: a refetch is tried and fails
          expect((await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }))).statusCode).toBe(200);
          await issuer.rotate();
          clock += 31_000;
          expectError(await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock })), 401, 'invalid_client', /key id/);
        } finally {
          issuer.setDown(false);
        }
        clock += 31_000;
        expect((await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }))).statusCode).toBe(200);
      });

      it('a second organisation’s assertion against the first’s client id is refused', async () => {
        const mine = await federated();
        const other = await t.newTenant();
        const otherIssuer = await startTestIssuer();
        try {
          const theirs = await federated(t.services.platform.forTenant(other.org.id), otherIssuer);
          const theirAssertion = await otherIssuer.assertion({ sub: SUB, aud: AUD, nowMs: clock });
          // Signed by their issuer's key, which is not in the first organisation's JWKS.
          expectError(await assertionFor(mine.id, theirAssertion), 401, 'invalid_client', /key id/);
          // …and it works for their own client.
          expect((await assertionFor(theirs.id, await otherIssuer.assertion({ sub: SUB, aud: AUD, nowMs: clock }))).statusCode).toBe(200);
        } finally {
          await otherIssuer.close();
        }
      });

      it('the JWKS URL must be https unless private targets are allowed (ALLOW_PRIVATE_TARGETS)', async () => {
        const strict = await buildTestApp(dialect, { now: () => clock });
        try {
          await expect(strict.services.oauth.federate(strict.services.platform.forTenant(strict.org.id), { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, subject: SUB, audience: AUD, createdBy: null })).rejects.toThrow(/https/);
        } finally {
          await strict.close();
        }
      });

      it('replays the whole Entra flow: token, Test Connection, a provisioning cycle', async () => {
        const other = await t.newTenant('Fabrikam (Entra flow)');
        const store = t.services.platform.forTenant(other.org.id);
        const client = await federated(store);
        const tr = await assertionFor(client.id, await issuer.assertion({ sub: SUB, aud: AUD, nowMs: clock, oid: SUB, appid: 'sync-fabric', uti: 'abc' }));
        expect(tr.statusCode, tr.body).toBe(200);
        const scim = scimClient(t.app, json(tr).access_token);
        // Test Connection: a filter that matches nothing must be 200 with zero results.
        const test = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "9d1b0b6c-test-connection@fabrikam.test"')}`);
        expect(test.statusCode).toBe(200);
        expect(json(test)).toMatchObject({ totalResults: 0, Resources: [] });
        // Provisioning cycle.
        const u = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'adele@fabrikam.test', externalId: 'e-1', active: true, name: { givenName: 'Adele', familyName: 'Vance' }, emails: [{ value: 'adele@fabrikam.test', type: 'work', primary: true }] });
        expect(u.statusCode).toBe(201);
        const uid = json(u).id as string;
        const g = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales', externalId: 'g-1' });
        expect(g.statusCode).toBe(201);
        const gid = json(g).id as string;
        expect((await scim.patch(`/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: uid }] }] })).statusCode).toBe(204);
        expect((await scim.patch(`/Users/${uid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).statusCode).toBe(200);
        const read = json(await scim.get(`/Users/${uid}`));
        expect(read.active).toBe(false);
        expect(read.groups).toEqual([expect.objectContaining({ value: gid })]);
        expect((await scim.delete(`/Users/${uid}`)).statusCode).toBe(204);
        await t.services.activity.flush();
        const rows = await store.activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 50 });
        expect(rows.length).toBeGreaterThanOrEqual(7);
        expect(rows.every((r) => r.keyId === client.id)).toBe(true);
      });
    });
  });
}

describe('token endpoint rate limit per client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { env: { OAUTH_TOKEN_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(async () => t?.close());

  it('answers 429 temporarily_unavailable with Retry-After once a client exceeds its budget; other clients are unaffected', async () => {
    const store = t.services.platform.forTenant(t.org.id);
    const a = await t.services.oauth.createClient(store, { createdBy: null });
    const b = await t.services.oauth.createClient(store, { createdBy: null });
    const req = (id: string, secret: string) => t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ grant_type: 'client_credentials', client_id: id, client_secret: secret }) });
    for (let i = 0; i < 3; i++) expect((await req(a.client.id, a.secret)).statusCode).toBe(200);
    const limited = await req(a.client.id, a.secret);
    expect(limited.statusCode).toBe(429);
    expect(json(limited).error).toBe('temporarily_unavailable');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await req(b.client.id, b.secret)).statusCode).toBe(200);
  });
});
