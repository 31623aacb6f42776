// POST /scim/v2/Bulk (RFC 7644 §3.7, R-CORE-27) over HTTP on every configured dialect: bulkId
// references in any order, circular references, failOnErrors, per-operation errors, limits (413)
// and the ServiceProviderConfig that advertises them.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json, type TestApp } from '../support/test-app.js';
import { DEFAULT_SCIM_LIMITS } from '../../src/scim/limits.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Op = Record<string, unknown>;
interface OpResult {
  method?: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: { schemas: string[]; status: string; scimType?: string; detail: string };
}

const idOf = (r: OpResult | undefined): string => {
  expect(r?.location, JSON.stringify(r)).toMatch(UUID);
  return r!.location!.split('/').pop()!;
};

function helpers(t: () => TestApp) {
  let n = 0;
  const uniq = (p = 'bulk') => `${p}.${Date.now().toString(36)}.${n++}@contoso.example`;
  const bulk = async (Operations: unknown[], extra: Record<string, unknown> = {}, scim = t().scim) => {
    const r = await scim.post('/Bulk', { schemas: [BULK_REQUEST], ...extra, Operations });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    const body = json(r);
    expect(body.schemas).toEqual([BULK_RESPONSE]);
    return body.Operations as OpResult[];
  };
  const postUser = (bulkId: string, data: Record<string, unknown> = {}): Op => ({ method: 'POST', path: '/Users', bulkId, data: { schemas: [USER_SCHEMA], userName: uniq(), ...data } });
  const postGroup = (bulkId: string, data: Record<string, unknown> = {}): Op => ({ method: 'POST', path: '/Groups', bulkId, data: { schemas: [GROUP_SCHEMA], displayName: `Bulk group ${uniq('g')}`, ...data } });
  const memberIds = async (groupId: string) => ((json(await t().scim.get(`/Groups/${groupId}`)).members ?? []) as Array<{ value: string }>).map((m) => m.value).sort();
  const usersNamed = async (userName: string) => json(await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).totalResults as number;
  return { uniq, bulk, postUser, postGroup, memberIds, usersNamed };
}

describeEachDialect('Bulk', (t) => {
  const { uniq, bulk, postUser, postGroup, memberIds, usersNamed } = helpers(t);

  it('R-CORE-27 creates users and a group whose members reference them by bulkId; results in request order', async () => {
    const ops = await bulk([postUser('alice'), postUser('bob'), postGroup('guides', { members: [{ type: 'User', value: 'bulkId:alice' }, { value: 'bulkId:bob' }] })]);
    expect(ops).toHaveLength(3);
    for (const [i, bulkId] of ['alice', 'bob', 'guides'].entries()) {
      expect(ops[i]).toEqual({ method: 'POST', bulkId, location: expect.stringMatching(UUID), version: 'W/"1"', status: '201' });
    }
    expect(ops[0]!.location).toMatch(/^https:\/\/wiggledesk\.test\/scim\/v2\/Users\//);
    expect(ops[2]!.location).toMatch(/^https:\/\/wiggledesk\.test\/scim\/v2\/Groups\//);
    const [alice, bob, group] = ops.map(idOf);
    expect(await memberIds(group!)).toEqual([alice, bob].sort());
    const user = json(await t().scim.get(`/Users/${alice}`));
    expect(user.groups.map((g: { value: string }) => g.value)).toEqual([group]);
  });

  it('§3.7.1 any order works: a group listed before the users it references is deferred, still reported first', async () => {
    const ops = await bulk([postGroup('early', { members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] }), postUser('u1'), postUser('u2')]);
    expect(ops.map((o) => [o.bulkId, o.status])).toEqual([
      ['early', '201'],
      ['u1', '201'],
      ['u2', '201'],
    ]);
    const [group, u1, u2] = ops.map(idOf);
    expect(await memberIds(group!)).toEqual([u1, u2].sort());
  });

  it('resolves bulkId references anywhere in data (enterprise manager.value), and a chain of them', async () => {
    const ops = await bulk([
      postUser('emp', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'bulkId:boss' } } }),
      postUser('boss', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'bulkId:ceo' } } }),
      postUser('ceo'),
    ]);
    expect(ops.map((o) => o.status)).toEqual(['201', '201', '201']);
    const [emp, boss, ceo] = ops.map(idOf);
    expect(json(await t().scim.get(`/Users/${emp}`))[ENTERPRISE].manager.value).toBe(boss);
    expect(json(await t().scim.get(`/Users/${boss}`))[ENTERPRISE].manager.value).toBe(ceo);
  });

  it('PUT, PATCH and DELETE on /Users/bulkId:x and /Groups/bulkId:x; version → If-Match', async () => {
    const userName = uniq();
    const ops = await bulk([
      postUser('u', { userName }),
      postGroup('g', { members: [{ value: 'bulkId:u' }] }),
      { method: 'PATCH', path: '/Groups/bulkId:g', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Renamed ${userName}` }] } },
      { method: 'PATCH', path: '/Users/bulkId:u', version: 'W/"1"', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Guide' }] } },
      { method: 'PUT', path: '/Users/bulkId:u', version: 'W/"1"', data: { schemas: [USER_SCHEMA], userName, title: 'stale' } },
      { method: 'PUT', path: '/Users/bulkId:u', version: 'W/"2"', data: { schemas: [USER_SCHEMA], userName, title: 'Chief guide' } },
      { method: 'DELETE', path: '/Users/bulkId:u', version: 'W/"3"' },
    ]);
    const [user, group] = ops.map((o, i) => (i < 2 ? idOf(o) : undefined));
    expect(ops.slice(2)).toEqual([
      { method: 'PATCH', location: `https://wiggledesk.test/scim/v2/Groups/${group}`, version: 'W/"2"', status: '204' },
      { method: 'PATCH', location: `https://wiggledesk.test/scim/v2/Users/${user}`, version: 'W/"2"', status: '200' },
      { method: 'PUT', location: `https://wiggledesk.test/scim/v2/Users/${user}`, status: '412', response: expect.objectContaining({ schemas: [ERROR], status: '412' }) },
      { method: 'PUT', location: `https://wiggledesk.test/scim/v2/Users/${user}`, version: 'W/"3"', status: '200' },
      { method: 'DELETE', location: `https://wiggledesk.test/scim/v2/Users/${user}`, status: '204' },
    ]);
    expect((await t().scim.get(`/Users/${user}`)).statusCode).toBe(404);
    const g = json(await t().scim.get(`/Groups/${group}`));
    expect(g.displayName).toBe(`Renamed ${userName}`);
    expect(g.members ?? []).toEqual([]);
  });

  it('operations on existing resources by real id; a missing one → 404 in its result only', async () => {
    const existing = json(await t().scim.post('/Users', { userName: uniq() }));
    const missing = '00000000-0000-4000-8000-000000000000';
    const ops = await bulk([
      { method: 'PATCH', path: `/Users/${existing.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } },
      { method: 'DELETE', path: `/Users/${missing}` },
    ]);
    expect(ops[0]).toMatchObject({ method: 'PATCH', status: '200', version: 'W/"2"' });
    expect(ops[1]).toEqual({ method: 'DELETE', location: `https://wiggledesk.test/scim/v2/Users/${missing}`, status: '404', response: expect.objectContaining({ schemas: [ERROR], status: '404' }) });
    expect(json(await t().scim.get(`/Users/${existing.id}`)).active).toBe(false);
  });

  it('failOnErrors=1 stops at the first error: later operations are neither run nor listed', async () => {
    const third = uniq();
    const ops = await bulk([postUser('ok1'), { method: 'POST', path: '/Users', bulkId: 'bad', data: { displayName: 'no userName' } }, postUser('ok3', { userName: third })], { failOnErrors: 1 });
    expect(ops.map((o) => [o.bulkId, o.status])).toEqual([
      ['ok1', '201'],
      ['bad', '400'],
    ]);
    expect(ops[1]).toEqual({ method: 'POST', bulkId: 'bad', status: '400', response: expect.objectContaining({ schemas: [ERROR], status: '400', scimType: 'invalidValue' }) });
    expect(await usersNamed(third)).toBe(0);
  });

  it('failOnErrors=2 tolerates one error; without failOnErrors (or null, as Entra sends) every operation runs', async () => {
    const bad = { method: 'POST', path: '/Users', bulkId: 'bad', data: {} };
    expect((await bulk([bad, postUser('a'), { ...bad, bulkId: 'bad2' }, postUser('b')], { failOnErrors: 2 })).map((o) => o.status)).toEqual(['400', '201', '400']);
    expect((await bulk([bad, { ...bad, bulkId: 'bad2' }, postUser('c')])).map((o) => o.status)).toEqual(['400', '400', '201']);
    expect((await bulk([bad, { ...bad, bulkId: 'bad2' }, postUser('d')], { failOnErrors: null })).map((o) => o.status)).toEqual(['400', '400', '201']);
  });

  it('a deferred operation counts toward failOnErrors when it runs, after the operations it waited for', async () => {
    const late = uniq();
    const ops = await bulk(
      [postGroup('g', { members: [{ value: 'bulkId:missing-user' }] }), { method: 'POST', path: '/Users', bulkId: 'missing-user', data: {} }, postUser('after', { userName: late })],
      { failOnErrors: 1 },
    );
    // The group waits for "missing-user"; that POST fails and stops the request.
    expect(ops.map((o) => [o.bulkId, o.status])).toEqual([['missing-user', '400']]);
    expect(await usersNamed(late)).toBe(0);
  });

  it('failOnErrors must be a whole number ≥ 1 → else 400 invalidValue, nothing runs', async () => {
    const userName = uniq();
    for (const failOnErrors of [0, -1, 1.5, 'x', true]) {
      const r = await t().scim.post('/Bulk', { schemas: [BULK_REQUEST], failOnErrors, Operations: [postUser('x', { userName })] });
      expect(r.statusCode, JSON.stringify(failOnErrors)).toBe(400);
      expect(json(r)).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    }
    expect(await usersNamed(userName)).toBe(0);
  });

  it('a reference to an unknown bulkId → that operation fails 400 invalidValue; the others run', async () => {
    const ops = await bulk([postGroup('g', { members: [{ value: 'bulkId:nobody' }] }), { method: 'PATCH', path: '/Users/bulkId:ghost', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } }, postUser('real')]);
    expect(ops[0]).toEqual({ method: 'POST', bulkId: 'g', status: '400', response: expect.objectContaining({ scimType: 'invalidValue', detail: expect.stringContaining('bulkId:nobody') }) });
    expect(ops[1]).toEqual({ method: 'PATCH', status: '400', response: expect.objectContaining({ scimType: 'invalidValue', detail: expect.stringContaining('bulkId:ghost') }) });
    expect(ops[2]!.status).toBe('201');
  });

  it('§3.7.1 circular references → 409 naming the cycle; dependants → 409; unrelated operations still run', async () => {
    const ops = await bulk([
      postGroup('alpha', { members: [{ type: 'Group', value: 'bulkId:beta' }] }),
      postGroup('beta', { members: [{ type: 'Group', value: 'bulkId:alpha' }] }),
      postGroup('outer', { members: [{ type: 'Group', value: 'bulkId:alpha' }] }),
      postUser('self', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'bulkId:self' } } }),
      postUser('fine'),
    ]);
    expect(ops.map((o) => [o.bulkId, o.status])).toEqual([
      ['alpha', '409'],
      ['beta', '409'],
      ['outer', '409'],
      ['self', '409'],
      ['fine', '201'],
    ]);
    expect(ops[0]!.response).toMatchObject({ schemas: [ERROR], status: '409' });
    expect(ops[0]!.response!.detail).toContain('"alpha" → "beta" → "alpha"');
    expect(ops[1]!.response!.detail).toContain('"beta" → "alpha" → "beta"');
    expect(ops[2]!.response!.detail).toMatch(/bulkId "alpha".*failed/);
    expect(ops[3]!.response!.detail).toContain('"self" → "self"');
    expect(ops.slice(0, 4).every((o) => o.location === undefined)).toBe(true);
  });

  it('a reference to a POST that failed → 409, and that operation does not run', async () => {
    const ops = await bulk([{ method: 'POST', path: '/Users', bulkId: 'broken', data: { displayName: 'no userName' } }, postGroup('g', { members: [{ value: 'bulkId:broken' }] })]);
    expect(ops.map((o) => o.status)).toEqual(['400', '409']);
    expect(ops[1]!.response!.detail).toContain('"broken"');
  });

  it('§3.7.2 POST without bulkId → 400 invalidValue for that operation, which does not run', async () => {
    const userName = uniq();
    const ops = await bulk([{ method: 'POST', path: '/Users', data: { userName } }, postUser('with-id')]);
    expect(ops[0]).toEqual({ method: 'POST', status: '400', response: expect.objectContaining({ schemas: [ERROR], scimType: 'invalidValue', detail: expect.stringContaining('bulkId') }) });
    expect(ops[1]!.status).toBe('201');
    expect(await usersNamed(userName)).toBe(0);
  });

  it('a repeated bulkId fails the later operation (400 invalidValue); references resolve to the first', async () => {
    const ops = await bulk([postUser('dup'), postUser('dup'), postGroup('g', { members: [{ value: 'bulkId:dup' }] })]);
    expect(ops.map((o) => o.status)).toEqual(['201', '400', '201']);
    expect(ops[1]!.response).toMatchObject({ scimType: 'invalidValue' });
    expect(await memberIds(idOf(ops[2]))).toEqual([idOf(ops[0])]);
  });

  it('malformed operations fail alone with SCIM errors (method, path, data, endpoint)', async () => {
    const ops = await bulk([
      'not an object',
      { method: 'GET', path: '/Users' },
      { method: 'POST', bulkId: 'np' },
      { method: 'PUT', path: '/Users', data: { userName: uniq() } },
      { method: 'POST', path: '/Users/123', bulkId: 'p', data: { userName: uniq() } },
      { method: 'PATCH', path: '/Users/123' },
      { method: 'POST', path: '/Widgets', bulkId: 'w', data: {} },
      { method: 'DELETE', path: '/Users/123', version: 3 },
      { method: 'PATCH', path: '/Users/00000000-0000-4000-8000-000000000000', data: { Operations: 'nope' } },
    ]);
    expect(ops.map((o) => [o.status, o.response?.scimType])).toEqual([
      ['400', 'invalidSyntax'],
      ['400', 'invalidSyntax'],
      ['400', 'invalidSyntax'],
      ['400', 'invalidSyntax'],
      ['400', 'invalidSyntax'],
      ['400', 'invalidSyntax'],
      ['404', undefined],
      ['400', 'invalidSyntax'],
      ['400', 'invalidSyntax'],
    ]);
    expect(ops.every((o) => o.response?.schemas[0] === ERROR)).toBe(true);
    expect(ops[1]!.method).toBe('GET');
  });

  it('R-CORE-10 keys and method names are case-insensitive; paths tolerate no leading slash and a trailing one', async () => {
    const r = await t().scim.post('/Bulk', {
      SCHEMAS: [BULK_REQUEST.toUpperCase()],
      operations: [
        { METHOD: 'post', Path: 'Users', BULKID: 'lc', DATA: { userName: uniq() } },
        { Method: 'Patch', path: '/Users/bulkId:lc/', Data: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'x' }] } },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r).Operations.map((o: OpResult) => [o.method, o.status])).toEqual([
      ['POST', '201'],
      ['PATCH', '200'],
    ]);
  });

  it('wrong schema, a body that is not an object, a missing Operations array → 400 invalidSyntax', async () => {
    for (const body of [
      { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] },
      [{ method: 'POST' }],
      { schemas: [BULK_REQUEST] },
      { schemas: [BULK_REQUEST], Operations: { method: 'POST' } },
    ]) {
      const r = await t().scim.post('/Bulk', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(json(r)).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
    }
    const empty = await t().scim.raw('POST', '/Bulk', { body: '', headers: { 'content-type': 'application/scim+json' } });
    expect(empty.statusCode).toBe(400);
    // An empty Operations array is a valid (empty) job.
    expect(await bulk([])).toEqual([]);
  });

  it('R-CORE-27 member referencing another tenant\'s user id → that operation fails 400 invalidValue and applies nothing', async () => {
    const other = await t().newTenant();
    const foreign = json(await other.scim.post('/Users', { userName: uniq('foreign') }));
    const displayName = `Cross tenant ${uniq('g')}`;
    const ops = await bulk([postUser('mine'), postGroup('g', { displayName, members: [{ value: 'bulkId:mine' }, { value: foreign.id }] })]);
    expect(ops[0]!.status).toBe('201');
    expect(ops[1]).toEqual({ method: 'POST', bulkId: 'g', status: '400', response: expect.objectContaining({ scimType: 'invalidValue', detail: expect.stringContaining(foreign.id) }) });
    const found = json(await t().scim.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`));
    expect(found.totalResults).toBe(0);
    // And the other tenant's key cannot touch this tenant's new user through Bulk either.
    const mine = idOf(ops[0]);
    const theirs = await bulk([{ method: 'DELETE', path: `/Users/${mine}` }], {}, other.scim);
    expect(theirs[0]!.status).toBe('404');
    expect((await t().scim.get(`/Users/${mine}`)).statusCode).toBe(200);
  });

  it('each operation leaves its own activity row: successes from their transaction, failures queued', async () => {
    const ops = await bulk([postUser('logged'), { method: 'PATCH', path: '/Users/bulkId:logged', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'T' }] } }, { method: 'POST', path: '/Users', bulkId: 'failing', data: {} }]);
    const id = idOf(ops[0]);
    await t().services.activity.flush();
    const store = t().services.platform.forTenant(t().org.id).activity;
    const rows = await store.list({ errorsOnly: false, resourceId: id, beforeSeq: undefined, limit: 10 });
    expect(rows.map((r) => `${r.method} ${r.path} ${r.status}`).sort()).toEqual([`PATCH /scim/v2/Users/${id} 200`, 'POST /scim/v2/Users 201']);
    const errors = await store.list({ errorsOnly: true, resourceId: undefined, beforeSeq: undefined, limit: 5 });
    expect(errors[0]).toMatchObject({ method: 'POST', path: '/scim/v2/Users', status: 400, scimType: 'invalidValue', resourceType: 'User' });
    expect(JSON.parse(errors[0]!.summary!)).toMatchObject({ bulkId: 'failing', bulkOperation: 2 });
  });

  it('needs an API key like every protected endpoint', async () => {
    const r = await t().app.inject({ method: 'POST', url: '/scim/v2/Bulk', headers: { 'content-type': 'application/scim+json' }, payload: JSON.stringify({ schemas: [BULK_REQUEST], Operations: [] }) });
    expect(r.statusCode).toBe(401);
  });

  it('R-CORE-30 /ServiceProviderConfig advertises bulk with the enforced limits', async () => {
    const spc = json(await t().scim.get('/ServiceProviderConfig'));
    expect(spc.bulk).toEqual({ supported: true, maxOperations: DEFAULT_SCIM_LIMITS.bulkMaxOperations, maxPayloadSize: DEFAULT_SCIM_LIMITS.bulkMaxPayloadBytes });
  });
});

const SMALL = { ...DEFAULT_SCIM_LIMITS, bulkMaxOperations: 3, bulkMaxPayloadBytes: 4096 };

describeEachDialect(
  'Bulk limits',
  (t) => {
    const { uniq, bulk, postUser, usersNamed } = helpers(t);

    it('SPC states the configured limits', async () => {
      expect(json(await t().scim.get('/ServiceProviderConfig')).bulk).toEqual({ supported: true, maxOperations: 3, maxPayloadSize: 4096 });
    });

    it('§3.7.4 maxOperations operations are accepted; one more → 413 stating both limits, nothing runs', async () => {
      expect((await bulk([postUser('a'), postUser('b'), postUser('c')])).map((o) => o.status)).toEqual(['201', '201', '201']);
      const userName = uniq();
      const r = await t().scim.post('/Bulk', { schemas: [BULK_REQUEST], Operations: [postUser('a', { userName }), postUser('b'), postUser('c'), postUser('d')] });
      expect(r.statusCode).toBe(413);
      expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(json(r)).toMatchObject({ schemas: [ERROR], status: '413' });
      expect(json(r).detail).toContain('{"maxOperations":3,"maxPayloadSize":4096}');
      expect(await usersNamed(userName)).toBe(0);
    });

    it('§3.7.4 a body over maxPayloadSize → 413 stating both limits', async () => {
      const r = await t().scim.post('/Bulk', { schemas: [BULK_REQUEST], Operations: [postUser('big', { displayName: 'x'.repeat(5000) })] });
      expect(r.statusCode).toBe(413);
      expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(json(r)).toMatchObject({ schemas: [ERROR], status: '413' });
      expect(json(r).detail).toContain('4096 bytes');
      expect(json(r).detail).toContain('{"maxOperations":3,"maxPayloadSize":4096}');
    });
  },
  { limits: SMALL },
);
