// Client replay: the PATCH bodies real provisioning clients send (exact shapes from
// docs/client-behaviors.md), run in sequence against one stored resource. A tiny in-memory
// store applies MemberChanges to membership rows the way the storage layer is specified to.
import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { isScimError, type ScimError } from '../errors.js';
import { evaluateFilter } from '../filter/evaluate.js';
import { DEFAULT_SCIM_LIMITS } from '../limits.js';
import { normalizeForWrite } from '../resources/codec.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema, USER_SCHEMA } from '../schema/registry.js';
import { applyPatch, type MemberChange, type MemberRef, type PatchResult } from './apply-patch.js';
import { PATCH_OP_SCHEMA, parsePatchRequest } from './parse-patch.js';

type Kind = 'User' | 'Group';
const limits = DEFAULT_SCIM_LIMITS;
const ID = '2819c223-7f76-453a-919d-413861904646';
const U1 = '7f4bc1a3-0000-4000-8000-00000000aaa1';
const U2 = '23a35c27-0000-4000-8000-00000000aaa2';
const U3 = '89bb1940-0000-4000-8000-00000000aaa3';

/** Membership rows as the storage layer keeps them; `removeWhere` compiles over value/type. */
const applyRows = (rows: MemberRef[], changes: readonly MemberChange[]): MemberRef[] => {
  let out = [...rows];
  const addAll = (members: readonly MemberRef[]): void => {
    for (const m of members) if (!out.some((r) => r.value === m.value)) out.push(m);
  };
  for (const c of changes) {
    if (c.kind === 'add') addAll(c.members);
    else if (c.kind === 'remove') out = out.filter((r) => !c.values.includes(r.value));
    else if (c.kind === 'removeAll') out = [];
    else if (c.kind === 'replaceAll') {
      out = [];
      addAll(c.members);
    }
    else out = out.filter((r) => !evaluateFilter(c.filter, { value: r.value, type: r.type ?? 'User' }, { caseExact: (p) => p.name.toLowerCase() === 'value' }));
  }
  return out;
};

/** One stored resource; `patch` runs a request body through parse → apply and "saves". */
class Stored {
  rows: MemberRef[] = [];
  last: PatchResult | undefined;
  constructor(
    readonly kind: Kind,
    public doc: JsonObject,
  ) {}

  static create(kind: Kind, body: JsonObject): Stored {
    return new Stored(kind, normalizeForWrite(getResourceSchema(kind), body, { mode: 'create', limits }));
  }

  patch(body: unknown): PatchResult {
    const result = applyPatch(getResourceSchema(this.kind), this.doc, parsePatchRequest(body, limits), { id: ID, limits });
    this.doc = result.doc;
    this.rows = applyRows(this.rows, result.memberChanges);
    this.last = result;
    return result;
  }

  fails(body: unknown): ScimError {
    const before = structuredClone(this.doc);
    try {
      this.patch(body);
    } catch (e) {
      expect(this.doc).toEqual(before);
      if (isScimError(e)) return e;
      throw e;
    }
    throw new Error('expected a ScimError');
  }

  get ext(): JsonObject {
    const e = this.doc[ENT];
    return isJsonObject(e) ? e : {};
  }

  get memberIds(): string[] {
    return this.rows.map((r) => r.value).sort();
  }
}

const ops = (...operations: JsonValue[]): JsonObject => ({ schemas: [PATCH_OP_SCHEMA], Operations: operations });
const email = (doc: JsonObject, type: string): JsonValue | undefined =>
  (Array.isArray(doc['emails']) ? doc['emails'] : []).find((e) => isJsonObject(e) && e['type'] === type);

// R-ENTRA-10: what Entra creates before it PATCHes.
const entraUser = (): Stored =>
  Stored.create('User', {
    schemas: [USER_SCHEMA, ENT],
    externalId: 'jyoung',
    userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
    active: true,
    emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  });

describe('Microsoft Entra ID, default (no aadOptscim062020)', () => {
  it('R-ENTRA-13/14/20: one PATCH with capitalised Replace ops incl. a filtered emails path, applied in order', () => {
    const s = entraUser();
    s.patch(
      ops(
        { op: 'Replace', path: 'displayName', value: 'Ryan Leenay' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'Ryan@contoso.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Ryan' },
        { op: 'Replace', path: 'name.familyName', value: 'Leenay' },
        { op: 'Replace', path: 'externalId', value: 'ryan' },
        { op: 'Replace', path: `${ENT}:employeeNumber`, value: '1234' },
      ),
    );
    expect(s.doc).toMatchObject({ displayName: 'Ryan Leenay', externalId: 'ryan', name: { givenName: 'Ryan', familyName: 'Leenay' } });
    expect(email(s.doc, 'work')).toEqual({ primary: true, type: 'work', value: 'Ryan@contoso.com' });
    expect(s.ext).toEqual({ employeeNumber: '1234' });
    expect(s.doc['schemas']).toEqual([USER_SCHEMA, ENT]);
  });

  it('R-ENTRA-18 / R-GEN-10: disable with "False", re-enable with "True", stored as JSON booleans', () => {
    const s = entraUser();
    s.patch(ops({ op: 'Replace', path: 'active', value: 'False' }));
    expect(s.doc['active']).toBe(false);
    s.patch(ops({ op: 'Replace', path: 'active', value: 'false' }));
    expect(s.last?.changed).toBe(false); // redundant PATCH: nothing to save
    s.patch(ops({ op: 'Replace', path: 'active', value: 'True' }));
    expect(s.doc['active']).toBe(true);
  });

  it('R-ENTRA-16: Add on a single-valued attribute sets it', () => {
    const s = entraUser();
    s.patch(ops({ op: 'Add', path: 'nickName', value: 'Babs' }));
    expect(s.doc['nickName']).toBe('Babs');
  });

  it('R-ENTRA-21: manager set (Add string), change (Replace), legacy array form, cleared by "", null and Remove', () => {
    const s = entraUser();
    s.patch(ops({ op: 'Add', path: `${ENT}:manager`, value: 'mgr-1' }));
    expect(s.ext['manager']).toEqual({ value: 'mgr-1' });
    s.patch(ops({ op: 'Replace', path: `${ENT}:manager`, value: { value: 'mgr-2' } }));
    expect(s.ext['manager']).toEqual({ value: 'mgr-2' });
    s.patch(ops({ op: 'Replace', path: `${ENT}:manager`, value: '' }));
    expect(s.doc[ENT]).toBeUndefined();
    expect(s.doc['schemas']).toEqual([USER_SCHEMA]);
    s.patch(ops({ op: 'Add', path: 'manager', value: [{ $ref: `https://app.example/scim/v2/Users/mgr-3`, value: 'mgr-3' }] }));
    expect(s.ext['manager']).toEqual({ value: 'mgr-3', $ref: 'https://app.example/scim/v2/Users/mgr-3' });
    s.patch(ops({ op: 'Replace', path: `${ENT}:manager`, value: 'mgr-4' }));
    expect(s.ext['manager']).toEqual({ value: 'mgr-4' }); // the old $ref does not survive
    s.patch(ops({ op: 'Replace', path: `${ENT}:manager`, value: null }));
    expect(s.ext['manager']).toBeUndefined();
    s.patch(ops({ op: 'Add', path: 'manager', value: 'mgr-5' }));
    s.patch(ops({ op: 'Remove', path: `${ENT}:manager` }));
    expect(s.doc[ENT]).toBeUndefined();
  });

  it('R-ENTRA-23: roles PATCH with a string-encoded JSON value is stored verbatim; the assertive form replaces the list', () => {
    const s = entraUser();
    const encoded = '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Admin","displayName":"Admin"}';
    s.patch(ops({ op: 'Add', path: 'roles', value: [{ value: encoded }] }));
    expect(s.doc['roles']).toEqual([{ value: encoded }]);
    s.patch({
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        {
          op: 'replace',
          path: 'roles',
          value: [
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
            { primary: 'True', type: 'WindowsAzureActiveDirectoryRole', display: 'Writer', value: 'Writer' },
          ],
        },
      ],
    });
    expect(s.doc['roles']).toEqual([
      { value: 'Reader', display: 'Reader', type: 'WindowsAzureActiveDirectoryRole', primary: false },
      { value: 'Writer', display: 'Writer', type: 'WindowsAzureActiveDirectoryRole', primary: true },
    ]);
  });

  it('R-ENTRA-15 / R-ENTRA-41: first work phone, fax and work address are created; mixed-case sub-attributes resolve', () => {
    const s = entraUser();
    s.patch(
      ops(
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 425 555 0100' },
        { op: 'Add', path: 'phoneNumbers[type eq "fax"].value', value: '+1 425 555 0199' },
        { op: 'Replace', path: 'addresses[type eq "work"].postalCode', value: '98052' },
        { op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
        { op: 'Add', path: 'addresses[type eq "other"].Formatted', value: 'Building 5' },
        { op: 'Add', path: 'emails[type eq "other"].Value', value: 'smtp:alias@contoso.com' },
      ),
    );
    expect(s.doc['phoneNumbers']).toEqual([
      { value: '+1 425 555 0100', type: 'work' },
      { value: '+1 425 555 0199', type: 'fax' },
    ]);
    expect(s.doc['addresses']).toEqual([
      { locality: 'Redmond', postalCode: '98052', type: 'work' },
      { formatted: 'Building 5', type: 'other' },
    ]);
    expect(email(s.doc, 'other')).toEqual({ value: 'smtp:alias@contoso.com', type: 'other' });
  });

  it('R-ENTRA-22: SCIM_Null_Update_Test clears optional attributes with "" and keeps them cleared with null', () => {
    const s = entraUser();
    s.patch(ops({ op: 'Add', path: 'nickName', value: 'Babs' }, { op: 'Add', path: 'title', value: 'Boss' }));
    s.patch(
      ops(
        { op: 'Replace', path: 'nickName', value: '' },
        { op: 'Replace', path: 'title', value: '' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: '' },
        { op: 'Replace', path: `${ENT}:department`, value: '' },
      ),
    );
    expect(s.doc['nickName']).toBeUndefined();
    expect(s.doc['title']).toBeUndefined();
    expect(email(s.doc, 'work')).toEqual({ type: 'work', primary: true });
    expect(JSON.stringify(s.doc)).not.toMatch(/""|null/);
    s.patch(ops({ op: 'Replace', path: 'nickName', value: null }, { op: 'Replace', path: 'title', value: null }));
    expect(s.last?.changed).toBe(false);
  });

  it('R-ENTRA-31/32/33: group rename, Add members with "$ref": null, legacy Remove with a value list', () => {
    const g = Stored.create('Group', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      meta: { resourceType: 'Group' },
    });
    g.patch(ops({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }));
    expect(g.doc['displayName']).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
    g.patch(ops({ op: 'Add', path: 'members', value: [{ $ref: null, value: U1 }, { $ref: null, value: U2 }] }, { op: 'Add', path: 'members', value: [{ $ref: null, value: U3 }] }));
    expect(g.memberIds).toEqual([U1, U2, U3].sort());
    g.patch(ops({ op: 'Add', path: 'members', value: [{ $ref: null, value: U1 }] })); // already a member: no-op
    expect(g.memberIds).toEqual([U1, U2, U3].sort());
    g.patch(ops({ op: 'Remove', path: 'members', value: [{ $ref: null, value: U1 }] }));
    expect(g.memberIds).toEqual([U2, U3].sort()); // only the listed member, never "clear all"
    expect(g.doc['members']).toBeUndefined();
  });
});

describe('Microsoft Entra ID with aadOptscim062020 (§2.6)', () => {
  it('R-ENTRA-13/18: lowercase ops and a JSON boolean', () => {
    const s = entraUser();
    s.patch(ops({ op: 'replace', path: 'active', value: false }));
    expect(s.doc['active']).toBe(false);
    s.patch(ops({ op: 'add', path: 'nickName', value: 'Babs' }));
    expect(s.doc['nickName']).toBe('Babs');
  });

  it('R-ENTRA-19: no-path replace with dotted and URN-qualified keys, plus a separate filtered emails op', () => {
    const s = entraUser();
    s.patch(
      ops(
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq',
          },
        },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'Kkom.Unua@contoso.com' },
      ),
    );
    expect(s.doc).toMatchObject({ displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua', formatted: 'givenName familyName' } });
    expect(s.doc['name.givenName']).toBeUndefined(); // a path, not a literal attribute name
    expect(s.ext).toEqual({ employeeNumber: 'Aklq' });
    expect(email(s.doc, 'work')).toMatchObject({ value: 'Kkom.Unua@contoso.com' });
  });

  it('R-ENTRA-34: RFC member removal by filter; a filter matching nothing is not an error', () => {
    const g = Stored.create('Group', { displayName: 'Group1' });
    g.patch(ops({ op: 'add', path: 'members', value: [{ value: U1 }, { value: U2 }] }));
    g.patch(ops({ op: 'remove', path: `members[value eq "${U1}"]` }));
    expect(g.memberIds).toEqual([U2]);
    g.patch(ops({ op: 'remove', path: `members[value eq "${U1}"]` })); // idempotent
    expect(g.memberIds).toEqual([U2]);
  });
});

describe('Okta', () => {
  it('R-OKTA-08: deactivate and reactivate with a no-path replace {active}', () => {
    const s = Stored.create('User', {
      schemas: [USER_SCHEMA],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    s.patch(ops({ op: 'replace', value: { active: false } }));
    expect(s.doc['active']).toBe(false);
    s.patch(ops({ op: 'replace', value: { active: true } }));
    expect(s.doc['active']).toBe(true);
    expect(s.doc['password']).toBeUndefined();
  });

  it('R-OKTA-12: group rename without schemas, carrying the same id; another id is 400 mutability', () => {
    const g = Stored.create('Group', { displayName: 'Test SCIMv2', members: [] });
    g.patch({ Operations: [{ op: 'replace', value: { id: ID, displayName: 'Test SCIMv2' } }] });
    expect(g.last?.changed).toBe(false);
    g.patch({ Operations: [{ op: 'replace', value: { id: ID, displayName: 'Renamed' } }] });
    expect(g.doc['displayName']).toBe('Renamed');
    const e = g.fails({ Operations: [{ op: 'replace', value: { id: 'another-id', displayName: 'X' } }] });
    expect([e.scimType, e.operationIndex]).toEqual(['mutability', 0]);
  });

  it('R-OKTA-13: remove by filter + add in one request, then "Push Now" replaces all members', () => {
    const g = Stored.create('Group', { displayName: 'Test SCIMv2' });
    g.patch(ops({ op: 'add', path: 'members', value: [{ value: U3, display: 'old.user@okta.local' }] }));
    g.patch(
      ops(
        { op: 'remove', path: `members[value eq "${U3}"]` },
        { op: 'add', path: 'members', value: [{ value: U2, display: 'test.user@okta.local' }] },
      ),
    );
    expect(g.rows).toEqual([{ value: U2, display: 'test.user@okta.local' }]);
    g.patch(ops({ op: 'replace', path: 'members', value: [{ value: U1, display: 'a@okta.local' }, { value: U3, display: 'c@okta.local' }] }));
    expect(g.memberIds).toEqual([U1, U3].sort());
  });
});

describe('OneLogin (admin-written templates, R-OL-01)', () => {
  it('R-GEN-10 / R-GEN-08 / R-OL-01: string "true", "id": null, meta and unknown manager sub-attributes are accepted', () => {
    const s = Stored.create('User', { userName: 'jdoe@example.com', active: 'false' });
    expect(s.doc['active']).toBe(false);
    s.patch(
      ops({
        op: 'replace',
        value: {
          schemas: [USER_SCHEMA, ENT],
          id: null,
          meta: { resourceType: 'User' },
          active: 'true',
          addresses: [{ streetAddress: '1 Main St', locality: 'Springfield' }],
          [ENT]: { manager: { value: 'mgr-9', displayName: 'The Boss', managerId: 'mgr-9' } },
        },
      }),
    );
    expect(s.doc['active']).toBe(true);
    expect(s.doc['addresses']).toEqual([{ streetAddress: '1 Main St', locality: 'Springfield' }]);
    expect(s.ext).toEqual({ manager: { value: 'mgr-9' } });
  });
});

describe('JumpCloud', () => {
  it('R-JC-04: Azure-style member value lists for add and remove', () => {
    const g = Stored.create('Group', { displayName: 'Engineering' });
    g.patch(ops({ op: 'add', path: 'members', value: [{ value: U1 }, { value: U2 }] }));
    g.patch(ops({ op: 'remove', path: 'members', value: [{ value: U2 }] }));
    expect(g.memberIds).toEqual([U1]);
    expect(g.last?.memberChanges).toEqual([{ kind: 'remove', values: [U2] }]);
  });
});

describe('Microsoft reference Postman collection', () => {
  it('R-CORE-14/15: extra "name" keys are ignored and a scalar member value is wrapped', () => {
    const g = Stored.create('Group', { displayName: 'GroupA' });
    g.patch(ops({ op: 'Add', path: 'members', value: 'string id 1', name: 'addMember' }));
    expect(g.memberIds).toEqual(['string id 1']);
    g.patch(ops({ op: 'Remove', path: 'members' })); // "Patch remove all users"
    expect(g.memberIds).toEqual([]);
  });
});
