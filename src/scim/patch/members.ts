// Operations on the membership attribute (`rs.membershipAttribute`, Group `members`) do not
// touch the document: membership is stored as rows (docs/design.md), so they become
// MemberChange instructions for the storage layer, applied in request order.
import { isJsonObject, type JsonValue } from '../../domain/json.js';
import { invalidFilter, invalidPath, invalidValue } from '../errors.js';
import type { Filter } from '../filter/ast.js';
import { sameName } from './json-utils.js';
import type { NormalizedOp } from './normalize.js';

/** One member as the storage layer takes it. `value` is the member's id. */
export interface MemberRef {
  readonly value: string;
  readonly type?: 'User' | 'Group';
  readonly display?: string;
}

export type MemberChange =
  | { readonly kind: 'add'; readonly members: MemberRef[] }
  | { readonly kind: 'remove'; readonly values: string[] }
  | { readonly kind: 'removeAll' }
  /** The storage layer compiles `filter` over membership rows: attributes `value` and `type`. */
  | { readonly kind: 'removeWhere'; readonly filter: Filter }
  | { readonly kind: 'replaceAll'; readonly members: MemberRef[] };

// The membership row's fields are the storage contract (MemberRef), not schema lookups.
const ROW_ATTRIBUTES = ['value', 'type'] as const;
const MEMBER_TYPES = ['User', 'Group'] as const;

const memberId = (v: JsonValue | undefined, attr: string): string => {
  if (typeof v !== 'string' || v.trim() === '') {
    throw invalidValue(`Each "${attr}" value needs a non-empty string "value" (the member's id).`, 'SCIM_E_PATCH_061');
  }
  return v;
};

const toMemberRef = (v: JsonValue, attr: string): MemberRef => {
  if (!isJsonObject(v)) throw invalidValue(`Each "${attr}" value must be an object.`, 'SCIM_E_PATCH_060');
  const value = memberId(v['value'], attr);
  const rawType = v['type'];
  const type = typeof rawType === 'string' ? MEMBER_TYPES.find((t) => sameName(t, rawType)) : undefined;
  if (rawType !== undefined && rawType !== null && type === undefined) {
    throw invalidValue(`A member "type" must be "User" or "Group".`, 'SCIM_E_PATCH_062');
  }
  const display = v['display'];
  // `$ref` is derived from the id on read; `"$ref": null` from Entra is fine (R-ENTRA-32).
  return { value, ...(type === undefined ? {} : { type }), ...(typeof display === 'string' && display !== '' ? { display } : {}) };
};

/** Members named twice in one list count once (R-ENTRA-32: adding a member again is a no-op). */
const toMemberRefs = (value: JsonValue, attr: string): MemberRef[] => {
  const seen = new Set<string>();
  const refs: MemberRef[] = [];
  for (const ref of (Array.isArray(value) ? value : [value]).map((v) => toMemberRef(v, attr))) {
    if (!seen.has(ref.value)) refs.push(ref);
    seen.add(ref.value);
  }
  return refs;
};

/** A removal filter may only use what a membership row has: `value` and `type`. */
const checkRowFilter = (f: Filter, attr: string): void => {
  switch (f.kind) {
    case 'Logical':
      checkRowFilter(f.left, attr);
      checkRowFilter(f.right, attr);
      return;
    case 'Not':
      checkRowFilter(f.filter, attr);
      return;
    case 'ValuePath':
      throw invalidFilter(`A "${attr}" filter cannot contain a value filter.`, 'SCIM_E_PATCH_063', { position: f.offset });
    case 'AttrExpression':
    case 'Present': {
      const { urn, name, sub } = f.path;
      if (urn !== undefined || sub !== undefined || !ROW_ATTRIBUTES.some((a) => sameName(a, name))) {
        throw invalidFilter(`A "${attr}" filter may only compare "value" and "type".`, 'SCIM_E_PATCH_064', { position: f.offset });
      }
    }
  }
};

/** How many member ids a change names, for ScimLimits.maxMembersPerRequest. */
export const memberCount = (c: MemberChange): number =>
  c.kind === 'add' || c.kind === 'replaceAll' ? c.members.length : c.kind === 'remove' ? c.values.length : 0;

/**
 * The MemberChange for a normalised operation on the membership attribute, or undefined when
 * it changes nothing (an add of no members).
 *  - add `members` (R-ENTRA-32, R-OKTA-13) → add; replace `members` (R-OKTA-13) → replaceAll
 *  - remove `members` → removeAll; with a value list (R-ENTRA-33, R-JC-04) → remove those ids
 *  - remove `members[filter]` (R-ENTRA-34, R-OKTA-13) → removeWhere; matching nothing is fine
 * Anything else (a sub-attribute, add/replace with a filter) has no row meaning: invalidPath.
 */
export function toMemberChange(n: NormalizedOp): MemberChange | undefined {
  const { target: t } = n;
  const attr = t.attr.name;
  if (n.op === 'remove' && t.level === 'attribute') {
    return n.values === undefined
      ? { kind: 'removeAll' }
      : { kind: 'remove', values: [...new Set(n.values.map((v) => memberId(isJsonObject(v) ? v['value'] : v, attr)))] };
  }
  if (n.op === 'remove' && t.level === 'element' && t.filter !== undefined) {
    checkRowFilter(t.filter, attr);
    return { kind: 'removeWhere', filter: t.filter };
  }
  if (n.op !== 'remove' && t.level === 'attribute') {
    const members = toMemberRefs(n.value, attr);
    if (n.op === 'replace') return { kind: 'replaceAll', members };
    return members.length === 0 ? undefined : { kind: 'add', members };
  }
  throw invalidPath(
    `"${t.label}": members can be added, replaced or removed as a whole, or removed with a filter on "value" or "type".`,
    'SCIM_E_PATCH_065',
  );
}
