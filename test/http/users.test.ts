// /scim/v2/Users over HTTP on every configured dialect: CRUD, validation, uniqueness, wire details.
// Test names cite the requirement ids of ../shared/docs/client-behaviors.md.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, PATCH_OP, USER_SCHEMA, json } from '../support/test-app.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDialect('Users CRUD', (t) => {
  let n = 0;
  const uniq = (p = 'user') => `${p}.${Date.now().toString(36)}.${n++}@contoso.example`;

  it('POST → 201 with Location = meta.location, a server UUID, meta and ETag (seed example)', async () => {
    const userName = uniq('Example Username');
    const r = await t().scim.post('/Users', {
      active: true,
      emails: [{ type: 'work', value: 'example@example.info' }],
      externalId: 'd8ffd6a9-cede-41a4-815e-a52a53180333',
      userName,
    });
    expect(r.statusCode).toBe(201);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    const body = json(r);
    expect(body.id).toMatch(UUID);
    expect(body.schemas).toEqual([USER_SCHEMA]);
    expect(body.userName).toBe(userName);
    expect(body.meta.resourceType).toBe('User');
    expect(body.meta.location).toBe(`https://wiggledesk.test/scim/v2/Users/${body.id}`);
    expect(r.headers.location).toBe(body.meta.location);
    expect(body.meta.version).toBe('W/"1"');
    expect(r.headers.etag).toBe('W/"1"');
    expect(body.meta.created).toBe(body.meta.lastModified);
  });

  it('R-ENTRA-10 Entra create with enterprise extension, meta and roles:[] → 201; id in body ignored (R-GEN-12)', async () => {
    const userName = uniq();
    const r = await t().scim.post('/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: 'client-chosen',
      externalId: 'jyoung',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: userName }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Young, Jane', familyName: 'Young', givenName: 'Jane' },
      roles: [],
      [ENTERPRISE]: { department: 'Sales', manager: '123' },
      department: null,
      manager: null,
    });
    expect(r.statusCode).toBe(201);
    const body = json(r);
    expect(body.id).not.toBe('client-chosen');
    expect(body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect(body[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: '123' } });
    expect(body.roles).toBeUndefined();
  });

  it('GET by id → 200; unknown id → 404 SCIM error (R-ENTRA-03, R-ENTRA-12)', async () => {
    const created = json(await t().scim.post('/Users', { userName: uniq() }));
    const r = await t().scim.get(`/Users/${created.id}`);
    expect(r.statusCode).toBe(200);
    expect(json(r).id).toBe(created.id);
    const missing = await t().scim.get('/Users/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(json(missing)).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('R-CORE-13 POST without userName → 400 invalidValue naming it', async () => {
    const r = await t().scim.post('/Users', { displayName: 'No Name' });
    expect(r.statusCode).toBe(400);
    expect(json(r)).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(json(r).detail).toMatch(/userName/);
  });

  it('R-GEN-08/09 unknown attributes and schemas are ignored; null means no value', async () => {
    const r = await t().scim.post('/Users', {
      schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      userName: uniq(),
      favouriteColour: 'teal',
      addresses: null,
      phoneNumbers: null,
      title: null,
      groups: [],
    });
    expect(r.statusCode).toBe(201);
    const body = json(r);
    expect(body.favouriteColour).toBeUndefined();
    expect(body).not.toHaveProperty('addresses');
    expect(body).not.toHaveProperty('title');
    expect(JSON.stringify(body)).not.toContain('null');
  });

  it('R-GEN-10 "True"/"false" strings become JSON booleans', async () => {
    const r = await t().scim.post('/Users', { userName: uniq(), active: 'False', emails: [{ value: uniq('e'), primary: 'True' }] });
    expect(r.statusCode).toBe(201);
    expect(json(r).active).toBe(false);
    expect(json(r).emails[0].primary).toBe(true);
  });

  it('R-GEN-11 values come back exactly as sent (case, phone formats)', async () => {
    const userName = `MiXeD.${uniq()}`;
    const r = await t().scim.post('/Users', { userName, phoneNumbers: [{ type: 'work', value: '55555555555' }] });
    expect(json(r).userName).toBe(userName);
    expect(json(r).phoneNumbers[0].value).toBe('55555555555');
  });

  it('R-ENTRA-22 empty strings are never stored', async () => {
    const r = await t().scim.post('/Users', { userName: uniq(), nickName: '', title: 'Engineer' });
    expect(json(r)).not.toHaveProperty('nickName');
    expect(json(r).title).toBe('Engineer');
  });

  it('R-OKTA-03 password is accepted and never returned (R-CORE-12), even when asked for', async () => {
    const r = await t().scim.post('/Users', { userName: uniq(), password: 't1meMa$heen' });
    expect(r.statusCode).toBe(201);
    expect(r.body).not.toContain('t1meMa$heen');
    const g = await t().scim.get(`/Users/${json(r).id}?attributes=password,userName`);
    expect(json(g)).not.toHaveProperty('password');
  });

  it('R-OKTA-19 userName is unique case-insensitively (Unicode) → 409 uniqueness; case preserved', async () => {
    const base = `Ärger.Ωmega.${uniq()}`;
    expect((await t().scim.post('/Users', { userName: base })).statusCode).toBe(201);
    const dup = await t().scim.post('/Users', { userName: base.toUpperCase() });
    expect(dup.statusCode).toBe(409);
    expect(json(dup)).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    const found = await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${base.toLowerCase()}"`)}`);
    expect(json(found).totalResults).toBe(1);
    expect(json(found).Resources[0].userName).toBe(base);
  });

  it('many concurrent creates of one userName → exactly one 201, the rest 409', async () => {
    const userName = uniq('race');
    const results = await Promise.all(Array.from({ length: 12 }, () => t().scim.post('/Users', { userName })));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(11);
  });

  it('R-GEN-14 after DELETE the same userName can be created again; DELETE → 204 then 404 (R-CORE-23)', async () => {
    const userName = uniq();
    const a = json(await t().scim.post('/Users', { userName }));
    const del = await t().scim.delete(`/Users/${a.id}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await t().scim.get(`/Users/${a.id}`)).statusCode).toBe(404);
    expect((await t().scim.delete(`/Users/${a.id}`)).statusCode).toBe(404);
    const filter = await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(json(filter).totalResults).toBe(0);
    const again = await t().scim.post('/Users', { userName });
    expect(again.statusCode).toBe(201);
    expect(json(again).id).not.toBe(a.id);
  });

  it('R-CORE-25 PUT replaces readWrite attributes, ignores readOnly ones, bumps the version', async () => {
    const userName = uniq();
    const a = json(await t().scim.post('/Users', { userName, title: 'Engineer', nickName: 'Babs' }));
    const r = await t().scim.put(`/Users/${a.id}`, { ...a, title: 'Director', nickName: undefined, meta: { resourceType: 'User', version: 'W/"99"' }, groups: [] });
    expect(r.statusCode).toBe(200);
    const body = json(r);
    expect(body.title).toBe('Director');
    expect(body).not.toHaveProperty('nickName');
    expect(body.meta.version).toBe('W/"2"');
    expect(body.meta.created).toBe(a.meta.created);
  });

  it('R-ENTRA-06/14 emails lookups follow every write: a title PATCH keeps them, PATCH and PUT of emails move them', async () => {
    const mail = (tag: string) => uniq(tag).toLowerCase();
    const [first, second, third] = [mail('first'), mail('second'), mail('third')];
    const found = async (email: string) =>
      (json(await t().scim.get(`/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${email}"`)}`)).Resources as Array<{ id: string }>).map((u) => u.id);
    const a = json(await t().scim.post('/Users', { userName: uniq(), emails: [{ type: 'work', value: first, primary: true }] }));
    expect(await found(first)).toEqual([a.id]);
    expect((await t().scim.patch(`/Users/${a.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'Director' }] })).statusCode).toBe(200);
    expect(await found(first)).toEqual([a.id]);
    expect((await t().scim.patch(`/Users/${a.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value: second }] })).statusCode).toBe(200);
    expect(await found(first)).toEqual([]);
    expect(await found(second)).toEqual([a.id]);
    const current = json(await t().scim.get(`/Users/${a.id}`));
    expect((await t().scim.put(`/Users/${a.id}`, { ...current, emails: [{ type: 'work', value: third }] })).statusCode).toBe(200);
    expect(await found(second)).toEqual([]);
    expect(await found(third)).toEqual([a.id]);
  });

  it('PUT with a different id in the body → 400; PUT to an unknown id → 404; PUT to a taken userName → 409', async () => {
    const a = json(await t().scim.post('/Users', { userName: uniq() }));
    const b = json(await t().scim.post('/Users', { userName: uniq() }));
    expect((await t().scim.put(`/Users/${a.id}`, { id: b.id, userName: a.userName })).statusCode).toBe(400);
    expect((await t().scim.put('/Users/00000000-0000-4000-8000-000000000000', { userName: uniq() })).statusCode).toBe(404);
    const taken = await t().scim.put(`/Users/${a.id}`, { userName: b.userName.toUpperCase() });
    expect(taken.statusCode).toBe(409);
    expect(json(taken).scimType).toBe('uniqueness');
  });

  it('ETags: If-None-Match → 304; If-Match mismatch → 412 on PUT, PATCH and DELETE; match succeeds', async () => {
    const a = json(await t().scim.post('/Users', { userName: uniq() }));
    const notModified = await t().scim.get(`/Users/${a.id}`, { 'if-none-match': 'W/"1"' });
    expect(notModified.statusCode).toBe(304);
    const stale = { 'if-match': 'W/"7"' };
    expect((await t().scim.put(`/Users/${a.id}`, { userName: a.userName }, stale)).statusCode).toBe(412);
    const patchBody = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] };
    expect((await t().scim.patch(`/Users/${a.id}`, patchBody, stale)).statusCode).toBe(412);
    expect((await t().scim.delete(`/Users/${a.id}`, stale)).statusCode).toBe(412);
    const ok = await t().scim.patch(`/Users/${a.id}`, patchBody, { 'if-match': 'W/"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('W/"2"');
  });

  it('R-GEN-05 accepts application/json with charset; answers application/scim+json', async () => {
    const r = await t().scim.raw('POST', '/Users', { body: JSON.stringify({ userName: uniq() }), headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(r.statusCode).toBe(201);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
  });

  it('R-CORE-03 malformed JSON → 400 invalidSyntax; an unsupported content type → 400', async () => {
    const junk = await t().scim.raw('POST', '/Users', { body: '{"userName": ', headers: { 'content-type': 'application/scim+json' } });
    expect(junk.statusCode).toBe(400);
    expect(json(junk)).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
    const xml = await t().scim.raw('POST', '/Users', { body: '<user/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.statusCode).toBe(400);
    expect(json(xml).scimType).toBe('invalidSyntax');
  });

  it('R-GEN-02/03 trailing slash, doubled slash and unknown query parameters are tolerated', async () => {
    expect((await t().scim.get('/Users/?aadOptscim062020')).statusCode).toBe(200);
    expect((await t().scim.get('//Users?aadOptscim062020=true&foo=bar')).statusCode).toBe(200);
    const a = json(await t().scim.post('/Users/', { userName: uniq() }));
    expect((await t().scim.get(`/Users/${a.id}/`)).statusCode).toBe(200);
  });

  it('an unknown endpoint → 404 SCIM error; /Me → 501', async () => {
    const r = await t().scim.get('/Widgets');
    expect(r.statusCode).toBe(404);
    expect(json(r).schemas).toEqual([ERROR]);
    expect((await t().scim.get('/Me')).statusCode).toBe(501);
  });

  it('writes leave one activity row each, in the same transaction; reads are logged too', async () => {
    const a = json(await t().scim.post('/Users', { userName: uniq() }));
    await t().scim.get(`/Users/${a.id}`);
    await t().scim.delete(`/Users/${a.id}`);
    await t().services.activity.flush();
    const activity = t().services.platform.forTenant(t().org.id).activity;
    // The user's history holds what changed it (migration 0025); the read is in the full log.
    const history = await activity.list({ errorsOnly: false, resourceId: a.id, beforeSeq: undefined, limit: 10 });
    expect(history.map((r) => `${r.method} ${r.status}`).sort()).toEqual(['DELETE 204', 'POST 201']);
    const rows = (await activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: 50 })).filter((r) => r.resourceId === a.id);
    expect(rows.map((r) => `${r.method} ${r.status}`).sort()).toEqual(['DELETE 204', 'GET 200', 'POST 201']);
    expect(rows.every((r) => r.keyId !== null && r.durationMs >= 0)).toBe(true);
    // wall-clock times, not process-relative ones
    expect(rows.every((r) => Math.abs(Date.parse(r.at) - Date.now()) < 60_000)).toBe(true);
  });

  it('a failed write is logged with its scimType and changes nothing', async () => {
    const r = await t().scim.post('/Users', { displayName: 'nameless' });
    expect(r.statusCode).toBe(400);
    await t().services.activity.flush();
    const rows = await t().services.platform.forTenant(t().org.id).activity.list({ errorsOnly: true, resourceId: undefined, beforeSeq: undefined, limit: 5 });
    expect(rows[0]).toMatchObject({ method: 'POST', status: 400, scimType: 'invalidValue' });
  });
});
