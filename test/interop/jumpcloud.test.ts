// JumpCloud custom SCIM (R-JC-01…04), replayed black-box: Test Connection creates and deletes a
// user and a group; groups are taken over by name; member PATCH is Azure-style.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describeEachDialect('Interop: JumpCloud', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });
  const send = (m: string, p: string, b?: unknown) => live.send(m, `/scim/v2${p}`, b);

  it('R-JC-02 Test Connection: create a test user and group, then delete both, on the first call', async () => {
    const u = await send('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jc.test@jumpcloud.example', emails: [{ value: 'jc.test@jumpcloud.example', primary: true }] });
    expect(u.status).toBe(201);
    const g = await send('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'JumpCloud Test Group', members: [{ value: u.body.id }] });
    expect(g.status).toBe(201);
    expect((await send('DELETE', `/Groups/${g.body.id}`)).status).toBe(204);
    expect((await send('DELETE', `/Users/${u.body.id}`)).status).toBe(204);
  });

  it('R-JC-03/04 take over a group by name, rename it, Azure-style member add/remove, deactivate a member', async () => {
    const u = (await send('POST', '/Users', { userName: 'jc.member@jumpcloud.example' })).body.id as string;
    const existing = (await send('POST', '/Groups', { displayName: 'Engineering' })).body.id as string;
    const found = await send('GET', `/Groups?filter=${encodeURIComponent('displayName eq "engineering"')}`);
    expect(found.body.Resources.map((g: { id: string }) => g.id)).toEqual([existing]);
    expect((await send('PATCH', `/Groups/${existing}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Eng' }] })).status).toBe(204);
    expect((await send('PATCH', `/Groups/${existing}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: u }] }] })).status).toBe(204);
    expect((await send('PATCH', `/Groups/${existing}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value: [{ value: u }] }] })).status).toBe(204);
    expect((await send('GET', `/Groups/${existing}`)).body.members ?? []).toEqual([]);
    expect((await send('PATCH', `/Users/${u}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).body.active).toBe(false);
  });
});
