// Endpoint aliases (src/http/scim/endpoint-aliases.ts): the announcement's `/scim/v2/Users` base
// (R-ENTRA-42), case-insensitive endpoint names (Microsoft's Postman collection, S12) and
// `/serviceConfiguration`. Every alias must answer exactly as the canonical route: same status,
// same body, same headers, with canonical `meta.location` / `Location`.
import { beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json } from '../support/test-app.js';

const VOLATILE = new Set(['x-request-id', 'date', 'connection', 'keep-alive', 'x-ratelimit-remaining', 'x-ratelimit-reset']);
const headersOf = (r: LightMyRequestResponse) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !VOLATILE.has(k)));
const same = (alias: LightMyRequestResponse, canonical: LightMyRequestResponse) => {
  expect(alias.statusCode, alias.body).toBe(canonical.statusCode);
  expect(alias.body).toBe(canonical.body);
  expect(headersOf(alias)).toEqual(headersOf(canonical));
};
/** A write's response against a later canonical GET: same document (PostgreSQL's jsonb may order keys differently). */
const sameDoc = (write: LightMyRequestResponse, read: LightMyRequestResponse) => {
  expect(write.statusCode, write.body).toBe(read.statusCode);
  expect(json(write)).toEqual(json(read));
  expect(write.headers.etag).toBe(read.headers.etag);
};

describeEachDialect('Endpoint aliases', (t) => {
  let userId = '';
  let groupId = '';
  const origin = 'https://wiggledesk.test/scim/v2';

  beforeAll(async () => {
    userId = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'alias.user@contoso.example', displayName: 'Alias User' })).id;
    groupId = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Alias Group', members: [{ value: userId }] })).id;
  });

  const reads = () => [
    `/Users/${userId}`,
    `/Users?filter=${encodeURIComponent('userName eq "alias.user@contoso.example"')}`,
    `/Users?filter=${encodeURIComponent(`userName eq "${crypto.randomUUID()}"`)}`,
    `/Groups/${groupId}`,
    `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Alias Group"')}`,
    '/ServiceProviderConfig',
    '/Schemas',
    '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User',
    '/ResourceTypes',
    '/ResourceTypes/Group',
    `/Users/${crypto.randomUUID()}`,
  ];

  it('R-ENTRA-42 every GET under the `/scim/v2/Users` base answers exactly as the canonical route', async () => {
    for (const path of reads()) {
      same(await t().scim.get(`/Users${path}`), await t().scim.get(path));
    }
  });

  it('R-ENTRA-42 discovery under the `/Users` base is public like the canonical route', async () => {
    const r = await t().app.inject({ method: 'GET', url: '/scim/v2/Users/ServiceProviderConfig' });
    expect(r.statusCode).toBe(200);
    expect(json(r).schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
  });

  it('R-ENTRA-42 POST/PUT/PATCH/DELETE under the `/Users` base, with canonical Location and meta.location', async () => {
    const created = await t().scim.post('/Users/Users', { schemas: [USER_SCHEMA], userName: 'via.alias@contoso.example' });
    expect(created.statusCode).toBe(201);
    const u = json(created);
    expect(created.headers.location).toBe(`${origin}/Users/${u.id}`);
    expect(u.meta.location).toBe(`${origin}/Users/${u.id}`);
    same(await t().scim.get(`/Users/Users/${u.id}`), await t().scim.get(`/Users/${u.id}`));

    const patched = await t().scim.patch(`/Users/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(patched.statusCode).toBe(200);
    expect(json(patched).active).toBe(false);
    sameDoc(patched, await t().scim.get(`/Users/${u.id}`));

    const put = await t().scim.put(`/Users/Users/${u.id}`, { schemas: [USER_SCHEMA], userName: 'via.alias@contoso.example', displayName: 'Put' });
    expect(put.statusCode).toBe(200);
    sameDoc(put, await t().scim.get(`/Users/${u.id}`));

    const g = await t().scim.post('/Users/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Alias Created' });
    expect(g.statusCode).toBe(201);
    expect(g.headers.location).toBe(`${origin}/Groups/${json(g).id}`);
    const gp = await t().scim.patch(`/Users/Groups/${json(g).id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: u.id }] }] });
    expect(gp.statusCode).toBe(204);
    same(await t().scim.get(`/Users/Groups/${json(g).id}`), await t().scim.get(`/Groups/${json(g).id}`));
    expect(json(await t().scim.get(`/Groups/${json(g).id}`)).members.map((m: { value: string }) => m.value)).toEqual([u.id]);

    expect((await t().scim.delete(`/Users/Groups/${json(g).id}`)).statusCode).toBe(204);
    expect((await t().scim.delete(`/Users/Users/${u.id}`)).statusCode).toBe(204);
    expect((await t().scim.get(`/Users/${u.id}`)).statusCode).toBe(404);
    expect((await t().scim.get(`/Groups/${json(g).id}`)).statusCode).toBe(404);
  });

  it('R-ENTRA-42 /Bulk and /.search under the `/Users` base', async () => {
    const bulk = await t().scim.post('/Users/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', bulkId: 'b1', path: '/Users', data: { userName: 'bulk.alias@contoso.example' } }],
    });
    expect(bulk.statusCode).toBe(200);
    const op = json(bulk).Operations[0];
    expect(op.status).toBe('201');
    expect(op.location).toMatch(new RegExp(`^${origin}/Users/[0-9a-f-]{36}$`));
    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "alias"' };
    same(await t().scim.post('/Users/Users/.search', search), await t().scim.post('/Users/.search', search));
  });

  it('endpoint names are case-insensitive; /serviceConfiguration is an alias of /ServiceProviderConfig', async () => {
    const pairs: Array<[string, string]> = [
      [`/users/${userId}`, `/Users/${userId}`],
      ['/USERS?count=1', '/Users?count=1'],
      [`/groups/${groupId}`, `/Groups/${groupId}`],
      ['/serviceproviderconfig', '/ServiceProviderConfig'],
      ['/serviceConfiguration', '/ServiceProviderConfig'],
      ['/SCHEMAS', '/Schemas'],
      ['/resourcetypes/user', '/ResourceTypes/User'],
      [`/users/users/${userId}`, `/Users/${userId}`],
      ['/Users/serviceconfiguration', '/ServiceProviderConfig'],
    ];
    for (const [alias, canonical] of pairs) same(await t().scim.get(alias), await t().scim.get(canonical));
    const search = { filter: 'userName eq "alias.user@contoso.example"' };
    same(await t().scim.post('/users/.search', search), await t().scim.post('/Users/.search', search));
    // Ids stay case-exact: the alias rewrite never touches the segment after the endpoint name.
    expect((await t().scim.get(`/users/${userId.toUpperCase()}`)).statusCode).toBe(404);
  });

  it('/serviceConfiguration is not advertised (discovery lists only the canonical endpoints)', async () => {
    expect(JSON.stringify(json(await t().scim.get('/ResourceTypes')))).not.toMatch(/serviceConfiguration/i);
    expect(JSON.stringify(json(await t().scim.get('/ServiceProviderConfig')))).not.toMatch(/serviceConfiguration/i);
  });

  it('an unknown name under the `/Users` base is an unknown user id (404), never another endpoint', async () => {
    const r = await t().scim.get('/Users/Widgets');
    expect(r.statusCode).toBe(404);
    expect(json(r).detail).toMatch(/User "Widgets" not found/);
  });
});
