// IdP replay over HTTP: the PATCH payloads each real client sends (client-behaviors.md), on
// every configured dialect, checked by a GET afterwards.
import { beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, PATCH_OP, json } from '../support/test-app.js';

describeEachDialect('PATCH replay: real client payloads', (t) => {
  let id = '';
  let managerId = '';
  let n = 0;

  beforeEach(async () => {
    const u = await t().scim.post('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: `replay.${Date.now().toString(36)}.${n++}@contoso.example`,
      externalId: `ext-${n}`,
      active: true,
      displayName: 'Replay User',
      name: { givenName: 'Re', familyName: 'Play' },
      emails: [{ primary: true, type: 'work', value: `replay${n}@contoso.example` }],
    });
    id = json(u).id;
    managerId = json(await t().scim.post('/Users', { userName: `mgr.${Date.now().toString(36)}.${n++}@contoso.example` })).id;
  });

  const patch = (...Operations: unknown[]) => t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations });
  const get = async () => json(await t().scim.get(`/Users/${id}`));

  it.each([
    ['R-ENTRA-18 "Replace" active "False" (default Entra)', { op: 'Replace', path: 'active', value: 'False' }, false],
    ['R-ENTRA-18 "Replace" active "false"', { op: 'Replace', path: 'active', value: 'false' }, false],
    ['R-ENTRA-18 "replace" active false (aadOptscim062020)', { op: 'replace', path: 'active', value: false }, false],
    ['R-OKTA-08 no-path replace {active:false}', { op: 'replace', value: { active: false } }, false],
    ['R-OL-01 OneLogin string "true"', { op: 'replace', path: 'active', value: 'true' }, true],
  ])('%s', async (_name, op, active) => {
    const r = await patch(op);
    expect(r.statusCode).toBe(200);
    expect(json(r).active).toBe(active);
    expect((await get()).active).toBe(active);
  });

  it('R-ENTRA-14/20 default Entra multi-op Replace with a filtered emails path', async () => {
    const r = await patch(
      { op: 'Replace', path: 'displayName', value: 'New Name' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'changed@contoso.example' },
      { op: 'Replace', path: 'name.givenName', value: 'Given' },
      { op: 'Replace', path: 'name.familyName', value: 'Family' },
      { op: 'Replace', path: 'externalId', value: 'ext-new' },
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: '42' },
    );
    expect(r.statusCode).toBe(200);
    const u = await get();
    expect(u.displayName).toBe('New Name');
    expect(u.emails).toEqual([{ primary: true, type: 'work', value: 'changed@contoso.example' }]);
    expect(u.name).toMatchObject({ givenName: 'Given', familyName: 'Family' });
    expect(u.externalId).toBe('ext-new');
    expect(u[ENTERPRISE].employeeNumber).toBe('42');
    // the hot column follows the document: filter by the new email finds the user
    const f = json(await t().scim.get(`/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "changed@contoso.example"')}`));
    expect(f.Resources.map((x: { id: string }) => x.id)).toEqual([id]);
  });

  it('R-ENTRA-19 aadOptscim062020 no-path replace with dotted and URN-qualified keys', async () => {
    const r = await patch(
      { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENTERPRISE}:employeeNumber`]: 'Aklq' } },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'aklq@contoso.example' },
    );
    expect(r.statusCode).toBe(200);
    const u = await get();
    expect(u).toMatchObject({ displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua' } });
    expect(u[ENTERPRISE].employeeNumber).toBe('Aklq');
    expect(Object.keys(u)).not.toContain('name.givenName');
  });

  it('R-ENTRA-15 Add on attr[type eq "x"].sub with no match creates the element', async () => {
    const r = await patch(
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
      { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' },
    );
    expect(r.statusCode).toBe(200);
    const u = await get();
    expect(u.phoneNumbers).toEqual([{ type: 'work', value: '+1 555 0100' }]);
    expect(u.addresses).toEqual([{ type: 'work', postalCode: '98052' }]);
  });

  it('R-ENTRA-16 Add on a single-valued attribute sets it', async () => {
    expect((await patch({ op: 'Add', path: 'nickName', value: 'Babs' })).statusCode).toBe(200);
    expect((await get()).nickName).toBe('Babs');
  });

  it.each([
    ['string under the URN path', { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'MGR' }],
    ['{value} under the URN path', { op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: 'MGR' } }],
    ['[{value,$ref}] under a bare manager path', { op: 'Add', path: 'manager', value: [{ $ref: 'https://x/Users/MGR', value: 'MGR' }] }],
  ])('R-ENTRA-21 manager set as %s, then cleared by "", null and remove', async (_n, op) => {
    const concrete = JSON.parse(JSON.stringify(op).replaceAll('MGR', managerId)) as object;
    expect((await patch(concrete)).statusCode).toBe(200);
    expect((await get())[ENTERPRISE].manager.value).toBe(managerId);
    for (const clear of [
      { op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' },
      { op: 'Replace', path: `${ENTERPRISE}:manager`, value: null },
      { op: 'Remove', path: `${ENTERPRISE}:manager` },
    ]) {
      await patch(concrete);
      expect((await patch(clear)).statusCode).toBe(200);
      expect((await get())[ENTERPRISE]?.manager).toBeUndefined();
    }
  });

  it('R-ENTRA-22 "" clears an attribute; null too', async () => {
    await patch({ op: 'Replace', path: 'title', value: 'Boss' }, { op: 'Replace', path: 'nickName', value: 'N' });
    expect((await patch({ op: 'Replace', path: 'title', value: '' }, { op: 'Replace', path: 'nickName', value: null })).statusCode).toBe(200);
    const u = await get();
    expect(u).not.toHaveProperty('title');
    expect(u).not.toHaveProperty('nickName');
  });

  it('R-ENTRA-23 roles: string-encoded JSON value is stored verbatim; Assertive replace swaps the list', async () => {
    const encoded = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Admin","displayName":"Admin"}';
    expect((await patch({ op: 'Add', path: 'roles', value: [{ value: encoded }] })).statusCode).toBe(200);
    expect((await get()).roles).toEqual([{ value: encoded }]);
    const list = [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' }];
    expect((await patch({ op: 'replace', path: 'roles', value: list })).statusCode).toBe(200);
    expect((await get()).roles).toEqual(list);
  });

  it('R-CORE-18 setting a new primary email clears the others', async () => {
    await patch({ op: 'add', path: 'emails', value: [{ type: 'home', value: 'home@contoso.example', primary: true }] });
    const emails = (await get()).emails as Array<{ primary?: boolean; value: string }>;
    expect(emails.filter((e) => e.primary === true).map((e) => e.value)).toEqual(['home@contoso.example']);
  });

  it('R-CORE-14 atomic: a failing second operation leaves the first unapplied and names the index', async () => {
    const before = await get();
    const r = await patch({ op: 'replace', path: 'title', value: 'Applied?' }, { op: 'replace', path: 'id', value: 'new-id' });
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe('mutability');
    expect(json(r).detail).toMatch(/1/);
    const after = await get();
    expect(after).not.toHaveProperty('title');
    expect(after.meta.version).toBe(before.meta.version);
  });

  it.each([
    ['unknown path → invalidPath', { op: 'replace', path: 'favouriteColour', value: 'x' }, 'invalidPath'],
    ['malformed path → invalidPath', { op: 'replace', path: 'emails[type eq', value: 'x' }, 'invalidPath'],
    ['wrong type → invalidValue', { op: 'replace', path: 'active', value: 'perhaps' }, 'invalidValue'],
    ['meta is readOnly → mutability', { op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }, 'mutability'],
    ['remove without path → noTarget', { op: 'remove' }, 'noTarget'],
    ['remove userName (required) → mutability', { op: 'remove', path: 'userName' }, 'mutability'],
    ['unknown op → invalidSyntax', { op: 'upsert', path: 'title', value: 'x' }, 'invalidSyntax'],
  ])('%s', async (_n, op, scimType) => {
    const r = await patch(op);
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe(scimType);
  });

  it('missing Operations → 400 invalidSyntax', async () => {
    const r = await t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP] });
    expect(json(r).scimType).toBe('invalidSyntax');
  });

  it('a PATCH that changes nothing keeps meta.version and meta.lastModified', async () => {
    const before = await get();
    expect((await patch({ op: 'Replace', path: 'displayName', value: before.displayName })).statusCode).toBe(200);
    const after = await get();
    expect(after.meta).toEqual(before.meta);
  });

  it('userName change to a taken one → 409 uniqueness', async () => {
    const r = await patch({ op: 'Replace', path: 'userName', value: (await t().scim.get(`/Users/${managerId}`)).json().userName.toUpperCase() });
    expect(r.statusCode).toBe(409);
    expect(json(r).scimType).toBe('uniqueness');
  });
  it('issue #16: path = the bare enterprise URN, add/replace with an object → the path-less form with that URN as key', async () => {
    const add = await patch({ op: 'add', path: ENTERPRISE, value: { department: 'Sales', employeeNumber: '7', manager: { value: managerId } } });
    expect(add.statusCode, add.body).toBe(200);
    expect(json(add)[ENTERPRISE]).toMatchObject({ department: 'Sales', employeeNumber: '7', manager: { value: managerId } });
    // replace names only some attributes: the others stay (RFC 7644 §3.5.2.3 path-less replace); URN in any case.
    const rep = await patch({ op: 'Replace', path: ENTERPRISE.toLowerCase(), value: { department: 'Support' } });
    expect(rep.statusCode, rep.body).toBe(200);
    const u = await get();
    expect(u[ENTERPRISE]).toMatchObject({ department: 'Support', employeeNumber: '7', manager: { value: managerId } });
    expect(u.schemas).toContain(ENTERPRISE);
  });

  it('issue #16: remove with path = the bare enterprise URN clears the extension; with an object value only the named attributes', async () => {
    await patch({ op: 'add', path: ENTERPRISE, value: { department: 'Sales', costCenter: 'C1', employeeNumber: '9' } });
    const some = await patch({ op: 'remove', path: ENTERPRISE, value: { costCenter: null } });
    expect(some.statusCode, some.body).toBe(200);
    expect((await get())[ENTERPRISE]).toEqual({ employeeNumber: '9', department: 'Sales' });
    const all = await patch({ op: 'Remove', path: ENTERPRISE });
    expect(all.statusCode, all.body).toBe(200);
    const u = await get();
    expect(u).not.toHaveProperty(ENTERPRISE);
    expect(u.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
  });

  it('issue #16: add with path = the bare enterprise URN and a non-object value → 400 invalidValue; an unknown URN is still invalidPath', async () => {
    const bad = await patch({ op: 'add', path: ENTERPRISE, value: 'Sales' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).scimType).toBe('invalidValue');
    const missing = await patch({ op: 'replace', path: ENTERPRISE });
    expect(json(missing).scimType).toBe('invalidValue');
    const unknown = await patch({ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User', value: { badge: '1' } });
    expect(unknown.statusCode).toBe(400);
    expect(json(unknown).scimType).toBe('invalidPath');
  });
});
