// Writes shared by add (RFC 7644 §3.5.2.1) and replace (§3.5.2.3): the two differ only for a
// whole multi-valued attribute (append vs replace the set) and for `attr[filter]` (merge into
// vs replace the matching elements); see add.ts and replace.ts.
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { invalidValue, noTarget } from '../errors.js';
import { getAttr, getElements, mergeComplex, setAttr, setSub } from './doc.js';
import { seedFromFilter, selectedIndices, writeElements } from './elements.js';
import type { Target } from './target.js';

/** A complex value must be an object of sub-attributes (RFC 7644 §3.5.2.1 "a set of sub-attributes SHALL be specified"). */
export const requireObject = (t: Target, value: JsonValue): JsonObject => {
  if (!isJsonObject(value)) {
    throw invalidValue(`"${t.label}" is complex; "value" must be an object of sub-attributes.`, 'SCIM_E_PATCH_044');
  }
  return value;
};

/**
 * A simple attribute or sub-attribute never takes an object (RFC 7643 §2.3). Checked here
 * because an empty `{}` would otherwise read as "no value" and clear the target; other wrong
 * types are reported by the codec.
 */
const requireNotObject = (t: Target, value: JsonValue): JsonValue => {
  if (isJsonObject(value)) throw invalidValue(`"${t.label}" takes a single value, not an object.`, 'SCIM_E_PATCH_045');
  return value;
};

/**
 * A single-valued attribute: a simple one is replaced; a complex one gets the given
 * sub-attributes merged in, the others left unchanged (§3.5.2.1 and §3.5.2.3 alike).
 */
export const setSingle = (doc: JsonObject, t: Target, value: JsonValue): void => {
  if (t.attr.type === 'complex') setAttr(doc, t, mergeComplex(getAttr(doc, t), requireObject(t, value)));
  else setAttr(doc, t, requireNotObject(t, value));
};

/**
 * A sub-attribute: `name.givenName`, `emails[type eq "work"].value`, or `emails.value` (every
 * element). With a filter that selects nothing, R-ENTRA-15 creates the element the filter
 * describes (`{type: "work", value: …}`); when the filter does not say what to create the
 * answer is 400 noTarget (RFC 7644 §3.5.2.3).
 */
export const setSubAttribute = (doc: JsonObject, t: Target, value: JsonValue): void => {
  const sub = t.sub;
  if (sub === undefined) return;
  requireNotObject(t, value);
  if (!t.attr.multiValued) {
    setAttr(doc, t, setSub(getAttr(doc, t), sub, value));
    return;
  }
  const elements = getElements(doc, t);
  let touched = selectedIndices(t, elements);
  if (touched.length === 0) {
    const seed = t.filter === undefined ? {} : seedFromFilter(t.attr, t.filter);
    if (seed === undefined) {
      throw noTarget(`No value of "${t.attr.name}" matches the filter, and it does not say which value to create.`, 'SCIM_E_PATCH_042');
    }
    touched = [elements.push(setSub(seed, sub, value)) - 1];
  } else {
    for (const i of touched) elements[i] = setSub(elements[i], sub, value);
  }
  writeElements(doc, t, elements, touched);
};

/**
 * `attr[filter]` with a whole element as value. `merge` (add) merges the value into each
 * matching element; otherwise (replace) "all matching record values SHALL be replaced"
 * (§3.5.2.3). No match: replace is 400 noTarget (§3.5.2.3); add creates the element the
 * filter describes, like R-ENTRA-15, when it can.
 */
export const setMatchingElements = (doc: JsonObject, t: Target, value: JsonValue, merge: boolean): void => {
  const elements = getElements(doc, t);
  const complex = t.attr.type === 'complex';
  const element = (base: JsonValue | undefined): JsonValue => (complex ? mergeComplex(base, requireObject(t, value)) : value);
  const touched = selectedIndices(t, elements);
  if (touched.length === 0) {
    const seed = merge && complex ? seedFromFilter(t.attr, t.filter) : undefined;
    if (seed === undefined) {
      throw noTarget(`No value of "${t.attr.name}" matches the filter.`, 'SCIM_E_PATCH_043');
    }
    touched.push(elements.push(element(seed)) - 1);
  } else {
    for (const i of touched) elements[i] = element(merge ? elements[i] : undefined);
  }
  writeElements(doc, t, elements, touched);
};

/** A new element as stored: sub-attributes given as null or "" are left out (R-GEN-09). */
export const cleanElement = (t: Target, value: JsonValue): JsonValue =>
  t.attr.type === 'complex' ? mergeComplex(undefined, requireObject(t, value)) : value;
