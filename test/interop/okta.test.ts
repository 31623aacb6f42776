// Okta provisioning (client-behaviors.md §3, S16–S20), replayed black-box over a real socket.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const H = { 'user-agent': 'Okta SCIM Client 1.0.0', 'content-type': 'application/json; charset=utf-8' };

describeEachDialect('Interop: Okta', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });
  const send = (m: string, p: string, b?: unknown) => live.send(m, `/scim/v2${p}`, b, H);

  it('R-OKTA-02…09 user lifecycle: existence check, create, duplicate, PUT update, deactivate/reactivate by no-path PATCH', async () => {
    const userName = `Test.User.${Date.now()}@okta.local`;
    const check = await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);
    expect(check.body).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    const create = await send('POST', '/Users', {
      schemas: [USER], userName, name: { givenName: 'Test', familyName: 'User' }, emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: '1mz050nq', active: true,
    });
    expect(create.status, create.text).toBe(201);
    expect(create.body).not.toHaveProperty('password');
    const id = create.body.id as string;
    expect((await send('POST', '/Users', { schemas: [USER], userName: userName.toUpperCase() })).status).toBe(409); // R-OKTA-04/19
    const upper = await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`);
    expect(upper.body.Resources[0].userName).toBe(userName); // original case kept
    const full = (await send('GET', `/Users/${id}`)).body;
    const put = await send('PUT', `/Users/${id}`, { ...full, name: { ...full.name, middleName: 'M' }, emails: [{ ...full.emails[0], display: 'x' }] });
    expect(put.status, put.text).toBe(200);
    expect(put.body.name.middleName).toBe('M');
    const off = await send('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off.body.active).toBe(false);
    const on = await send('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.body.active).toBe(true);
    expect(on.body.id).toBe(id);
  });

  it('R-OKTA-10…15 group push: create, lookup, rename without schemas carrying its id, remove+add members, Push Now replace, delete', async () => {
    const u = await Promise.all([1, 2, 3].map(async (i) => (await send('POST', '/Users', { schemas: [USER], userName: `okta.member.${i}.${Date.now()}@okta.local` })).body.id as string));
    const g = await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] });
    expect(g.status).toBe(201);
    const gid = g.body.id as string;
    const look = await send('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`);
    expect(look.body.Resources[0].id).toBe(gid);
    const rename = await send('PATCH', `/Groups/${gid}`, { Operations: [{ op: 'replace', value: { id: gid, displayName: 'Test SCIMv2' } }] });
    expect([200, 204]).toContain(rename.status);
    await send('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: u[0], display: 'a' }] }] });
    const mixed = await send('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${u[0]}"]` }, { op: 'add', path: 'members', value: [{ value: u[1], display: 'b' }] }],
    });
    expect([200, 204]).toContain(mixed.status);
    const pushNow = await send('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [{ value: u[1] }, { value: u[2] }] }] });
    expect([200, 204]).toContain(pushNow.status);
    expect((await send('GET', `/Groups/${gid}`)).body.members.map((m: { value: string }) => m.value).sort()).toEqual([u[1], u[2]].sort());
    expect((await send('DELETE', `/Groups/${gid}`)).status).toBe(204);
  });

  it('R-GEN-04 a bad Authorization header → 401 SCIM error with all four fields', async () => {
    const r = await live.send('GET', '/scim/v2/Users', undefined, { ...H, authorization: 'non-token' });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    expect(r.body.detail).toBeTruthy();
  });
});
