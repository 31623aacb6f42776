// scim2-client (Python, python-scim) style: a strict RFC client that discovers the server first,
// sends `application/scim+json`, uses /.search, If-Match and the SearchRequest message, and
// writes its whole request before reading the response (http.client).
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describeEachDialect('Interop: scim2-client (Python)', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });
  const send = (m: string, p: string, b?: unknown, h?: Record<string, string>) => live.send(m, `/scim/v2${p}`, b, h);

  it('discovers ServiceProviderConfig, ResourceTypes and Schemas, then resolves each resource type schema', async () => {
    const spc = (await send('GET', '/ServiceProviderConfig')).body;
    expect(spc.filter.supported).toBe(true);
    const types = (await send('GET', '/ResourceTypes')).body.Resources as Array<{ name: string; schema: string; endpoint: string }>;
    expect(types.map((x) => x.endpoint).sort()).toEqual(['/Groups', '/Users']);
    for (const rt of types) expect((await send('GET', `/Schemas/${rt.schema}`)).status).toBe(200);
  });

  it('create, search by POST /.search (endpoint and root), conditional replace and patch, delete with If-Match', async () => {
    const c = await send('POST', '/Users', { schemas: [USER], userName: 'py.user@python.example', displayName: 'Py' });
    expect(c.status).toBe(201);
    const id = c.body.id as string;
    const found = await send('POST', '/Users/.search', { schemas: [SEARCH], filter: 'userName eq "py.user@python.example"', attributes: ['userName'] });
    expect(found.body.Resources).toEqual([{ schemas: [USER], id, userName: 'py.user@python.example', meta: { resourceType: 'User' } }]);
    const root = await send('POST', '/.search', { schemas: [SEARCH], filter: 'userName eq "py.user@python.example"' });
    expect(root.body.totalResults).toBe(1);
    const etag = c.headers.get('etag')!;
    const stale = await send('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }, { 'if-match': 'W/"99"' });
    expect(stale.status).toBe(412);
    const ok = await send('PUT', `/Users/${id}`, { schemas: [USER], userName: 'py.user@python.example', displayName: 'Py 2' }, { 'if-match': etag });
    expect(ok.status).toBe(200);
    expect((await send('DELETE', `/Users/${id}`, undefined, { 'if-match': ok.headers.get('etag')! })).status).toBe(204);
  });

  it('a wrong `schemas` is refused with the URN the server expects (strict clients read the detail)', async () => {
    const r = await send('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], userName: 'wrong@python.example' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ scimType: 'invalidValue' });
    expect(r.body.detail).toContain(USER);
  });
});
