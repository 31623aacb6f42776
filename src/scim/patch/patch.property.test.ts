// Properties of the PATCH engine over random operation lists (valid and invalid paths, ops and
// values), applied to valid, deeply frozen resources:
//  1. it throws nothing but ScimError (a client can never cause a 500);
//  2. a successful result is canonical: the write codec returns it unchanged, and no
//     multi-valued attribute has two primaries;
//  3. the input is never modified, whether the call succeeds or fails (atomic and pure).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { isScimError } from '../errors.js';
import { DEFAULT_SCIM_LIMITS } from '../limits.js';
import { normalizeForWrite } from '../resources/codec.js';
import { deepFreeze } from '../schema/attributes.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema } from '../schema/registry.js';
import { applyPatch } from './apply-patch.js';
import { isJsonValue } from './json-utils.js';
import { parsePatchRequest } from './parse-patch.js';

const limits = DEFAULT_SCIM_LIMITS;
const ID = 'c0ffee00-0000-4000-8000-000000000042';
type Kind = 'User' | 'Group';

const canonical = (kind: Kind, input: JsonObject): JsonObject =>
  deepFreeze(normalizeForWrite(getResourceSchema(kind), input, { mode: 'create', limits }));

const USER = canonical('User', {
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [
    { value: 'b@work.example', type: 'work', primary: true },
    { value: 'b@home.example', type: 'home' },
  ],
  phoneNumbers: [{ value: '555-0100', type: 'work' }],
  roles: [{ value: 'Admin', primary: true }],
  [ENT]: { department: 'Sales', manager: { value: 'm-1' } },
});
const GROUP = canonical('Group', { displayName: 'Admins' });

const USER_PATHS = [
  'userName', 'displayName', 'nickName', 'title', 'active', 'externalId', 'password', 'name', 'name.givenName', 'NAME.familyname',
  'emails', 'emails.value', 'emails[type eq "work"]', 'emails[type eq "work"].value', 'emails[type eq "home"].primary',
  'emails[value co "@"].type', 'emails[type eq "x" or primary eq true].display', 'phoneNumbers[type eq "fax"].value',
  'addresses[type eq "work"].postalCode', 'addresses', 'roles', 'roles[primary eq true]', 'x509Certificates',
  `${ENT}:manager`, 'manager', 'manager.value', `${ENT}:department`, 'employeeNumber',
  // invalid or forbidden
  'id', 'meta', 'meta.created', 'groups', 'schemas', 'bogus', 'name.bogus', 'displayName[value eq "x"]', 'emails[', 'members',
  'name.givenName.x', 'urn:x:y:z', '',
];
const GROUP_PATHS = [
  'displayName', 'externalId', 'members', 'members[value eq "u1"]', 'members[type eq "User" and value sw "u"]', 'members[display eq "x"]',
  'members.value', 'members[value eq "u1"].display', 'id', 'meta', 'bogus', 'emails',
];

const scalar = fc.oneof(
  fc.constantFrom<JsonValue>('', null, 'x', 'True', 'false', 'FALSE', 'maybe', true, false, 0, 42, 'u1', 'm-2', ID),
  fc.string({ maxLength: 8 }),
);
const element = fc.dictionary(
  fc.constantFrom('value', 'Value', 'type', 'primary', 'display', '$ref', 'givenName', 'postalCode', 'junk', '__proto__'),
  scalar,
  { maxKeys: 4 },
);
const value: fc.Arbitrary<JsonValue> = fc.oneof(
  scalar,
  element,
  fc.array(fc.oneof(element, scalar), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v): JsonValue => (isJsonValue(v) ? v : null)),
);
const noPathValue = (paths: readonly string[]): fc.Arbitrary<JsonValue> =>
  fc.dictionary(fc.oneof(fc.constantFrom(...paths, ENT, 'schemas', 'meta'), fc.string({ maxLength: 6 })), value, { maxKeys: 4 });

const operation = (paths: readonly string[]): fc.Arbitrary<JsonValue> =>
  fc.record(
    {
      op: fc.constantFrom('add', 'Add', 'replace', 'REPLACE', 'remove', 'Remove', 'merge'),
      path: fc.constantFrom(...paths),
      value: fc.oneof(value, noPathValue(paths)),
    },
    { requiredKeys: ['op'] },
  );

// Plausible operations: a path with a value of the right shape (still with "", null, string
// booleans, case variants and duplicate primaries), so that many requests succeed.
const text = fc.oneof(fc.constantFrom<JsonValue>('', null, 'x', 'Ab'), fc.string({ minLength: 1, maxLength: 6 }));
const boolish = fc.constantFrom<JsonValue>(true, false, 'True', 'false', null);
const typed = fc.record(
  { value: text, type: fc.constantFrom('work', 'home', 'other', 'fax'), primary: boolish, display: text },
  { requiredKeys: ['value'] },
);
const setOp = (paths: readonly string[], v: fc.Arbitrary<JsonValue>): fc.Arbitrary<JsonValue> =>
  fc.record({ op: fc.constantFrom('add', 'Replace', 'replace'), path: fc.constantFrom(...paths), value: v });
const plausibleUserOp: fc.Arbitrary<JsonValue> = fc.oneof(
  setOp(['displayName', 'nickName', 'title', 'externalId', 'name.givenName', 'emails[type eq "work"].value', 'phoneNumbers[type eq "fax"].value', 'addresses[type eq "work"].postalCode', `${ENT}:department`, 'employeeNumber', 'manager.value'], text),
  setOp(['active', 'emails[type eq "home"].primary', 'roles[value eq "Admin"].primary'], boolish),
  setOp(['emails', 'roles', 'phoneNumbers', 'addresses'], fc.oneof(fc.array(typed, { maxLength: 3 }), typed, text)),
  setOp(['emails[type eq "work"]', 'phoneNumbers[type eq "work"]'], typed),
  setOp(['name'], fc.record({ givenName: text, familyName: text }, { requiredKeys: [] })),
  setOp(['manager', `${ENT}:manager`], fc.oneof(text, fc.record({ value: text }), fc.array(fc.record({ value: text, $ref: text }), { maxLength: 1 }))),
  fc.record({ op: fc.constantFrom('add', 'replace'), value: fc.dictionary(fc.constantFrom('displayName', 'name.familyName', 'active', 'id', 'meta', ENT), fc.oneof(text, boolish, fc.constant<JsonValue>({ division: 'D' })), { maxKeys: 3 }) }),
  fc.record({
    op: fc.constantFrom('remove', 'Remove'),
    path: fc.constantFrom('displayName', 'name.givenName', 'emails', 'emails[type eq "home"]', 'emails[type eq "work"].primary', 'roles', `${ENT}:manager`, 'department', 'phoneNumbers[type eq "x"]'),
  }),
);
const plausibleGroupOp: fc.Arbitrary<JsonValue> = fc.oneof(
  setOp(['displayName', 'externalId'], text),
  setOp(['members'], fc.oneof(fc.array(fc.record({ value: fc.constantFrom('u1', 'u2', 'u3'), display: text, $ref: fc.constant(null) }, { requiredKeys: ['value'] }), { maxLength: 3 }), fc.constantFrom('u1', 'u2'))),
  fc.record({ op: fc.constant('remove'), path: fc.constantFrom('members', 'members[value eq "u1"]', 'externalId'), value: fc.constantFrom<JsonValue>([{ value: 'u2' }], null) }, { requiredKeys: ['op', 'path'] }),
  fc.record({ op: fc.constant('replace'), value: fc.record({ id: fc.constant(ID), displayName: text, members: fc.constant<JsonValue>([{ value: 'u3' }]) }, { requiredKeys: [] }) }),
);
const mixed = (plausible: fc.Arbitrary<JsonValue>, paths: readonly string[]): fc.Arbitrary<JsonValue[]> =>
  fc.array(fc.oneof({ arbitrary: plausible, weight: 6 }, { arbitrary: operation(paths), weight: 1 }), { minLength: 1, maxLength: 4 });

const hasSinglePrimaries = (doc: JsonValue): boolean => {
  if (Array.isArray(doc)) return doc.filter((e) => isJsonObject(e) && e['primary'] === true).length <= 1 && doc.every(hasSinglePrimaries);
  if (isJsonObject(doc)) return Object.values(doc).every(hasSinglePrimaries);
  return true;
};

type Outcome = 'ok' | 'failed';

const check = (kind: Kind, doc: JsonObject, ops: JsonValue[]): Outcome => {
  const rs = getResourceSchema(kind);
  const before = structuredClone(doc);
  let outcome: Outcome = 'ok';
  try {
    const result = applyPatch(rs, doc, parsePatchRequest({ Operations: ops }, limits), { id: ID, limits });
    expect(normalizeForWrite(rs, result.doc, { mode: 'replace', existing: doc, limits })).toEqual(result.doc);
    expect(hasSinglePrimaries(result.doc)).toBe(true);
    expect(result.changed).toBe(result.memberChanges.length > 0 || !isDeepStrictEqual(result.doc, doc));
  } catch (e) {
    if (!isScimError(e)) throw e; // a TypeError from writing to the frozen input would land here too
    outcome = 'failed';
    expect(e.status).toBe(400);
    expect(e.operationIndex === undefined || (e.operationIndex >= 0 && e.operationIndex < ops.length)).toBe(true);
  }
  expect(doc).toEqual(before);
  return outcome;
};

/** Runs the property and checks the pools produced both outcomes, so neither half is vacuous. */
const holds = (kind: Kind, doc: JsonObject, ops: fc.Arbitrary<JsonValue[]>, numRuns: number, minOk: number): void => {
  const seen = { ok: 0, failed: 0 };
  fc.assert(
    fc.property(ops, (o) => {
      seen[check(kind, doc, o)]++;
    }),
    { numRuns },
  );
  expect(seen.ok).toBeGreaterThanOrEqual(minOk);
  expect(seen.failed).toBeGreaterThan(0);
};

describe('applyPatch properties', () => {
  it('User: only ScimErrors, canonical results, input unchanged', () => {
    holds('User', USER, mixed(plausibleUserOp, USER_PATHS), 400, 40);
  });

  it('Group: only ScimErrors, canonical results, input unchanged', () => {
    holds('Group', GROUP, mixed(plausibleGroupOp, GROUP_PATHS), 200, 40);
  });

  it('fully random operation lists on a User', () => {
    holds('User', USER, fc.array(operation(USER_PATHS), { minLength: 1, maxLength: 5 }), 200, 0);
  });

  it('no-path operations with dotted, URN, id and meta keys', () => {
    const keys = ['displayName', 'name.givenName', 'active', `${ENT}:employeeNumber`, 'emails', 'manager', 'id', 'meta'];
    const op = fc.record({ op: fc.constantFrom('add', 'replace'), value: fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 4 }) });
    holds('User', USER, fc.array(op, { minLength: 1, maxLength: 3 }), 200, 20);
  });
});
