// Input limits (issue #8 part 2): every bound a hostile or broken client can hit, each with its
// RFC 7644 §3.12 error, on every configured dialect. Small limits are set through buildTestApp's
// `limits` so each bound is reached with small bodies; the defaults are checked where they matter
// (deep JSON, the 1 MiB body). Each case also checks that a refused write changed nothing.
// Plus: stalled clients (partial headers, slow bodies) do not block other requests, and a stalled
// header is dropped by the server's headersTimeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describeEachDialect } from '../support/each-dialect.js';
import { buildTestApp, ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json, type TestApp } from '../support/test-app.js';
import { DEFAULT_SCIM_LIMITS, type ScimLimits } from '../../src/scim/limits.js';
import { tenantState } from '../tenancy/tenant-state.js';
import { signedIn } from '../http/console-client.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const NO_RATE_LIMIT = { SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000' };

const SMALL: ScimLimits = Object.freeze({
  ...DEFAULT_SCIM_LIMITS,
  maxPageSize: 5,
  bulkMaxOperations: 4,
  bulkMaxPayloadBytes: 4096,
  maxPatchOperations: 6,
  maxStringLength: 40,
  maxMultiValues: 3,
  maxMembersPerRequest: 4,
});

function expectScimError(r: LightMyRequestResponse, status: number, scimType?: string): Record<string, unknown> {
  expect(r.statusCode, r.body.slice(0, 500)).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = json(r);
  expect(body).toMatchObject({ schemas: [ERROR], status: String(status) });
  if (scimType) expect(body.scimType).toBe(scimType);
  else expect(body).not.toHaveProperty('scimType');
  expect(typeof body.detail).toBe('string');
  return body;
}

/** `{"a":{"a":…{}}}` with `levels` objects in total (the outermost counts as level 1). */
const nested = (levels: number): unknown => {
  let v: unknown = {};
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
};

describeEachDialect(
  'Input limits (small ScimLimits)',
  (t) => {
    let users: string[] = [];
    let group = '';
    const state = () => tenantState(t(), t().org.id, t().scim);
    const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'replace', path: 'displayName', value: `Name ${i}` }));

    beforeAll(async () => {
      users = [];
      for (let i = 0; i < 8; i++) users.push(json(await t().scim.post('/Users', { userName: `limit${i}@limits.example` })).id);
      group = json(await t().scim.post('/Groups', { displayName: 'Limits', members: [{ value: users[0] }] })).id;
    });

    it('advertises the limits it enforces', async () => {
      const spc = json(await t().scim.get('/ServiceProviderConfig'));
      expect(spc.bulk).toEqual({ supported: true, maxOperations: 4, maxPayloadSize: 4096 });
      expect(spc.filter).toEqual({ supported: true, maxResults: 5 });
    });

    it('a body over the limit → 413 with a SCIM body, on every write route and on Bulk (nothing written)', async () => {
      const before = await state();
      const big = 'x'.repeat(5000);
      const cases: Array<[string, string]> = [
        ['POST', '/Users'],
        ['PUT', `/Users/${users[1]}`],
        ['PATCH', `/Users/${users[1]}`],
        ['POST', '/Groups'],
        ['POST', '/Users/.search'],
        ['POST', '/.search'],
      ];
      for (const [method, path] of cases) {
        const r = await t().scim.raw(method, path, { body: JSON.stringify({ userName: 'big@limits.example', padding: big }), headers: { 'content-type': 'application/scim+json' } });
        expectScimError(r, 413);
      }
      const bulk = await t().scim.raw('POST', '/Bulk', { body: JSON.stringify({ schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: { userName: 'big@limits.example', padding: big } }] }), headers: { 'content-type': 'application/scim+json' } });
      expect(expectScimError(bulk, 413).detail).toContain('{"maxOperations":4,"maxPayloadSize":4096}');
      expect(await state()).toEqual(before);
    });

    it('JSON nesting: 32 levels accepted, 33 → 400 invalidSyntax', async () => {
      const ok = await t().scim.post('/Users', { userName: 'deep32@limits.example', ignored: nested(31) });
      expect(ok.statusCode, ok.body).toBe(201);
      await t().scim.delete(`/Users/${json(ok).id}`);
      const before = await state();
      expectScimError(await t().scim.post('/Users', { userName: 'deep33@limits.example', ignored: nested(32) }), 400, 'invalidSyntax');
      expectScimError(await t().scim.patch(`/Users/${users[1]}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', value: nested(31) }] }), 400, 'invalidSyntax');
      expectScimError(await t().scim.post('/Bulk', { Operations: [{ method: 'POST', path: '/Users', bulkId: 'd', data: { x: nested(30) } }] }), 400, 'invalidSyntax');
      expect(await state()).toEqual(before);
    });

    it('filter length, nesting and number of comparisons: invalidFilter / invalidFilter / tooMany, in GET and .search', async () => {
      const long = `userName eq "${'a'.repeat(4100)}"`;
      const deep = `${'('.repeat(40)}userName eq "x"${')'.repeat(40)}`;
      const clauses = Array.from({ length: 101 }, (_, i) => `userName eq "u${i}"`).join(' or ');
      const fine = Array.from({ length: 100 }, (_, i) => `userName eq "u${i}"`).join(' or ');
      for (const [filter, scimType] of [[long, 'invalidFilter'], [deep, 'invalidFilter'], [clauses, 'tooMany']] as const) {
        expectScimError(await t().scim.get(`/Users?filter=${encodeURIComponent(filter)}`), 400, scimType);
        expectScimError(await t().scim.get(`/Groups?filter=${encodeURIComponent(filter)}`), 400, scimType);
      }
      // .search bodies are bounded by the 4 KiB body limit here, so the long filter is checked by GET only.
      expectScimError(await t().scim.post('/Users/.search', { filter: deep }), 400, 'invalidFilter');
      expectScimError(await t().scim.post('/.search', { filter: deep }), 400, 'invalidFilter');
      expect((await t().scim.get(`/Users?filter=${encodeURIComponent(fine)}`)).statusCode).toBe(200);
      // A PATCH value filter is bounded the same way.
      expectScimError(await t().scim.patch(`/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[${deep}]` }] }), 400, 'invalidPath');
    });

    it('count above maxPageSize is capped (RFC 7644 §3.4.2.4), not refused; cursor count above it → invalidCount', async () => {
      const r = json(await t().scim.get('/Users?count=1000000'));
      expect(r.itemsPerPage).toBe(5);
      expect(r.Resources).toHaveLength(5);
      expect(r.totalResults).toBeGreaterThanOrEqual(8);
      const s = json(await t().scim.post('/.search', { count: 1000000 }));
      expect(s.itemsPerPage).toBe(5);
      expectScimError(await t().scim.get('/Users?cursor=&count=6'), 400, 'invalidCount');
      expectScimError(await t().scim.get(`/Users?count=${'9'.repeat(400)}`), 400, 'invalidValue');
    });

    it('startIndex far beyond the last page (found by the fuzz run) → an empty page, not a 500', async () => {
      // (`1e300` is no longer read as a number at all: decimal digits only, issue #18; its decimal spelling is here.)
      for (const startIndex of ['9007199254740993', '99999999999999999999', `1${'0'.repeat(300)}`, String(2 ** 63)]) {
        for (const path of [`/Users?startIndex=${startIndex}`, `/Groups?startIndex=${startIndex}&sortBy=displayName`, `/Users?startIndex=${startIndex}&filter=${encodeURIComponent('userName sw "limit"')}`]) {
          const r = await t().scim.get(path);
          expect(r.statusCode, `${path}: ${r.body}`).toBe(200);
          expect(json(r)).toMatchObject({ itemsPerPage: 0, Resources: [] });
        }
        const s = await t().scim.post('/Groups/.search', { startIndex, count: 3 });
        expect(s.statusCode, s.body).toBe(200);
        expect(json(s).Resources).toEqual([]);
      }
    });

    it('PATCH operations per request: maxPatchOperations accepted, one more → 400 tooMany (nothing applied)', async () => {
      const okr = await t().scim.patch(`/Users/${users[2]}`, { schemas: [PATCH_OP], Operations: ops(6) });
      expect(okr.statusCode, okr.body).toBe(200);
      const before = await state();
      expectScimError(await t().scim.patch(`/Users/${users[2]}`, { schemas: [PATCH_OP], Operations: ops(7) }), 400, 'tooMany');
      const viaBulk = json(await t().scim.post('/Bulk', { Operations: [{ method: 'PATCH', path: `/Users/${users[2]}`, data: { schemas: [PATCH_OP], Operations: ops(7) } }] }));
      expect(viaBulk.Operations[0]).toMatchObject({ status: '400', response: { schemas: [ERROR], scimType: 'tooMany' } });
      expect(await state()).toEqual(before);
    });

    it('Bulk operations: maxOperations accepted, one more → 413 before anything runs', async () => {
      const before = await state();
      const op = (i: number) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { userName: `bulk${i}@limits.example` } });
      expectScimError(await t().scim.post('/Bulk', { schemas: [BULK], Operations: [0, 1, 2, 3, 4].map(op) }), 413);
      expect(await state()).toEqual(before);
      const r = json(await t().scim.post('/Bulk', { schemas: [BULK], Operations: [0, 1, 2, 3].map(op) }));
      expect(r.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201', '201', '201']);
    });

    it('attribute value length (code points): maxStringLength accepted, one more → 400 invalidValue, anywhere in the resource', async () => {
      const emoji40 = '😀'.repeat(40); // 80 UTF-16 units, 40 code points
      const okr = await t().scim.post('/Users', { userName: `${'u'.repeat(20)}@limits.example`, displayName: emoji40 });
      expect(okr.statusCode, okr.body).toBe(201);
      const before = await state();
      const long = 'l'.repeat(41);
      const bodies: unknown[] = [
        { userName: long },
        { userName: 'len1@limits.example', displayName: `${emoji40}!` },
        { userName: 'len2@limits.example', name: { givenName: long } },
        { userName: 'len3@limits.example', emails: [{ value: long }] },
        { userName: 'len4@limits.example', externalId: long },
        { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'len5@limits.example', [ENTERPRISE]: { manager: { value: long } } },
      ];
      for (const body of bodies) expectScimError(await t().scim.post('/Users', body), 400, 'invalidValue');
      expectScimError(await t().scim.put(`/Users/${users[3]}`, { userName: long }), 400, 'invalidValue');
      expectScimError(await t().scim.patch(`/Users/${users[3]}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: long }] }), 400, 'invalidValue');
      expectScimError(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: long }), 400, 'invalidValue');
      expectScimError(await t().scim.patch(`/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: long }] }] }), 400, 'invalidValue');
      expect(await state()).toEqual(before);
    });

    it('values of a multi-valued attribute: maxMultiValues accepted, one more → 400 invalidValue (POST, PUT, PATCH)', async () => {
      const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `m${i}@limits.example` }));
      const okr = await t().scim.post('/Users', { userName: 'multi@limits.example', emails: emails(3) });
      expect(okr.statusCode, okr.body).toBe(201);
      const id = json(okr).id as string;
      const before = await state();
      expectScimError(await t().scim.post('/Users', { userName: 'multi2@limits.example', emails: emails(4) }), 400, 'invalidValue');
      expectScimError(await t().scim.put(`/Users/${id}`, { userName: 'multi@limits.example', emails: emails(4) }), 400, 'invalidValue');
      expectScimError(await t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: 'fourth@limits.example' }] }] }), 400, 'invalidValue');
      expect(await state()).toEqual(before);
    });

    it('members per request: maxMembersPerRequest accepted, one more → 400 invalidValue (POST, PUT, PATCH summed over operations)', async () => {
      const m = (n: number, from = 0) => users.slice(from, from + n).map((value) => ({ value }));
      const okr = await t().scim.post('/Groups', { displayName: 'Four', members: m(4) });
      expect(okr.statusCode, okr.body).toBe(201);
      const id = json(okr).id as string;
      const before = await state();
      expectScimError(await t().scim.post('/Groups', { displayName: 'Five', members: m(5) }), 400, 'invalidValue');
      expectScimError(await t().scim.put(`/Groups/${id}`, { displayName: 'Four', members: m(5) }), 400, 'invalidValue');
      expectScimError(
        await t().scim.patch(`/Groups/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: m(3, 4) }, { op: 'add', path: 'members', value: m(2, 0) }] }),
        400,
        'invalidValue',
      );
      expect(await state()).toEqual(before);
    });

    it('error details and activity rows stay bounded whatever the client echoes into them (ids, paths, bulkIds)', async () => {
      // Random (incompressible) text: PostgreSQL compresses a repetitive value below its index limit.
      const huge = randomBytes(2400).toString('base64url');
      const requests: Array<() => Promise<LightMyRequestResponse>> = [
        () => t().scim.get(`/Users/${huge}`),
        () => t().scim.get(`/Users?sortBy=${huge}`),
        () => t().scim.delete(`/Users/${users[4]}`, { 'if-match': huge.slice(0, 40) }),
        () => t().scim.post('/Bulk', { Operations: [{ method: 'DELETE', path: `/Users/${huge.slice(0, 3000)}` }] }),
        () => t().scim.post('/Bulk', { Operations: [{ method: 'POST', path: '/Users', bulkId: huge.slice(0, 3000), data: {} }] }),
      ];
      const marker = await t().scim.get('/Users?count=1&filter=userName%20eq%20%22activity-marker%22');
      expect(marker.statusCode).toBe(200);
      for (const send of requests) expect((await send()).statusCode).toBeLessThan(500);
      await t().services.activity.flush();
      const rows = await t().composition.db.db.selectFrom('activity_log').select(['path', 'summary', 'resource_id']).where('tenant_id', '=', t().org.id).execute();
      // Nothing was dropped: the read before the oversized requests is logged (PostgreSQL refuses
      // index entries over ~2.7 kB, which used to fail the whole batch).
      expect(rows.some((r) => (r.summary ?? '').includes('activity-marker'))).toBe(true);
      for (const r of rows) {
        expect(r.path.length).toBeLessThanOrEqual(1024);
        expect((r.summary ?? '').length).toBeLessThanOrEqual(2048);
        expect((r.resource_id ?? '').length).toBeLessThanOrEqual(256);
      }
    });
  },
  { limits: SMALL, env: NO_RATE_LIMIT },
);

describeEachDialect(
  'Text that cannot be stored: U+0000 and unpaired surrogates (found by the fuzz run on PostgreSQL)',
  (t) => {
    let user = '';
    let group = '';
    beforeAll(async () => {
      user = json(await t().scim.post('/Users', { userName: 'text@limits.example' })).id;
      group = json(await t().scim.post('/Groups', { displayName: 'Text', members: [{ value: user }] })).id;
    });
    const bad = ['a\u0000b', '\u0000', 'x\ud800', '\udfffy', 'a\udc00\ud800b'];

    it('in a JSON body (any value or key, any endpoint) → 400 invalidValue, nothing written', async () => {
      const before = await tenantState(t(), t().org.id, t().scim);
      for (const s of bad) {
        expectScimError(await t().scim.post('/Users', { userName: s }), 400, 'invalidValue');
        expectScimError(await t().scim.post('/Users', { userName: 'fine@limits.example', externalId: s }), 400, 'invalidValue');
        expectScimError(await t().scim.post('/Users', { userName: 'fine@limits.example', [`x${s}`]: 'unknown attribute, bad key' }), 400, 'invalidValue');
        expectScimError(await t().scim.put(`/Users/${user}`, { userName: 'text@limits.example', title: s }), 400, 'invalidValue');
        expectScimError(await t().scim.patch(`/Users/${user}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: s }] }), 400, 'invalidValue');
        expectScimError(await t().scim.post('/Groups', { displayName: 'g', members: [{ value: s }] }), 400, 'invalidValue');
        expectScimError(await t().scim.patch(`/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: s }] }] }), 400, 'invalidValue');
        expectScimError(await t().scim.post('/Users/.search', { filter: `userName eq "${s}"` }), 400, 'invalidValue');
        expectScimError(await t().scim.post('/Bulk', { Operations: [{ method: 'POST', path: '/Users', bulkId: s, data: { userName: 'b@limits.example' } }] }), 400, 'invalidValue');
      }
      expect(await tenantState(t(), t().org.id, t().scim)).toEqual(before);
    });

    it('in the URL (path id, query) → 400 invalidValue', async () => {
      for (const path of [`/Users/%00`, `/Users/a%00b`, `/Groups/%00`, `/Users?filter=${encodeURIComponent('userName eq "a')}%00%22`, `/Users?attributes=%00`, `/Users?sortBy=user%00Name`]) {
        expectScimError(await t().scim.get(path), 400, 'invalidValue');
      }
      expectScimError(await t().scim.delete('/Users/%00'), 400, 'invalidValue');
    });

    it('as an escape inside a filter or a PATCH path member filter → invalidFilter', async () => {
      for (const escaped of ['\\u0000', 'a\\u0000', '\\ud800', '\\udfff\\ud800']) {
        expectScimError(await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${escaped}"`)}`), 400, 'invalidFilter');
        expectScimError(await t().scim.get(`/Users?filter=${encodeURIComponent(`title eq "${escaped}"`)}`), 400, 'invalidFilter');
        expectScimError(await t().scim.get(`/Groups?filter=${encodeURIComponent(`members[value eq "${escaped}"]`)}`), 400, 'invalidFilter');
        expectScimError(await t().scim.patch(`/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${escaped}"]` }] }), 400, 'invalidFilter');
      }
    });

    it('percent-encoded in a Bulk operation path → that operation fails 400 (undecodable text is just an unknown id: 404), the others run', async () => {
      const r = json(await t().scim.post('/Bulk', { Operations: [{ method: 'DELETE', path: '/Users/a%00' }, { method: 'PATCH', path: '/Groups/%ED%A0%80', data: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] } }, { method: 'POST', path: '/Users', bulkId: 'ok', data: { userName: 'bulk-after-bad@limits.example' } }] }));
      expect(r.Operations.map((o: { status: string }) => o.status)).toEqual(['400', '404', '201']);
    });

    it('storage answers "no such resource" for an unstorable id, whoever asks (the console too: 404, not 500)', async () => {
      const browser = await signedIn(t(), t().org);
      for (const url of ['/console/users/%00', '/console/users/a%00b', '/console/groups/%00']) {
        const r = await browser.get(url);
        expect(r.statusCode, url).toBe(404);
      }
    });

    it('the activity log keeps every row (an unstorable row must not fail its whole batch)', async () => {
      await t().services.activity.flush();
      const marker = await t().scim.get('/Users?filter=userName%20eq%20%22text-activity-marker%22');
      expect(marker.statusCode).toBe(200);
      await t().scim.get('/Users/%00');
      await t().scim.post('/Bulk', { Operations: [{ method: 'DELETE', path: '/Users/a%00' }] });
      await t().services.activity.flush();
      const rows = await t().composition.db.db.selectFrom('activity_log').select(['summary']).where('tenant_id', '=', t().org.id).execute();
      expect(rows.some((r) => (r.summary ?? '').includes('text-activity-marker'))).toBe(true);
    });
  },
  { env: NO_RATE_LIMIT },
);

describeEachDialect(
  'Input limits (defaults)',
  (t) => {
    it('JSON nested 100,000 levels deep → 400 invalidSyntax (no stack overflow, no 500)', async () => {
      for (const body of ['['.repeat(100_000) + ']'.repeat(100_000), `{"userName":"x","a":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`]) {
        const r = await t().scim.raw('POST', '/Users', { body, headers: { 'content-type': 'application/scim+json' } });
        expectScimError(r, 400, 'invalidSyntax');
      }
    });

    it('a body over 1 MiB → 413 on /Users and /Bulk; a Content-Length over the limit is refused before the body is read', async () => {
      const body = JSON.stringify({ userName: 'huge@limits.example', padding: 'p'.repeat(DEFAULT_SCIM_LIMITS.bulkMaxPayloadBytes) });
      expectScimError(await t().scim.raw('POST', '/Users', { body, headers: { 'content-type': 'application/scim+json' } }), 413);
      const bulk = await t().scim.raw('POST', '/Bulk', { body, headers: { 'content-type': 'application/scim+json' } });
      expect(expectScimError(bulk, 413).detail).toContain('"maxPayloadSize":1048576');
    });

    // KNOWN GAP (reported, not fixed here): Fastify refuses an undecodable path before routing, with
    // its own `application/json` body (FST_ERR_BAD_URL), so the /scim/v2 error handler never sees it.
    it('a path with an invalid percent-encoding → 400 with a SCIM error body', async () => {
      expectScimError(await t().scim.get('/Users/%ED%A0%80'), 400, 'invalidSyntax');
    });

    it('a filter of 4,096 characters is accepted; 4,097 → invalidFilter', async () => {
      const at = (n: number) => `userName eq "${'a'.repeat(n - 14)}"`;
      expect(at(4096)).toHaveLength(4096);
      expect((await t().scim.get(`/Users?filter=${encodeURIComponent(at(4096))}`)).statusCode).toBe(200);
      expectScimError(await t().scim.get(`/Users?filter=${encodeURIComponent(at(4097))}`), 400, 'invalidFilter');
      expectScimError(await t().scim.post('/Users/.search', { filter: at(4097) }), 400, 'invalidFilter');
    });
  },
  { env: NO_RATE_LIMIT },
);

describe('Stalled clients (slowloris)', () => {
  let t: TestApp;
  let port = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    // Production values (src/http/app.ts) are checked below; here they are shortened so the test
    // can watch Node drop a stalled request within seconds. The sweep interval is read at listen.
    expect(t.app.server.headersTimeout).toBe(20_000);
    expect(t.app.server.requestTimeout).toBe(60_000);
    t.app.server.headersTimeout = 1_000;
    t.app.server.requestTimeout = 1_500;
    (t.app.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval = 200;
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await t.close();
  });

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
      sockets.push(s);
    });

  it('100 connections with unfinished headers and 100 with a stalled body do not delay other requests; Node drops them after the timeouts', async () => {
    const started = Date.now();
    const closed: Array<Promise<string>> = [];
    for (let i = 0; i < 200; i++) {
      const s = await open();
      const received: Buffer[] = [];
      s.on('data', (d: Buffer) => received.push(d));
      closed.push(new Promise((resolve) => s.on('close', () => resolve(Buffer.concat(received).toString('latin1')))));
      s.on('error', () => {});
      if (i % 2 === 0) s.write(`GET /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.key}\r\nX-Slow: `);
      else s.write(`POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.key}\r\nContent-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{"userName":`);
    }
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const r = await fetch(`http://127.0.0.1:${port}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${t.key}` }, signal: AbortSignal.timeout(5_000) });
      expect(r.status).toBe(200);
      // Blocked would mean waiting for the stalled requests' timeouts; a busy CI machine still answers in well under 2 s.
      expect(Date.now() - t0).toBeLessThan(2_000);
    }
    expect((await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })).status).toBe(200);
    // Every stalled connection is answered 408 and closed by the server, within bounded time.
    const outcomes = await Promise.race([Promise.all(closed), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('stalled sockets were not closed')), 8_000))]);
    expect(outcomes.filter((o) => o.startsWith('HTTP/1.1 408'))).toHaveLength(200);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a Content-Length above the body limit is answered 413 at once, without waiting for the body', async () => {
    const s = await open();
    const answer = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    s.write(`POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.key}\r\nContent-Type: application/scim+json\r\nContent-Length: 50000000\r\n\r\n{`);
    const text = await Promise.race([answer, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no early 413')), 1_000))]);
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text).toContain('"status":"413"');
  });
});
