// Microsoft Entra ID provisioning, replayed black-box over a real socket (undici fetch) with the
// request shapes of client-behaviors.md §2 (S1, S2). Run against the canonical base and against
// the announcement's `…/scim/v2/Users` Tenant URL, to which Entra appends `/Users`, `/Groups`
// (R-ENTRA-42). Every location the server returns must be canonical.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CANONICAL = 'https://wiggledesk.test/scim/v2';

describeEachDialect('Interop: Microsoft Entra ID', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });

  describe.each([
    ['the announcement\'s Tenant URL …/scim/v2/Users', '/scim/v2/Users'],
    ['the canonical Tenant URL …/scim/v2', '/scim/v2'],
  ])('Tenant URL: %s', (_label, base) => {
    const q = (filter: string, extra = '') => `?filter=${encodeURIComponent(filter)}${extra}`;

    it('R-ENTRA-02/03 Test Connection: random-GUID filter → 200 empty ListResponse; random user and group → 404', async () => {
      const r = await live.send('GET', `${base}/Users${q(`userName eq "${randomUUID()}"`)}`);
      expect(r.status, r.text).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });
      for (const type of ['Users', 'Groups']) {
        const nf = await live.send('GET', `${base}/${type}/${randomUUID()}`);
        expect(nf.status).toBe(404);
        expect(nf.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
      }
    });

    it('R-ENTRA-04 /Schemas is discoverable under the Tenant URL', async () => {
      const r = await live.send('GET', `${base}/Schemas`);
      expect(r.status).toBe(200);
      expect(r.body.Resources.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([USER, GROUP, ENTERPRISE]));
    });

    it('R-ENTRA-10…36 the provisioning cycle: match, create, update, disable, group with members, delete', async () => {
      const upn = `Test_User_${randomUUID()}@contoso.example`;
      // Match by userName: nothing yet.
      expect((await live.send('GET', `${base}/Users${q(`userName eq "${upn}"`)}`)).body.totalResults).toBe(0);
      // R-ENTRA-10/11 create, enterprise extension, top-level nulls, meta.resourceType.
      const created = await live.send('POST', `${base}/Users`, {
        schemas: [USER, ENTERPRISE],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: upn,
        active: true,
        emails: [{ primary: true, type: 'work', value: upn }],
        meta: { resourceType: 'User' },
        name: { formatted: 'Ryan Leenay', familyName: 'Leenay', givenName: 'Ryan' },
        roles: [],
        department: null,
        manager: null,
        [ENTERPRISE]: { department: 'Sales', employeeNumber: '1001' },
      });
      expect(created.status, created.text).toBe(201);
      const id = created.body.id as string;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.headers.get('location')).toBe(`${CANONICAL}/Users/${id}`);
      expect(created.body.meta.location).toBe(`${CANONICAL}/Users/${id}`);
      expect(created.body).not.toHaveProperty('department');

      // Match again: found, by userName (case-insensitive, R-ENTRA-09) and by the work email (R-ENTRA-06).
      expect((await live.send('GET', `${base}/Users${q(`userName eq "${upn.toUpperCase()}"`)}`)).body.Resources[0].id).toBe(id);
      expect((await live.send('GET', `${base}/Users${q(`emails[type eq "work"].value eq "${upn}"`)}`)).body.totalResults).toBe(1);

      // R-ENTRA-14/20 default multi-op Replace.
      const patched = await live.send('PATCH', `${base}/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'displayName', value: 'Ryan L.' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: `new.${upn}` },
          { op: 'Replace', path: 'name.familyName', value: 'Leenay-Smith' },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: randomUUID() },
        ],
      });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({ displayName: 'Ryan L.', name: { familyName: 'Leenay-Smith' } });
      expect(patched.body.emails).toEqual([{ primary: true, type: 'work', value: `new.${upn}` }]);
      expect(patched.body.meta.location).toBe(`${CANONICAL}/Users/${id}`);

      // R-ENTRA-18 disable, default (string "False") form; the user is still found (R-GEN-13).
      const disabled = await live.send('PATCH', `${base}/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
      expect(disabled.status).toBe(200);
      expect(disabled.body.active).toBe(false);
      expect((await live.send('GET', `${base}/Users/${id}`)).body.active).toBe(false);

      // R-ENTRA-28/30/32/33 groups: match by name, create with the ADSCIM URN, add then remove members.
      const displayName = `Sales ${randomUUID()}`;
      expect((await live.send('GET', `${base}/Groups${q(`displayName eq "${displayName}"`, '&excludedAttributes=members')}`)).body.totalResults).toBe(0);
      const g = await live.send('POST', `${base}/Groups`, {
        schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: randomUUID(),
        displayName,
        meta: { resourceType: 'Group' },
      });
      expect(g.status, g.text).toBe(201);
      const gid = g.body.id as string;
      expect(g.headers.get('location')).toBe(`${CANONICAL}/Groups/${gid}`);
      const other = (await live.send('POST', `${base}/Users`, { schemas: [USER], userName: `other.${upn}` })).body.id as string;
      const add = await live.send('PATCH', `${base}/Groups/${gid}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }, { $ref: null, value: other }] }],
      });
      expect(add.status, add.text).toBe(204);
      const rename = await live.send('PATCH', `${base}/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: `${displayName} (renamed)` }] });
      expect(rename.status).toBe(204);
      const remove = await live.send('PATCH', `${base}/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: other }] }] });
      expect(remove.status).toBe(204);
      const removeRfc = await live.send('PATCH', `${base}/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${randomUUID()}"]` }] });
      expect(removeRfc.status).toBe(204);
      const got = await live.send('GET', `${base}/Groups/${gid}`);
      expect(got.body.displayName).toBe(`${displayName} (renamed)`);
      expect(got.body.members).toEqual([{ value: id, $ref: `${CANONICAL}/Users/${id}`, type: 'User', display: 'Ryan L.' }]);
      expect((await live.send('GET', `${base}/Groups/${gid}?excludedAttributes=members`)).body).not.toHaveProperty('members');
      expect((await live.send('GET', `${base}/Users/${id}`)).body.groups).toEqual([
        { value: gid, $ref: `${CANONICAL}/Groups/${gid}`, display: `${displayName} (renamed)`, type: 'direct' },
      ]);

      // R-ENTRA-24/36 deletes: 204 with an empty body, then 404 and an empty filter.
      const delG = await live.send('DELETE', `${base}/Groups/${gid}`);
      expect(delG.status).toBe(204);
      expect(delG.text).toBe('');
      const delU = await live.send('DELETE', `${base}/Users/${id}`);
      expect(delU.status).toBe(204);
      expect((await live.send('GET', `${base}/Users/${id}`)).status).toBe(404);
      expect((await live.send('GET', `${base}/Users${q(`userName eq "${upn}"`)}`)).body.totalResults).toBe(0);
      // R-GEN-14 the same userName can be provisioned again.
      expect((await live.send('POST', `${base}/Users`, { schemas: [USER], userName: upn })).status).toBe(201);
    });

    it('R-GEN-03 the aadOptscim062020 flag written into the Tenant URL is ignored', async () => {
      const r = await live.send('GET', `${base}/Users?aadOptscim062020&filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`);
      expect(r.status).toBe(200);
      expect(r.body.totalResults).toBe(0);
    });
  });
});
