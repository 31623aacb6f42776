// Responses spliced from the stored text (issue #15, scim/resources/stored-view.ts): on SQLite a
// GET or list page of the default view is made from the document's stored JSON text, without
// parsing it; what a client receives is the same resource either way. The byte-for-byte equality
// with the general path is property-tested in src/scim/resources/stored-view.property.test.ts;
// this checks the wiring: which reads hand on text, and that the answers agree with them.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, USER_SCHEMA, json } from '../support/test-app.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describeEachDialect('responses from the stored text', (t) => {
  it('GET and list of the default view answer the stored document, with id, meta and groups; projections still apply', async () => {
    const body = {
      schemas: [USER_SCHEMA, ENT],
      userName: 'splice@contoso.test',
      name: { givenName: 'Sp', familyName: 'Lice "quoted" \\ \u2028' },
      emails: [{ value: 'splice@contoso.test', type: 'work', primary: true }],
      [ENT]: { department: 'Ops', manager: { value: 'm-1' } },
    };
    const created = json(await t().scim.post('/Users', body));
    const id = created.id as string;
    const group = json(await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Splicers', members: [{ value: id }] }));

    const store = t().services.platform.forTenant(t().org.id);
    const view = await store.users.findView(id);
    const stored = await store.users.findById(id);
    if (t().dialect === 'sqlite') {
      expect(view?.doc).toBeUndefined();
      expect(JSON.parse(view!.docText!)).toEqual(stored!.doc);
    } else {
      expect(view?.docText).toBeUndefined();
      expect(view?.doc).toEqual(stored!.doc);
    }

    const got = await t().scim.get(`/Users/${id}`);
    expect(got.statusCode).toBe(200);
    const user = json(got);
    const { schemas, ...rest } = stored!.doc;
    // Same attributes as stored, plus id, meta and the derived groups; nothing else.
    expect(user).toEqual({
      schemas,
      id,
      ...rest,
      meta: { resourceType: 'User', created: stored!.created, lastModified: stored!.lastModified, location: expect.stringMatching(new RegExp(`/Users/${id}$`)), version: `W/"${stored!.version}"` },
      groups: [{ value: group.id, $ref: expect.stringMatching(/\/Groups\//), display: 'Splicers', type: 'direct' }],
    });
    expect(got.headers.etag).toBe(`W/"${stored!.version}"`);

    const page = json(await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "splice@contoso.test"`)}`));
    expect(page.Resources).toEqual([user]);
    const all = json(await t().scim.get('/Users?count=10'));
    expect(all.Resources).toContainEqual(user);

    // Projections take the general path and still apply.
    const narrow = json(await t().scim.get(`/Users/${id}?attributes=userName`));
    expect(Object.keys(narrow).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    const noGroups = json(await t().scim.get(`/Users/${id}?excludedAttributes=groups`));
    expect(noGroups.groups).toBeUndefined();
    expect(noGroups.name).toEqual(user.name);
    const groupNoMembers = json(await t().scim.get(`/Groups/${String(group.id)}?excludedAttributes=members`));
    expect(groupNoMembers).toMatchObject({ id: group.id, displayName: 'Splicers' });
    expect(groupNoMembers.members).toBeUndefined();
  });
});
