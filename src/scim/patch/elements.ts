// Elements of a multi-valued attribute: which ones a value filter selects, how a missing one is
// created (R-ENTRA-15), and how the single-primary invariant is kept (R-CORE-18).
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { invalidValue } from '../errors.js';
import type { AttrPath, Filter } from '../filter/ast.js';
import { compileFilter, type CompiledFilter } from '../filter/evaluate.js';
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

/**
 * A value filter compiled once per parsed filter (so once per operation of a request, not once
 * per element): the PATCH cost model in docs/security.md counts on it.
 */
const compiled = new WeakMap<Filter, CompiledFilter>();

const compiledFor = (attr: AttributeDef, filter: Filter): CompiledFilter => {
  let c = compiled.get(filter);
  if (c === undefined) {
    c = compileFilter(filter, { caseExact: caseExactOf(attr) });
    compiled.set(filter, c);
  }
  return c;
};

export const matchesFilter = (attr: AttributeDef, filter: Filter, element: JsonValue): boolean =>
  compiledFor(attr, filter)(asFilterTarget(attr, element));

/** Indices of the elements a target selects: all of them without a filter. */
export const selectedIndices = (t: Target, elements: readonly JsonValue[]): number[] => {
  const out: number[] = [];
  const test = t.filter === undefined ? undefined : compiledFor(t.attr, t.filter);
  elements.forEach((e, i) => {
    if (test === undefined || test(asFilterTarget(t.attr, e))) out.push(i);
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
 * matchesListed for a whole list at once, in time linear in elements + values (the PATCH cost
 * model charges it so): each listed value becomes a key over the sub-attributes it gives (folded
 * where not caseExact), grouped by which sub-attributes those are; an element matches when its
 * key for one of those groups is in the group's set. Same answers as matchesListed.
 */
export const listedMatcher = (attr: AttributeDef, listed: readonly JsonValue[]): ((element: JsonValue) => boolean) => {
  const scalarKey = (def: AttributeDef | undefined, v: JsonValue | undefined): string | undefined => {
    if (typeof v === 'string') return `s${def?.caseExact === true ? v : foldCase(v)}`;
    if (typeof v === 'number') return `n${v}`;
    if (typeof v === 'boolean') return `b${v}`;
    return undefined;
  };
  if (attr.type !== 'complex') {
    const keys = new Set(listed.map((v) => scalarKey(attr, v)).filter((k) => k !== undefined));
    return (element) => {
      const k = scalarKey(attr, element);
      return k !== undefined && keys.has(k);
    };
  }
  // keyset ("value\u0000type") → the listed values' keys for those sub-attributes
  const groups = new Map<string, { names: string[]; defs: (AttributeDef | undefined)[]; keys: Set<string> }>();
  for (const v of listed) {
    if (!isJsonObject(v)) throw invalidValue(`Each value to remove from "${attr.name}" must be an object.`, 'SCIM_E_PATCH_040');
    const given = Object.entries(v).filter(([, x]) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean');
    if (given.length === 0) {
      throw invalidValue(`A value to remove from "${attr.name}" must name at least one sub-attribute.`, 'SCIM_E_PATCH_041');
    }
    given.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const names = given.map(([k]) => k);
    const id = names.join('\u0000');
    let g = groups.get(id);
    if (g === undefined) {
      g = { names, defs: names.map((k) => findSubAttribute(attr, k)), keys: new Set() };
      groups.set(id, g);
    }
    g.keys.add(JSON.stringify(given.map(([, x], i) => scalarKey(g.defs[i], x))));
  }
  const all = [...groups.values()];
  return (element) => {
    if (!isJsonObject(element)) return false;
    return all.some((g) => {
      const parts = g.names.map((k, i) => scalarKey(g.defs[i], element[k]));
      return !parts.includes(undefined) && g.keys.has(JSON.stringify(parts));
    });
  };
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
