// RFC 7644 §3.5.2.2 "Remove Operation", on one resolved target of the working document.
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { mutability } from '../errors.js';
import { getAttr, getElements, setAttr, setSub } from './doc.js';
import { listedMatcher, selectedIndices } from './elements.js';
import { isEmptyValue } from './json-utils.js';
import type { Target } from './target.js';

/**
 * A required attribute (userName, Group displayName) cannot be removed (R-CORE-17: 400
 * mutability); nor can an immutable one that has a value (RFC 7643 §2.2 "SHALL NOT be updated").
 */
const assertRemovable = (doc: JsonObject, t: Target): void => {
  const def = t.level === 'sub' ? t.sub : t.level === 'attribute' ? t.attr : undefined;
  if (def?.required === true) {
    throw mutability(`"${t.label}" is required and cannot be removed.`, 'SCIM_E_PATCH_050');
  }
  const immutable = t.attr.mutability === 'immutable' || t.sub?.mutability === 'immutable';
  if (immutable && getAttr(doc, t) !== undefined) {
    throw mutability(`"${t.label}" is immutable and cannot be removed.`, 'SCIM_E_PATCH_051');
  }
};

/**
 * Removes from `doc`. Removing what is not there is a no-op, not an error: RFC 7644 §3.5.2.2
 * defines noTarget only for a missing path, and clients retry removals (R-ENTRA-34).
 * `values` is the R-ENTRA-33 list (see normalize.ts): only those elements go.
 */
export function applyRemove(doc: JsonObject, t: Target, values: readonly JsonValue[] | undefined): void {
  assertRemovable(doc, t);
  if (t.level === 'attribute' && values === undefined) {
    // "If the target location is a single-value attribute, the attribute and its associated
    // value is removed"; multi-valued without filter: "all of the values are removed".
    setAttr(doc, t, undefined);
    return;
  }
  if (t.sub !== undefined && !t.attr.multiValued) {
    setAttr(doc, t, setSub(getAttr(doc, t), t.sub, undefined));
    return;
  }
  const elements = getElements(doc, t);
  let remaining: JsonValue[];
  if (values !== undefined) {
    if (elements.length === 0) {
      remaining = elements;
    } else {
      const listed = listedMatcher(t.attr, values);
      remaining = elements.filter((e) => !listed(e));
    }
  } else {
    // With a filter: "the values matched by the filter are removed"; with `.sub` after the
    // filter, that sub-attribute of each match. An element left empty is dropped.
    const selected = new Set(selectedIndices(t, elements));
    const sub = t.sub;
    remaining = elements
      .map((e, i) => (!selected.has(i) ? e : sub === undefined ? undefined : setSub(e, sub, undefined)))
      .filter((e): e is JsonValue => !isEmptyValue(e));
  }
  // "If no other values remain after removal of the selected values, the multi-valued
  // attribute SHALL be considered unassigned" (setAttr drops an empty list).
  setAttr(doc, t, remaining);
}
