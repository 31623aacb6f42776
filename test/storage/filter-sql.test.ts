// One table of filters, executed as SQL on every configured dialect (SQLite always, PostgreSQL
// when WIGGLEDESK_TEST_PG_URL is set): the matched users must be exactly the expected ones.
// The same expectations are checked against the in-memory evaluator as an oracle.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, json } from '../support/test-app.js';

const PEOPLE = {
  ada: {
    userName: 'ada@contoso.example',
    externalId: 'ext-Ada',
    displayName: 'Ada Lovelace',
    title: 'Engineer',
    active: true,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [
      { type: 'work', value: 'ada@contoso.example', primary: true },
      { type: 'home', value: 'ada@home.example' },
    ],
    [ENTERPRISE]: { department: 'R&D', employeeNumber: '100', manager: { value: 'm-1' } },
  },
  grace: {
    userName: 'Grace.Hopper@contoso.example',
    externalId: 'ext-grace',
    displayName: 'Grace Hopper',
    title: 'Rear Admiral',
    active: false,
    name: { givenName: 'Grace', familyName: 'Hopper' },
    emails: [{ type: 'work', value: 'grace@navy.example' }],
    [ENTERPRISE]: { department: 'Navy' },
  },
  alan: {
    userName: 'alan_turing%@contoso.example',
    displayName: 'Alan Turing',
    active: true,
    name: { givenName: 'Alan', familyName: 'Turing' },
    emails: [{ type: 'other', value: 'ALAN@bletchley.example' }],
    phoneNumbers: [{ type: 'work', value: '+44 20 7946 0000' }],
  },
  oemer: {
    userName: 'ÖMER@contoso.example',
    displayName: 'Ömer Şahin',
    active: true,
    name: { givenName: 'Ömer', familyName: 'Şahin' },
  },
} as const;

type Name = keyof typeof PEOPLE;

const CASES: Array<[filter: string, expected: Name[]]> = [
  ['userName eq "ada@contoso.example"', ['ada']],
  ['userName eq "ADA@CONTOSO.EXAMPLE"', ['ada']], // R-OKTA-19 caseExact false
  ['UserName EQ "grace.hopper@contoso.example"', ['grace']], // R-CORE-10 names and operators
  ['userName eq "ömer@contoso.example"', ['oemer']], // Unicode folding, not ASCII only
  ['userName sw "a"', ['ada', 'alan']],
  ['userName co "%"', ['alan']], // LIKE metacharacters are literal
  ['userName co "_"', ['alan']],
  ['userName ew "@contoso.example"', ['ada', 'grace', 'alan', 'oemer']],
  ['externalId eq "ext-grace"', ['grace']],
  ['externalId eq "EXT-GRACE"', []], // externalId is caseExact (RFC 7643 §3.1)
  ['externalId eq jyoung', []], // R-ENTRA-07 unquoted value tolerated
  ['externalId eq ext-Ada', ['ada']],
  ['active eq true', ['ada', 'alan', 'oemer']],
  ['active eq false', ['grace']],
  ['not (active eq true)', ['grace']],
  ['displayName co "ing"', ['alan']],
  ['title pr', ['ada', 'grace']],
  ['not (title pr)', ['alan', 'oemer']],
  ['title eq "engineer"', ['ada']], // title is caseExact false
  ['name.familyName eq "hopper"', ['grace']],
  ['name.givenName sw "A"', ['ada', 'alan']],
  ['emails.value eq "ada@home.example"', ['ada']], // any element, not only the primary
  ['emails eq "GRACE@navy.example"', ['grace']],
  ['emails[type eq "work"].value eq "grace@navy.example"', ['grace']], // R-ENTRA-06
  ['emails[type eq "work" and value co "contoso"]', ['ada']],
  ['emails[type eq "other"]', ['alan']],
  ['emails[type eq "home" or type eq "other"]', ['ada', 'alan']],
  ['emails pr', ['ada', 'grace', 'alan']],
  ['emails.value ew ".example"', ['ada', 'grace', 'alan']],
  ['phoneNumbers[type eq "work"].value eq "+44 20 7946 0000"', ['alan']],
  [`${ENTERPRISE}:department eq "R&D"`, ['ada']],
  [`${ENTERPRISE.toLowerCase()}:department eq "navy"`, ['grace']],
  [`${ENTERPRISE}:manager.value eq "m-1"`, ['ada']],
  [`${ENTERPRISE}:employeeNumber pr`, ['ada']],
  ['userName eq "ada@contoso.example" or userName eq "Grace.Hopper@contoso.example"', ['ada', 'grace']],
  ['active eq true and (name.givenName eq "Ada" or name.givenName eq "Alan")', ['ada', 'alan']],
  ['active eq true and name.givenName eq "Ada" or name.givenName eq "Grace"', ['ada', 'grace']], // and binds tighter
  ['meta.lastModified gt "2000-01-01T00:00:00Z"', ['ada', 'grace', 'alan', 'oemer']],
  ['meta.created lt "2000-01-01T00:00:00Z"', []],
  ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', ['ada', 'grace', 'alan', 'oemer']], // MS Postman form
  ['userName gt "b"', ['grace', 'oemer']],
  ['title eq null', ['alan', 'oemer']],
  ['title ne "Engineer"', ['grace', 'alan', 'oemer']],
];

describeEachDialect('filters compiled to SQL', (t) => {
  const ids: Record<string, Name> = {};

  beforeAll(async () => {
    for (const [key, body] of Object.entries(PEOPLE)) {
      const r = await t().scim.post('/Users', body);
      expect(r.statusCode).toBe(201);
      ids[json(r).id] = key as Name;
    }
  });

  it.each(CASES)('%s', async (filter, expected) => {
    const r = await t().scim.get(`/Users?filter=${encodeURIComponent(filter)}&count=100`);
    expect(r.statusCode, r.body).toBe(200);
    const body = json(r);
    const got = (body.Resources as Array<{ id: string }>).map((u) => ids[u.id]).sort();
    expect(got).toEqual([...expected].sort());
    expect(body.totalResults).toBe(expected.length);
  });

  it.each([
    ['userName eq', 'invalidFilter'],
    ['userName xx "a"', 'invalidFilter'],
    ['nope eq "a"', 'invalidFilter'],
    ['active eq "maybe"', 'invalidFilter'],
    ['active gt true', 'invalidFilter'],
    ['meta.created gt "yesterday"', 'invalidFilter'],
    ['password eq "x"', 'invalidFilter'],
    ['emails[type eq "work"', 'invalidFilter'],
    ['name eq "x"', 'invalidFilter'],
  ])('%s → 400 %s', async (filter, scimType) => {
    const r = await t().scim.get(`/Users?filter=${encodeURIComponent(filter)}`);
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe(scimType);
    expect(json(r).detail).toMatch(/position/);
  });

  it('R-ENTRA-02 a filter that matches nothing → 200, totalResults 0, Resources []', async () => {
    const r = await t().scim.get(`/Users?filter=${encodeURIComponent('userName eq "5b4e1c3a-64f0-4b8e-9d55-1f0f2f9f6a1e"')}`);
    expect(r.statusCode).toBe(200);
    expect(json(r)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('R-OKTA-02 a +-encoded filter with startIndex/count', async () => {
    const r = await t().scim.get('/Users?filter=userName+eq+%22ada%40contoso.example%22&startIndex=1&count=100');
    expect(json(r).totalResults).toBe(1);
  });

  it('filters never see another tenant', async () => {
    const other = await t().newTenant();
    const r = await other.scim.get(`/Users?filter=${encodeURIComponent('userName eq "ada@contoso.example"')}`);
    expect(json(r).totalResults).toBe(0);
    expect(json(await other.scim.get('/Users')).totalResults).toBe(0);
  });
});
