// Elements of a multi-valued attribute: which ones a value filter selects, how a missing one is
// created (R-ENTRA-15), and how the single-primary invariant is kept (R-CORE-18).
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { invalidValue } from '../errors.js';
import type { AttrPath, Filter } from '../filter/ast.js';
import { evaluateFilter } from '../filter/evaluate.js';
import { foldCase } from '../filter/fold-case.js';
import { ensureSinglePrimary } from '../resources/codec.js';
import { findSubAttribute } from '../schema/registry.js';
import type { AttributeDef } from '../schema/types.js';
import { setAttr } from './doc.js';
import type { Target } from './target.js';

/**
 * Filters inside `attr[...]` name sub-attributes of `attr` (RFC 7644 §3.4.2.2 valuePath), so
 * their caseExact comes from the registry: `emails[value eq "A@x"]` folds case, `id` would not.
 * A simple multi-valued attribute's elements are matched as `{value: element}`.
 */
const asFilterTarget = (attr: AttributeDef, element: JsonValue): JsonValue =>
  attr.type === 'complex' ? element : { value: element };

const caseExactOf =
  (attr: AttributeDef) =>
  (path: AttrPath): boolean =>
    attr.type === 'complex' ? (findSubAttribute(attr, path.name)?.caseExact ?? false) : attr.caseExact;

export const matchesFilter = (attr: AttributeDef, filter: Filter, element: JsonValue): boolean =>
  evaluateFilter(filter, asFilterTarget(attr, element), { caseExact: caseExactOf(attr) });

/** Indices of the elements a target selects: all of them without a filter. */
export const selectedIndices = (t: Target, elements: readonly JsonValue[]): number[] => {
  const out: number[] = [];
  elements.forEach((e, i) => {
    if (t.filter === undefined || matchesFilter(t.attr, t.filter, e)) out.push(i);
  });
  return out;
};

/**
 * R-ENTRA-15: for `attr[type eq "x"].sub` (and `attr[type eq "x"]` on add) with no matching
 * element, the element `{type: "x"}` to create. Only a single `eq` on one known sub-attribute
 * says unambiguously what to create; for any other filter this returns undefined and the
 * caller answers noTarget as RFC 7644 §3.5.2.3 prescribes.
 */
export const seedFromFilter = (attr: AttributeDef, filter: Filter | undefined): JsonObject | undefined => {
  if (filter?.kind !== 'AttrExpression' || filter.op !== 'eq' || filter.value === null) return undefined;
  const { urn, name, sub } = filter.path;
  if (urn !== undefined || sub !== undefined || attr.type !== 'complex') return undefined;
  const def = findSubAttribute(attr, name);
  return def === undefined || def.type === 'complex' ? undefined : { [def.name]: filter.value };
};

/**
 * R-ENTRA-33 (generalised to any multi-valued attribute): does `element` match one entry of a
 * remove operation's value list? Every scalar sub-attribute the entry gives must be equal
 * (caseExact per the registry); `null` entries such as `"$ref": null` are ignored.
 */
export const matchesListed = (attr: AttributeDef, listed: JsonValue, element: JsonValue): boolean => {
  const equal = (def: AttributeDef | undefined, a: JsonValue | undefined, b: JsonValue): boolean =>
    typeof a === 'string' && typeof b === 'string' && def?.caseExact !== true ? foldCase(a) === foldCase(b) : a === b;
  if (attr.type !== 'complex') return equal(attr, element, listed);
  if (!isJsonObject(listed)) {
    throw invalidValue(`Each value to remove from "${attr.name}" must be an object.`, 'SCIM_E_PATCH_040');
  }
  const given = Object.entries(listed).filter(
    (e): e is [string, string | number | boolean] => typeof e[1] === 'string' || typeof e[1] === 'number' || typeof e[1] === 'boolean',
  );
  if (given.length === 0) {
    throw invalidValue(`A value to remove from "${attr.name}" must name at least one sub-attribute.`, 'SCIM_E_PATCH_041');
  }
  if (!isJsonObject(element)) return false;
  return given.every(([k, v]) => equal(findSubAttribute(attr, k), element[k], v));
};

/**
 * Writes the elements back, keeping at most one `primary: true` (RFC 7643 §2.4, RFC 7644
 * §3.5.2: setting a value's primary to true "SHALL cause the server to automatically set
 * primary to false for any other values"). The codec's ensureSinglePrimary lets the first
 * primary win, so the elements this operation wrote (`touched`, in order) are presented to it
 * first: a newly set primary beats an old one (R-CORE-18), and among new ones the first wins.
 */
export const writeElements = (doc: JsonObject, t: Target, elements: JsonValue[], touched: readonly number[]): void => {
  const order = [...new Set([...touched, ...elements.keys()])];
  const settled = ensureSinglePrimary(order.map((i) => elements[i] ?? null));
  const out = [...elements];
  order.forEach((i, k) => {
    const v = settled[k];
    if (v !== undefined) out[i] = v;
  });
  setAttr(doc, t, out);
};
