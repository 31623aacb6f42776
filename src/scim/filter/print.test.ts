import { describe, expect, it } from 'vitest';
import type { AttrPath, Filter } from './ast.js';
import { parseFilter, parsePatchPath } from './parser.js';
import { printFilter, printPatchPath, printValue } from './print.js';
import { stripOffsets } from './strip-offsets.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('printFilter', () => {
  it.each<[string, string]>([
    ['userName Eq "Bjensen"', 'userName eq "Bjensen"'],
    ['USERNAME EQ "x" AND Title PR OR NOT (a Pr)', 'USERNAME eq "x" and Title pr or not (a pr)'],
    ['((a pr))', 'a pr'],
    ['a pr or (b pr or c pr)', 'a pr or (b pr or c pr)'],
    ['(a pr or b pr) or c pr', 'a pr or b pr or c pr'],
    ['a pr and (b pr and c pr)', 'a pr and (b pr and c pr)'],
    ['(a pr and b pr) and c pr', 'a pr and b pr and c pr'],
    ['(a pr or b pr) and c pr', '(a pr or b pr) and c pr'],
    ['a pr and (b pr or c pr)', 'a pr and (b pr or c pr)'],
    ['(a pr and b pr) or c pr', 'a pr and b pr or c pr'],
    ['a pr or (b pr and c pr)', 'a pr or b pr and c pr'],
    ['not(a pr)', 'not (a pr)'],
    ['not (a pr and (b pr or c pr))', 'not (a pr and (b pr or c pr))'],
    ['externalId eq jyoung', 'externalId eq "jyoung"'],
    ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', 'meta.Created gt "2015-10-10T14:38:21.8617979-07:00"'],
    ['a eq TRUE or b ne False or c eq NULL', 'a eq true or b ne false or c eq null'],
    ['a eq 1.50', 'a eq 1.5'],
    ['a eq -0', 'a eq -0'],
    ['a eq 1e21', 'a eq 1e+21'],
    ['a eq 2.5E-7', 'a eq 2.5e-7'],
    ['userName eq "a\\"b"', 'userName eq "a\\"b"'],
    ['a eq "\\u00e9\\/"', 'a eq "é/"'],
    ['a eq "\\u0001\\ud800"', 'a eq "\\u0001\\ud800"'],
    ['emails[type eq "work"].value eq "x"', 'emails[type eq "work" and value eq "x"]'],
    [
      'emails[type eq "work" or type eq "home"].value co "@x"',
      'emails[(type eq "work" or type eq "home") and value co "@x"]',
    ],
    [`${ENTERPRISE}:manager.value eq "42"`, `${ENTERPRISE}:manager.value eq "42"`],
    ['members[$ref co "/Users/"]', 'members[$ref co "/Users/"]'],
    ['not eq "x" and and pr', 'not eq "x" and and pr'],
  ])('%s → %s', (text, canonical) => {
    const ast = parseFilter(text);
    const printed = printFilter(ast);
    expect(printed).toBe(canonical);
    expect(stripOffsets(parseFilter(printed))).toEqual(stripOffsets(ast));
  });

  it('parenthesizes hand-built trees the parser would associate differently', () => {
    const p = (name: string): AttrPath => ({ kind: 'AttrPath', urn: undefined, name, sub: undefined, offset: 0 });
    const leaf = (name: string): Filter => ({ kind: 'Present', path: p(name), offset: 0 });
    const node = (op: 'and' | 'or', left: Filter, right: Filter): Filter => ({
      kind: 'Logical',
      op,
      left,
      right,
      offset: 0,
    });
    const cases: Filter[] = [
      node('and', leaf('a'), node('and', leaf('b'), leaf('c'))),
      node('and', node('or', leaf('a'), leaf('b')), node('or', leaf('c'), leaf('d'))),
      node('or', node('and', leaf('a'), leaf('b')), node('or', leaf('c'), node('and', leaf('d'), leaf('e')))),
      { kind: 'Not', filter: node('or', leaf('a'), leaf('b')), offset: 0 },
    ];
    expect(cases.map(printFilter)).toEqual([
      'a pr and (b pr and c pr)',
      '(a pr or b pr) and (c pr or d pr)',
      'a pr and b pr or (c pr or d pr and e pr)',
      'not (a pr or b pr)',
    ]);
    for (const ast of cases) expect(stripOffsets(parseFilter(printFilter(ast)))).toEqual(stripOffsets(ast));
  });

  it('prints long chains without deep recursion', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `a${i} pr`).join(' or ');
    expect(printFilter(parseFilter(text, { maxLength: Infinity, maxClauses: Infinity }))).toBe(text);
  });
});

describe('printValue', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects %s', (n) => {
    expect(() => printValue(n)).toThrow(RangeError);
  });
});

describe('printPatchPath', () => {
  it.each<[string, string]>([
    ['members', 'members'],
    ['  name.givenName ', 'name.givenName'],
    ['emails[type eq "work"]', 'emails[type eq "work"]'],
    ['emails[TYPE EQ "work"].value', 'emails[TYPE eq "work"].value'],
    ['members[value eq "2819c223"]', 'members[value eq "2819c223"]'],
    [`${ENTERPRISE}:manager`, `${ENTERPRISE}:manager`],
    [`${ENTERPRISE}:manager.value`, `${ENTERPRISE}:manager.value`],
    [
      'addresses[(type eq "work" or type eq "home") and primary eq true].streetAddress',
      'addresses[(type eq "work" or type eq "home") and primary eq true].streetAddress',
    ],
  ])('%s → %s', (text, canonical) => {
    const ast = parsePatchPath(text);
    expect(printPatchPath(ast)).toBe(canonical);
    expect(stripOffsets(parsePatchPath(printPatchPath(ast)))).toEqual(stripOffsets(ast));
  });
});
