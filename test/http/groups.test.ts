// /scim/v2/Groups over HTTP: CRUD, membership as rows in every shape real clients send,
// nested groups, User.groups, on every configured dialect.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, PATCH_OP, json } from '../support/test-app.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describeEachDialect('Groups', (t) => {
  let users: string[] = [];
  let n = 0;
  const name = (p = 'Group') => `${p} ${Date.now().toString(36)} ${n++}`;
  const patch = (id: string, ...Operations: unknown[]) => t().scim.patch(`/Groups/${id}`, { schemas: [PATCH_OP], Operations });
  const memberIds = async (id: string) => ((json(await t().scim.get(`/Groups/${id}`)).members ?? []) as Array<{ value: string }>).map((m) => m.value).sort();
  const newGroup = async (body: Record<string, unknown> = {}) => {
    const r = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: name(), ...body });
    expect(r.statusCode, r.body).toBe(201);
    return json(r);
  };

  beforeAll(async () => {
    users = [];
    for (let i = 0; i < 8; i++) {
      const r = await t().scim.post('/Users', { userName: `member${i}@groups.example`, displayName: `Member ${i}` });
      users.push(json(r).id);
    }
  });

  it('R-ENTRA-28 Entra group create with an unknown schema URN and meta → 201, no members', async () => {
    const displayName = name('Entra');
    const r = await t().scim.post('/Groups', {
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName,
      meta: { resourceType: 'Group' },
    });
    expect(r.statusCode).toBe(201);
    const g = json(r);
    expect(g).toMatchObject({ schemas: [GROUP_SCHEMA], displayName, externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' });
    expect(g.meta).toMatchObject({ resourceType: 'Group', version: 'W/"1"', location: `https://wiggledesk.test/scim/v2/Groups/${g.id}` });
    expect(r.headers.location).toBe(g.meta.location);
    expect(g.members ?? []).toEqual([]);
  });

  it('R-CORE-13 displayName is required → 400 invalidValue; R-ENTRA-30 unique per tenant (case-insensitive) → 409', async () => {
    expect(json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA] })).scimType).toBe('invalidValue');
    const displayName = name('Unique');
    await newGroup({ displayName });
    const dup = await t().scim.post('/Groups', { displayName: displayName.toUpperCase() });
    expect(dup.statusCode).toBe(409);
    expect(json(dup).scimType).toBe('uniqueness');
  });

  it('R-OKTA-10 POST with members (value, display, $ref null) stores them as rows; GET returns value/$ref/type/display', async () => {
    const g = await newGroup({ members: [{ value: users[0], display: 'ignored' }, { value: users[1], $ref: null }] });
    const got = json(await t().scim.get(`/Groups/${g.id}`));
    expect(got.members).toHaveLength(2);
    const m = got.members.find((x: { value: string }) => x.value === users[0]);
    expect(m).toEqual({ value: users[0], $ref: `https://wiggledesk.test/scim/v2/Users/${users[0]}`, type: 'User', display: 'Member 0' });
  });

  it('R-ENTRA-29 excludedAttributes=members returns no members; R-ENTRA-30 filter by displayName', async () => {
    const g = await newGroup({ members: [{ value: users[0] }] });
    const r = json(await t().scim.get(`/Groups/${g.id}?excludedAttributes=members`));
    expect(r).not.toHaveProperty('members');
    const f = json(await t().scim.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${g.displayName}"`)}`));
    expect(f.totalResults).toBe(1);
    expect(f.Resources[0]).not.toHaveProperty('members');
  });

  it('filters: externalId eq, members[value eq], id eq … and members[value eq …]', async () => {
    const g = await newGroup({ externalId: `ext-${n}`, members: [{ value: users[2] }] });
    const q = async (filter: string) => json(await t().scim.get(`/Groups?filter=${encodeURIComponent(filter)}&excludedAttributes=members`)).totalResults;
    expect(await q(`externalId eq "ext-${n - 1}"`)).toBe(1);
    expect(await q(`members[value eq "${users[2]}"]`)).toBeGreaterThanOrEqual(1);
    expect(await q(`id eq "${g.id}" and members[value eq "${users[2]}"]`)).toBe(1);
    expect(await q(`id eq "${g.id}" and members[value eq "${users[3]}"]`)).toBe(0);
    expect(await q(`members.value eq "${users[2]}"`)).toBeGreaterThanOrEqual(1);
  });

  it('R-ENTRA-32 Entra "Add" members with $ref null, several in one op and several ops → 204; re-adding is a no-op', async () => {
    const g = await newGroup();
    const r = await patch(
      g.id,
      { op: 'Add', path: 'members', value: [{ $ref: null, value: users[0] }, { $ref: null, value: users[1] }] },
      { op: 'Add', path: 'members', value: [{ $ref: null, value: users[2] }] },
    );
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    expect(await memberIds(g.id)).toEqual([users[0], users[1], users[2]].sort());
    const again = await patch(g.id, { op: 'Add', path: 'members', value: [{ value: users[0] }] });
    expect(again.statusCode).toBe(204);
    expect(await memberIds(g.id)).toHaveLength(3);
  });

  it('R-ENTRA-33 legacy "Remove" with a value list removes only those members', async () => {
    const g = await newGroup({ members: users.slice(0, 4).map((value) => ({ value })) });
    expect((await patch(g.id, { op: 'Remove', path: 'members', value: [{ $ref: null, value: users[1] }] })).statusCode).toBe(204);
    expect(await memberIds(g.id)).toEqual([users[0], users[2], users[3]].sort());
  });

  it('R-ENTRA-34 RFC remove with a value filter; a filter matching nothing is still 204', async () => {
    const g = await newGroup({ members: users.slice(0, 3).map((value) => ({ value })) });
    expect((await patch(g.id, { op: 'remove', path: `members[value eq "${users[0]}"]` })).statusCode).toBe(204);
    expect(await memberIds(g.id)).toEqual([users[1], users[2]].sort());
    expect((await patch(g.id, { op: 'remove', path: 'members[value eq "00000000-0000-4000-8000-000000000000"]' })).statusCode).toBe(204);
  });

  it('R-CORE-17 remove members without value clears all', async () => {
    const g = await newGroup({ members: users.slice(0, 3).map((value) => ({ value })) });
    expect((await patch(g.id, { op: 'remove', path: 'members' })).statusCode).toBe(204);
    expect(await memberIds(g.id)).toEqual([]);
  });

  it('R-OKTA-12/13 rename with the same id in the value, then remove+add in one request; replace members sets the list', async () => {
    const g = await newGroup({ members: [{ value: users[0] }, { value: users[1] }] });
    const renamed = name('Renamed');
    expect((await patch(g.id, { op: 'replace', value: { id: g.id, displayName: renamed } })).statusCode).toBe(204);
    expect(json(await t().scim.get(`/Groups/${g.id}`)).displayName).toBe(renamed);
    expect((await patch(g.id, { op: 'replace', value: { id: 'someone-else', displayName: 'x' } })).statusCode).toBe(400);
    const r = await patch(
      g.id,
      { op: 'remove', path: `members[value eq "${users[0]}"]` },
      { op: 'add', path: 'members', value: [{ value: users[2], display: 'member2@groups.example' }] },
    );
    expect(r.statusCode).toBe(204);
    expect(await memberIds(g.id)).toEqual([users[1], users[2]].sort());
    expect((await patch(g.id, { op: 'replace', path: 'members', value: [{ value: users[3] }, { value: users[4] }] })).statusCode).toBe(204);
    expect(await memberIds(g.id)).toEqual([users[3], users[4]].sort());
  });

  it('R-CORE-15 a scalar member value is wrapped (MS Postman "Group patch add member")', async () => {
    const g = await newGroup();
    expect((await patch(g.id, { op: 'add', path: 'members', value: users[5] })).statusCode).toBe(204);
    expect(await memberIds(g.id)).toEqual([users[5]]);
  });

  it('R-CORE-20 PATCH returns the group (200) when attributes are asked for', async () => {
    const g = await newGroup();
    const r = await t().scim.patch(`/Groups/${g.id}?attributes=displayName`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: name('Shown') }] });
    expect(r.statusCode).toBe(200);
    expect(json(r).displayName).toMatch(/^Shown/);
  });

  it('membership changes bump meta.version; a PATCH that changes nothing does not', async () => {
    const g = await newGroup();
    await patch(g.id, { op: 'add', path: 'members', value: [{ value: users[0] }] });
    const v2 = json(await t().scim.get(`/Groups/${g.id}`)).meta;
    expect(v2.version).toBe('W/"2"');
    await patch(g.id, { op: 'add', path: 'members', value: [{ value: users[0] }] });
    await patch(g.id, { op: 'replace', path: 'displayName', value: g.displayName });
    const same = json(await t().scim.get(`/Groups/${g.id}`)).meta;
    expect(same.version).toBe('W/"2"');
    expect(same.lastModified).toBe(v2.lastModified);
  });

  it('R-ENTRA-35 an unknown member id → 400 invalidValue naming it, and nothing of the request is applied', async () => {
    const g = await newGroup();
    const bogus = '11111111-1111-4111-8111-111111111111';
    const r = await patch(g.id, { op: 'replace', path: 'displayName', value: name('Never') }, { op: 'add', path: 'members', value: [{ value: users[0] }, { value: bogus }] });
    expect(r.statusCode).toBe(400);
    expect(json(r)).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
    expect(json(r).detail).toContain(bogus);
    const after = json(await t().scim.get(`/Groups/${g.id}`));
    expect(after.displayName).toBe(g.displayName);
    expect(after.members ?? []).toEqual([]);
    expect((await t().scim.post('/Groups', { displayName: name(), members: [{ value: bogus }] })).statusCode).toBe(400);
  });

  it('a member id from another tenant is refused like an unknown one', async () => {
    const other = await t().newTenant();
    const foreignUser = json(await other.scim.post('/Users', { userName: 'foreign@other.example' })).id;
    const g = await newGroup();
    const r = await patch(g.id, { op: 'add', path: 'members', value: [{ value: foreignUser }] });
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe('invalidValue');
  });

  it('R-CORE-22 nested groups; cycles are refused with invalidValue; User.groups lists direct and indirect', async () => {
    const parent = await newGroup();
    const child = await newGroup({ members: [{ value: users[6] }] });
    expect((await patch(parent.id, { op: 'add', path: 'members', value: [{ value: child.id }] })).statusCode).toBe(204);
    const p = json(await t().scim.get(`/Groups/${parent.id}`));
    expect(p.members).toEqual([expect.objectContaining({ value: child.id, type: 'Group', display: child.displayName })]);
    const cycle = await patch(child.id, { op: 'add', path: 'members', value: [{ value: parent.id }] });
    expect(cycle.statusCode).toBe(400);
    expect(json(cycle).scimType).toBe('invalidValue');
    expect((await patch(child.id, { op: 'add', path: 'members', value: [{ value: child.id }] })).statusCode).toBe(400);
    const u = json(await t().scim.get(`/Users/${users[6]}`));
    const byId = Object.fromEntries((u.groups as Array<{ value: string; type: string }>).map((g) => [g.value, g.type]));
    expect(byId[child.id]).toBe('direct');
    expect(byId[parent.id]).toBe('indirect');
    expect(json(await t().scim.get(`/Users?filter=${encodeURIComponent(`groups[value eq "${child.id}"]`)}`)).totalResults).toBe(1);
  });

  it('R-CORE-21 User.groups is readOnly: writes are ignored on POST/PUT and refused by PATCH', async () => {
    const g = await newGroup();
    const u = json(await t().scim.post('/Users', { userName: `ro.${n++}@groups.example`, groups: [{ value: g.id }] }));
    expect(u.groups).toBeUndefined();
    const r = await t().scim.patch(`/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'groups', value: [{ value: g.id }] }] });
    expect(r.statusCode).toBe(400);
    expect(json(r).scimType).toBe('mutability');
  });

  it('R-OKTA-14 PUT replaces the member set by a diff; omitting members empties the group', async () => {
    const g = await newGroup({ members: [{ value: users[0] }, { value: users[1] }] });
    const r = await t().scim.put(`/Groups/${g.id}`, { schemas: [GROUP_SCHEMA], displayName: g.displayName, members: [{ value: users[1] }, { value: users[2] }] });
    expect(r.statusCode).toBe(200);
    expect(await memberIds(g.id)).toEqual([users[1], users[2]].sort());
    await t().scim.put(`/Groups/${g.id}`, { schemas: [GROUP_SCHEMA], displayName: g.displayName });
    expect(await memberIds(g.id)).toEqual([]);
  });

  it('deleting a user removes its memberships; deleting a group removes its rows and its own memberships', async () => {
    const extra = json(await t().scim.post('/Users', { userName: `gone.${n++}@groups.example` })).id;
    const g = await newGroup({ members: [{ value: extra }, { value: users[0] }] });
    const outer = await newGroup({ members: [{ value: g.id }] });
    expect((await t().scim.delete(`/Users/${extra}`)).statusCode).toBe(204);
    expect(await memberIds(g.id)).toEqual([users[0]]);
    expect((await t().scim.delete(`/Groups/${g.id}`)).statusCode).toBe(204);
    expect((await t().scim.get(`/Groups/${g.id}`)).statusCode).toBe(404);
    expect(await memberIds(outer.id)).toEqual([]);
    expect((json(await t().scim.get(`/Users/${users[0]}`)).groups ?? []).some((x: { value: string }) => x.value === g.id)).toBe(false);
  });

  it('R-OKTA-05 lists paginate; members are returned in lists unless excluded', async () => {
    const r = json(await t().scim.get('/Groups?startIndex=1&count=2'));
    expect(r).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
    const withMembers = json(await t().scim.get(`/Groups?filter=${encodeURIComponent(`members[value eq "${users[1]}"]`)}`));
    expect(withMembers.Resources.every((g: { members?: unknown[] }) => Array.isArray(g.members))).toBe(true);
  });

  it('a group from another tenant is 404 for every method', async () => {
    const g = await newGroup();
    const other = await t().newTenant();
    expect((await other.scim.get(`/Groups/${g.id}`)).statusCode).toBe(404);
    expect((await other.scim.put(`/Groups/${g.id}`, { displayName: 'x' })).statusCode).toBe(404);
    expect((await other.scim.patch(`/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] })).statusCode).toBe(404);
    expect((await other.scim.delete(`/Groups/${g.id}`)).statusCode).toBe(404);
    expect((await t().scim.get(`/Groups/${g.id}`)).statusCode).toBe(200);
  });
});
