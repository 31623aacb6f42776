import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../domain/json.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema, GROUP_SCHEMA, USER_SCHEMA } from '../schema/registry.js';
import { splitList } from './attr-list.js';
import { applyProjection, NO_PROJECTION, parseProjection, wantsAttribute, type ProjectionParams } from './projection.js';

const userRs = getResourceSchema('User');
const groupRs = getResourceSchema('Group');

const meta = {
  resourceType: 'User',
  created: '2026-01-01T00:00:00Z',
  lastModified: '2026-01-02T00:00:00Z',
  location: 'https://x/Users/1',
  version: 'W/"1"',
};
const user: JsonObject = {
  schemas: [USER_SCHEMA, ENT],
  id: '1',
  externalId: 'e1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  password: 'leaked?',
  emails: [
    { value: 'b@work', type: 'work', primary: true },
    { value: 'b@home', type: 'home' },
  ],
  groups: [{ value: 'g1', display: 'Admins' }],
  [ENT]: { department: 'Sales', manager: { value: 'm1', displayName: 'Boss' } },
  meta,
};
const group: JsonObject = {
  schemas: [GROUP_SCHEMA],
  id: 'g1',
  displayName: 'Admins',
  members: [{ value: '1', display: 'bjensen' }],
  meta: { ...meta, resourceType: 'Group' },
};

const project = (params: ProjectionParams, doc: JsonObject = user, rs = userRs): JsonObject =>
  applyProjection(rs, doc, parseProjection(rs, params));

describe('applyProjection: returned characteristic (RFC 7643 §2.2)', () => {
  it('R-CORE-12 default view: everything but password', () => {
    const { password: _password, ...rest } = user;
    expect(applyProjection(userRs, user, NO_PROJECTION)).toEqual(rest);
  });

  it('R-CORE-12 password is never returned, even when named', () => {
    expect(project({ attributes: 'password' })).toEqual({ schemas: [USER_SCHEMA], id: '1', meta: { resourceType: 'User' } });
    expect(project({ attributes: 'userName,PASSWORD' })).not.toHaveProperty('password');
  });

  it('R-CORE-09 attributes= returns the named ones plus id, schemas, meta.resourceType', () => {
    expect(project({ attributes: 'userName' })).toEqual({
      schemas: [USER_SCHEMA],
      id: '1',
      userName: 'bjensen',
      meta: { resourceType: 'User' },
    });
  });

  it('attributes=meta returns the whole meta', () => {
    expect(project({ attributes: 'meta' })['meta']).toEqual(meta);
  });

  it('R-CORE-09 excludedAttributes cannot remove always attributes', () => {
    const out = project({ excludedAttributes: 'id,meta,schemas,userName' });
    expect(out).toMatchObject({ schemas: [USER_SCHEMA, ENT], id: '1', meta: { resourceType: 'User' } });
    expect(out).not.toHaveProperty('userName');
    expect(Object.keys(out['meta'] as JsonObject)).toEqual(['resourceType']);
  });

  it('does not modify its input', () => {
    const copy = structuredClone(user);
    project({ attributes: 'userName' });
    project({ excludedAttributes: 'emails' });
    expect(user).toEqual(copy);
  });
});

describe('applyProjection: parameter syntax (R-CORE-09)', () => {
  it('is case-insensitive and trims items', () => {
    expect(project({ attributes: ' USERNAME , Name.GivenName ' })).toEqual({
      schemas: [USER_SCHEMA],
      id: '1',
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
      meta: { resourceType: 'User' },
    });
  });

  it('accepts a list of strings (repeated parameter, SearchRequest array)', () => {
    expect(Object.keys(project({ attributes: ['userName', 'active,externalId'] }))).toEqual([
      'schemas',
      'id',
      'externalId',
      'userName',
      'active',
      'meta',
    ]);
  });

  it('URN-qualified extension attribute keeps only it, and the extension URN stays in schemas', () => {
    expect(project({ attributes: `${ENT}:department` })).toEqual({
      schemas: [USER_SCHEMA, ENT],
      id: '1',
      [ENT]: { department: 'Sales' },
      meta: { resourceType: 'User' },
    });
  });

  it('URN-qualified sub-attribute of an extension attribute', () => {
    expect(project({ attributes: `${ENT.toUpperCase()}:manager.value` })[ENT]).toEqual({ manager: { value: 'm1' } });
  });

  it('URN-qualified core attribute and bare extension attribute', () => {
    expect(project({ attributes: `${USER_SCHEMA}:userName,department` })).toMatchObject({
      userName: 'bjensen',
      [ENT]: { department: 'Sales' },
    });
  });

  it('a whole extension by URN', () => {
    expect(project({ attributes: ENT })[ENT]).toEqual(user[ENT]);
    const out = project({ excludedAttributes: ENT });
    expect(out).not.toHaveProperty(ENT);
    expect(out['schemas']).toEqual([USER_SCHEMA]);
  });

  it('R-CORE-09 emails[type eq "work"] in attributes: the filter part is ignored', () => {
    expect(project({ attributes: 'emails[type eq "work"]' })['emails']).toEqual(user['emails']);
    expect(project({ attributes: 'emails[type eq "a,b"].value,userName' })).toMatchObject({
      userName: 'bjensen',
      emails: [{ value: 'b@work' }, { value: 'b@home' }],
    });
  });

  it('unknown names are ignored, not errors', () => {
    expect(project({ attributes: 'nope,userName,name.nope,urn:x:y:z' })).toEqual({
      schemas: [USER_SCHEMA],
      id: '1',
      userName: 'bjensen',
      meta: { resourceType: 'User' },
    });
    const { password: _p, ...rest } = user;
    expect(project({ excludedAttributes: 'nope' })).toEqual(rest);
  });

  it('blank attributes= is the default view; when both are given, attributes wins', () => {
    expect(project({ attributes: ' , ', excludedAttributes: 'userName' })).not.toHaveProperty('userName');
    expect(project({ attributes: 'userName', excludedAttributes: 'userName' })).toHaveProperty('userName', 'bjensen');
  });

  it('splitList keeps commas inside value filters and quotes', () => {
    expect(splitList('a, emails[value co ","] ,b,,')).toEqual(['a', 'emails[value co ","]', 'b']);
    expect(splitList('x[value eq "q\\",["],y')).toEqual(['x[value eq "q\\",["]', 'y']);
  });
});

describe('applyProjection: sub-attributes and extensions', () => {
  it('excluding a sub-attribute keeps the rest of each value', () => {
    expect(project({ excludedAttributes: 'emails.primary,name.familyName' })).toMatchObject({
      name: { givenName: 'Barbara' },
      emails: [
        { value: 'b@work', type: 'work' },
        { value: 'b@home', type: 'home' },
      ],
    });
  });

  it('naming a sub-attribute drops elements left empty', () => {
    expect(project({ attributes: 'emails.primary' })['emails']).toEqual([{ primary: true }]);
  });

  it('excluding every extension attribute removes the object and its URN from schemas', () => {
    const out = project({ excludedAttributes: `department,${ENT}:manager` });
    expect(out).not.toHaveProperty(ENT);
    expect(out['schemas']).toEqual([USER_SCHEMA]);
  });

  it('attributes= without extension attributes drops the extension URN from schemas', () => {
    expect(project({ attributes: 'userName' })['schemas']).toEqual([USER_SCHEMA]);
  });

  it('excludedAttributes=groups removes the derived attribute', () => {
    expect(project({ excludedAttributes: 'groups' })).not.toHaveProperty('groups');
  });
});

describe('Group projection and wantsAttribute', () => {
  it('R-ENTRA-29 excludedAttributes=members', () => {
    expect(project({ excludedAttributes: 'members' }, group, groupRs)).toEqual({
      schemas: [GROUP_SCHEMA],
      id: 'g1',
      displayName: 'Admins',
      meta: group['meta'],
    });
  });

  it.each<[string, ProjectionParams, boolean]>([
    ['no projection', {}, true],
    ['R-ENTRA-29 excludedAttributes=members', { excludedAttributes: 'members' }, false],
    ['excludedAttributes=MEMBERS', { excludedAttributes: 'MEMBERS' }, false],
    ['excludedAttributes=members.display', { excludedAttributes: 'members.display' }, true],
    ['attributes=displayName', { attributes: 'displayName' }, false],
    ['attributes=members', { attributes: 'members' }, true],
    ['attributes=members.value', { attributes: 'members.value' }, true],
    ['attributes=members[value eq "1"]', { attributes: 'members[value eq "1"]' }, true],
    ['attributes=urn:…:Group:members', { attributes: `${GROUP_SCHEMA}:members` }, true],
  ])('members wanted with %s → %s', (_t, params, expected) => {
    expect(wantsAttribute(groupRs, parseProjection(groupRs, params), 'members')).toBe(expected);
  });

  it.each<[string, ProjectionParams, string, boolean]>([
    ['password is never wanted', {}, 'password', false],
    ['password even when named', { attributes: 'password' }, 'password', false],
    ['id always', { attributes: 'userName' }, 'id', true],
    ['id despite exclusion', { excludedAttributes: 'id' }, 'id', true],
    ['meta keeps resourceType under attributes=', { attributes: 'userName' }, 'meta', true],
    ['meta.created not named', { attributes: 'userName' }, 'meta.created', false],
    ['groups excluded', { excludedAttributes: 'groups' }, 'groups', false],
    ['groups by default', {}, 'groups', true],
    ['groups.display excluded', { excludedAttributes: 'groups.display' }, 'groups.display', false],
    ['groups.value when groups.display excluded', { excludedAttributes: 'groups.display' }, 'groups.value', true],
    ['bare manager named by URN', { attributes: `${ENT}:manager` }, 'manager', true],
    ['whole extension excluded', { excludedAttributes: ENT }, 'department', false],
    ['unknown attribute', {}, 'nope', false],
  ])('User: %s', (_t, params, name, expected) => {
    expect(wantsAttribute(userRs, parseProjection(userRs, params), name)).toBe(expected);
  });
});
