// SCIM attribute → hot column, the only place that knows both spellings. Attributes not listed
// here live only in the JSON document and are reached with the dialect's JSON functions.
import type { JsonObject, JsonValue } from '../../domain/json.js';
import type { ResourceTypeName } from '../../scim/schema/types.js';
import { foldCase } from '../../scim/filter/fold-case.js';

export type ResourceTable = 'scim_users' | 'scim_groups';

export interface HotColumn {
  readonly column: string;
  /** The column holds foldCase(value): compare with a folded operand. */
  readonly folded: boolean;
  readonly kind: 'string' | 'boolean' | 'dateTime';
}

/** Keys are lower-cased canonical paths: `username`, `meta.lastmodified`. */
const USER_COLUMNS: Record<string, HotColumn> = {
  id: { column: 'id', folded: false, kind: 'string' },
  username: { column: 'user_name_folded', folded: true, kind: 'string' },
  externalid: { column: 'external_id', folded: false, kind: 'string' },
  displayname: { column: 'display_name_folded', folded: true, kind: 'string' },
  active: { column: 'active', folded: false, kind: 'boolean' },
  'meta.created': { column: 'created_at', folded: false, kind: 'dateTime' },
  'meta.lastmodified': { column: 'updated_at', folded: false, kind: 'dateTime' },
};

const GROUP_COLUMNS: Record<string, HotColumn> = {
  id: { column: 'id', folded: false, kind: 'string' },
  displayname: { column: 'display_name_folded', folded: true, kind: 'string' },
  externalid: { column: 'external_id', folded: false, kind: 'string' },
  'meta.created': { column: 'created_at', folded: false, kind: 'dateTime' },
  'meta.lastmodified': { column: 'updated_at', folded: false, kind: 'dateTime' },
};

/** Where a member's id is indexed (migration 0005): as user_id for Users, child_group_id for Groups — never as member_id. */
export const MEMBER_ID_COLUMNS = ['user_id', 'child_group_id'] as const;

export const tableFor = (type: ResourceTypeName): ResourceTable => (type === 'User' ? 'scim_users' : 'scim_groups');

export function hotColumn(type: ResourceTypeName, canonicalPath: string): HotColumn | undefined {
  return (type === 'User' ? USER_COLUMNS : GROUP_COLUMNS)[canonicalPath.toLowerCase()];
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The primary email, else the work email, else the first: what the console shows and sorts by. */
function mainEmail(doc: JsonObject): string | null {
  const emails = Array.isArray(doc.emails) ? doc.emails.filter((e): e is JsonObject => typeof e === 'object' && e !== null && !Array.isArray(e)) : [];
  const pick = emails.find((e) => e.primary === true) ?? emails.find((e) => typeof e.type === 'string' && foldCase(e.type) === 'work') ?? emails[0];
  return pick ? str(pick.value) : null;
}

export function userHotValues(doc: JsonObject) {
  const userName = str(doc.userName) ?? '';
  const displayName = str(doc.displayName);
  const email = mainEmail(doc);
  return {
    user_name: userName,
    user_name_folded: foldCase(userName),
    external_id: str(doc.externalId),
    display_name: displayName,
    display_name_folded: displayName === null ? null : foldCase(displayName),
    email,
    email_folded: email === null ? null : foldCase(email),
    active: doc.active === false ? 0 : 1,
  };
}

/** Every (email, type) pair, folded and de-duplicated, for the scim_user_emails side table. */
export function userEmailRows(doc: JsonObject): Array<{ value_folded: string; type_folded: string }> {
  const out = new Map<string, { value_folded: string; type_folded: string }>();
  for (const e of Array.isArray(doc.emails) ? doc.emails : []) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) continue;
    const value = str(e.value);
    if (value === null) continue;
    const row = { value_folded: foldCase(value), type_folded: foldCase(str(e.type) ?? '') };
    out.set(`${row.value_folded}\u0000${row.type_folded}`, row);
  }
  return [...out.values()];
}

export function groupHotValues(doc: JsonObject) {
  const displayName = str(doc.displayName) ?? '';
  return { display_name: displayName, display_name_folded: foldCase(displayName), external_id: str(doc.externalId) };
}
