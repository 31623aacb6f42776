// Table-driven PATCH engine tests: one row per RFC 7644 §3.5.2 rule or invariant.
// Each row: a stored resource + Operations → the stored document (and membership changes), or
// an error with its scimType, code and the index of the failing operation.
import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { isScimError, type ScimError, type ScimType } from '../errors.js';
import type { Filter } from '../filter/ast.js';
import { stripOffsets } from '../filter/strip-offsets.js';
import { DEFAULT_SCIM_LIMITS, type ScimLimits } from '../limits.js';
import { normalizeForWrite } from '../resources/codec.js';
import { str } from '../schema/attributes.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema, type ResourceSchema } from '../schema/registry.js';
import { applyPatch, type MemberChange, type PatchResult } from './apply-patch.js';
import { PATCH_OP_SCHEMA, parsePatchRequest } from './parse-patch.js';

type Kind = 'User' | 'Group';
const ID = 'c0ffee00-0000-4000-8000-000000000001';

const canonical = (kind: Kind, input: JsonObject): JsonObject =>
  normalizeForWrite(getResourceSchema(kind), input, { mode: 'create', limits: DEFAULT_SCIM_LIMITS });

const obj = (v: JsonValue | undefined): JsonObject => (isJsonObject(v) ? v : {});
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

const USER = canonical('User', {
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  displayName: 'Babs Jensen',
  active: true,
  emails: [
    { value: 'bjensen@work.example', type: 'work', primary: true },
    { value: 'babs@home.example', type: 'home' },
  ],
  [ENT]: { department: 'Sales', manager: { value: 'm-1', $ref: 'https://x.example/scim/v2/Users/m-1' } },
});
const GROUP = canonical('Group', { displayName: 'Admins', externalId: 'g-ext' });

const run = (kind: Kind, doc: JsonObject, ops: unknown[], limits: ScimLimits = DEFAULT_SCIM_LIMITS): PatchResult =>
  applyPatch(getResourceSchema(kind), doc, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: ops }, limits), {
    id: ID,
    limits,
  });

const failure = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (e) {
    if (isScimError(e)) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
};

const eq = (path: string, value: string): Filter => ({
  kind: 'AttrExpression',
  path: { kind: 'AttrPath', urn: undefined, name: path, sub: undefined, offset: 0 },
  op: 'eq',
  value,
  offset: 0,
});

interface Case {
  readonly name: string;
  readonly kind?: Kind;
  readonly doc?: JsonObject;
  readonly ops: unknown[];
  /** The expected stored document, built from the input document. */
  readonly expected?: (doc: JsonObject) => JsonObject;
  readonly members?: MemberChange[];
  readonly changed?: boolean;
  readonly error?: { readonly scimType: ScimType; readonly code?: string; readonly index: number };
}

const ok: Case[] = [
  // --- add (RFC 7644 §3.5.2.1) -------------------------------------------------------------
  { name: 'add sets an unassigned single-valued attribute', ops: [{ op: 'add', path: 'nickName', value: 'Babs' }], expected: (u) => ({ ...u, nickName: 'Babs' }) },
  { name: 'add on an assigned single-valued attribute replaces it (R-ENTRA-16)', ops: [{ op: 'add', path: 'displayName', value: 'B. Jensen' }], expected: (u) => ({ ...u, displayName: 'B. Jensen' }) },
  { name: 'add on a complex attribute merges sub-attributes', ops: [{ op: 'add', path: 'name', value: { middleName: 'Jane' } }], expected: (u) => ({ ...u, name: { ...obj(u['name']), middleName: 'Jane' } }) },
  { name: 'add appends to a multi-valued attribute', ops: [{ op: 'add', path: 'emails', value: [{ value: 'b@other.example', type: 'other' }] }], expected: (u) => ({ ...u, emails: [...list(u['emails']), { value: 'b@other.example', type: 'other' }] }) },
  { name: 'add of an equal element is a no-op', ops: [{ op: 'add', path: 'emails', value: [{ value: 'babs@home.example', type: 'home' }] }], expected: (u) => u, changed: false },
  { name: 'add wraps a lone object for a multi-valued attribute (R-CORE-15)', ops: [{ op: 'add', path: 'emails', value: { value: 'x@other.example' } }], expected: (u) => ({ ...u, emails: [...list(u['emails']), { value: 'x@other.example' }] }) },
  { name: 'add wraps a scalar for a multi-valued attribute into {value} (R-CORE-15)', ops: [{ op: 'add', path: 'roles', value: 'Admin' }], expected: (u) => ({ ...u, roles: [{ value: 'Admin' }] }) },
  { name: 'add with a filter and sub-attribute and no match creates the element (R-ENTRA-15)', ops: [{ op: 'add', path: 'phoneNumbers[type eq "fax"].value', value: '555-0100' }], expected: (u) => ({ ...u, phoneNumbers: [{ value: '555-0100', type: 'fax' }] }) },
  { name: 'add with a filter merges into the matching element', ops: [{ op: 'add', path: 'emails[type eq "home"]', value: { display: 'Home' } }], expected: (u) => ({ ...u, emails: [list(u['emails'])[0] ?? null, { value: 'babs@home.example', type: 'home', display: 'Home' }] }) },
  { name: 'add with a simple eq filter and no match creates the element', ops: [{ op: 'add', path: 'emails[type eq "other"]', value: { value: 'o@x.example' } }], expected: (u) => ({ ...u, emails: [...list(u['emails']), { type: 'other', value: 'o@x.example' }] }) },
  { name: 'add of null to a whole multi-valued attribute appends nothing', ops: [{ op: 'add', path: 'emails', value: null }], expected: (u) => u, changed: false },
  { name: 'add with a new primary clears the old one (R-CORE-18)', ops: [{ op: 'add', path: 'emails', value: [{ value: 'n@x.example', type: 'other', primary: true }] }], expected: (u) => ({ ...u, emails: [{ value: 'bjensen@work.example', type: 'work', primary: false }, { value: 'babs@home.example', type: 'home' }, { value: 'n@x.example', type: 'other', primary: true }] }) },

  // --- replace (RFC 7644 §3.5.2.3) ---------------------------------------------------------
  { name: 'replace a simple attribute', ops: [{ op: 'replace', path: 'userName', value: 'barbara' }], expected: (u) => ({ ...u, userName: 'barbara' }) },
  { name: 'replace with an equal value changes nothing', ops: [{ op: 'replace', path: 'active', value: true }], expected: (u) => u, changed: false },
  { name: 'replace on a complex attribute leaves unnamed sub-attributes unchanged', ops: [{ op: 'replace', path: 'name', value: { givenName: 'Babs' } }], expected: (u) => ({ ...u, name: { givenName: 'Babs', familyName: 'Jensen' } }) },
  { name: 'replace a sub-attribute (case-insensitive path, R-ENTRA-41)', ops: [{ op: 'replace', path: 'NAME.FamilyName', value: 'Jensen-Smith' }], expected: (u) => ({ ...u, name: { givenName: 'Barbara', familyName: 'Jensen-Smith' } }) },
  { name: 'replace a multi-valued attribute without filter replaces the set', ops: [{ op: 'replace', path: 'emails', value: [{ value: 'only@x.example', type: 'work' }] }], expected: (u) => ({ ...u, emails: [{ value: 'only@x.example', type: 'work' }] }) },
  { name: 'replace with an empty list unassigns the attribute', ops: [{ op: 'replace', path: 'emails', value: [] }], expected: (u) => ({ ...u, emails: [] }) },
  { name: 'replace attr[filter].sub replaces the sub-attribute of matches (R-ENTRA-14)', ops: [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new@work.example' }], expected: (u) => ({ ...u, emails: [{ value: 'new@work.example', type: 'work', primary: true }, list(u['emails'])[1] ?? null] }) },
  { name: 'replace attr[filter] replaces the whole matching element', ops: [{ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'h2@x.example', type: 'home' } }], expected: (u) => ({ ...u, emails: [list(u['emails'])[0] ?? null, { value: 'h2@x.example', type: 'home' }] }) },
  { name: 'replace attr[type eq "x"].sub with no match creates the element (R-ENTRA-15)', ops: [{ op: 'replace', path: 'addresses[type eq "work"].postalCode', value: '91608' }], expected: (u) => ({ ...u, addresses: [{ type: 'work', postalCode: '91608' }] }) },
  { name: 'filter values compare per caseExact (emails.type is caseExact false)', ops: [{ op: 'replace', path: 'emails[type eq "WORK"].display', value: 'Work' }], expected: (u) => ({ ...u, emails: [{ value: 'bjensen@work.example', type: 'work', primary: true, display: 'Work' }, list(u['emails'])[1] ?? null] }) },
  { name: 'setting primary through a filtered path clears the other primary (R-CORE-18)', ops: [{ op: 'replace', path: 'emails[type eq "home"].primary', value: 'True' }], expected: (u) => ({ ...u, emails: [{ value: 'bjensen@work.example', type: 'work', primary: false }, { value: 'babs@home.example', type: 'home', primary: true }] }) },
  { name: 'replace of the set with two primaries keeps the first', ops: [{ op: 'replace', path: 'emails', value: [{ value: 'a@x.example', primary: true }, { value: 'b@x.example', primary: true }] }], expected: (u) => ({ ...u, emails: [{ value: 'a@x.example', primary: true }, { value: 'b@x.example', primary: false }] }) },
  { name: 'string booleans are coerced for boolean targets (R-GEN-10)', ops: [{ op: 'replace', path: 'active', value: 'False' }], expected: (u) => ({ ...u, active: false }) },
  { name: '"" clears an attribute (R-ENTRA-22)', ops: [{ op: 'replace', path: 'displayName', value: '' }], expected: (u) => ({ ...u, displayName: null }) },
  { name: 'null clears a filtered sub-attribute (R-ENTRA-22)', ops: [{ op: 'replace', path: 'emails[type eq "home"].value', value: null }], expected: (u) => ({ ...u, emails: [list(u['emails'])[0] ?? null, { type: 'home' }] }) },
  { name: 'an extension attribute by URN path; schemas gains nothing new', ops: [{ op: 'replace', path: `${ENT}:department`, value: 'Eng' }], expected: (u) => ({ ...u, [ENT]: { ...obj(u[ENT]), department: 'Eng' } }) },
  { name: 'an extension attribute on a user without extension data adds the extension URN', doc: canonical('User', { userName: 'x' }), ops: [{ op: 'add', path: `${ENT.toLowerCase()}:employeeNumber`, value: '42' }], expected: () => ({ userName: 'x', [ENT]: { employeeNumber: '42' } }) },
  { name: 'manager as a string under the URN path (R-ENTRA-21)', ops: [{ op: 'Add', path: `${ENT}:manager`, value: 'm-2' }], expected: (u) => ({ ...u, [ENT]: { department: 'Sales', manager: { value: 'm-2' } } }) },
  { name: 'manager as [{value,$ref}] under a bare path (R-ENTRA-21)', ops: [{ op: 'Add', path: 'manager', value: [{ $ref: 'https://x.example/scim/v2/Users/m-3', value: 'm-3' }] }], expected: (u) => ({ ...u, [ENT]: { department: 'Sales', manager: { value: 'm-3', $ref: 'https://x.example/scim/v2/Users/m-3' } } }) },
  { name: 'manager as {value} replaces the whole reference, dropping the old $ref (R-ENTRA-21)', ops: [{ op: 'Replace', path: 'manager', value: { value: 'm-4' } }], expected: (u) => ({ ...u, [ENT]: { department: 'Sales', manager: { value: 'm-4' } } }) },
  { name: 'manager replaced with "" is removed (R-ENTRA-21, R-ENTRA-22)', ops: [{ op: 'Replace', path: `${ENT}:manager`, value: '' }], expected: (u) => ({ ...u, [ENT]: { department: 'Sales' } }) },

  // --- remove (RFC 7644 §3.5.2.2) ----------------------------------------------------------
  { name: 'remove a single-valued attribute', ops: [{ op: 'remove', path: 'displayName' }], expected: (u) => ({ ...u, displayName: null }) },
  { name: 'remove an unassigned attribute is a no-op', ops: [{ op: 'remove', path: 'nickName' }], expected: (u) => u, changed: false },
  { name: 'remove a sub-attribute', ops: [{ op: 'remove', path: 'name.givenName' }], expected: (u) => ({ ...u, name: { familyName: 'Jensen' } }) },
  { name: 'remove a multi-valued attribute without filter removes all values', ops: [{ op: 'remove', path: 'emails' }], expected: (u) => ({ ...u, emails: null }) },
  { name: 'remove with a filter removes the matching elements', ops: [{ op: 'remove', path: 'emails[type eq "home"]' }], expected: (u) => ({ ...u, emails: [list(u['emails'])[0] ?? null] }) },
  { name: 'remove with a filter matching nothing is not an error', ops: [{ op: 'remove', path: 'emails[type eq "other"]' }], expected: (u) => u, changed: false },
  { name: 'remove attr[filter].sub removes that sub-attribute of matches', ops: [{ op: 'remove', path: 'emails[type eq "work"].primary' }], expected: (u) => ({ ...u, emails: [{ value: 'bjensen@work.example', type: 'work' }, list(u['emails'])[1] ?? null] }) },
  { name: 'remove with a value list removes only those values (R-ENTRA-33, generalised)', ops: [{ op: 'remove', path: 'emails', value: [{ value: 'BABS@home.example' }] }], expected: (u) => ({ ...u, emails: [list(u['emails'])[0] ?? null] }) },
  { name: 'remove the last extension attribute drops the extension and its URN', ops: [{ op: 'remove', path: 'department' }, { op: 'remove', path: 'manager' }], expected: (u) => ({ ...u, [ENT]: null }) },

  // --- path-less operations -----------------------------------------------------------------
  { name: 'no-path replace with dotted and URN-qualified keys (R-ENTRA-19)', ops: [{ op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENT}:employeeNumber`]: 'Aklq' } }], expected: (u) => ({ ...u, displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua' }, [ENT]: { ...obj(u[ENT]), employeeNumber: 'Aklq' } }) },
  { name: 'no-path add with the extension object (RFC form), one op per attribute', ops: [{ op: 'add', value: { [ENT]: { costCenter: 'CC1', division: 'D' } } }], expected: (u) => ({ ...u, [ENT]: { ...obj(u[ENT]), costCenter: 'CC1', division: 'D' } }) },
  { name: 'no-path replace ignores meta, schemas and an equal id (R-OKTA-12, R-GEN-08)', ops: [{ op: 'replace', value: { id: ID, schemas: ['x'], meta: { resourceType: 'User' }, nickName: 'B' } }], expected: (u) => ({ ...u, nickName: 'B' }) },
  { name: 'no-path replace ignores "id": null (R-GEN-08, OneLogin)', ops: [{ op: 'replace', value: { id: null, active: 'true' } }], expected: (u) => u, changed: false },
  { name: 'no-path value qualified by the core URN', ops: [{ op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User': { nickName: 'N' } } }], expected: (u) => ({ ...u, nickName: 'N' }) },
  { name: 'operations apply in order', ops: [{ op: 'add', path: 'nickName', value: 'A' }, { op: 'replace', path: 'nickName', value: 'B' }, { op: 'remove', path: 'title' }], expected: (u) => ({ ...u, nickName: 'B' }) },
  { name: 'password is accepted and never stored (codec decision)', ops: [{ op: 'replace', path: 'password', value: 'secret' }], expected: (u) => u, changed: false },

  // --- Group membership (rows, not the document) ---------------------------------------------
  { name: 'add members (R-ENTRA-32): $ref null, many values, duplicates once', kind: 'Group', ops: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { value: 'u2', type: 'user', display: 'Two' }, { value: 'u1' }] }], members: [{ kind: 'add', members: [{ value: 'u1' }, { value: 'u2', type: 'User', display: 'Two' }] }] },
  { name: 'add members with a scalar value (R-CORE-15)', kind: 'Group', ops: [{ op: 'add', path: 'members', value: 'u1' }], members: [{ kind: 'add', members: [{ value: 'u1' }] }] },
  { name: 'remove members without value → removeAll', kind: 'Group', ops: [{ op: 'remove', path: 'members' }], members: [{ kind: 'removeAll' }] },
  { name: 'remove members with a value list → only those (R-ENTRA-33)', kind: 'Group', ops: [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { $ref: null, value: 'u2' }] }], members: [{ kind: 'remove', values: ['u1', 'u2'] }] },
  { name: 'remove members with an empty value list removes nothing', kind: 'Group', ops: [{ op: 'remove', path: 'members', value: [] }], members: [], changed: false },
  { name: 'remove members[value eq "x"] → removeWhere (R-ENTRA-34)', kind: 'Group', ops: [{ op: 'remove', path: 'members[value eq "u9"]' }], members: [{ kind: 'removeWhere', filter: eq('value', 'u9') }] },
  { name: 'replace members → replaceAll (R-OKTA-13)', kind: 'Group', ops: [{ op: 'replace', path: 'members', value: [{ value: 'u3' }] }], members: [{ kind: 'replaceAll', members: [{ value: 'u3' }] }] },
  { name: 'replace members with [] → replaceAll []', kind: 'Group', ops: [{ op: 'replace', path: 'members', value: [] }], members: [{ kind: 'replaceAll', members: [] }] },
  { name: 'no-path replace with displayName and members', kind: 'Group', ops: [{ op: 'replace', value: { id: ID, displayName: 'Ops', members: [{ value: 'u4' }] } }], expected: (g) => ({ ...g, displayName: 'Ops' }), members: [{ kind: 'replaceAll', members: [{ value: 'u4' }] }] },
  { name: 'members stored in the input document are stripped from the output', kind: 'Group', doc: { ...GROUP, members: [{ value: 'u1' }] }, ops: [{ op: 'replace', path: 'displayName', value: 'Admins' }], expected: (g) => g, changed: false },
];

const U = 'User';
const bad: Case[] = [
  { name: 'remove without path → noTarget (R-CORE-17)', ops: [{ op: 'remove' }], error: { scimType: 'noTarget', code: 'SCIM_E_PATCH_020', index: 0 } },
  { name: 'remove a required attribute → mutability', ops: [{ op: 'remove', path: 'userName' }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_050', index: 0 } },
  { name: 'clearing a required attribute with "" → mutability', ops: [{ op: 'replace', path: 'userName', value: '' }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_050', index: 0 } },
  { name: 'replace id → mutability (R-CORE-19)', ops: [{ op: 'replace', path: 'id', value: 'other' }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_033', index: 0 } },
  { name: 'replace meta.created → mutability', ops: [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_033', index: 0 } },
  { name: 'add groups → mutability (readOnly, derived; R-CORE-21)', ops: [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_033', index: 0 } },
  { name: 'explicit manager.displayName → mutability (readOnly sub-attribute)', ops: [{ op: 'replace', path: 'manager.displayName', value: 'Boss' }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_033', index: 0 } },
  { name: 'a different id in a no-path value → mutability (R-OKTA-12)', ops: [{ op: 'replace', value: { id: 'someone-else', nickName: 'x' } }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_023', index: 0 } },
  { name: 'unknown attribute → invalidPath', ops: [{ op: 'add', path: 'nickName', value: 'ok' }, { op: 'add', path: 'favouriteColour', value: 'red' }], error: { scimType: 'invalidPath', code: 'SCIM_E_PATCH_031', index: 1 } },
  { name: 'unknown sub-attribute → invalidPath', ops: [{ op: 'replace', path: 'name.nickname', value: 'x' }], error: { scimType: 'invalidPath', code: 'SCIM_E_PATCH_031', index: 0 } },
  { name: 'unknown key in a no-path value → invalidPath (like an explicit path)', ops: [{ op: 'replace', value: { nickName: 'x', favouriteColour: 'red' } }], error: { scimType: 'invalidPath', code: 'SCIM_E_PATCH_031', index: 0 } },
  { name: 'value filter on a single-valued attribute → invalidPath', ops: [{ op: 'replace', path: 'name[givenName eq "x"].familyName', value: 'y' }], error: { scimType: 'invalidPath', code: 'SCIM_E_PATCH_032', index: 0 } },
  { name: 'replace attr[filter] with no match → noTarget (RFC 7644 §3.5.2.3)', ops: [{ op: 'replace', path: 'emails[type eq "other"]', value: { value: 'x@y' } }], error: { scimType: 'noTarget', code: 'SCIM_E_PATCH_043', index: 0 } },
  { name: 'replace attr[complex filter].sub with no match → noTarget', ops: [{ op: 'replace', path: 'emails[type eq "other" or type eq "x"].value', value: 'x@y' }], error: { scimType: 'noTarget', code: 'SCIM_E_PATCH_042', index: 0 } },
  { name: 'replace attr[non-eq filter].sub with no match → noTarget', ops: [{ op: 'replace', path: 'emails[value co "nothing"].type', value: 'work' }], error: { scimType: 'noTarget', code: 'SCIM_E_PATCH_042', index: 0 } },
  { name: 'add without value → invalidValue', ops: [{ op: 'add', path: 'nickName' }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_021', index: 0 } },
  { name: 'no-path replace with a non-object value → invalidValue', ops: [{ op: 'replace', value: 'x' }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_022', index: 0 } },
  { name: 'a string that is not a boolean for active → invalidValue', ops: [{ op: 'replace', path: 'active', value: 'maybe' }], error: { scimType: 'invalidValue', index: 0 } },
  { name: 'a scalar for a complex attribute → invalidValue', ops: [{ op: 'replace', path: 'name', value: 'Barbara' }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_044', index: 0 } },
  { name: 'an (empty) object for a simple attribute → invalidValue', ops: [{ op: 'replace', path: 'displayName', value: {} }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_045', index: 0 } },
  { name: 'an object for a sub-attribute → invalidValue', ops: [{ op: 'replace', path: 'emails[type eq "work"].value', value: { a: 1 } }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_045', index: 0 } },
  { name: 'a number for a string attribute → invalidValue', ops: [{ op: 'replace', path: 'nickName', value: 5 }], error: { scimType: 'invalidValue', index: 0 } },
  { name: 'two managers → invalidValue', ops: [{ op: 'add', path: 'manager', value: [{ value: 'a' }, { value: 'b' }] }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_024', index: 0 } },
  { name: 'a remove value list entry without sub-attributes → invalidValue', ops: [{ op: 'remove', path: 'emails', value: [{ $ref: null }] }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_041', index: 0 } },
  { name: 'remove Group displayName (required) → mutability', kind: 'Group', ops: [{ op: 'remove', path: 'displayName' }], error: { scimType: 'mutability', code: 'SCIM_E_PATCH_050', index: 0 } },
  { name: 'a member without an id → invalidValue', kind: 'Group', ops: [{ op: 'add', path: 'members', value: [{ display: 'x' }] }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_061', index: 0 } },
  { name: 'a member of an unknown type → invalidValue', kind: 'Group', ops: [{ op: 'add', path: 'members', value: [{ value: 'x', type: 'Robot' }] }], error: { scimType: 'invalidValue', code: 'SCIM_E_PATCH_062', index: 0 } },
  { name: 'a members filter on something other than value/type → invalidFilter', kind: 'Group', ops: [{ op: 'remove', path: 'members[display eq "x"]' }], error: { scimType: 'invalidFilter', code: 'SCIM_E_PATCH_064', index: 0 } },
  { name: 'add with a members filter → invalidPath', kind: 'Group', ops: [{ op: 'add', path: 'members[value eq "x"]', value: { value: 'x' } }], error: { scimType: 'invalidPath', code: 'SCIM_E_PATCH_065', index: 0 } },
  { name: 'a members sub-attribute path → invalidPath', kind: 'Group', ops: [{ op: 'replace', path: 'members.display', value: 'x' }], error: { scimType: 'invalidPath', code: 'SCIM_E_PATCH_065', index: 0 } },
  { name: 'the third operation fails → its index is reported', kind: U, ops: [{ op: 'add', path: 'nickName', value: 'a' }, { op: 'replace', path: 'title', value: 'b' }, { op: 'remove' }], error: { scimType: 'noTarget', index: 2 } },
];

describe('applyPatch: results', () => {
  it.each(ok)('$name', (c) => {
    const kind = c.kind ?? 'User';
    const doc = c.doc ?? (kind === 'User' ? USER : GROUP);
    const snapshot = structuredClone(doc);
    const result = run(kind, doc, c.ops);
    const base = kind === 'Group' ? GROUP : doc;
    const expected = c.expected === undefined ? base : canonical(kind, c.expected(base));
    expect(result.doc).toEqual(expected);
    expect(result.memberChanges.map(stripOffsets)).toEqual((c.members ?? []).map(stripOffsets));
    expect(result.changed).toBe(c.changed ?? true);
    expect(doc).toEqual(snapshot); // pure: the input is never modified
  });
});

describe('applyPatch: errors', () => {
  it.each(bad)('$name', (c) => {
    const kind = c.kind ?? 'User';
    const doc = c.doc ?? (kind === 'User' ? USER : GROUP);
    const snapshot = structuredClone(doc);
    const e = failure(() => run(kind, doc, c.ops));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe(c.error?.scimType);
    if (c.error?.code !== undefined) expect(e.code).toBe(c.error.code);
    expect(e.operationIndex).toBe(c.error?.index);
    expect(e.detail).toMatch(new RegExp(`^Operation ${c.error?.index ?? -1}: `));
    expect(doc).toEqual(snapshot); // atomic: nothing applied
  });
});

describe('applyPatch: limits', () => {
  it('rejects more members than limits.maxMembersPerRequest, summed over operations', () => {
    const limits = { ...DEFAULT_SCIM_LIMITS, maxMembersPerRequest: 2 };
    const e = failure(() =>
      run('Group', GROUP, [{ op: 'add', path: 'members', value: ['a', 'b'] }, { op: 'remove', path: 'members', value: ['c'] }], limits),
    );
    expect([e.scimType, e.code, e.operationIndex]).toEqual(['invalidValue', 'SCIM_E_PATCH_066', 1]);
  });

  it('rejects a string longer than limits.maxStringLength through the codec', () => {
    const limits = { ...DEFAULT_SCIM_LIMITS, maxStringLength: 5 };
    const e = failure(() => run('User', USER, [{ op: 'replace', path: 'nickName', value: 'toolong' }], limits));
    expect([e.scimType, e.operationIndex]).toEqual(['invalidValue', 0]);
  });
});

describe('applyPatch: immutable attributes (RFC 7643 §2.2, synthetic schema)', () => {
  // The served schemas have no immutable attribute in the document (only Group members'
  // sub-attributes, which are rows), so the rule is exercised on a User with one added.
  const base = getResourceSchema('User');
  const rs: ResourceSchema = {
    ...base,
    core: { ...base.core, attributes: [...base.core.attributes, str('badge', 'Badge number.', { mutability: 'immutable' })] },
  };
  const patch = (doc: JsonObject, operations: unknown[]): PatchResult =>
    applyPatch(rs, doc, parsePatchRequest({ Operations: operations }, DEFAULT_SCIM_LIMITS), { id: ID, limits: DEFAULT_SCIM_LIMITS });
  const unassigned = normalizeForWrite(rs, { userName: 'a' }, { mode: 'create', limits: DEFAULT_SCIM_LIMITS });
  const assigned = normalizeForWrite(rs, { userName: 'a', badge: 'B-1' }, { mode: 'create', limits: DEFAULT_SCIM_LIMITS });

  it('may be added while unassigned', () => {
    expect(patch(unassigned, [{ op: 'add', path: 'badge', value: 'B-1' }]).doc['badge']).toBe('B-1');
  });

  it('accepts the same value again', () => {
    expect(patch(assigned, [{ op: 'replace', path: 'badge', value: 'B-1' }]).changed).toBe(false);
  });

  it.each([
    ['replace with another value', [{ op: 'add', path: 'nickName', value: 'n' }, { op: 'replace', path: 'badge', value: 'B-2' }], 1],
    ['remove', [{ op: 'remove', path: 'badge' }], 0],
    ['no-path replace', [{ op: 'replace', value: { badge: 'B-3' } }], 0],
  ] as const)('rejects %s with mutability', (_name, operations, index) => {
    const e = failure(() => patch(assigned, [...operations]));
    expect([e.scimType, e.operationIndex]).toEqual(['mutability', index]);
  });
});
