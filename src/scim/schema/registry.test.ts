import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttrPath } from '../filter/ast.js';
import {
  allResourceTypes,
  allSchemas,
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  findExtension,
  findSchema,
  findSubAttribute,
  getResourceSchema,
  GROUP_SCHEMA,
  resolveAttrPath,
  USER_SCHEMA,
} from './registry.js';
import type { AttributeDef } from './types.js';

const user = getResourceSchema('User');
const group = getResourceSchema('Group');
const path = (name: string, sub?: string, urn?: string): AttrPath => ({ kind: 'AttrPath', urn, name, sub, offset: 0 });
const resolved = (r: ReturnType<typeof resolveAttrPath>) =>
  r && { schema: r.schema, attr: r.attr.name, sub: r.sub?.name, isExtension: r.isExtension, isCommon: r.isCommon };

describe('registry lookups', () => {
  it('lists the three RFC 7643 resource schemas and two resource types', () => {
    expect(allSchemas().map((s) => s.id)).toEqual([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    expect(allResourceTypes().map((t) => [t.name, t.endpoint])).toEqual([
      ['User', '/Users'],
      ['Group', '/Groups'],
    ]);
  });

  it('findSchema is case-insensitive (R-CORE-10)', () => {
    expect(findSchema('URN:IETF:params:scim:schemas:extension:ENTERPRISE:2.0:user')?.id).toBe(ENTERPRISE_USER_SCHEMA);
    expect(findSchema('urn:ietf:params:scim:schemas:extension:enterprise:2.0User')).toBeUndefined();
  });

  it('findAttribute / findSubAttribute are case-insensitive (R-ENTRA-41)', () => {
    const addresses = findAttribute(user.core.attributes, 'ADDRESSES');
    expect(addresses?.name).toBe('addresses');
    expect(addresses && findSubAttribute(addresses, 'Formatted')?.name).toBe('formatted');
    expect(findSubAttribute(findAttribute(user.core.attributes, 'userName')!, 'x')).toBeUndefined();
  });

  it('keeps the RFC characteristics the codec, projection and filters rely on', () => {
    const a = (n: string) => findAttribute([...user.common, ...user.core.attributes], n)!;
    expect(a('userName')).toMatchObject({ required: true, caseExact: false, uniqueness: 'server' });
    expect(a('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(a('groups')).toMatchObject({ mutability: 'readOnly', multiValued: true });
    expect(a('externalId')).toMatchObject({ caseExact: true, mutability: 'readWrite' });
    expect(a('id')).toMatchObject({ caseExact: true, mutability: 'readOnly', returned: 'always' });
    const members = findAttribute(group.core.attributes, 'members')!;
    expect(findSubAttribute(members, 'value')).toMatchObject({ mutability: 'immutable', required: true });
    expect(findSubAttribute(members, 'type')?.canonicalValues).toEqual(['User', 'Group']);
    expect(findAttribute(group.core.attributes, 'displayName')).toMatchObject({ required: true });
    expect(group.membershipAttribute).toBe('members');
    expect(user.derivedAttributes).toEqual(['groups']);
  });

  // The lookups use precomputed maps; they must answer exactly as a linear case-insensitive scan.
  it('lookups equal a linear case-insensitive scan, for every attribute list of the registry', () => {
    const same = (a: string, b: string): boolean => a.length === b.length && a.toLowerCase() === b.toLowerCase();
    const lists: (readonly AttributeDef[])[] = [];
    const collect = (attrs: readonly AttributeDef[]): void => {
      lists.push(attrs);
      for (const a of attrs) if (a.subAttributes) collect(a.subAttributes);
    };
    collect(user.common);
    for (const s of allSchemas()) collect(s.attributes);
    const names = [...new Set([...lists.flat().map((a) => a.name), ...allSchemas().map((s) => s.id)])];
    const name = fc.oneof(
      fc
        .tuple(fc.constantFrom(...names), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }))
        .map(([n, flips]) => [...n].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join('')),
      fc.constantFrom('nic\u212AName', 'İd', 'bogus', '', 'members.value'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(name, (n) => {
        for (const attrs of lists) expect(findAttribute(attrs, n)).toBe(attrs.find((a) => same(a.name, n)));
        expect(findSchema(n)).toBe(allSchemas().find((s) => same(s.id, n)));
        for (const rs of [user, group]) expect(findExtension(rs, n)).toBe(rs.extensions.find((s) => same(s.id, n)));
      }),
      { numRuns: 500 },
    );
  });

  it('is frozen', () => {
    expect(Object.isFrozen(user.core.attributes[0])).toBe(true);
    expect(Object.isFrozen(group)).toBe(true);
  });
});

describe('resolveAttrPath', () => {
  it.each([
    [
      'bare core attribute',
      path('userName'),
      { schema: USER_SCHEMA, attr: 'userName', sub: undefined, isExtension: false, isCommon: false },
    ],
    [
      'R-CORE-10 any letter case',
      path('USERNAME'),
      { schema: USER_SCHEMA, attr: 'userName', sub: undefined, isExtension: false, isCommon: false },
    ],
    [
      'R-CORE-10 name.FamilyName',
      path('name', 'FamilyName'),
      { schema: USER_SCHEMA, attr: 'name', sub: 'familyName', isExtension: false, isCommon: false },
    ],
    [
      'R-ENTRA-41 emails.Value',
      path('emails', 'Value'),
      { schema: USER_SCHEMA, attr: 'emails', sub: 'value', isExtension: false, isCommon: false },
    ],
    ['common id', path('id'), { schema: USER_SCHEMA, attr: 'id', sub: undefined, isExtension: false, isCommon: true }],
    [
      'common externalId',
      path('externalid'),
      { schema: USER_SCHEMA, attr: 'externalId', sub: undefined, isExtension: false, isCommon: true },
    ],
    [
      'R-CORE-11 meta.lastModified',
      path('meta', 'lastModified'),
      { schema: USER_SCHEMA, attr: 'meta', sub: 'lastModified', isExtension: false, isCommon: true },
    ],
    [
      'R-CORE-10 meta.Created',
      path('meta', 'Created'),
      { schema: USER_SCHEMA, attr: 'meta', sub: 'created', isExtension: false, isCommon: true },
    ],
    [
      'core URN qualified',
      path('userName', undefined, USER_SCHEMA),
      { schema: USER_SCHEMA, attr: 'userName', sub: undefined, isExtension: false, isCommon: false },
    ],
    [
      'core URN qualifies a common attribute',
      path('externalId', undefined, USER_SCHEMA),
      { schema: USER_SCHEMA, attr: 'externalId', sub: undefined, isExtension: false, isCommon: true },
    ],
    [
      'R-ENTRA-17 extension URN',
      path('employeeNumber', undefined, ENTERPRISE_USER_SCHEMA),
      { schema: ENTERPRISE_USER_SCHEMA, attr: 'employeeNumber', sub: undefined, isExtension: true, isCommon: false },
    ],
    [
      'R-ENTRA-17 extension URN in other case',
      path('Department', undefined, ENTERPRISE_USER_SCHEMA.toUpperCase()),
      { schema: ENTERPRISE_USER_SCHEMA, attr: 'department', sub: undefined, isExtension: true, isCommon: false },
    ],
    [
      'extension complex sub',
      path('manager', 'value', ENTERPRISE_USER_SCHEMA),
      { schema: ENTERPRISE_USER_SCHEMA, attr: 'manager', sub: 'value', isExtension: true, isCommon: false },
    ],
    [
      'R-ENTRA-21 bare manager',
      path('manager'),
      { schema: ENTERPRISE_USER_SCHEMA, attr: 'manager', sub: undefined, isExtension: true, isCommon: false },
    ],
    [
      'bare department',
      path('department'),
      { schema: ENTERPRISE_USER_SCHEMA, attr: 'department', sub: undefined, isExtension: true, isCommon: false },
    ],
    [
      'bare employeeNumber',
      path('employeeNumber'),
      { schema: ENTERPRISE_USER_SCHEMA, attr: 'employeeNumber', sub: undefined, isExtension: true, isCommon: false },
    ],
  ])('User: %s', (_title, p, expected) => {
    expect(resolved(resolveAttrPath(user, p))).toEqual(expected);
  });

  it.each([
    ['unknown attribute', path('nope')],
    ['unknown sub-attribute', path('name', 'nope')],
    ['sub-attribute of a simple attribute', path('userName', 'x')],
    ['unknown URN', path('department', undefined, 'urn:example:Nope')],
    ['extension attribute under the core URN', path('department', undefined, USER_SCHEMA)],
    ['core attribute under the extension URN', path('userName', undefined, ENTERPRISE_USER_SCHEMA)],
  ])('User: %s → undefined', (_title, p) => {
    expect(resolveAttrPath(user, p)).toBeUndefined();
  });

  it('Group: members.value and displayName resolve; User attributes and the enterprise URN do not', () => {
    expect(resolved(resolveAttrPath(group, path('Members', 'Value')))).toMatchObject({
      schema: GROUP_SCHEMA,
      attr: 'members',
      sub: 'value',
    });
    expect(resolved(resolveAttrPath(group, path('displayName', undefined, GROUP_SCHEMA)))).toMatchObject({ attr: 'displayName' });
    expect(resolveAttrPath(group, path('userName'))).toBeUndefined();
    expect(resolveAttrPath(group, path('manager', undefined, ENTERPRISE_USER_SCHEMA))).toBeUndefined();
  });
});
