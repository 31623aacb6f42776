import { describe, expect, it } from 'vitest';
import type { AttrPath } from './ast.js';
import { compareInstants, evaluateFilter, parseDateTime, type EvaluateOptions, type Instant } from './evaluate.js';
import { foldCase } from './fold-case.js';
import { parseFilter } from './parser.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** caseExact per RFC 7643 for the attributes used here: id-like values are exact. */
const EXACT = new Set(['id', 'externalid', 'members.value', 'emails.display']);
const key = (p: AttrPath): string => (p.sub === undefined ? p.name : `${p.name}.${p.sub}`).toLowerCase();
const asked: string[] = [];
const options: EvaluateOptions = {
  caseExact: (p) => {
    asked.push(key(p));
    return EXACT.has(key(p));
  },
};
const matches = (filter: string, target: unknown): boolean => evaluateFilter(parseFilter(filter), target, options);

const user = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: 'ABC-123',
  externalId: 'jyoung',
  userName: 'Bjensen',
  name: { familyName: "O'Malley", givenName: 'Barbara' },
  title: '',
  active: true,
  nickName: null,
  emails: [
    { type: 'work', value: 'bjensen@example.com', primary: true, display: 'Work' },
    { type: 'home', value: 'babs@jensen.org' },
  ],
  ims: [],
  phoneNumbers: [{}],
  x509Certificates: [{ value: '' }],
  addresses: [{ type: 'work', locality: 'Hollywood', postalCode: 91608 }],
  meta: { created: '2011-08-01T18:29:49.793Z', lastModified: '2015-10-10T14:38:21.8617979-07:00' },
  [ENTERPRISE]: {
    department: 'Tour Operations',
    costCenter: 4130,
    manager: { value: '26118915', displayName: 'John' },
  },
};

describe('evaluateFilter on a resource', () => {
  it.each<[string, boolean]>([
    ['userName eq "bjensen"', true],
    ['USERNAME Eq "BJENSEN"', true],
    ['userName ne "bjensen"', false],
    ['userName eq "bjensen2"', false],
    ['userName sw "bj"', true],
    ['userName ew "SEN"', true],
    ['userName co "JENS"', true],
    ['id eq "abc-123"', false],
    ['id eq "ABC-123"', true],
    ['externalId eq jyoung', true],
    ['name.familyName co "o\'malley"', true],
    ['Name.FamilyName eq "O\'Malley"', true],
    ['name.middleName pr', false],
    ['name pr', true],
    ['title pr', false],
    ['nickName pr', false],
    ['ims pr', false],
    ['phoneNumbers pr', false],
    ['x509Certificates pr', false],
    ['emails pr', true],
    ['title eq null', true],
    ['nickName eq null', true],
    ['missing eq null', true],
    ['userName eq null', false],
    ['userName ne null', true],
    ['missing ne null', false],
    ['missing eq "x"', false],
    ['missing ne "x"', true],
    ['missing gt "x"', false],
    ['active eq true', true],
    ['active eq false', false],
    ['active ne false', true],
    ['active gt false', false],
    ['active eq "true"', false],
    ['emails.type eq "home"', true],
    ['emails.type eq "other"', false],
    ['emails.type ne "work"', false],
    ['emails.type ne "other"', true],
    ['active ne "true"', true],
    ['emails co "example.com"', true],
    ['emails co "example.org"', false],
    ['emails.value co "jensen.org"', true],
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
    ['emails[type eq "work"].value eq "BJENSEN@example.com"', true],
    ['emails[type eq "work" and primary eq true]', true],
    ['emails[not (primary pr)]', true],
    ['emails[display eq "work"]', false],
    ['emails[display eq "Work"]', true],
    ['addresses[postalCode gt 90000]', true],
    ['addresses[postalCode lt 90000]', false],
    ['addresses.postalCode ge 91608', true],
    ['addresses.postalCode le 91607', false],
    ['addresses.postalCode eq "91608"', false],
    ['addresses.postalCode co "916"', false],
    ['meta.created gt "2011-01-01T00:00:00Z"', true],
    ['meta.lastModified gt "2015-10-10T21:38:21Z"', true],
    ['meta.lastModified lt "2015-10-10T21:38:22Z"', true],
    ['meta.lastModified eq "2015-10-10T21:38:21.8617979Z"', true],
    ['meta.created eq "2011-08-01T20:29:49.793+02:00"', true],
    ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', false],
    ['meta.created le "2011-08-01T18:29:49.793Z"', true],
    ['userName gt "a"', true],
    ['userName gt "C"', false],
    ['userName lt "Bk"', true],
    [`${ENTERPRISE}:department eq "tour operations"`, true],
    [`${ENTERPRISE.toLowerCase()}:Department sw "Tour"`, true],
    [`${ENTERPRISE}:costCenter eq 4130`, true],
    [`${ENTERPRISE}:manager.value eq "26118915"`, true],
    [`${ENTERPRISE}:manager eq "26118915"`, true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B"', true],
    ['userName eq "bjensen" and not (emails co "zzz")', true],
    ['userName eq "bjensen" and not (emails co "x")', false],
    ['title pr or userName eq "bjensen"', true],
    ['title pr and userName eq "bjensen"', false],
    ['not (title pr) and (active eq false or userName pr)', true],
    ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter, user)).toBe(expected);
  });
});

describe('evaluateFilter on multi-valued elements (PATCH engine use)', () => {
  it.each<[string, unknown, boolean]>([
    ['type eq "work"', { type: 'work', value: 'a@b' }, true],
    ['type eq "WORK"', { type: 'work', value: 'a@b' }, true],
    ['Type eq "work"', { TYPE: 'work' }, true],
    ['value eq "2819c223"', { value: '2819c223', display: 'x' }, true],
    ['value eq "2819C223"', { value: '2819c223' }, true],
    ['type eq "work"', null, false],
    ['type eq "work"', 'work', false],
    ['type eq "work"', [{ type: 'work' }], false],
    ['primary eq true', { primary: true }, true],
    ['type pr', { value: 'x' }, false],
    ['type pr and value co "@"', { type: 'home', value: 'x@y' }, true],
  ])('%s on %j → %s', (filter, element, expected) => {
    expect(matches(filter, element)).toBe(expected);
  });

  it('applies value filters to complex values only', () => {
    expect(matches('members[value ne "x"]', { members: ['a', null, 3] })).toBe(false);
    expect(matches('members[value ne "x"]', { members: ['a', { value: 'b' }] })).toBe(true);
    expect(matches('members[value ne "x"]', { members: [{ display: 'no value' }] })).toBe(true);
    expect(matches('members[value pr]', { members: [] })).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(matches('constructor pr', {})).toBe(false);
    expect(matches('toString pr', { value: 'x' })).toBe(false);
  });
});

describe('caseExact', () => {
  it('asks about value-filter paths qualified by their parent', () => {
    asked.length = 0;
    matches('emails[type eq "work"] and members[value eq "x"]', {
      emails: [{ type: 'work' }],
      members: [{ value: 'x' }],
    });
    expect(asked).toEqual(['emails.type', 'members.value']);
  });

  it('asks about the value sub-attribute for a bare complex attribute', () => {
    asked.length = 0;
    matches('emails co "example"', user);
    expect(asked).toEqual(['emails.value']);
  });

  it('is only asked when two strings are compared', () => {
    asked.length = 0;
    matches('active eq true and addresses.postalCode gt 1 and missing eq "x"', user);
    expect(asked).toEqual([]);
  });

  it('respects caseExact=true for every string operator', () => {
    const exact: EvaluateOptions = { caseExact: () => true };
    const run = (f: string) => evaluateFilter(parseFilter(f), { s: 'AbC' }, exact);
    expect(['s eq "abc"', 's co "B"', 's sw "a"', 's ew "c"', 's gt "B"'].map(run)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['s eq "AbC"', 's co "b"', 's sw "A"', 's ew "C"', 's lt "a"'].map(run)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });
});

describe('foldCase', () => {
  it('folds NFC-normalized text with full Unicode lowercase', () => {
    expect(foldCase('ÉCOLE')).toBe('école');
    expect(foldCase('E\u0301cole')).toBe('école');
    expect(foldCase('ΣΊΣΥΦΟΣ')).toBe('σίσυφος');
    expect(foldCase('İ')).toBe('i̇');
    expect(foldCase('already')).toBe('already');
  });

  it('matches decomposed and composed forms in filters', () => {
    expect(matches('name.givenName eq "RENE\u0301E"', { name: { givenName: 'Renée' } })).toBe(true);
  });
});

describe('parseDateTime / compareInstants', () => {
  const seconds = (...args: [number, number, number, number, number, number]) => Date.UTC(...args) / 1000;
  it.each<[string, Instant | undefined]>([
    ['2011-05-13T04:42:34Z', { seconds: seconds(2011, 4, 13, 4, 42, 34), fraction: '' }],
    ['2011-05-13t04:42:34z', { seconds: seconds(2011, 4, 13, 4, 42, 34), fraction: '' }],
    ['2011-05-13T04:42:34', { seconds: seconds(2011, 4, 13, 4, 42, 34), fraction: '' }],
    ['2011-05-13T06:42:34.500+02:00', { seconds: seconds(2011, 4, 13, 4, 42, 34), fraction: '5' }],
    ['2015-10-10T14:38:21.8617979-07:00', { seconds: seconds(2015, 9, 10, 21, 38, 21), fraction: '8617979' }],
    ['2023-02-30T00:00:00Z', undefined],
    ['2023-13-01T00:00:00Z', undefined],
    ['2023-01-01T24:00:00Z', undefined],
    ['2023-01-01', undefined],
    ['bjensen', undefined],
  ])('%s', (text, expected) => {
    expect(parseDateTime(text)).toEqual(expected);
  });

  it('does not read years 0000-0099 as 19xx (the legacy Date.UTC rule)', () => {
    const instant = parseDateTime('0099-01-01T00:00:00Z');
    expect(new Date((instant?.seconds ?? 0) * 1000).getUTCFullYear()).toBe(99);
  });

  it('orders by the exact fraction, beyond double precision', () => {
    const a = parseDateTime('2015-10-10T14:38:21.8617979-07:00');
    const b = parseDateTime('2015-10-10T21:38:21.8617978Z');
    const c = parseDateTime('2015-10-10T21:38:21.86179790Z');
    if (a === undefined || b === undefined || c === undefined) throw new Error('unparsed');
    expect([compareInstants(a, b), compareInstants(b, a), compareInstants(a, c)]).toEqual([1, -1, 0]);
  });
});
