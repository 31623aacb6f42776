// Reading and writing one attribute of the canonical document: core attributes at the top
// level, extension attributes under their canonical URN key. The working document is a private
// deep copy owned by applyPatch, so these helpers mutate it in place.
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import type { AttributeDef } from '../schema/types.js';
import { isEmptyValue } from './json-utils.js';
import type { Target } from './target.js';

const containerOf = (doc: JsonObject, t: Target, create: boolean): JsonObject | undefined => {
  if (t.container === undefined) return doc;
  const existing = doc[t.container];
  if (isJsonObject(existing)) return existing;
  if (!create) return undefined;
  const fresh: JsonObject = {};
  doc[t.container] = fresh;
  return fresh;
};

/** The attribute's current value, or undefined when unassigned. */
export const getAttr = (doc: JsonObject, t: Target): JsonValue | undefined => containerOf(doc, t, false)?.[t.attr.name];

/**
 * Sets the attribute; an empty value (undefined, null, "", [] or {}) unassigns it (RFC 7643 §2.5:
 * unassigned attributes are omitted). An extension object left empty is dropped as well.
 */
export const setAttr = (doc: JsonObject, t: Target, value: JsonValue | undefined): void => {
  if (isEmptyValue(value)) {
    const c = containerOf(doc, t, false);
    if (c === undefined) return;
    delete c[t.attr.name];
    if (t.container !== undefined && Object.keys(c).length === 0) delete doc[t.container];
    return;
  }
  const c = containerOf(doc, t, true);
  if (c !== undefined && value !== undefined) c[t.attr.name] = value;
};

/** The elements of a multi-valued attribute (a copy of the array, same element objects). */
export const getElements = (doc: JsonObject, t: Target): JsonValue[] => {
  const v = getAttr(doc, t);
  return Array.isArray(v) ? [...v] : v === undefined ? [] : [v];
};

/**
 * Merges sub-attributes into a complex value (RFC 7644 §3.5.2.1 / §3.5.2.3: sub-attributes not
 * named in `value` are left unchanged). A sub-attribute given as null or "" is removed
 * (R-ENTRA-22: never store them). Returns a new object.
 */
export const mergeComplex = (base: JsonValue | undefined, patch: JsonObject): JsonObject => {
  const out: JsonObject = isJsonObject(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (isEmptyValue(v)) delete out[k];
    else out[k] = v;
  }
  return out;
};

/** Sets (or, for an empty value, removes) one sub-attribute of a complex value. */
export const setSub = (base: JsonValue | undefined, sub: AttributeDef, value: JsonValue | undefined): JsonObject => {
  const out: JsonObject = isJsonObject(base) ? { ...base } : {};
  if (value === undefined || isEmptyValue(value)) delete out[sub.name];
  else out[sub.name] = value;
  return out;
};
