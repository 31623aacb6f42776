// Fuzzing the write codec (issue #8 part 3, the pure layer under test/hardening/fuzz.test.ts):
// for any JSON body, normalizeForWrite either throws a 400 ScimError or returns a canonical
// document: plain JSON, accepted unchanged by a second pass, within the limits it enforces.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { isScimError } from '../errors.js';
import { DEFAULT_SCIM_LIMITS, type ScimLimits } from '../limits.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema } from '../schema/registry.js';
import { normalizeForWrite } from './codec.js';

const LIMITS: ScimLimits = { ...DEFAULT_SCIM_LIMITS, maxStringLength: 64, maxMultiValues: 4, maxMembersPerRequest: 4 };
const RUNS = { numRuns: 400 };

const text = fc.oneof(
  fc.constantFrom('', ' ', 'x', 'True', 'false', 'work', 'home', '42', '2015-10-10T14:38:21Z', 'not-a-date', '😀'.repeat(33), 'y'.repeat(65), 'a\u0000b', '\ud800'),
  fc.string({ maxLength: 10 }),
);
const leaf: fc.Arbitrary<JsonValue> = fc.oneof(text, fc.boolean(), fc.constant(null), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const value: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('v'), { maxLength: 6 }),
    fc.dictionary(fc.constantFrom('value', 'type', 'primary', 'display', '$ref', 'givenName', 'familyName', 'formatted', 'manager', 'x'), tie('v'), { maxKeys: 4 }),
  ),
})).v;
const USER_KEYS = ['userName', 'USERNAME', 'name', 'displayName', 'active', 'emails', 'phoneNumbers', 'addresses', 'roles', 'x509Certificates', 'externalId', 'id', 'meta', 'groups', 'password', 'schemas', ENT, `${ENT}:employeeNumber`, 'manager', 'bogus'];
const GROUP_KEYS = ['displayName', 'members', 'externalId', 'id', 'meta', 'schemas', 'bogus'];
const body = (keys: string[]) => fc.oneof({ weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 8 }) }, { weight: 1, arbitrary: value });

function check(kind: 'User' | 'Group', input: JsonValue): void {
  const rs = getResourceSchema(kind);
  let out: JsonObject;
  try {
    out = normalizeForWrite(rs, input, { mode: 'create', limits: LIMITS });
  } catch (e) {
    if (!isScimError(e)) throw e;
    expect(e.status).toBe(400);
    return;
  }
  expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  const again = normalizeForWrite(rs, out, { mode: 'create', limits: LIMITS });
  expect(isDeepStrictEqual(again, out)).toBe(true);
  for (const v of Object.values(out)) if (Array.isArray(v)) expect(v.length).toBeLessThanOrEqual(LIMITS.maxMultiValues);
}

describe('normalizeForWrite under arbitrary bodies', () => {
  it('User: a 400 ScimError or a canonical, bounded document', () => {
    fc.assert(fc.property(body(USER_KEYS), (b) => check('User', b)), RUNS);
  });
  it('Group: a 400 ScimError or a canonical, bounded document', () => {
    fc.assert(fc.property(body(GROUP_KEYS), (b) => check('Group', b)), RUNS);
  });
});
