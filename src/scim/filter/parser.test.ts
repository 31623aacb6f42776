import { describe, expect, it } from 'vitest';
import { isScimError, type ScimError } from '../errors.js';
import type { FilterValue } from './ast.js';
import { DEFAULT_FILTER_LIMITS, parseAttrPath, parseFilter, parsePatchPath, type FilterLimits } from './parser.js';
import { stripOffsets } from './strip-offsets.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// Expected shapes, without offsets.
const ap = (name: string, sub?: string, urn?: string) => ({ kind: 'AttrPath', urn, name, sub });
const path = (text: string) => {
  const [name = '', sub] = text.split('.');
  return ap(name, sub);
};
const cmp = (p: string | ReturnType<typeof ap>, op: string, value: FilterValue) => ({
  kind: 'AttrExpression',
  path: typeof p === 'string' ? path(p) : p,
  op,
  value,
});
const pr = (p: string | ReturnType<typeof ap>) => ({ kind: 'Present', path: typeof p === 'string' ? path(p) : p });
const and = (left: object, right: object) => ({ kind: 'Logical', op: 'and', left, right });
const or = (left: object, right: object) => ({ kind: 'Logical', op: 'or', left, right });
const not = (filter: object) => ({ kind: 'Not', filter });
const vp = (p: string, filter: object) => ({ kind: 'ValuePath', path: path(p), filter });

/** The ScimError thrown by `fn`, or a failed expectation. */
function caught(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (isScimError(e)) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  it.each<[string, object]>([
    ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
    [`name.familyName co "O'Malley"`, cmp('name.familyName', 'co', "O'Malley")],
    ['userName sw "J"', cmp('userName', 'sw', 'J')],
    [`${CORE_USER}:userName sw "J"`, cmp(ap('userName', undefined, CORE_USER), 'sw', 'J')],
    ['title pr', pr('title')],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'le', '2011-05-13T04:42:34Z')],
    ['title pr and userType eq "Employee"', and(pr('title'), cmp('userType', 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr('title'), cmp('userType', 'eq', 'Intern'))],
    [`schemas eq "${ENTERPRISE}"`, cmp('schemas', 'eq', ENTERPRISE)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(
        cmp('userType', 'eq', 'Employee'),
        or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')),
      ),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(
        cmp('userType', 'ne', 'Employee'),
        not(or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'))),
      ),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(cmp('userType', 'eq', 'Employee'), cmp('emails.type', 'eq', 'work')),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(
        cmp('userType', 'eq', 'Employee'),
        vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
      ),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
        vp('ims', and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com'))),
      ),
    ],
  ])('%s', (text, expected) => {
    expect(stripOffsets(parseFilter(text))).toEqual(expected);
  });
});

describe('parseFilter: client dialects (Entra, Okta, MS Postman suite)', () => {
  it.each<[string, object]>([
    ['name.FamilyName eq "x"', cmp(ap('name', 'FamilyName'), 'eq', 'x')],
    ['emails.Value co "@"', cmp(ap('emails', 'Value'), 'co', '@')],
    [
      'meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
      cmp(ap('meta', 'Created'), 'gt', '2015-10-10T14:38:21.8617979-07:00'),
    ],
    ['userName eq "a" and not (emails co "x")', and(cmp('userName', 'eq', 'a'), not(cmp('emails', 'co', 'x')))],
    ['id eq "x" and manager eq "y"', and(cmp('id', 'eq', 'x'), cmp('manager', 'eq', 'y'))],
    ['userName Eq "Bjensen"', cmp('userName', 'eq', 'Bjensen')],
    ['emails[type eq "work"].value eq "x@y"', vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x@y')))],
    ['emails[type eq "work"].value pr', vp('emails', and(cmp('type', 'eq', 'work'), pr('value')))],
    [
      'emails[type eq "work" or type eq "home"].value co "@x"',
      vp('emails', and(or(cmp('type', 'eq', 'work'), cmp('type', 'eq', 'home')), cmp('value', 'co', '@x'))),
    ],
    ['userName eq "a\\"b"', cmp('userName', 'eq', 'a"b')],
    ['externalId eq jyoung', cmp('externalId', 'eq', 'jyoung')],
    ['(externalId eq jyoung)', cmp('externalId', 'eq', 'jyoung')],
    ['emails[value eq a@b.c]', vp('emails', cmp('value', 'eq', 'a@b.c'))],
    ['displayName eq O"Brien', cmp('displayName', 'eq', 'O"Brien')],
    [`${ENTERPRISE}:department eq "Sales"`, cmp(ap('department', undefined, ENTERPRISE), 'eq', 'Sales')],
    [`${ENTERPRISE}:manager.value eq "2819c223"`, cmp(ap('manager', 'value', ENTERPRISE), 'eq', '2819c223')],
    [`${ENTERPRISE.toUpperCase()}:Department pr`, pr(ap('Department', undefined, ENTERPRISE.toUpperCase()))],
  ])('%s', (text, expected) => {
    expect(stripOffsets(parseFilter(text))).toEqual(expected);
  });
});

describe('parseFilter: precedence, case and whitespace', () => {
  it.each<[string, object]>([
    ['a pr or b pr and c pr', or(pr('a'), and(pr('b'), pr('c')))],
    ['a pr and b pr or c pr', or(and(pr('a'), pr('b')), pr('c'))],
    ['a pr and b pr and c pr', and(and(pr('a'), pr('b')), pr('c'))],
    ['a pr or b pr or c pr', or(or(pr('a'), pr('b')), pr('c'))],
    ['a pr or (b pr or c pr)', or(pr('a'), or(pr('b'), pr('c')))],
    ['(a pr or b pr) and c pr', and(or(pr('a'), pr('b')), pr('c'))],
    ['not (a pr) and b pr', and(not(pr('a')), pr('b'))],
    ['not (a pr or b pr) or c pr', or(not(or(pr('a'), pr('b'))), pr('c'))],
    ['((a pr))', pr('a')],
    ['USERNAME EQ "x" AND Title PR OR NOT (a Pr)', or(and(cmp('USERNAME', 'eq', 'x'), pr('Title')), not(pr('a')))],
    [
      'a NE 1 and b CO "x" and c SW "y" and d EW "z"',
      and(and(and(cmp('a', 'ne', 1), cmp('b', 'co', 'x')), cmp('c', 'sw', 'y')), cmp('d', 'ew', 'z')),
    ],
    [
      'a GT 1 or b Ge 2 or c lT 3 or d le 4',
      or(or(or(cmp('a', 'gt', 1), cmp('b', 'ge', 2)), cmp('c', 'lt', 3)), cmp('d', 'le', 4)),
    ],
    ['  userName   eq\t"x"  ', cmp('userName', 'eq', 'x')],
    ['(a pr)and(b pr)', and(pr('a'), pr('b'))],
    ['not(a pr)', not(pr('a'))],
    ['a eq "x"or b pr', or(cmp('a', 'eq', 'x'), pr('b'))],
    // Keywords are only keywords in keyword position; attributes may carry those names.
    ['not eq "x"', cmp('not', 'eq', 'x')],
    ['and pr and or pr', and(pr('and'), pr('or'))],
    ['pr pr', pr('pr')],
    ['not[eq pr]', vp('not', pr('eq'))],
    ['members.$ref pr', pr(ap('members', '$ref'))],
    ['members[$ref co "/Users/"]', vp('members', cmp('$ref', 'co', '/Users/'))],
    [
      'emails[(type eq "work" or type eq "home") and not (primary eq false)]',
      vp('emails', and(or(cmp('type', 'eq', 'work'), cmp('type', 'eq', 'home')), not(cmp('primary', 'eq', false)))),
    ],
  ])('%s', (text, expected) => {
    expect(stripOffsets(parseFilter(text))).toEqual(expected);
  });
});

describe('parseFilter: literals', () => {
  it.each<[string, FilterValue]>([
    ['true', true],
    ['FALSE', false],
    ['Null', null],
    ['42', 42],
    ['-1.5', -1.5],
    ['1e3', 1000],
    ['-0', -0],
    ['2.5E-3', 0.0025],
    ['"true"', 'true'],
    ['"42"', '42'],
    ['""', ''],
    // Bare tokens that are not JSON literals become strings (R-ENTRA-7 tolerance).
    ['007', '007'],
    ['+1', '+1'],
    ['1.', '1.'],
    ['.5', '.5'],
    ['jyoung', 'jyoung'],
    ['truely', 'truely'],
    ['2015-10-10T14:38:21Z', '2015-10-10T14:38:21Z'],
    ['"\\u00e9\\\\\\/\\n\\t\\b\\f\\r\\""', 'é\\/\n\t\b\f\r"'],
    ['"\\uD83D\\uDE00"', '😀'],
    ['"😀 ü"', '😀 ü'],
  ])('a eq %s', (literal, expected) => {
    const ast = parseFilter(`a eq ${literal}`);
    expect(ast.kind === 'AttrExpression' && ast.value).toEqual(expected);
    if (typeof expected === 'number')
      expect(Object.is(ast.kind === 'AttrExpression' && ast.value, expected)).toBe(true);
  });
});

describe('parseFilter: offsets', () => {
  it('records where each node starts', () => {
    const ast = parseFilter('userName eq "x" and emails[type eq "work"].value pr');
    expect(ast).toMatchObject({
      kind: 'Logical',
      offset: 0,
      left: { offset: 0, path: { offset: 0 } },
      right: {
        kind: 'ValuePath',
        offset: 20,
        path: { offset: 20 },
        filter: {
          kind: 'Logical',
          offset: 27,
          left: { offset: 27 },
          right: { kind: 'Present', offset: 43, path: { offset: 43 } },
        },
      },
    });
  });

  it('points Not at the keyword', () => {
    expect(parseFilter('a pr and  not (b pr)')).toMatchObject({
      right: { kind: 'Not', offset: 10, filter: { offset: 15 } },
    });
  });
});

/** Test titles for rows whose input is too long to print. */
const titled = <T extends [string, ...unknown[]]>(rows: T[]): [string, ...T][] =>
  rows.map((row) => [
    JSON.stringify(row[0].length > 60 ? `${row[0].slice(0, 40)}… (${row[0].length} chars)` : row[0]),
    ...row,
  ]);

const long = (n: number) => Array.from({ length: n }, (_, i) => `a${i} pr`).join(' and ');

describe('parseFilter: errors', () => {
  it.each(
    titled<[string, string, string, number]>([
      ['', 'invalidFilter', 'SCIM_E_FILTER_010', 0],
      [' \t ', 'invalidFilter', 'SCIM_E_FILTER_010', 0],
      ['userName eq "abc', 'invalidFilter', 'SCIM_E_FILTER_001', 12],
      ['userName eq "a\\qb"', 'invalidFilter', 'SCIM_E_FILTER_002', 14],
      ['userName eq "\\u12G4"', 'invalidFilter', 'SCIM_E_FILTER_003', 13],
      ['userName eq "a\tb"', 'invalidFilter', 'SCIM_E_FILTER_004', 14],
      ['userName eq "a\\', 'invalidFilter', 'SCIM_E_FILTER_005', 14],
      ['userName eqq "x"', 'invalidFilter', 'SCIM_E_FILTER_015', 9],
      ['userName = "x"', 'invalidFilter', 'SCIM_E_FILTER_015', 9],
      ['userName and b pr', 'invalidFilter', 'SCIM_E_FILTER_015', 9],
      ['userName ]', 'invalidFilter', 'SCIM_E_FILTER_016', 9],
      ['userName', 'invalidFilter', 'SCIM_E_FILTER_016', 8],
      ['userName "x"', 'invalidFilter', 'SCIM_E_FILTER_016', 9],
      ['userName eq', 'invalidFilter', 'SCIM_E_FILTER_017', 11],
      ['userName eq )', 'invalidFilter', 'SCIM_E_FILTER_017', 12],
      ['(userName eq )', 'invalidFilter', 'SCIM_E_FILTER_017', 13],
      ['userName eq [', 'invalidFilter', 'SCIM_E_FILTER_017', 12],
      ['title pr "x"', 'invalidFilter', 'SCIM_E_FILTER_018', 9],
      ['title pr 5', 'invalidFilter', 'SCIM_E_FILTER_018', 9],
      ['(userName eq "x"', 'invalidFilter', 'SCIM_E_FILTER_019', 16],
      ['not (a pr b pr)', 'invalidFilter', 'SCIM_E_FILTER_018', 10],
      ['not (a pr', 'invalidFilter', 'SCIM_E_FILTER_019', 9],
      ['emails[type eq "work"', 'invalidFilter', 'SCIM_E_FILTER_020', 21],
      ['emails[type eq "work")', 'invalidFilter', 'SCIM_E_FILTER_020', 21],
      ['userName eq "x" foo', 'invalidFilter', 'SCIM_E_FILTER_021', 16],
      ['userName eq "x")', 'invalidFilter', 'SCIM_E_FILTER_021', 15],
      ['userName eq "x" "y"', 'invalidFilter', 'SCIM_E_FILTER_021', 16],
      ['emails[type eq "work"] .value eq "x"', 'invalidFilter', 'SCIM_E_FILTER_021', 23],
      ['emails[type eq "work" and value[x pr]]', 'invalidFilter', 'SCIM_E_FILTER_022', 31],
      ['name.givenName[x pr]', 'invalidFilter', 'SCIM_E_FILTER_023', 14],
      ['emails [type eq "work"]', 'invalidFilter', 'SCIM_E_FILTER_027', 7],
      ['not userName eq "x"', 'invalidFilter', 'SCIM_E_FILTER_028', 4],
      ['a eq 1e999', 'invalidFilter', 'SCIM_E_FILTER_024', 5],
      ['and pr and', 'invalidFilter', 'SCIM_E_FILTER_014', 10],
      ['a pr or', 'invalidFilter', 'SCIM_E_FILTER_014', 7],
      [') pr', 'invalidFilter', 'SCIM_E_FILTER_014', 0],
      ['"userName" eq "x"', 'invalidFilter', 'SCIM_E_FILTER_014', 0],
      ['emails[]', 'invalidFilter', 'SCIM_E_FILTER_014', 7],
      ['()', 'invalidFilter', 'SCIM_E_FILTER_014', 1],
      ['not ()', 'invalidFilter', 'SCIM_E_FILTER_014', 5],
      ['emails[type eq "work"].value', 'invalidFilter', 'SCIM_E_FILTER_016', 28],
      ['emails[type eq "work"].value eqq 1', 'invalidFilter', 'SCIM_E_FILTER_015', 29],
      ['user$name eq "x"', 'invalidFilter', 'SCIM_E_PATH_001', 4],
      ['emails[type eq "work"].value.x eq 1', 'invalidFilter', 'SCIM_E_PATH_001', 28],
      ['name. eq "x"', 'invalidFilter', 'SCIM_E_PATH_002', 5],
      ['emails[type eq "work"]. eq 1', 'invalidFilter', 'SCIM_E_PATH_002', 23],
      [`${ENTERPRISE}: eq "x"`, 'invalidFilter', 'SCIM_E_PATH_002', ENTERPRISE.length + 1],
      ['name.given.x eq "x"', 'invalidFilter', 'SCIM_E_PATH_003', 10],
      ['foo:bar eq "x"', 'invalidFilter', 'SCIM_E_PATH_004', 0],
      ['urn:userName eq "x"', 'invalidFilter', 'SCIM_E_PATH_004', 0],
      ['1abc eq "x"', 'invalidFilter', 'SCIM_E_PATH_005', 0],
      ['.value eq "x"', 'invalidFilter', 'SCIM_E_PATH_002', 0],
      ['urn::x:y eq 1', 'invalidFilter', 'SCIM_E_PATH_006', 3],
      ['urn:a\\b:y eq 1', 'invalidFilter', 'SCIM_E_PATH_006', 5],
      ['a'.repeat(4097), 'invalidFilter', 'SCIM_E_FILTER_011', 4096],
      [`${'('.repeat(33)}a pr${')'.repeat(33)}`, 'invalidFilter', 'SCIM_E_FILTER_012', 32],
      [long(101), 'tooMany', 'SCIM_E_FILTER_013', long(100).length + 5],
    ]),
  )('%s', (_title, text, scimType, code, position) => {
    const error = caught(() => parseFilter(text));
    expect({ status: error.status, scimType: error.scimType, code: error.code, position: error.position }).toEqual({
      status: 400,
      scimType,
      code,
      position,
    });
    // Syntax errors name the position in the text too; empty/too-long input has no token to show.
    if (code !== 'SCIM_E_FILTER_010' && code !== 'SCIM_E_FILTER_011')
      expect(error.detail).toContain(`position ${position}`);
  });

  it('names the offending token and what was expected', () => {
    expect(caught(() => parseFilter('emails[type eq "work"]] pr')).detail).toBe(
      'Unexpected "]" at position 22; expected "and", "or" or end of filter',
    );
    expect(caught(() => parseFilter('userName ]')).detail).toBe(
      'Unexpected "]" at position 9; expected a comparison operator',
    );
    expect(caught(() => parseFilter('userName eq')).detail).toBe(
      'Unexpected end of filter at position 11; expected a value',
    );
    expect(caught(() => parseFilter('userName eqq "x"')).detail).toMatch(
      /^Unknown operator "eqq" at position 9; expected/,
    );
  });

  it('accepts exactly the default limits', () => {
    expect(DEFAULT_FILTER_LIMITS).toEqual({ maxLength: 4096, maxDepth: 32, maxClauses: 100 });
    expect(() => parseFilter(`${'('.repeat(32)}a pr${')'.repeat(32)}`)).not.toThrow();
    expect(() => parseFilter(long(100))).not.toThrow();
    expect(() => parseFilter(`a eq "${'x'.repeat(4096 - 7)}"`)).not.toThrow();
  });

  it.each<[string, Partial<FilterLimits>, string, string, number]>([
    ['a pr and b pr', { maxClauses: 1 }, 'tooMany', 'SCIM_E_FILTER_013', 9],
    ['not (a pr)', { maxDepth: 0 }, 'invalidFilter', 'SCIM_E_FILTER_012', 0],
    ['a[b pr]', { maxDepth: 0 }, 'invalidFilter', 'SCIM_E_FILTER_012', 1],
    ['not ((a pr))', { maxDepth: 1 }, 'invalidFilter', 'SCIM_E_FILTER_012', 5],
    ['not (((a pr)))', { maxDepth: 2 }, 'invalidFilter', 'SCIM_E_FILTER_012', 6],
    ['a pr', { maxLength: 3 }, 'invalidFilter', 'SCIM_E_FILTER_011', 3],
  ])('%j with limits %j', (text, limits, scimType, code, position) => {
    const error = caught(() => parseFilter(text, limits));
    expect([error.scimType, error.code, error.position]).toEqual([scimType, code, position]);
  });

  it.each([
    ['parentheses', '('.repeat(200_000)],
    ['not', 'not ('.repeat(200_000)],
    ['brackets', 'a['.repeat(200_000)],
    ['mixed', 'a[not (('.repeat(100_000)],
  ])('rejects hostile nesting (%s) without exhausting the stack', (_, text) => {
    const error = caught(() => parseFilter(text, { maxLength: Infinity }));
    expect(error.scimType).toBe('invalidFilter');
    expect(['SCIM_E_FILTER_012', 'SCIM_E_FILTER_022']).toContain(error.code);
  });

  it('caps maxDepth so a caller cannot opt into unbounded recursion', () => {
    const error = caught(() => parseFilter('('.repeat(100_000), { maxLength: Infinity, maxDepth: Infinity }));
    expect([error.code, error.position]).toEqual(['SCIM_E_FILTER_012', 256]);
  });

  it('parses long flat chains iteratively', () => {
    const text = long(10_000);
    const ast = parseFilter(text, { maxLength: Infinity, maxClauses: Infinity });
    expect(ast.kind).toBe('Logical');
  });
});

describe('parsePatchPath', () => {
  it.each<[string, object]>([
    ['members', { path: ap('members'), valueFilter: undefined, subAfterFilter: undefined }],
    ['name.givenName', { path: ap('name', 'givenName'), valueFilter: undefined, subAfterFilter: undefined }],
    [
      'emails[type eq "work"]',
      { path: ap('emails'), valueFilter: cmp('type', 'eq', 'work'), subAfterFilter: undefined },
    ],
    [
      'emails[type eq "work"].value',
      { path: ap('emails'), valueFilter: cmp('type', 'eq', 'work'), subAfterFilter: 'value' },
    ],
    [
      'members[value eq "2819c223"]',
      { path: ap('members'), valueFilter: cmp('value', 'eq', '2819c223'), subAfterFilter: undefined },
    ],
    [
      `${ENTERPRISE}:manager`,
      { path: ap('manager', undefined, ENTERPRISE), valueFilter: undefined, subAfterFilter: undefined },
    ],
    [
      `${ENTERPRISE}:manager.value`,
      { path: ap('manager', 'value', ENTERPRISE), valueFilter: undefined, subAfterFilter: undefined },
    ],
    [
      `${CORE_USER}:emails[primary eq true].display`,
      { path: ap('emails', undefined, CORE_USER), valueFilter: cmp('primary', 'eq', true), subAfterFilter: 'display' },
    ],
    [
      'addresses[type eq "work" and primary eq true].streetAddress',
      {
        path: ap('addresses'),
        valueFilter: and(cmp('type', 'eq', 'work'), cmp('primary', 'eq', true)),
        subAfterFilter: 'streetAddress',
      },
    ],
    ['  members \n', { path: ap('members'), valueFilter: undefined, subAfterFilter: undefined }],
    ['Members[Value EQ "x"]', { path: ap('Members'), valueFilter: cmp('Value', 'eq', 'x'), subAfterFilter: undefined }],
  ])('%s', (text, expected) => {
    expect(stripOffsets(parsePatchPath(text))).toEqual({ kind: 'PatchPath', ...expected });
  });

  it('keeps offsets relative to the untrimmed text', () => {
    expect(parsePatchPath('  emails[type eq "work"]')).toMatchObject({
      offset: 2,
      path: { offset: 2 },
      valueFilter: { offset: 9 },
    });
  });

  it.each(
    titled<[string, string, number]>([
      ['', 'SCIM_E_PATH_010', 0],
      ['   ', 'SCIM_E_PATH_010', 0],
      ['[type eq "x"]', 'SCIM_E_PATH_013', 0],
      ['members extra', 'SCIM_E_PATH_011', 8],
      ['members eq "x"', 'SCIM_E_PATH_011', 8],
      ['emails[type eq "work"] .value', 'SCIM_E_PATH_011', 23],
      ['emails[type eq "work"]value', 'SCIM_E_PATH_011', 22],
      ['name.', 'SCIM_E_PATH_002', 5],
      ['a.b.c', 'SCIM_E_PATH_003', 3],
      ['emails[type eq "work"].value.display', 'SCIM_E_PATH_001', 28],
      ['emails[type eq "work"', 'SCIM_E_FILTER_020', 21],
      ['emails[type eqq "work"]', 'SCIM_E_FILTER_015', 12],
      ['emails[type eq "wo', 'SCIM_E_FILTER_001', 15],
      ['emails[value[x pr]]', 'SCIM_E_FILTER_022', 12],
      ['name.givenName[x pr]', 'SCIM_E_FILTER_023', 14],
      ['emails [type eq "work"]', 'SCIM_E_FILTER_027', 7],
      ['x'.repeat(4097), 'SCIM_E_PATH_014', 4096],
    ]),
  )('%s → invalidPath', (_title, text, code, position) => {
    const error = caught(() => parsePatchPath(text));
    expect([error.status, error.scimType, error.code, error.position]).toEqual([400, 'invalidPath', code, position]);
  });
});

describe('parseAttrPath', () => {
  it.each<[string, object]>([
    ['userName', ap('userName')],
    [' name.givenName ', ap('name', 'givenName')],
    [`${ENTERPRISE}:department`, ap('department', undefined, ENTERPRISE)],
    [`${ENTERPRISE}:manager.displayName`, ap('manager', 'displayName', ENTERPRISE)],
    ['members.$ref', ap('members', '$ref')],
    ['meta.lastModified', ap('meta', 'lastModified')],
  ])('%s', (text, expected) => {
    expect(stripOffsets(parseAttrPath(text))).toEqual(expected);
  });

  it.each<[string, string, number]>([
    ['', 'SCIM_E_PATH_010', 0],
    ['emails[type eq "x"]', 'SCIM_E_PATH_012', 6],
    ['a b', 'SCIM_E_PATH_018', 2],
    ['(a)', 'SCIM_E_PATH_017', 0],
    ['a.b.c', 'SCIM_E_PATH_003', 3],
    ['a,b', 'SCIM_E_PATH_001', 1],
  ])('%j → invalidPath', (text, code, position) => {
    const error = caught(() => parseAttrPath(text));
    expect([error.scimType, error.code, error.position]).toEqual(['invalidPath', code, position]);
  });
});
