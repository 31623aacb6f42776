// Rippling custom SCIM app (R-RIP-01…03), replayed black-box: the Test Connection probe is
// GET /ServiceProviderConfig; groups by PATCH or PUT per the admin's checkboxes.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describeEachDialect('Interop: Rippling', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });
  const send = (m: string, p: string, b?: unknown) => live.send(m, `/scim/v2/${p}`, b);

  it('R-RIP-02 Test Connection GET /ServiceProviderConfig answers 200 with and without the key', async () => {
    expect((await send('GET', 'ServiceProviderConfig')).status).toBe(200);
    const anon = await fetch(`${live.origin}/scim/v2/ServiceProviderConfig`);
    expect(anon.status).toBe(200);
    expect((await anon.json()).patch.supported).toBe(true);
  });

  it('R-RIP-01 the ticked attributes (externalId, emails.primary, name, employeeNumber); groups by PATCH and by PUT', async () => {
    const u = await send('POST', 'Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: 'rip.user@rippling.example', externalId: 'rip-1', emails: [{ value: 'rip.user@rippling.example', primary: true }],
      name: { givenName: 'Rip', familyName: 'Pling' }, [ENTERPRISE]: { employeeNumber: 'E-1' },
    });
    expect(u.status).toBe(201);
    const g = (await send('POST', 'Groups', { displayName: 'Rippling Dept' })).body.id as string;
    expect((await send('PATCH', `Groups/${g}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: u.body.id }] }] })).status).toBe(204);
    const put = await send('PUT', `Groups/${g}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Rippling Dept', members: [] });
    expect(put.status).toBe(200);
    expect(put.body.members ?? []).toEqual([]);
  });
});
