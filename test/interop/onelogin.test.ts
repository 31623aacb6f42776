// OneLogin SCIM Provisioner (R-OL-01…03): admin-written JSON templates, replayed black-box.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describeEachDialect('Interop: OneLogin', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });
  // OneLogin users paste the base URL with a trailing slash (R-GEN-02).
  const send = (m: string, p: string, b?: unknown) => live.send(m, `/scim/v2/${p}`, b);

  it('R-OL-01 template body: string active, id null, meta, SCIM 1.1 core URN, manager with managerId, addresses without type', async () => {
    const mgr = (await send('POST', 'Users', { userName: `ol.mgr.${Date.now()}@onelogin.example` })).body.id as string;
    const r = await send('POST', 'Users', {
      schemas: ['urn:scim:schemas:core:1.0', ENTERPRISE],
      id: null,
      meta: { resourceType: 'User' },
      userName: `ol.user.${Date.now()}@onelogin.example`,
      active: '{$user.active}'.replace('{$user.active}', 'true'),
      name: { givenName: 'One', familyName: 'Login' },
      addresses: [{ streetAddress: '1 Main St', locality: 'SF' }],
      [ENTERPRISE]: { manager: { value: mgr, displayName: 'Boss', managerId: mgr }, department: 'IT' },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ active: true, addresses: [{ streetAddress: '1 Main St', locality: 'SF' }] });
    expect(r.body[ENTERPRISE].manager).toEqual({ value: mgr });
    // R-OL-03: update by PUT or PATCH, deprovision by active=false or DELETE: all work.
    const id = r.body.id as string;
    expect((await send('PUT', `Users/${id}`, { schemas: ['urn:scim:schemas:core:1.0'], userName: r.body.userName, active: 'false' })).body.active).toBe(false);
    expect((await send('PATCH', `Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: 'true' }] })).body.active).toBe(true);
    expect((await send('DELETE', `Users/${id}`)).status).toBe(204);
  });

  it('R-OL-02 the enable probe (list with paging) on the trailing-slash base and a doubled slash', async () => {
    expect((await send('GET', 'Users?startIndex=1&count=1')).status).toBe(200);
    expect((await live.send('GET', '/scim/v2//Users?count=1')).status).toBe(200);
  });
});
