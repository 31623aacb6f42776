// HTTP fuzzing with fast-check (issue #8 part 3), on every configured dialect: the JSON body of
// every SCIM endpoint (POST/PUT/PATCH Users and Groups, .search, root .search, Bulk) with
// arbitrary JSON, raw text and mutations of valid payloads; filters and list parameters in query
// strings; PATCH operation lists. For every case:
//  * never a 5xx, never an uncaught exception, every error an RFC 7644 §3.12 body;
//  * no database or runtime error text reaches the client (unless the client sent that text);
//  * no partial write: a refused write leaves the tenant's rows (documents, versions, membership
//    rows, email rows, counts) exactly as they were; another tenant's rows never change;
//  * the tenant's rows stay consistent (email side rows and hot columns match each document,
//    counts match, membership rows point to existing users/groups).
// `npm test` runs a bounded number of cases (FUZZ_RUNS, default 320 per dialect, split over the
// properties); `node scripts/fuzz.mjs` runs many more (FUZZ_RUNS, default 20000). FUZZ_SEED
// replays a run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, type ScimClient } from '../support/test-app.js';
import { tenantRows } from '../tenancy/tenant-state.js';
import { groupHotValues, userEmailRows, userHotValues } from '../../src/storage/kysely/column-map.js';
import { parseDoc } from '../../src/storage/kysely/resource-repo.js';
import type { JsonObject } from '../../src/domain/json.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const NO_RATE_LIMIT = { SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '10000000' };
const PROPERTIES = 9;
const TOTAL = Number(process.env.FUZZ_RUNS ?? 320);
const RUNS = Math.max(5, Math.floor(TOTAL / PROPERTIES));
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** A fresh tenant every this many cases keeps the state (and each snapshot) small in long runs. */
const ARENA_CASES = 150;
const TIMEOUT = Math.max(60_000, RUNS * 400);

/** Database and runtime error text that must never reach a client. */
const LEAK = /SQLITE|syntax error|relation "|constraint|violates|duplicate key|no such (?:table|column)|near "|invalid input syntax|invalid byte sequence|unsupported Unicode|\bpg_|node_modules|kysely|better-sqlite3|TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|is not iterable|undefined is not|\s+at [\w.<>]+ \(/i;

// ------------------------------------------------------------------ generators

const SPECIAL_STRINGS: Json[] = [
  '', ' ', 'null', 'true', 'False', '0', '-1', '1e309', 'NaN', "' OR '1'='1", "'); DROP TABLE scim_users; --", '%', '_', '%_%', '\\', '"', '\u0000', 'a\u0000b',
  '\ud800', 'x\udfffy', '😀', 'ǅ', 'İ', 'ß', 'ﬃ', '\u200b', '\n\t', ' '.repeat(3), 'x'.repeat(300), 'bulkId:', 'bulkId:a', 'bulkId:zz', '$ref', 'urn:ietf:params:scim:schemas:core:2.0:User:userName',
  'W/"1"', '*', '2015-10-10T14:38:21Z', '9999-99-99T99:99:99Z', '00000000-0000-0000-0000-000000000000', '../../etc/passwd', '<script>alert(1)</script>', '${jndi:ldap://x}',
];
const SPECIAL_NUMBERS: Json[] = [0, -0, 1, -1, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, 1e-320];

interface Arena {
  readonly tenantId: string;
  readonly scim: ScimClient;
  readonly users: string[];
  readonly groups: string[];
}

/** Ids a payload may name: this tenant's, another tenant's, a random one. Filled per arena. */
const ids = { own: [] as string[], foreign: [] as string[] };
const idArb = fc.oneof(
  fc.nat().map((i) => ids.own[i % Math.max(1, ids.own.length)] ?? 'none'),
  fc.nat().map((i) => ids.foreign[i % Math.max(1, ids.foreign.length)] ?? 'none'),
  fc.uuid(),
);

const stringArb: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: idArb },
);
const leafArb: fc.Arbitrary<Json> = fc.oneof(stringArb, fc.constantFrom(...SPECIAL_NUMBERS), fc.boolean(), fc.constant(null), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const jsonArb: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom('value', 'type', 'primary', 'display', '$ref', 'op', 'path', 'schemas', 'id', 'members', 'emails', 'userName', 'displayName', 'Operations', 'method', 'bulkId', 'data', 'filter'), fc.string({ maxLength: 8 })), tie('v'), { maxKeys: 4 }),
  ),
})).v;

// Valid payloads, as real clients send them, to mutate.
const userPayload = (n: string): Json => ({
  schemas: [USER_SCHEMA, ENTERPRISE],
  userName: `fuzz.${n}@fuzz.example`,
  externalId: `ext-${n}`,
  name: { givenName: 'Fuzz', familyName: 'Tester', formatted: 'Fuzz Tester' },
  displayName: 'Fuzz Tester',
  active: 'True',
  title: 'Engineer',
  emails: [
    { value: `fuzz.${n}@fuzz.example`, type: 'work', primary: true },
    { value: `home.${n}@fuzz.example`, type: 'home' },
  ],
  phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
  addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield', postalCode: '12345', country: 'US', primary: true }],
  roles: [{ value: 'admin', primary: 'true' }],
  password: 'P@ssw0rd!',
  [ENTERPRISE]: { employeeNumber: '42', department: 'R&D', manager: { value: ids.own[0] ?? 'm' } },
});
const groupPayload = (n: string): Json => ({
  schemas: [GROUP_SCHEMA],
  displayName: `Fuzz group ${n}`,
  externalId: `gext-${n}`,
  members: ids.own.slice(0, 3).map((value, i) => ({ value, ...(i === 0 ? { type: 'User', $ref: null } : {}), display: 'x' })),
});
const USER_PATHS = [
  'userName', 'displayName', 'active', 'title', 'externalId', 'password', 'name', 'name.givenName', 'NAME.FamilyName', 'emails', 'emails.value', 'emails[type eq "work"]',
  'emails[type eq "work"].value', 'emails[value co "@"].primary', 'phoneNumbers[type eq "fax"].value', 'addresses[type eq "work"].postalCode', 'roles[primary eq true]',
  `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:department`, 'manager', 'employeeNumber', 'id', 'meta', 'meta.version', 'groups', 'schemas',
  'bogus', 'emails[', 'emails[type eq]', 'members', '', 'name.givenName.x', 'urn:x:y:z',
];
const GROUP_PATHS = [
  'displayName', 'externalId', 'members', 'members[value eq "{id}"]', 'members[type eq "User" and value sw "a"]', 'members[type eq "Group"]', 'members[value ne "{id}"]',
  'members[display eq "x"]', 'members.value', 'members[value eq "{id}"].display', 'id', 'meta', 'emails', 'bogus', 'members[', '',
];
const opName = fc.constantFrom('add', 'remove', 'replace', 'Add', 'Replace', 'REMOVE', 'move', 'copy', '', 'test');
const patchOpArb = (paths: string[]) =>
  fc.record(
    {
      op: fc.oneof({ weight: 5, arbitrary: opName }, { weight: 1, arbitrary: jsonArb }),
      path: fc.oneof({ weight: 5, arbitrary: fc.tuple(fc.constantFrom(...paths), idArb).map(([p, id]) => p.replace('{id}', id)) }, { weight: 1, arbitrary: stringArb }),
      value: fc.oneof(
        jsonArb,
        fc.array(idArb.map((value) => ({ value })), { maxLength: 4 }),
        fc.record({ members: fc.array(idArb.map((value) => ({ value })), { maxLength: 3 }) }),
        fc.record({ displayName: stringArb, 'name.givenName': stringArb, [`${ENTERPRISE}:department`]: stringArb }),
      ),
    },
    { requiredKeys: ['op'] },
  );
const patchBodyArb = (paths: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(patchOpArb(paths), { minLength: 1, maxLength: 6 }).map((Operations) => ({ schemas: [PATCH_OP], Operations }) as Json) },
    { weight: 1, arbitrary: fc.array(patchOpArb(paths), { maxLength: 3 }).map((Operations) => ({ Operations }) as Json) },
    { weight: 1, arbitrary: jsonArb },
  );

/** Structural mutations of a valid payload: replace/delete/duplicate nodes, change types, wrap. */
interface Mutation {
  readonly at: number;
  readonly kind: 'replace' | 'retext' | 'delete' | 'dupKeyCase' | 'wrap' | 'unwrap' | 'stringify' | 'insert';
  readonly value: Json;
  /** For 'retext': the new text of a string leaf (the node picked among string leaves only). */
  readonly text: Json;
  readonly key: string;
}
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'replace', 'retext', 'retext', 'retext', 'delete', 'dupKeyCase', 'wrap', 'unwrap', 'stringify', 'insert'),
  value: jsonArb,
  text: stringArb,
  key: fc.oneof(fc.constantFrom('id', 'meta', 'schemas', 'members', 'groups', 'emails', 'value', 'primary', 'Operations', 'bulkId', 'version', '__proto__', 'constructor'), fc.string({ maxLength: 6 })),
});

function mutate(payload: Json, mutations: readonly Mutation[]): Json {
  let root: Json = structuredClone(payload);
  for (const m of mutations) {
    const nodes: Array<{ parent: Json[] | { [k: string]: Json } | undefined; key: string | number; value: Json }> = [];
    const walk = (v: Json, parent: Json[] | { [k: string]: Json } | undefined, key: string | number) => {
      nodes.push({ parent, key, value: v });
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, v, i));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, v, k);
    };
    walk(root, undefined, '');
    const candidates = m.kind === 'retext' ? nodes.filter((x) => typeof x.value === 'string') : nodes;
    if (candidates.length === 0) continue;
    const node = candidates[m.at % candidates.length]!;
    const set = (value: Json) => {
      if (node.parent === undefined) root = value;
      else if (Array.isArray(node.parent)) node.parent[node.key as number] = value;
      else Object.defineProperty(node.parent, node.key, { value, enumerable: true, writable: true, configurable: true });
    };
    switch (m.kind) {
      case 'replace':
        set(m.value);
        break;
      case 'retext':
        set(m.text);
        break;
      case 'delete':
        if (Array.isArray(node.parent)) node.parent.splice(node.key as number, 1);
        else if (node.parent) delete node.parent[node.key as string];
        break;
      case 'dupKeyCase':
        if (node.parent && !Array.isArray(node.parent) && typeof node.key === 'string') {
          Object.defineProperty(node.parent, node.key.toUpperCase() === node.key ? node.key.toLowerCase() : node.key.toUpperCase(), { value: m.value, enumerable: true, writable: true, configurable: true });
        }
        break;
      case 'wrap':
        set([node.value]);
        break;
      case 'unwrap':
        if (Array.isArray(node.value)) set(node.value[0] ?? null);
        break;
      case 'stringify':
        set(typeof node.value === 'string' ? node.value : JSON.stringify(node.value));
        break;
      case 'insert':
        if (node.value !== null && typeof node.value === 'object' && !Array.isArray(node.value)) {
          Object.defineProperty(node.value, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
        } else if (Array.isArray(node.value)) node.value.push(m.value);
        break;
    }
  }
  return root;
}

const FILTER_TOKENS = [
  'userName', 'displayName', 'externalId', 'id', 'active', 'title', 'emails', 'emails.value', 'emails.type', 'emails[type eq "work"]', 'name.givenName', 'meta.created',
  'meta.lastModified', 'meta.resourceType', 'groups', 'groups.value', 'members', 'members.value', 'members.type', `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:employeeNumber`,
  'password', 'x509Certificates.value', 'eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', '(', ')', '[', ']', '.', '"', '"x"', '"a b"', '"\\""',
  'true', 'false', 'null', '42', '-1.5e3', '"2015-10-10T14:38:21Z"', '"\\u0000"', '"%"', '"_"', "'", ',', ' ', '  ', 'EQ', 'Pr', 'AND', 'value', 'type',
];
const filterArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.oneof(fc.constantFrom(...FILTER_TOKENS), idArb.map((id) => `"${id}"`)), { minLength: 1, maxLength: 12 }).map((ts) => ts.join(' ')) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...FILTER_TOKENS), idArb.map((id) => `"${id}"`)), { minLength: 1, maxLength: 12 }).map((ts) => ts.join('')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);
const listParamsArb = fc.record(
  {
    filter: filterArb,
    sortBy: fc.oneof(fc.constantFrom('userName', 'displayName', 'emails', 'emails.value', 'meta.created', 'name', 'members', 'password', 'groups', '', 'x'), stringArb.map(String)),
    sortOrder: fc.constantFrom('ascending', 'descending', 'DESCENDING', 'up', ''),
    startIndex: fc.oneof(fc.integer(), fc.constantFrom('0', '-5', '1.5', 'abc', '', '99999999999999999999')),
    count: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.constantFrom('0', '-1', '1e3', 'abc', '', '1001')),
    attributes: fc.oneof(fc.constantFrom('userName', 'members', 'groups,emails.value', 'bogus', 'meta', 'id', ''), stringArb.map(String)),
    excludedAttributes: fc.oneof(fc.constantFrom('members', 'groups', 'emails', 'id', 'meta', ''), stringArb.map(String)),
    cursor: fc.oneof(fc.constant(''), fc.string({ maxLength: 30 }), fc.base64String({ maxLength: 40 })),
  },
  { requiredKeys: [] },
);

const bulkOpArb: fc.Arbitrary<Json> = fc.oneof(
  fc.record(
    {
      method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'post', 'GET', ''),
      path: fc.oneof(fc.constantFrom('/Users', '/Groups', '/Users/bulkId:a', '/Groups/bulkId:b', 'Users', '/Me', '/Users/'), idArb.map((id) => `/Users/${id}`), idArb.map((id) => `/Groups/${id}`), stringArb),
      bulkId: fc.oneof(fc.constantFrom('a', 'b', 'c', ''), stringArb),
      version: fc.oneof(fc.constantFrom('W/"1"', 'W/"2"', '*', ''), jsonArb),
      data: fc.oneof(
        fc.nat().map((i) => userPayload(`b${i}`)),
        fc.nat().map((i) => ({ displayName: `Bulk ${i}`, members: [{ value: 'bulkId:a' }, ...ids.own.slice(0, 1).map((value) => ({ value }))] }) as Json),
        patchBodyArb([...USER_PATHS, ...GROUP_PATHS]),
        jsonArb,
      ),
    },
    { requiredKeys: ['method'] },
  ),
  jsonArb,
);

/** encodeURIComponent, except that unpaired surrogates become the (invalid UTF-8) bytes a sloppy client would send. */
function encodeLoosely(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
    } else out += encodeURIComponent(s[i]!);
  }
  return out;
}

// ------------------------------------------------------------------ the suite

describeEachDialect(
  'Fuzz',
  (t, dialect) => {
    let arena: Arena | undefined;
    let foreign: { tenantId: string; rows: Record<string, unknown> } | undefined;
    let cases = 0;
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => void uncaught.push(e);

    beforeAll(async () => {
      process.on('uncaughtException', onUncaught);
      process.on('unhandledRejection', onUncaught);
      const other = await t().newTenant('Foreign');
      const u = JSON.parse((await other.scim.post('/Users', { userName: 'foreign@fuzz.example' })).body).id as string;
      const g = JSON.parse((await other.scim.post('/Groups', { displayName: 'Foreign', members: [{ value: u }] })).body).id as string;
      ids.foreign = [u, g];
      foreign = { tenantId: other.org.id, rows: await tenantRows(t(), other.org.id, { docs: true }) };
    });

    afterAll(async () => {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
      // Nothing any case did reached the other tenant.
      if (foreign) expect(await tenantRows(t(), foreign.tenantId, { docs: true })).toEqual(foreign.rows);
    });

    /** The tenant the next case runs in: fresh every ARENA_CASES cases, with users and groups. */
    async function currentArena(): Promise<Arena> {
      if (arena && cases++ % ARENA_CASES !== 0) return arena;
      const tenant = await t().newTenant(`Fuzz ${cases}`);
      const users: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await tenant.scim.post('/Users', { userName: `seed${i}@fuzz.example`, emails: [{ value: `seed${i}@fuzz.example`, type: 'work' }], [ENTERPRISE]: { department: 'Seed' } });
        users.push(JSON.parse(r.body).id as string);
      }
      const g0 = JSON.parse((await tenant.scim.post('/Groups', { displayName: 'Seed 0', members: [{ value: users[0] }, { value: users[1] }] })).body).id as string;
      const g1 = JSON.parse((await tenant.scim.post('/Groups', { displayName: 'Seed 1', members: [{ value: g0 }, { value: users[2] }] })).body).id as string;
      ids.own = [...users, g0, g1];
      arena = { tenantId: tenant.org.id, scim: tenant.scim, users, groups: [g0, g1] };
      return arena;
    }

    interface Probe {
      readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      readonly path: string;
      /** A JSON value to send, or raw text. */
      readonly body?: { json: Json } | { raw: string };
      /** Whether a refused request must have changed nothing (Bulk: only if every operation failed). */
      readonly atomic?: (r: LightMyRequestResponse) => boolean;
    }

    async function probe(a: Arena, p: Probe): Promise<void> {
      const before = await tenantRows(t(), a.tenantId, { docs: true });
      const text = p.body === undefined ? undefined : 'json' in p.body ? JSON.stringify(p.body.json) : p.body.raw;
      const r = await a.scim.raw(p.method, p.path, { ...(text === undefined ? {} : { body: text }), headers: text === undefined ? {} : { 'content-type': 'application/scim+json' } });
      const ctx = `${dialect} ${p.method} ${p.path} ${String(text).slice(0, 600)}\n→ ${r.statusCode} ${r.body.slice(0, 600)}`;
      expect(r.statusCode, ctx).toBeLessThan(500);
      expect(r.statusCode, ctx).toBeGreaterThanOrEqual(200);
      const leak = LEAK.exec(r.body);
      if (leak && !`${p.path} ${text ?? ''}`.includes(leak[0])) expect.fail(`database/runtime text "${leak[0]}" in the response: ${ctx}`);
      if (r.body !== '') {
        expect(r.headers['content-type'], ctx).toMatch(/^application\/scim\+json/);
        const body = JSON.parse(r.body) as Record<string, unknown>;
        if (r.statusCode >= 400) {
          expect(body, ctx).toMatchObject({ schemas: [ERROR], status: String(r.statusCode) });
          expect(typeof body.detail, ctx).toBe('string');
        }
        if (p.path === '/Bulk' && r.statusCode === 200) {
          for (const op of body.Operations as Array<{ status: string }>) expect(Number(op.status), ctx).toBeLessThan(500);
        }
      }
      const after = await tenantRows(t(), a.tenantId, { docs: true });
      const refused = r.statusCode >= 400 || (p.atomic !== undefined && p.atomic(r));
      if (refused) expect(after, `partial write: ${ctx}`).toEqual(before);
      consistent(after, ctx);
      expect(uncaught, ctx).toEqual([]);
    }

    /** Side rows, hot columns and counts agree with the documents; membership rows point inside. */
    function consistent(rows: Record<string, Array<Record<string, unknown>>>, ctx: string): void {
      const users = rows.users!;
      const groups = rows.groups!;
      const count = (type: string) => Number(rows.counts!.find((c) => c.resource_type === type)?.count ?? 0);
      expect(count('User'), ctx).toBe(users.length);
      expect(count('Group'), ctx).toBe(groups.length);
      const userIds = new Set(users.map((u) => u.id as string));
      const groupIds = new Set(groups.map((g) => g.id as string));
      for (const u of users) {
        const doc = parseDoc(u.doc) as JsonObject;
        expect(u.user_name_folded, ctx).toBe(userHotValues(doc).user_name_folded);
        const want = userEmailRows(doc).map((e) => `${e.value_folded}\u0001${e.type_folded}`).sort();
        const have = rows.emails!.filter((e) => e.user_id === u.id).map((e) => `${e.value_folded as string}\u0001${e.type_folded as string}`).sort();
        expect(have, ctx).toEqual(want);
      }
      for (const g of groups) expect(g.display_name_folded, ctx).toBe(groupHotValues(parseDoc(g.doc) as JsonObject).display_name_folded);
      for (const m of rows.members!) {
        expect(groupIds.has(m.group_id as string), ctx).toBe(true);
        expect((m.member_type === 'User' ? userIds : groupIds).has(m.member_id as string), ctx).toBe(true);
      }
    }

    const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true } as const;
    const run = (name: string, arb: fc.Arbitrary<(a: Arena) => Probe>) =>
      it(
        name,
        async () => {
          await fc.assert(
            fc.asyncProperty(arb, async (make) => {
              const a = await currentArena();
              await probe(a, make(a));
            }),
            params,
          );
        },
        TIMEOUT,
      );
    const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
    const WRITE_TARGETS = ['POST /Users', 'PUT /Users', 'PATCH /Users', 'POST /Groups', 'PUT /Groups', 'PATCH /Groups', 'POST /Users/.search', 'POST /Groups/.search', 'POST /.search', 'POST /Bulk'] as const;
    const target = (which: (typeof WRITE_TARGETS)[number], a: Arena, i: number): Pick<Probe, 'method' | 'path'> => {
      const [method, path] = which.split(' ') as [Probe['method'], string];
      if (path === '/Users' && method !== 'POST') return { method, path: `/Users/${pick(a.users, i)}` };
      if (path === '/Groups' && method !== 'POST') return { method, path: `/Groups/${pick(a.groups, i)}` };
      return { method, path };
    };
    const bulkAtomic = (r: LightMyRequestResponse) => {
      if (r.statusCode !== 200) return false;
      const ops = (JSON.parse(r.body) as { Operations?: unknown }).Operations;
      return Array.isArray(ops) && ops.every((o: { status: string }) => Number(o.status) >= 400);
    };

    run(
      'arbitrary JSON bodies on every endpoint',
      fc.tuple(fc.constantFrom(...WRITE_TARGETS), jsonArb, fc.nat()).map(([which, json, i]) => (a: Arena) => ({ ...target(which, a, i), body: { json }, atomic: bulkAtomic })),
    );

    run(
      'raw (mostly non-JSON) text bodies on every endpoint',
      fc
        .tuple(fc.constantFrom(...WRITE_TARGETS), fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }), jsonArb.map((j) => JSON.stringify(j).slice(0, -1))), fc.nat())
        .map(([which, raw, i]) => (a: Arena) => ({ ...target(which, a, i), body: { raw } })),
    );

    run(
      'mutated valid User payloads (POST, PUT)',
      fc.tuple(fc.boolean(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.nat()).map(([put, muts, i]) => (a: Arena) => ({
        ...(put ? { method: 'PUT' as const, path: `/Users/${pick(a.users, i)}` } : { method: 'POST' as const, path: '/Users' }),
        body: { json: mutate(userPayload(`m${i}`), muts) },
      })),
    );

    run(
      'mutated valid Group payloads (POST, PUT)',
      fc.tuple(fc.boolean(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.nat()).map(([put, muts, i]) => (a: Arena) => ({
        ...(put ? { method: 'PUT' as const, path: `/Groups/${pick(a.groups, i)}` } : { method: 'POST' as const, path: '/Groups' }),
        body: { json: mutate(groupPayload(`m${i}`), muts) },
      })),
    );

    run(
      'PATCH operation lists on Users',
      fc.tuple(patchBodyArb(USER_PATHS), fc.array(mutationArb, { maxLength: 2 }), fc.nat()).map(([body, muts, i]) => (a: Arena) => ({ method: 'PATCH' as const, path: `/Users/${pick(a.users, i)}`, body: { json: mutate(body, muts) } })),
    );

    run(
      'PATCH operation lists on Groups (membership)',
      fc.tuple(patchBodyArb(GROUP_PATHS), fc.array(mutationArb, { maxLength: 2 }), fc.nat()).map(([body, muts, i]) => (a: Arena) => ({ method: 'PATCH' as const, path: `/Groups/${pick(a.groups, i)}`, body: { json: mutate(body, muts) } })),
    );

    run(
      'filters and list parameters in query strings (GET /Users, GET /Groups)',
      fc.tuple(fc.boolean(), listParamsArb).map(([groups, q]) => () => {
        const query = Object.entries(q)
          .map(([k, v]) => `${k}=${encodeLoosely(String(v))}`)
          .join('&');
        return { method: 'GET' as const, path: `/${groups ? 'Groups' : 'Users'}?${query}` };
      }),
    );

    run(
      'SearchRequests (/.search, /Users/.search, /Groups/.search), mutated',
      fc.tuple(fc.constantFrom('/.search', '/Users/.search', '/Groups/.search'), listParamsArb, fc.array(mutationArb, { maxLength: 2 })).map(([path, q, muts]) => () => ({
        method: 'POST' as const,
        path,
        body: { json: mutate({ schemas: [SEARCH], ...(q as Record<string, Json>) }, muts) },
      })),
    );

    run(
      'Bulk requests with bulkId references, foreign ids and mutations',
      fc.tuple(fc.array(bulkOpArb, { minLength: 1, maxLength: 5 }), fc.option(fc.oneof(fc.integer({ min: -1, max: 3 }), jsonArb)), fc.array(mutationArb, { maxLength: 2 })).map(([Operations, failOnErrors, muts]) => () => ({
        method: 'POST' as const,
        path: '/Bulk',
        body: { json: mutate({ schemas: [BULK], ...(failOnErrors === null ? {} : { failOnErrors }), Operations }, muts) },
        atomic: bulkAtomic,
      })),
    );
  },
  { env: NO_RATE_LIMIT },
);
