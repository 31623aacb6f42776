import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { isScimError, type ScimError } from '../errors.js';
import { DEFAULT_SCIM_LIMITS, type ScimLimits } from '../limits.js';
import { complex, dateTime, str } from '../schema/attributes.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema, GROUP_SCHEMA, USER_SCHEMA, type ResourceSchema } from '../schema/registry.js';
import type { AttributeDef } from '../schema/types.js';
import { coerceBoolean, ensureSinglePrimary, normalizeForWrite } from './codec.js';

const userRs = getResourceSchema('User');
const groupRs = getResourceSchema('Group');
const create = (input: unknown, limits: ScimLimits = DEFAULT_SCIM_LIMITS): JsonObject =>
  normalizeForWrite(userRs, input, { mode: 'create', limits });
const createGroup = (input: unknown): JsonObject => normalizeForWrite(groupRs, input, { mode: 'create', limits: DEFAULT_SCIM_LIMITS });
const base = (name: string, type: AttributeDef['type']): AttributeDef => ({ ...str(name, name), type });
const u = (extra: JsonObject): JsonObject => ({ userName: 'bjensen', ...extra });

const thrown = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (e) {
    if (isScimError(e)) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
};

describe('normalizeForWrite: shape', () => {
  it('R-GEN-12 / R-GEN-08 drops id and meta, recomputes schemas (unknown URNs ignored)', () => {
    expect(
      create({
        schemas: [USER_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User', `${ENT.slice(0, -5)}2.0User`],
        id: 'client-id',
        meta: { resourceType: 'User' },
        userName: 'bjensen',
      }),
    ).toEqual({ schemas: [USER_SCHEMA], userName: 'bjensen' });
  });

  it('R-GEN-08 ignores "id": null (OneLogin) and unknown attributes', () => {
    expect(create(u({ id: null, favouriteColour: 'teal', 'urn:example:custom:attr': 1 }))).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'bjensen',
    });
  });

  it('R-CORE-10 matches JSON keys case-insensitively and stores the RFC spelling', () => {
    expect(
      create({ USERNAME: 'bjensen', Name: { GivenName: 'Barbara', FAMILYNAME: 'Jensen' }, Emails: [{ Value: 'b@x.org', TYPE: 'work' }] }),
    ).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'bjensen',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      emails: [{ value: 'b@x.org', type: 'work' }],
    });
  });

  it('orders keys by schema so equal content serialises identically', () => {
    const a = create({ active: true, externalId: 'e1', userName: 'u', displayName: 'U' });
    expect(Object.keys(a)).toEqual(['schemas', 'externalId', 'userName', 'displayName', 'active']);
  });

  it('R-ENTRA-10 the Entra create body', () => {
    expect(
      create({
        schemas: [USER_SCHEMA, ENT],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      }),
    ).toEqual({
      schemas: [USER_SCHEMA],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      active: true,
      emails: [{ value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com', type: 'work', primary: true }],
    });
  });

  it('R-ENTRA-11 enterprise attributes under the URN key (any case); top-level department/manager null ignored', () => {
    expect(
      create({
        schemas: [USER_SCHEMA, ENT],
        userName: 'u',
        department: null,
        manager: null,
        [ENT.toUpperCase()]: { Department: 'Sales', employeeNumber: '701984', manager: { value: 'm1', displayName: 'Boss' } },
      }),
    ).toEqual({
      schemas: [USER_SCHEMA, ENT],
      userName: 'u',
      [ENT]: { employeeNumber: '701984', department: 'Sales', manager: { value: 'm1' } },
    });
  });

  it('ignores bare extension names at top level even with a value (they are not core attributes)', () => {
    expect(create(u({ department: 'Sales' }))).toEqual({ schemas: [USER_SCHEMA], userName: 'bjensen' });
  });

  it('RFC 7644 §3.10 accepts URN-qualified attribute keys at top level', () => {
    expect(create({ [`${USER_SCHEMA}:userName`]: 'u', [`${ENT}:costCenter`]: '4130' })).toEqual({
      schemas: [USER_SCHEMA, ENT],
      userName: 'u',
      [ENT]: { costCenter: '4130' },
    });
  });

  it('R-ENTRA-11 "manager": "123" becomes {"value": "123"}', () => {
    expect(create(u({ [ENT]: { manager: '123' } }))[ENT]).toEqual({ manager: { value: '123' } });
  });

  it('R-ENTRA-21 legacy one-element manager array is the value', () => {
    expect(create(u({ [ENT]: { manager: [{ $ref: 'https://x/Users/9', value: '9' }] } }))[ENT]).toEqual({
      manager: { value: '9', $ref: 'https://x/Users/9' },
    });
  });

  it('drops an extension whose attributes are all empty, and its URN', () => {
    expect(create(u({ schemas: [USER_SCHEMA, ENT], [ENT]: { department: '', manager: { value: null } } }))).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'bjensen',
    });
    expect(create(u({ [ENT]: null }))).toEqual({ schemas: [USER_SCHEMA], userName: 'bjensen' });
  });

  it('a later duplicate key in another letter case wins', () => {
    expect(create({ userName: 'a', USERNAME: 'b' })['userName']).toBe('b');
  });
});

describe('normalizeForWrite: no value, readOnly, password', () => {
  it.each<[string, JsonObject]>([
    ['R-GEN-09 null addresses', { addresses: null }],
    ['R-GEN-09 null phoneNumbers', { phoneNumbers: null }],
    ['R-GEN-09 null title', { title: null }],
    ['R-ENTRA-22 empty string title', { title: '' }],
    ['R-ENTRA-10 roles: []', { roles: [] }],
    ['empty name object', { name: {} }],
    ['name with only nulls', { name: { givenName: null, familyName: '' } }],
    ['emails of empty elements', { emails: [{}, null, { value: '' }] }],
    ['R-CORE-21 groups: [] (Okta)', { groups: [] }],
    ['R-CORE-21 groups with values', { groups: [{ value: 'g1', display: 'G' }] }],
    ['R-OKTA-03 password is never stored', { password: 't1meMa$heen' }],
    ['password of the wrong type is ignored too', { password: 42 }],
  ])('%s → attribute absent', (_t, extra) => {
    expect(create(u(extra))).toEqual({ schemas: [USER_SCHEMA], userName: 'bjensen' });
  });

  it('R-GEN-09 drops null elements inside lists but keeps the rest', () => {
    expect(create(u({ emails: [null, { value: 'a@x' }] }))['emails']).toEqual([{ value: 'a@x' }]);
  });
});

describe('normalizeForWrite: types', () => {
  it.each<[string, JsonValue, boolean]>([
    ['R-GEN-10 accepts "True" as boolean true', 'True', true],
    ['R-GEN-10 accepts "False" as boolean false', 'False', false],
    ['R-GEN-10 accepts "false" as boolean false', 'false', false],
    ['R-GEN-10 accepts "TRUE" as boolean true', 'TRUE', true],
    ['R-GEN-10 accepts JSON false', false, false],
  ])('%s', (_t, raw, expected) => {
    expect(create(u({ active: raw }))['active']).toBe(expected);
  });

  it('R-GEN-10 coerces primary inside emails', () => {
    expect(create(u({ emails: [{ value: 'a@x', primary: 'True' }] }))['emails']).toEqual([{ value: 'a@x', primary: true }]);
  });

  it('R-GEN-11 stores strings exactly as sent', () => {
    const doc = create({ userName: '  BJensen@Example.COM ', phoneNumbers: [{ value: '55555555555', type: 'work' }] });
    expect(doc['userName']).toBe('  BJensen@Example.COM ');
    expect(doc['phoneNumbers']).toEqual([{ value: '55555555555', type: 'work' }]);
  });

  it('R-ENTRA-23 stores a JSON-encoded role value verbatim and does not enforce canonicalValues', () => {
    const value = '{"id":"06b07648-ecfe-589f-9d2f-6f9a2a6ee2b1","value":"Admin","displayName":"Admin"}';
    expect(create(u({ roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value }] }))['roles']).toEqual([
      { value, type: 'WindowsAzureActiveDirectoryRole', primary: true },
    ]);
  });

  it('§2.4 wraps a lone value for a multi-valued attribute into a list', () => {
    expect(create(u({ emails: { value: 'a@x', type: 'work' } }))['emails']).toEqual([{ value: 'a@x', type: 'work' }]);
    expect(create(u({ emails: 'a@x' }))['emails']).toEqual([{ value: 'a@x' }]);
  });

  it('drops unknown and readOnly sub-attributes', () => {
    expect(create(u({ name: { givenName: 'B', nickname: 'x' }, emails: [{ value: 'a@x', verified: true }] }))).toMatchObject({
      name: { givenName: 'B' },
      emails: [{ value: 'a@x' }],
    });
  });

  it.each<[string, JsonObject, string, string]>([
    ['string given a number', { displayName: 5 }, 'SCIM_E_CODEC_006', 'displayName'],
    ['string given an object', { title: { a: 1 } }, 'SCIM_E_CODEC_006', 'title'],
    ['boolean given "yes"', { active: 'yes' }, 'SCIM_E_CODEC_008', 'active'],
    ['boolean given 1', { active: 1 }, 'SCIM_E_CODEC_008', 'active'],
    [
      'sub-attribute path in the detail',
      { emails: [{ value: 'a' }, { value: 'b', primary: 'maybe' }] },
      'SCIM_E_CODEC_008',
      'emails[1].primary',
    ],
    ['complex given a list of lists', { name: [[1]] }, 'SCIM_E_CODEC_005', 'name'],
    ['complex given a boolean without a value sub-attribute', { name: true }, 'SCIM_E_CODEC_005', 'name'],
    ['single-valued given two values', { displayName: ['a', 'b'] }, 'SCIM_E_CODEC_004', 'displayName'],
    ['extension given a string', { [ENT]: 'x' }, 'SCIM_E_CODEC_002', ENT],
    ['extension attribute path in the detail', { [ENT]: { manager: { value: 7 } } }, 'SCIM_E_CODEC_006', `${ENT}:manager.value`],
    ['reference given a number', { profileUrl: 3 }, 'SCIM_E_CODEC_006', 'profileUrl'],
  ])('rejects %s with invalidValue naming the path', (_t, extra, code, path) => {
    const e = thrown(() => create(u(extra)));
    expect({ status: e.status, scimType: e.scimType, code: e.code }).toEqual({ status: 400, scimType: 'invalidValue', code });
    expect(e.detail).toContain(`"${path}"`);
  });
});

describe('normalizeForWrite: required, limits, syntax', () => {
  it.each<[string, unknown]>([
    ['array', [1]],
    ['string', '{"userName":"x"}'],
    ['null', null],
    ['number', 3],
  ])('R-CORE-03 a %s body is invalidSyntax', (_t, body) => {
    const e = thrown(() => create(body));
    expect({ scimType: e.scimType, code: e.code }).toEqual({ scimType: 'invalidSyntax', code: 'SCIM_E_CODEC_001' });
  });

  it.each<[string, JsonObject]>([
    ['missing', {}],
    ['null', { userName: null }],
    ['empty', { userName: '' }],
  ])('R-CORE-13 userName %s → invalidValue naming userName', (_t, body) => {
    const e = thrown(() => create(body));
    expect({ scimType: e.scimType, code: e.code }).toEqual({ scimType: 'invalidValue', code: 'SCIM_E_CODEC_012' });
    expect(e.detail).toContain('"userName"');
  });

  it('R-CORE-13 Group displayName is required', () => {
    const e = thrown(() => createGroup({ members: [] }));
    expect({ scimType: e.scimType, code: e.code }).toEqual({ scimType: 'invalidValue', code: 'SCIM_E_CODEC_012' });
    expect(e.detail).toContain('"displayName"');
  });

  it('rejects a string longer than maxStringLength, counting code points', () => {
    const limits = { ...DEFAULT_SCIM_LIMITS, maxStringLength: 4 };
    expect(create({ userName: '😀😀😀😀' }, limits)['userName']).toBe('😀😀😀😀');
    const e = thrown(() => create({ userName: 'abcde' }, limits));
    expect({ scimType: e.scimType, code: e.code }).toEqual({ scimType: 'invalidValue', code: 'SCIM_E_CODEC_007' });
  });

  it('rejects more than maxMultiValues elements', () => {
    const limits = { ...DEFAULT_SCIM_LIMITS, maxMultiValues: 2 };
    const e = thrown(() => create(u({ emails: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] }), limits));
    expect({ scimType: e.scimType, code: e.code }).toEqual({ scimType: 'invalidValue', code: 'SCIM_E_CODEC_003' });
  });

  it('limits Group members by maxMembersPerRequest, not maxMultiValues', () => {
    const members = Array.from({ length: 5 }, (_, i) => ({ value: `u${i}` }));
    const limits = { ...DEFAULT_SCIM_LIMITS, maxMultiValues: 2, maxMembersPerRequest: 5 };
    expect(normalizeForWrite(groupRs, { displayName: 'g', members }, { mode: 'create', limits })['members']).toHaveLength(5);
    const e = thrown(() =>
      normalizeForWrite(groupRs, { displayName: 'g', members: [...members, { value: 'x' }] }, { mode: 'create', limits }),
    );
    expect(e.code).toBe('SCIM_E_CODEC_003');
  });
});

describe('normalizeForWrite: Group members', () => {
  it('R-ENTRA-28 Entra group create: ADSCIM schema ignored, no members', () => {
    expect(
      createGroup({
        schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'displayName',
        meta: { resourceType: 'Group' },
      }),
    ).toEqual({ schemas: [GROUP_SCHEMA], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName' });
  });

  it('R-OKTA-10 members: [] stores no members', () => {
    expect(createGroup({ displayName: 'Test SCIMv2', members: [] })).toEqual({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2' });
  });

  it('R-ENTRA-32 / R-CORE-22 normalises members ("$ref": null accepted, canonical order, duplicates collapsed)', () => {
    expect(
      createGroup({
        displayName: 'g',
        Members: [
          { $ref: null, value: 'u1' },
          { TYPE: 'Group', value: 'g2', display: 'Nested', $ref: 'https://x/Groups/g2', extra: 1 },
          { value: 'u1', display: 'dup' },
          'u3',
        ],
      })['members'],
    ).toEqual([{ value: 'u1' }, { value: 'g2', $ref: 'https://x/Groups/g2', display: 'Nested', type: 'Group' }, { value: 'u3' }]);
  });

  it('R-CORE-15 a scalar members value is one member', () => {
    expect(createGroup({ displayName: 'g', members: 'string id 1' })['members']).toEqual([{ value: 'string id 1' }]);
  });

  it('R-CORE-22 a member without value → invalidValue', () => {
    const e = thrown(() => createGroup({ displayName: 'g', members: [{ display: 'who?' }] }));
    expect({ scimType: e.scimType, code: e.code }).toEqual({ scimType: 'invalidValue', code: 'SCIM_E_CODEC_013' });
    expect(e.detail).toContain('"members[0].value"');
  });
});

describe('normalizeForWrite: primary (RFC 7643 §2.4, R-CORE-18)', () => {
  it('keeps the first primary: true and sets later ones to false', () => {
    expect(
      create(
        u({
          emails: [
            { value: 'a', primary: false },
            { value: 'b', primary: true },
            { value: 'c', primary: 'true' },
          ],
        }),
      )['emails'],
    ).toEqual([
      { value: 'a', primary: false },
      { value: 'b', primary: true },
      { value: 'c', primary: false },
    ]);
  });

  it('R-ENTRA-26 keeps two elements of the same type', () => {
    expect(
      create(
        u({
          emails: [
            { value: 'a', type: 'work' },
            { value: 'b', type: 'work' },
          ],
        }),
      )['emails'],
    ).toHaveLength(2);
  });
});

describe('normalizeForWrite: replace and immutable (RFC 7644 §3.5.1)', () => {
  const existing = createGroup({ displayName: 'g', members: [{ value: 'u1' }] });

  it('R-CORE-25 replace of readWrite attributes needs no existing value', () => {
    expect(
      normalizeForWrite(
        userRs,
        { userName: 'new' },
        { mode: 'replace', existing: create({ userName: 'old', title: 'T' }), limits: DEFAULT_SCIM_LIMITS },
      ),
    ).toEqual({
      schemas: [USER_SCHEMA],
      userName: 'new',
    });
  });

  it('R-OKTA-07 a PUT echoing id, meta and groups is accepted', () => {
    expect(
      normalizeForWrite(
        userRs,
        {
          id: 'abc',
          meta: { resourceType: 'User', created: 'x' },
          groups: [{ value: 'g' }],
          userName: 'u',
          emails: [{ value: 'a', display: 'A' }],
        },
        { mode: 'replace', existing: create({ userName: 'u' }), limits: DEFAULT_SCIM_LIMITS },
      ),
    ).toEqual({ schemas: [USER_SCHEMA], userName: 'u', emails: [{ value: 'a', display: 'A' }] });
  });

  it('members are rows: replacing them is not an immutable violation', () => {
    expect(
      normalizeForWrite(
        groupRs,
        { displayName: 'g', members: [{ value: 'u2' }] },
        { mode: 'replace', existing, limits: DEFAULT_SCIM_LIMITS },
      )['members'],
    ).toEqual([{ value: 'u2' }]);
  });
});

describe('coerceBoolean', () => {
  it.each<[unknown, boolean | undefined]>([
    [true, true],
    [false, false],
    ['True', true],
    ['FALSE', false],
    [' true ', true],
    ['yes', undefined],
    [1, undefined],
    [null, undefined],
    ['', undefined],
  ])('%j → %j', (v, expected) => {
    expect(coerceBoolean(v)).toBe(expected);
  });
});

describe('ensureSinglePrimary', () => {
  const p = (v: string, primary?: boolean): JsonObject => (primary === undefined ? { v } : { v, primary });

  it('leaves lists with at most one primary unchanged', () => {
    const list = [p('a'), p('b', true), p('c', false)];
    expect(ensureSinglePrimary(list)).toEqual(list);
  });

  it('keeps the first primary by default', () => {
    expect(ensureSinglePrimary([p('a', true), p('b', true)])).toEqual([p('a', true), p('b', false)]);
  });

  it('R-CORE-18 keeps the preferred element when it is primary (a newly set primary wins)', () => {
    expect(ensureSinglePrimary([p('a', true), p('b', true), p('c', true)], 1)).toEqual([p('a', false), p('b', true), p('c', false)]);
    expect(ensureSinglePrimary([p('a', true), p('b')], 1)).toEqual([p('a', true), p('b')]);
  });

  it('does not mutate its input and passes non-objects through', () => {
    const a = p('a', true);
    const b = p('b', true);
    const out = ensureSinglePrimary([a, 'x', b]);
    expect(out).toEqual([a, 'x', p('b', false)]);
    expect(b['primary']).toBe(true);
  });
});

// Our RFC schemas have no immutable top-level attribute and no integer/decimal/dateTime
// writable attribute; a synthetic resource type exercises those generic rules.
describe('normalizeForWrite: generic rules on a synthetic schema', () => {
  const synthetic: ResourceSchema = {
    ...userRs,
    core: {
      id: 'urn:example:Badge',
      name: 'Badge',
      description: 'test',
      attributes: [
        str('label', 'l', { required: true }),
        str('serial', 's', { mutability: 'immutable' }),
        complex('card', 'c', [str('number', 'n', { mutability: 'immutable' }), str('note', 'n')]),
        base('count', 'integer'),
        base('ratio', 'decimal'),
        dateTime('issued', 'i'),
      ],
    },
    extensions: [],
    derivedAttributes: [],
  };
  const put = (input: JsonObject, existing?: JsonObject): JsonObject =>
    normalizeForWrite(synthetic, input, { mode: 'replace', limits: DEFAULT_SCIM_LIMITS, ...(existing ? { existing } : {}) });

  it('immutable: equal value is accepted; omitted keeps the stored value; unset may be set', () => {
    const stored = { schemas: ['urn:example:Badge'], label: 'a', serial: 'S1', card: { number: 'N1', note: 'x' } };
    expect(put({ label: 'b', serial: 'S1' }, stored)).toEqual({
      schemas: ['urn:example:Badge'],
      label: 'b',
      serial: 'S1',
      card: { number: 'N1' },
    });
    expect(put({ label: 'b' }, { label: 'a' })).toEqual({ schemas: ['urn:example:Badge'], label: 'b' });
    expect(put({ label: 'b', serial: 'S9' }, { label: 'a' })['serial']).toBe('S9');
  });

  it.each<[string, JsonObject, string]>([
    ['top-level', { label: 'b', serial: 'S2' }, 'serial'],
    ['sub-attribute of a single complex', { label: 'b', card: { number: 'N2' } }, 'card.number'],
  ])('immutable %s changed on replace → mutability', (_t, input, path) => {
    const e = thrown(() => put(input, { label: 'a', serial: 'S1', card: { number: 'N1' } }));
    expect({ status: e.status, scimType: e.scimType, code: e.code }).toEqual({
      status: 400,
      scimType: 'mutability',
      code: 'SCIM_E_CODEC_014',
    });
    expect(e.detail).toContain(`"${path}"`);
  });

  it('create ignores `existing`', () => {
    const doc = normalizeForWrite(
      synthetic,
      { label: 'b', serial: 'S2' },
      { mode: 'create', existing: { serial: 'S1' }, limits: DEFAULT_SCIM_LIMITS },
    );
    expect(doc['serial']).toBe('S2');
  });

  it.each<[string, JsonObject, string]>([
    ['integer given 1.5', { count: 1.5 }, 'SCIM_E_CODEC_009'],
    ['integer given "2"', { count: '2' }, 'SCIM_E_CODEC_009'],
    ['decimal given "0.5"', { ratio: '0.5' }, 'SCIM_E_CODEC_010'],
    ['dateTime given a date only', { issued: '2015-10-10' }, 'SCIM_E_CODEC_011'],
    ['dateTime given Feb 30', { issued: '2015-02-30T00:00:00Z' }, 'SCIM_E_CODEC_011'],
    ['dateTime given hour 25', { issued: '2015-02-03T25:00:00Z' }, 'SCIM_E_CODEC_011'],
    ['dateTime given a number', { issued: 1444488000 }, 'SCIM_E_CODEC_011'],
  ])('rejects %s', (_t, extra, code) => {
    const e = thrown(() => put({ label: 'a', ...extra }));
    expect({ scimType: e.scimType, code: e.code }).toEqual({ scimType: 'invalidValue', code });
  });

  it('accepts integers, decimals and xsd:dateTime (stored as sent)', () => {
    const doc = put({ label: 'a', count: 3, ratio: 0.25, issued: '2015-10-10T14:38:21.8617979-07:00' });
    expect(doc).toMatchObject({ count: 3, ratio: 0.25, issued: '2015-10-10T14:38:21.8617979-07:00' });
    expect(put({ label: 'a', issued: '2016-02-29T24:00:00Z' })['issued']).toBe('2016-02-29T24:00:00Z');
  });
});
