// /Schemas tells the truth (issue #16): an attribute it publishes as readWrite is stored and
// echoed as sent; one the server derives (Group members.$ref/.display/.type, meta.*, User.groups)
// is published readOnly and what a client sends for it is ignored. Driven by the published
// document itself, so a future registry change that breaks the promise fails here.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, USER_SCHEMA, json } from '../support/test-app.js';

type Attr = { name: string; type: string; multiValued: boolean; mutability: string; subAttributes?: Attr[]; canonicalValues?: string[] };

describeEachDialect('Schema truth', (t) => {
  const schema = async (urn: string) => json(await t().scim.get(`/Schemas/${urn}`)).attributes as Attr[];
  const attr = (attrs: Attr[], name: string) => attrs.find((a) => a.name === name)!;

  it('derived values are readOnly in /Schemas: members.$ref/display/type, meta.*, groups', async () => {
    const group = await schema(GROUP_SCHEMA);
    const members = attr(group, 'members');
    expect(Object.fromEntries(members.subAttributes!.map((s) => [s.name, s.mutability]))).toEqual({ value: 'immutable', $ref: 'readOnly', display: 'readOnly', type: 'readOnly' });
    for (const s of attr(group, 'meta').subAttributes!) expect(s.mutability, `meta.${s.name}`).toBe('readOnly');
    const user = await schema(USER_SCHEMA);
    expect(attr(user, 'groups').mutability).toBe('readOnly');
    for (const s of attr(user, 'groups').subAttributes!) expect(s.mutability).toBe('readOnly');
  });

  it('what a client sends for a derived member sub-attribute is ignored; the server derives it', async () => {
    const u = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'truth.member@contoso.example', displayName: 'Real Name' }));
    const g = json(
      await t().scim.post('/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Truth group',
        members: [{ value: u.id, display: 'Client Name', type: 'Group', $ref: 'https://elsewhere.example/Users/1' }],
      }),
    );
    const got = json(await t().scim.get(`/Groups/${g.id}`));
    expect(got.members).toEqual([{ value: u.id, display: 'Real Name', type: 'User', $ref: `https://wiggledesk.test/scim/v2/Users/${u.id}` }]);
    // Renaming the user changes the derived display: it is not a stored copy.
    await t().scim.put(`/Users/${u.id}`, { schemas: [USER_SCHEMA], userName: 'truth.member@contoso.example', displayName: 'Renamed' });
    expect(json(await t().scim.get(`/Groups/${g.id}`)).members[0].display).toBe('Renamed');
  });

  it('every readWrite simple string attribute of User (core) is echoed exactly as sent', async () => {
    const user = await schema(USER_SCHEMA);
    const writable = user.filter((a) => a.mutability === 'readWrite' && a.type === 'string' && !a.multiValued && !a.canonicalValues && a.name !== 'password');
    expect(writable.length).toBeGreaterThan(5);
    const body: Record<string, unknown> = { schemas: [USER_SCHEMA] };
    for (const a of writable) body[a.name] = `${a.name} Value ÄÖ 01`;
    body.userName = 'echo.all@contoso.example';
    const created = await t().scim.post('/Users', body);
    expect(created.statusCode, created.body).toBe(201);
    const got = json(await t().scim.get(`/Users/${json(created).id}`));
    for (const a of writable) expect(got[a.name], a.name).toBe(body[a.name]);
    // Complex readWrite sub-attributes too (name.*).
    const name = attr(user, 'name').subAttributes!.filter((s) => s.mutability === 'readWrite');
    const nameValue = Object.fromEntries(name.map((s) => [s.name, `${s.name}-x`]));
    await t().scim.put(`/Users/${got.id}`, { ...body, name: nameValue });
    expect(json(await t().scim.get(`/Users/${got.id}`)).name).toEqual(nameValue);
  });

  it('readOnly attributes in a body are ignored (meta, groups), not stored', async () => {
    const r = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'ro@contoso.example', meta: { created: '2000-01-01T00:00:00Z' }, groups: [{ value: 'x' }] });
    expect(r.statusCode).toBe(201);
    expect(json(r).meta.created).not.toBe('2000-01-01T00:00:00Z');
    expect(json(r)).not.toHaveProperty('groups');
  });
});
