// `schemas` on POST and PUT (RFC 7643 §3, issue #16): a body that names no core schema of the
// endpoint, or an extension URN the endpoint does not support, is refused with 400 invalidValue
// naming the expected URN; nothing is stored. Missing `schemas` and the documented client URNs
// stay tolerated (docs/scim-support.md, "Deliberate tolerances").
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, json } from '../support/test-app.js';

describeEachDialect('Declared schemas on create and replace', (t) => {
  let userId = '';
  let groupId = '';
  beforeAll(async () => {
    userId = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'schemas.put@contoso.example', displayName: 'Before' })).id;
    groupId = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Schemas group' })).id;
  });
  const count = async (filter: string) => json(await t().scim.get(`/Users?filter=${encodeURIComponent(filter)}`)).totalResults as number;

  it('POST /Users with only an unknown URN → 400 invalidValue naming the User core URN; nothing stored', async () => {
    const r = await t().scim.post('/Users', { schemas: ['urn:example:params:scim:schemas:custom:2.0:Thing'], userName: 'unknown.only@contoso.example' });
    expect(r.statusCode).toBe(400);
    expect(json(r)).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(json(r).detail).toContain(USER_SCHEMA);
    expect(await count('userName eq "unknown.only@contoso.example"')).toBe(0);
  });

  it('POST /Users with the Group core schema → 400 naming the User core URN', async () => {
    const r = await t().scim.post('/Users', { schemas: [GROUP_SCHEMA], userName: 'group.schema@contoso.example' });
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe('invalidValue');
    expect(json(r).detail).toContain(USER_SCHEMA);
  });

  it('POST /Users with the core schema and an unknown extension URN → 400 naming it and the supported ones', async () => {
    const unknown = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
    const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA, unknown], userName: 'unknown.ext@contoso.example', [unknown]: { badge: '7' } });
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe('invalidValue');
    expect(json(r).detail).toContain(unknown);
    expect(json(r).detail).toContain(ENTERPRISE);
    expect(await count('userName eq "unknown.ext@contoso.example"')).toBe(0);
  });

  it('POST /Groups with the enterprise User extension → 400 (not an extension of Group)', async () => {
    const r = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA, ENTERPRISE], displayName: 'Wrong extension' });
    expect(r.statusCode).toBe(400);
    expect(json(r).detail).toContain(ENTERPRISE);
  });

  it('PUT with a wrong `schemas` → 400 and the stored user is unchanged', async () => {
    const r = await t().scim.put(`/Users/${userId}`, { schemas: ['urn:example:wrong'], userName: 'schemas.put@contoso.example', displayName: 'After' });
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe('invalidValue');
    expect(json(r).detail).toContain(USER_SCHEMA);
    expect(json(await t().scim.get(`/Users/${userId}`)).displayName).toBe('Before');
    const g = await t().scim.put(`/Groups/${groupId}`, { schemas: [USER_SCHEMA], displayName: 'Renamed' });
    expect(g.statusCode).toBe(400);
    expect(json(g).detail).toContain(GROUP_SCHEMA);
  });

  it('R-CORE-10 URNs compare case-insensitively; the known extension is accepted', async () => {
    const r = await t().scim.post('/Users', {
      schemas: [USER_SCHEMA.toUpperCase(), ENTERPRISE.toLowerCase()],
      userName: 'case.urn@contoso.example',
      [ENTERPRISE]: { department: 'Ops' },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(json(r).schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
  });

  it('tolerated: `schemas` missing, null or [] (the stored document gets the right schemas)', async () => {
    for (const [i, schemas] of [[0, undefined], [1, null], [2, []]] as const) {
      const r = await t().scim.post('/Users', { ...(schemas === undefined ? {} : { schemas }), userName: `no.schemas.${i}@contoso.example` });
      expect(r.statusCode, r.body).toBe(201);
      expect(json(r).schemas).toEqual([USER_SCHEMA]);
    }
  });

  it('tolerated client URNs: Entra ADSCIM group URN (R-ENTRA-28), Entra tutorial typo (R-GEN-08), OneLogin SCIM 1.1 core (R-OL-01)', async () => {
    const g = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], displayName: 'Entra tolerated' });
    expect(g.statusCode).toBe(201);
    const u = await t().scim.post('/Users', { schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'], userName: 'typo@contoso.example' });
    expect(u.statusCode).toBe(201);
    const ol = await t().scim.post('/Users', { schemas: ['urn:scim:schemas:core:1.0'], userName: 'onelogin.v1@contoso.example', active: 'true' });
    expect(ol.statusCode).toBe(201);
    expect(json(ol).schemas).toEqual([USER_SCHEMA]);
  });

  it('`schemas` that is not a list of strings → 400 invalidValue', async () => {
    const r = await t().scim.post('/Users', { schemas: [42], userName: 'bad.schemas@contoso.example' });
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe('invalidValue');
  });
});
