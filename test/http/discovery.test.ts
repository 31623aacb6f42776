// Discovery endpoints over HTTP (RFC 7644 §4, R-ENTRA-04, R-CORE-29/30, R-CUR-06).
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { json, scimClient } from '../support/test-app.js';

describeEachDialect('discovery', (t) => {
  it('R-CORE-30 ServiceProviderConfig is truthful and carries the RFC 9865 pagination object', async () => {
    const r = await t().scim.get('/ServiceProviderConfig');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    const spc = json(r);
    expect(spc.patch.supported).toBe(true);
    expect(spc.filter).toMatchObject({ supported: true, maxResults: 1000 });
    expect(spc.sort.supported).toBe(true);
    expect(spc.etag.supported).toBe(true);
    expect(spc.changePassword.supported).toBe(false);
    expect(spc.authenticationSchemes[0]).toMatchObject({ type: 'oauthbearertoken', primary: true });
    expect(spc.pagination).toMatchObject({ cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 100, maxPageSize: 1000, cursorTimeout: 3600 });
    expect(spc.meta).toMatchObject({ resourceType: 'ServiceProviderConfig', location: 'https://wiggledesk.test/scim/v2/ServiceProviderConfig' });
  });

  it('R-RIP-02 ServiceProviderConfig answers without a key', async () => {
    expect((await scimClient(t().app, undefined).get('/ServiceProviderConfig')).statusCode).toBe(200);
  });

  it('R-CORE-29 ResourceTypes lists User (with the enterprise extension) and Group; /ResourceTypes/User', async () => {
    const list = json(await t().scim.get('/ResourceTypes'));
    expect(list.Resources[0].endpoint).toBe('/Users');
    expect(list.Resources.map((r: { name: string }) => r.name)).toEqual(['User', 'Group']);
    expect(list.Resources[0].schemaExtensions).toEqual([{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }]);
    expect(json(await t().scim.get('/ResourceTypes/User')).name).toBe('User');
    expect((await t().scim.get('/ResourceTypes/Widget')).statusCode).toBe(404);
  });

  it('R-ENTRA-04 /Schemas is a ListResponse with User, Group and EnterpriseUser; /Schemas/{urn}', async () => {
    const list = json(await t().scim.get('/Schemas'));
    expect(list.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    expect(list.Resources.map((s: { id: string }) => s.id).sort()).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ]);
    const user = json(await t().scim.get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User'));
    const userName = user.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite', returned: 'default' });
    expect(JSON.stringify(user)).not.toContain('null');
    expect((await t().scim.get('/Schemas/urn:nope')).statusCode).toBe(404);
  });

  it('PUBLIC_URL wins over the Host header', async () => {
    const r = await t().app.inject({ method: 'GET', url: '/scim/v2/ServiceProviderConfig', headers: { host: 'idp-facing.example:8443' } });
    expect(json(r).meta.location).toBe('https://wiggledesk.test/scim/v2/ServiceProviderConfig');
  });
});

describeEachDialect(
  'discovery without PUBLIC_URL',
  (t) => {
    it('absolute locations use a Host on ALLOWED_HOSTS, never an arbitrary Host (issue #18)', async () => {
      const r = await t().app.inject({ method: 'GET', url: '/scim/v2/ServiceProviderConfig', headers: { host: 'scim.customer.example:8443' } });
      expect(json(r).meta.location).toBe('http://scim.customer.example:8443/scim/v2/ServiceProviderConfig');
      const evil = await t().app.inject({ method: 'GET', url: '/scim/v2/ServiceProviderConfig', headers: { host: 'evil.example' } });
      expect(json(evil).meta.location).not.toContain('evil.example');
      const u = await t().scim.post('/Users', { userName: 'host@x.example' });
      expect(json(u).meta.location).toMatch(/^http:\/\/localhost(:\d+)?\/scim\/v2\/Users\//);
    });
  },
  { env: { PUBLIC_URL: '', ALLOWED_HOSTS: 'scim.customer.example:8443' } },
);
