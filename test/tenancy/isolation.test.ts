// Tenant isolation matrix (design.md "Tenant scope by construction", style.md §8.5 item 5).
// Tenant A has users, groups with members and a nested group; tenant B has its own. Every SCIM
// route is called with B's key and every way of pointing at A's objects: ids in paths, filter
// values, member values (and $ref URLs), Bulk paths/data/bulkIds, A's cursors, A's ETags, the
// root and per-type .search. Each answer must be 404, an empty (or B-only) list, or 400
// invalidValue/invalidCursor — never A's data — and after every single case A's whole state
// (documents, versions, membership rows, email rows, counts) must be exactly what it was.
import { beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json, type ScimClient } from '../support/test-app.js';
import { markersOf, tenantState, type TenantState } from './tenant-state.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BASE = 'https://wiggledesk.test/scim/v2';
/** The matrix sends a few hundred requests a second with one key; rate limits are tested elsewhere. */
const NO_RATE_LIMIT = { SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000' };

interface Req {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

type Expectation =
  | { kind: 'notFound' }
  | { kind: 'empty' }
  | { kind: 'ownOnly' }
  | { kind: 'error'; status: 400; scimType: 'invalidValue' | 'invalidCursor' }
  | { kind: 'bulk'; statuses: string[] }
  /** A 2xx/4xx that only touches B's own data; `check` pins what B got. */
  | { kind: 'own'; status: number | number[]; check?: (r: LightMyRequestResponse, b: ScimClient) => void | Promise<void> };

interface Case {
  readonly name: string;
  readonly req: () => Req;
  readonly expect: Expectation;
}

/** What tenant A holds; filled in beforeAll. */
const A = {
  alice: '',
  bob: '',
  carol: '',
  eng: '',
  all: '',
  aliceEtag: '',
  engEtag: '',
  usersCursor: '',
  groupsCursor: '',
};
const B = { user: '', group: '' };

const ALICE = { userName: 'alice.anders@contoso-a.example', externalId: 'ext-alice-A-7731', displayName: 'Alice Anders-Tenant-A', employeeNumber: 'A-1001' };
const CAROL = { userName: 'carol.chen@contoso-a.example', displayName: 'Carol Chen-Tenant-A' };
const ENG = { displayName: 'Engineering Tenant-A', externalId: 'ext-eng-A-4410' };
const ALL = { displayName: 'Everyone Tenant-A' };

const q = (s: string) => encodeURIComponent(s);
/** Fills `{alice}`-style placeholders of a filter template with A's values. */
const fill = (template: string): string =>
  template.replace(/\{([\w.]+)\}/g, (_, k: string) => {
    const values: Record<string, string> = {
      alice: A.alice,
      bob: A.bob,
      eng: A.eng,
      all: A.all,
      'alice.userName': ALICE.userName,
      'ALICE.USERNAME': ALICE.userName.toUpperCase(),
      'alice.externalId': ALICE.externalId,
      'alice.employeeNumber': ALICE.employeeNumber,
      'eng.displayName': ENG.displayName,
      'eng.externalId': ENG.externalId,
    };
    const v = values[k];
    if (v === undefined) throw new Error(`no value for {${k}}`);
    return v;
  });
const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const search = (body: Record<string, unknown>) => ({ schemas: [SEARCH], ...body });
const bulk = (...Operations: unknown[]) => ({ schemas: [BULK], Operations });
const get = (path: string, headers?: Record<string, string>): Req => ({ method: 'GET', path, ...(headers ? { headers } : {}) });
const post = (path: string, body: unknown): Req => ({ method: 'POST', path, body });
const userRef = (id: string) => `${BASE}/Users/${id}`;

const notFound = { kind: 'notFound' } as const;
const empty = { kind: 'empty' } as const;
const ownOnly = { kind: 'ownOnly' } as const;
const invalidValue = { kind: 'error', status: 400, scimType: 'invalidValue' } as const;
const invalidCursor = { kind: 'error', status: 400, scimType: 'invalidCursor' } as const;

const CASES: Case[] = [
  // ---------------------------------------------------------------- A's id in the path
  { name: 'GET /Users/{A user}', req: () => get(`/Users/${A.alice}`), expect: notFound },
  { name: 'GET /Users/{A user}?attributes=userName,groups', req: () => get(`/Users/${A.alice}?attributes=userName,groups`), expect: notFound },
  { name: 'GET /Users/{A user, upper-cased}', req: () => get(`/Users/${A.alice.toUpperCase()}`), expect: notFound },
  { name: 'GET /Users//{A user}/ (doubled and trailing slashes)', req: () => get(`/Users//${A.alice}/`), expect: notFound },
  { name: 'GET /Groups/{A user} (id of the other type)', req: () => get(`/Groups/${A.alice}`), expect: notFound },
  { name: 'PUT /Users/{A user}', req: () => ({ method: 'PUT', path: `/Users/${A.alice}`, body: { schemas: [USER_SCHEMA], userName: 'taken-over@b.example' } }), expect: notFound },
  { name: 'PATCH /Users/{A user}', req: () => ({ method: 'PATCH', path: `/Users/${A.alice}`, body: patchOp({ op: 'replace', path: 'active', value: false }) }), expect: notFound },
  { name: 'DELETE /Users/{A user}', req: () => ({ method: 'DELETE', path: `/Users/${A.alice}` }), expect: notFound },
  { name: 'GET /Groups/{A group}', req: () => get(`/Groups/${A.eng}`), expect: notFound },
  { name: 'GET /Groups/{A nested group}?attributes=members', req: () => get(`/Groups/${A.all}?attributes=members`), expect: notFound },
  { name: 'PUT /Groups/{A group}', req: () => ({ method: 'PUT', path: `/Groups/${A.eng}`, body: { schemas: [GROUP_SCHEMA], displayName: 'Hijacked', members: [] } }), expect: notFound },
  { name: 'PATCH /Groups/{A group} add B user', req: () => ({ method: 'PATCH', path: `/Groups/${A.eng}`, body: patchOp({ op: 'add', path: 'members', value: [{ value: B.user }] }) }), expect: notFound },
  { name: 'PATCH /Groups/{A group} remove all members', req: () => ({ method: 'PATCH', path: `/Groups/${A.eng}`, body: patchOp({ op: 'remove', path: 'members' }) }), expect: notFound },
  { name: 'DELETE /Groups/{A nested group}', req: () => ({ method: 'DELETE', path: `/Groups/${A.all}` }), expect: notFound },

  // ---------------------------------------------------------------- A's ETags
  { name: 'GET /Users/{A user} If-None-Match A version → 404, not 304', req: () => get(`/Users/${A.alice}`, { 'if-none-match': A.aliceEtag }), expect: notFound },
  { name: 'PUT /Users/{A user} If-Match A version → 404, not 412', req: () => ({ method: 'PUT', path: `/Users/${A.alice}`, body: { userName: 'x@b.example' }, headers: { 'if-match': A.aliceEtag } }), expect: notFound },
  { name: 'PATCH /Groups/{A group} If-Match A version', req: () => ({ method: 'PATCH', path: `/Groups/${A.eng}`, body: patchOp({ op: 'replace', path: 'displayName', value: 'x' }), headers: { 'if-match': A.engEtag } }), expect: notFound },
  { name: 'DELETE /Users/{A user} If-Match *', req: () => ({ method: 'DELETE', path: `/Users/${A.alice}`, headers: { 'if-match': '*' } }), expect: notFound },
  { name: 'DELETE /Groups/{A group} If-Match A version', req: () => ({ method: 'DELETE', path: `/Groups/${A.eng}`, headers: { 'if-match': A.engEtag } }), expect: notFound },

  // ---------------------------------------------------------------- filter values naming A's data
  ...(
    [
      ['Users', 'id eq "{alice}"'],
      ['Users', 'id eq "{alice}" or id eq "{bob}"'],
      ['Users', 'userName eq "{alice.userName}"'],
      ['Users', 'userName eq "{ALICE.USERNAME}"'],
      ['Users', 'userName sw "alice.anders"'],
      ['Users', 'externalId eq "{alice.externalId}"'],
      ['Users', 'emails.value eq "{alice.userName}"'],
      ['Users', 'emails[type eq "work" and value eq "{alice.userName}"]'],
      ['Users', 'displayName co "Tenant-A"'],
      ['Users', 'groups[value eq "{eng}"]'],
      ['Users', 'groups.value eq "{all}"'],
      ['Users', `${ENTERPRISE}:employeeNumber eq "{alice.employeeNumber}"`],
      ['Groups', 'id eq "{eng}"'],
      ['Groups', 'displayName eq "{eng.displayName}"'],
      ['Groups', 'externalId eq "{eng.externalId}"'],
      ['Groups', 'members[value eq "{alice}"]'],
      ['Groups', 'members.value eq "{alice}"'],
      ['Groups', 'members[value eq "{eng}"]'],
      ['Groups', 'members[type eq "Group"]'],
    ] as const
  ).flatMap(([type, template]): Case[] => [
    { name: `GET /${type}?filter=${template}`, req: () => get(`/${type}?filter=${q(fill(template))}`), expect: empty },
    { name: `POST /${type}/.search {filter: ${template}}`, req: () => post(`/${type}/.search`, search({ filter: fill(template) })), expect: empty },
  ]),
  { name: 'GET /Users?filter=not (id eq A user) → only B', req: () => get(`/Users?filter=${q(`not (id eq "${A.alice}")`)}`), expect: ownOnly },
  { name: 'GET /Users?filter=id pr&sortBy=userName → only B', req: () => get(`/Users?filter=${q('id pr')}&sortBy=userName&count=1000`), expect: ownOnly },
  { name: 'GET /Users?filter=meta.created gt 2000 → only B', req: () => get(`/Users?filter=${q('meta.created gt "2000-01-01T00:00:00Z"')}`), expect: ownOnly },
  { name: 'GET /Users?attributes=groups → only B users, only B groups', req: () => get('/Users?attributes=userName,groups&count=1000'), expect: ownOnly },
  { name: 'GET /Groups?startIndex=1&count=1000 → only B', req: () => get('/Groups?startIndex=1&count=1000'), expect: ownOnly },
  { name: 'GET /Groups?cursor=&count=1000 → only B', req: () => get('/Groups?cursor=&count=1000'), expect: ownOnly },
  { name: 'POST /.search {filter: id eq A user}', req: () => post('/.search', search({ filter: `id eq "${A.alice}"` })), expect: empty },
  { name: 'POST /.search {filter: displayName co Tenant-A}', req: () => post('/.search', search({ filter: 'displayName co "Tenant-A"' })), expect: empty },
  { name: 'POST /.search {} → only B', req: () => post('/.search', search({ count: 1000 })), expect: ownOnly },

  // ---------------------------------------------------------------- A's cursors
  { name: 'GET /Users?cursor=<A cursor>', req: () => get(`/Users?cursor=${A.usersCursor}&count=1`), expect: invalidCursor },
  { name: 'GET /Groups?cursor=<A cursor>', req: () => get(`/Groups?cursor=${A.groupsCursor}&count=1`), expect: invalidCursor },
  { name: 'POST /Users/.search {cursor: A cursor}', req: () => post('/Users/.search', search({ cursor: A.usersCursor, count: 1 })), expect: invalidCursor },

  // ---------------------------------------------------------------- A's ids as member values
  { name: 'POST /Groups members [A user]', req: () => post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'B steals alice', members: [{ value: A.alice }] }), expect: invalidValue },
  { name: 'POST /Groups members [B user, A group] → nothing created', req: () => post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'B nests A', members: [{ value: B.user }, { value: A.eng, type: 'Group' }] }), expect: invalidValue },
  { name: 'POST /Groups members [A user with its $ref]', req: () => post('/Groups', { displayName: 'B ref alice', members: [{ value: A.alice, $ref: userRef(A.alice) }] }), expect: invalidValue },
  { name: 'POST /Groups members ["<A user id>"] (bare string)', req: () => post('/Groups', { displayName: 'B bare alice', members: [A.alice] }), expect: invalidValue },
  { name: 'POST /Groups members [$ref of A user only] (value is required)', req: () => post('/Groups', { displayName: 'B only ref', members: [{ $ref: userRef(A.alice) }] }), expect: invalidValue },
  {
    name: 'POST /Groups member B user whose $ref is an A URL → the $ref is ignored',
    req: () => post('/Groups', { displayName: 'B wrong ref', members: [{ value: B.user, $ref: userRef(A.alice) }] }),
    expect: { kind: 'own', status: 201, check: (r) => expect(json(r).members).toEqual([{ value: B.user, $ref: userRef(B.user), type: 'User', display: 'Dave B' }]) },
  },
  { name: 'PUT /Groups/{B group} members [A user]', req: () => ({ method: 'PUT', path: `/Groups/${B.group}`, body: { displayName: 'B group', members: [{ value: B.user }, { value: A.alice }] } }), expect: invalidValue },
  { name: 'PATCH /Groups/{B group} add members [A user]', req: () => ({ method: 'PATCH', path: `/Groups/${B.group}`, body: patchOp({ op: 'add', path: 'members', value: [{ value: A.alice }] }) }), expect: invalidValue },
  { name: 'PATCH /Groups/{B group} Add (Entra casing) A nested group', req: () => ({ method: 'PATCH', path: `/Groups/${B.group}`, body: patchOp({ op: 'Add', path: 'members', value: [{ value: A.all }] }) }), expect: invalidValue },
  { name: 'PATCH /Groups/{B group} replace members [A user]', req: () => ({ method: 'PATCH', path: `/Groups/${B.group}`, body: patchOp({ op: 'replace', path: 'members', value: [{ value: A.bob }] }) }), expect: invalidValue },
  { name: 'PATCH /Groups/{B group} add without path {members:[A user]}', req: () => ({ method: 'PATCH', path: `/Groups/${B.group}`, body: patchOp({ op: 'add', value: { members: [{ value: A.carol }] } }) }), expect: invalidValue },
  { name: 'PATCH /Groups/{B group} add [B user, A user] → B user not added either', req: () => ({ method: 'PATCH', path: `/Groups/${B.group}`, body: patchOp({ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ value: A.alice }] }) }), expect: invalidValue },
  {
    name: 'PATCH /Groups/{B group} remove members[value eq A user] → B group untouched',
    req: () => ({ method: 'PATCH', path: `/Groups/${B.group}`, body: patchOp({ op: 'remove', path: `members[value eq "${A.alice}"]` }) }),
    expect: { kind: 'own', status: 204, check: async (_r, own) => expect(json(await own.get(`/Groups/${B.group}`)).members).toEqual([expect.objectContaining({ value: B.user })]) },
  },
  {
    name: 'POST /Users with enterprise manager = A user → stored as sent, nothing of A resolved',
    req: () => post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'erin@fabrikam-b.example', [ENTERPRISE]: { manager: { value: A.alice } } }),
    expect: { kind: 'own', status: 201, check: (r) => expect(json(r)[ENTERPRISE].manager).toEqual({ value: A.alice }) },
  },
  { name: 'PUT /Users/{B user} with body id = A user', req: () => ({ method: 'PUT', path: `/Users/${B.user}`, body: { id: A.alice, userName: 'dave@fabrikam-b.example', displayName: 'Dave B' } }), expect: invalidValue },
  {
    name: 'POST /Users with body id = A user → a new id',
    req: () => post('/Users', { id: A.alice, userName: 'frank@fabrikam-b.example' }),
    expect: { kind: 'own', status: 201, check: (r) => expect(json(r).id).not.toBe(A.alice) },
  },

  // ---------------------------------------------------------------- Bulk
  {
    name: 'Bulk PUT/PATCH/DELETE on A users and groups',
    req: () =>
      post(
        '/Bulk',
        bulk(
          { method: 'PUT', path: `/Users/${A.alice}`, data: { userName: 'x@b.example' } },
          { method: 'PATCH', path: `/Users/${A.bob}`, data: patchOp({ op: 'replace', path: 'active', value: false }) },
          { method: 'DELETE', path: `/Users/${A.carol}` },
          { method: 'PATCH', path: `/Groups/${A.eng}`, data: patchOp({ op: 'add', path: 'members', value: [{ value: B.user }] }) },
          { method: 'DELETE', path: `/Groups/${A.all}`, version: A.engEtag },
          { method: 'PUT', path: `/Groups/${A.eng}`, data: { displayName: 'x', members: [] } },
        ),
      ),
    expect: { kind: 'bulk', statuses: ['404', '404', '404', '404', '404', '404'] },
  },
  {
    name: 'Bulk POST group with A members, and a B POST referenced from a PATCH of an A group',
    req: () =>
      post(
        '/Bulk',
        bulk(
          { method: 'POST', path: '/Groups', bulkId: 'g', data: { displayName: 'Bulk B steals', members: [{ value: A.alice }, { value: A.eng }] } },
          { method: 'POST', path: '/Users', bulkId: 'u', data: { userName: 'bulk.b.user@fabrikam-b.example' } },
          { method: 'PATCH', path: `/Groups/${A.eng}`, data: patchOp({ op: 'add', path: 'members', value: [{ value: 'bulkId:u' }] }) },
          { method: 'PATCH', path: `/Groups/${B.group}`, data: patchOp({ op: 'add', path: 'members', value: [{ value: 'bulkId:u' }, { value: A.bob }] }) },
        ),
      ),
    expect: { kind: 'bulk', statuses: ['400', '201', '404', '400'] },
  },
  {
    name: 'Bulk reference to a bulkId that A used in its own Bulk request',
    req: () => post('/Bulk', bulk({ method: 'PATCH', path: `/Groups/${B.group}`, data: patchOp({ op: 'add', path: 'members', value: [{ value: 'bulkId:a-shared' }] }) })),
    expect: { kind: 'bulk', statuses: ['400'] },
  },
  {
    name: 'Bulk path /Users/bulkId:<A bulkId>',
    req: () => post('/Bulk', bulk({ method: 'DELETE', path: '/Users/bulkId:a-shared' })),
    expect: { kind: 'bulk', statuses: ['400'] },
  },

  // ---------------------------------------------------------------- uniqueness is per tenant (no 409 oracle)
  { name: 'POST /Users with A userName → 201 (no cross-tenant 409)', req: () => post('/Users', { userName: CAROL.userName, displayName: 'Carol of B' }), expect: { kind: 'own', status: 201 } },
  { name: 'POST /Groups with A group displayName → 201', req: () => post('/Groups', { displayName: ALL.displayName }), expect: { kind: 'own', status: 201 } },
];

describeEachDialect('Tenant isolation: B\'s key against A\'s data', (t) => {
  let before: TenantState;
  let markers: string[];
  let b: { org: { id: string }; key: string; scim: ScimClient };

  const ok = async (r: Promise<LightMyRequestResponse>, status = 201) => {
    const res = await r;
    expect(res.statusCode, res.body).toBe(status);
    return json(res);
  };

  beforeAll(async () => {
    const a = t().scim;
    const alice = await ok(
      a.post('/Users', {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: ALICE.userName,
        externalId: ALICE.externalId,
        displayName: ALICE.displayName,
        emails: [{ type: 'work', value: ALICE.userName, primary: true }],
        [ENTERPRISE]: { employeeNumber: ALICE.employeeNumber },
      }),
    );
    A.alice = alice.id;
    A.bob = (await ok(a.post('/Users', { userName: 'bob.berg@contoso-a.example', displayName: 'Bob Berg-Tenant-A', [ENTERPRISE]: { manager: { value: alice.id } } }))).id;
    A.carol = (await ok(a.post('/Users', { userName: CAROL.userName, displayName: CAROL.displayName }))).id;
    A.eng = (await ok(a.post('/Groups', { ...ENG, members: [{ value: A.alice }, { value: A.bob }] }))).id;
    A.all = (await ok(a.post('/Groups', { ...ALL, members: [{ value: A.eng }, { value: A.carol }] }))).id;
    // A's own Bulk request, with a bulkId B will try to reuse.
    const bulkA = await ok(a.post('/Bulk', bulk({ method: 'POST', path: '/Users', bulkId: 'a-shared', data: { userName: 'dan.dunn@contoso-a.example' } })), 200);
    expect(bulkA.Operations[0].status).toBe('201');
    A.aliceEtag = (await a.get(`/Users/${A.alice}`)).headers.etag as string;
    A.engEtag = (await a.get(`/Groups/${A.eng}`)).headers.etag as string;
    A.usersCursor = json(await a.get('/Users?cursor=&count=1')).nextCursor;
    A.groupsCursor = json(await a.get('/Groups?cursor=&count=1')).nextCursor;
    expect(A.usersCursor).toBeTruthy();
    expect(A.groupsCursor).toBeTruthy();

    b = await t().newTenant('Fabrikam');
    B.user = (await ok(b.scim.post('/Users', { userName: 'dave@fabrikam-b.example', displayName: 'Dave B' }))).id;
    B.group = (await ok(b.scim.post('/Groups', { displayName: 'B group', members: [{ value: B.user }] }))).id;

    before = await tenantState(t(), t().org.id, a);
    expect(before.users).toHaveLength(4);
    expect(before.groups).toHaveLength(2);
    expect(before.rows.members).toHaveLength(4);
    markers = markersOf(before);
    expect(markers).toEqual(expect.arrayContaining([A.alice, A.eng, ALICE.userName, ALICE.externalId, ENG.displayName]));
  });

  const ownIds = async (): Promise<Set<string>> => {
    const db = t().composition.db.db;
    const users = await db.selectFrom('scim_users').select('id').where('tenant_id', '=', b.org.id).execute();
    const groups = await db.selectFrom('scim_groups').select('id').where('tenant_id', '=', b.org.id).execute();
    return new Set([...users, ...groups].map((r) => r.id));
  };

  it.each(CASES)('$name', async (c) => {
    const req = c.req();
    const bBefore = c.expect.kind === 'own' ? undefined : await tenantState(t(), b.org.id, b.scim);
    const r = await b.scim.raw(req.method, req.path, {
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      headers: { ...(req.body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...(req.headers ?? {}) },
    });
    const ctx = `${req.method} ${req.path} → ${r.statusCode} ${r.body.slice(0, 400)}`;

    // Never A's data: no string of A's directory appears in the answer unless B sent it itself.
    const sent = `${req.path} ${JSON.stringify(req.body ?? null)} ${JSON.stringify(req.headers ?? {})}`;
    const leaked = markers.filter((m) => r.body.includes(m) && !sent.includes(m));
    expect(leaked, ctx).toEqual([]);
    expect(r.statusCode, ctx).toBeLessThan(500);

    const e = c.expect;
    switch (e.kind) {
      case 'notFound':
        expect(r.statusCode, ctx).toBe(404);
        expect(json(r), ctx).toMatchObject({ schemas: [ERROR], status: '404' });
        break;
      case 'error':
        expect(r.statusCode, ctx).toBe(e.status);
        expect(json(r), ctx).toMatchObject({ schemas: [ERROR], status: String(e.status), scimType: e.scimType });
        break;
      case 'empty': {
        expect(r.statusCode, ctx).toBe(200);
        const body = json(r);
        expect(body.totalResults, ctx).toBe(0);
        expect(body.Resources ?? [], ctx).toEqual([]);
        break;
      }
      case 'ownOnly': {
        expect(r.statusCode, ctx).toBe(200);
        const body = json(r);
        const own = await ownIds();
        const ids = (body.Resources as Array<{ id: string }>).map((x) => x.id);
        expect(ids.filter((id) => !own.has(id)), ctx).toEqual([]);
        expect(body.totalResults, ctx).toBeLessThanOrEqual(own.size);
        expect(ids.length, ctx).toBeGreaterThan(0);
        break;
      }
      case 'bulk': {
        expect(r.statusCode, ctx).toBe(200);
        const ops = json(r).Operations as Array<{ status: string }>;
        expect(ops.map((o) => o.status), ctx).toEqual(e.statuses);
        break;
      }
      case 'own': {
        const statuses = Array.isArray(e.status) ? e.status : [e.status];
        expect(statuses, ctx).toContain(r.statusCode);
        await e.check?.(r, b.scim);
        break;
      }
    }

    // A refused request changed nothing of B either (one transaction per write).
    if (bBefore && e.kind !== 'bulk') expect(await tenantState(t(), b.org.id, b.scim), ctx).toEqual(bBefore);
    // A is exactly as it was: documents, versions, membership rows, email rows, counts.
    expect(await tenantState(t(), t().org.id, t().scim), ctx).toEqual(before);
  });

  it('B\'s requests left no trace in A\'s activity log, and B\'s own group still has only B\'s member', async () => {
    await t().services.activity.flush();
    const db = t().composition.db.db;
    const keysA = new Set((await t().services.apiKeys.list(t().services.platform.forTenant(t().org.id))).map((k) => k.id));
    const rows = await db.selectFrom('activity_log').select(['key_id', 'resource_id']).where('tenant_id', '=', t().org.id).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.key_id !== null && !keysA.has(r.key_id))).toEqual([]);
    const members = await db.selectFrom('group_members').select(['tenant_id', 'member_id']).where('group_id', '=', B.group).execute();
    expect(members.every((m) => m.tenant_id === b.org.id)).toBe(true);
    const aIds = new Set([A.alice, A.bob, A.carol, A.eng, A.all]);
    expect(members.filter((m) => aIds.has(m.member_id))).toEqual([]);
  });

  it('the database refuses a cross-tenant membership row even if code tried (composite foreign keys)', async () => {
    const db = t().composition.db.db;
    const row = { tenant_id: b.org.id, group_id: B.group, member_id: A.alice, user_id: A.alice, child_group_id: null, member_type: 'User', created_at: new Date().toISOString() };
    await expect(db.insertInto('group_members').values(row).execute()).rejects.toThrow();
    const forged = { ...row, tenant_id: t().org.id };
    await expect(db.insertInto('group_members').values(forged).execute()).rejects.toThrow();
    expect(await tenantState(t(), t().org.id, t().scim)).toEqual(before);
  });
}, { env: NO_RATE_LIMIT });

