// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) applied with the RFC 7643 §2.2
// `returned` characteristic:
//   always  — always present; excludedAttributes cannot remove it (id, meta.resourceType);
//   never   — never present, even when named (password, R-CORE-12);
//   default — present unless excluded, or unless attributes= is given and does not name it;
//   request — present only when named in attributes=.
// Decisions:
//   * `schemas` is not an attribute: it is always kept, but an extension URN is dropped from it
//     when the projection removed that extension's whole object — RFC 7643 §3: `schemas` names
//     the schemas of the attributes "present in the current JSON structure".
//   * `meta` is returned "default" with `meta.resourceType` "always" (see definitions.ts): so
//     attributes=userName gives id, schemas, meta{resourceType}, userName (R-CORE-09).
//   * If both lists are given, `attributes` wins and `excludedAttributes` is ignored (§3.4.2.5
//     defines excludedAttributes relative to the default set).
//   * Naming a complex attribute names all its sub-attributes; naming a sub-attribute keeps only
//     that sub-attribute (plus "always" ones) in each value.
//   * Keys of the document unknown to the registry behave as "default".
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { findAttribute, findExtension, findSubAttribute, type ResourceSchema } from '../schema/registry.js';
import { isBlank, parseItem, parseList } from './attr-list.js';
import {
  hasAlwaysSub,
  planFor,
  select,
  type AttrRule,
  type AttrSlot,
  type ExtensionSlot,
  type Projection,
  type ProjectionPlan,
} from './projection-plan.js';

export type { ProjectionItem } from './attr-list.js';
export type { Projection } from './projection-plan.js';

export const NO_PROJECTION: Projection = Object.freeze({ attributes: undefined, excludedAttributes: [] });

export interface ProjectionParams {
  readonly attributes?: string | readonly string[] | undefined;
  readonly excludedAttributes?: string | readonly string[] | undefined;
}

/** Unknown names are ignored, not errors (R-CORE-09 / R-CORE-13 spirit). */
export const parseProjection = (rs: ResourceSchema, params: ProjectionParams): Projection => {
  if (!isBlank(params.attributes)) return { attributes: parseList(rs, params.attributes), excludedAttributes: [] };
  return { attributes: undefined, excludedAttributes: parseList(rs, params.excludedAttributes) };
};

/** Keeps the sub-keys `rule` accepts; empty complex values disappear. Complex attributes only. */
const pickSubs = (rule: AttrRule, value: JsonValue): JsonValue | undefined => {
  const pick = (o: JsonObject): JsonObject | undefined => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(o)) {
      const sub = findSubAttribute(rule.def, k);
      if (sub === undefined ? rule.keepUnknown : rule.keep.has(sub)) out[k] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const el of value) {
      const p = isJsonObject(el) ? pick(el) : rule.keepUnknown ? el : undefined;
      if (p !== undefined) out.push(p);
    }
    return out.length === 0 ? undefined : out;
  }
  return isJsonObject(value) ? pick(value) : value;
};

/**
 * Whether picking every key of `o` gives an equal object: it has an own key, and no own
 * "__proto__" (which `out[k] = v` would not copy). Own keys come first in for-in order.
 */
const isPlainObject = (o: JsonObject): boolean => {
  for (const k in o) return Object.hasOwn(o, k) && !Object.hasOwn(o, '__proto__');
  return false;
};

/** Whether pickSubs with a rule that removes nothing would return an equal value. */
const isPlainValue = (value: JsonValue): boolean => {
  if (Array.isArray(value)) return value.length > 0 && value.every((el) => !isJsonObject(el) || isPlainObject(el));
  return !isJsonObject(value) || isPlainObject(value);
};

/** Whether the projection keeps `value` exactly as it is. */
const keepsValue = (plan: ProjectionPlan, slot: AttrSlot | undefined, value: JsonValue): boolean => {
  if (slot === undefined) return plan.keepUnknown;
  const rule = plan.rules[slot.slot];
  return rule !== undefined && rule !== null && (rule.def.type !== 'complex' || (rule.whole && isPlainValue(value)));
};

/** The projected value of one attribute (undefined: left out). Values kept as they are are shared, not copied. */
const projectValue = (plan: ProjectionPlan, slot: AttrSlot | undefined, value: JsonValue): JsonValue | undefined => {
  if (keepsValue(plan, slot, value)) return value;
  const rule = slot === undefined ? undefined : plan.rules[slot.slot];
  return rule === undefined || rule === null ? undefined : pickSubs(rule, value);
};

const projectExtension = (plan: ProjectionPlan, ext: ExtensionSlot, obj: JsonObject): JsonObject => {
  const out: JsonObject = {};
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    const projected = projectValue(plan, ext.attrs.get(k), obj[k] as JsonValue);
    if (projected !== undefined) out[k] = projected;
  }
  return out;
};

/**
 * Whether the projection keeps every key of `resource` and its values exactly as they are (the
 * default view of a stored document): then a shallow copy is the projected document.
 */
const keepsAll = (plan: ProjectionPlan, resource: JsonObject): boolean => {
  if (Object.hasOwn(resource, '__proto__')) return false;
  const { top } = plan.layout;
  for (const k in resource) {
    if (!Object.hasOwn(resource, k)) return false;
    if (k === 'schemas') continue;
    const v = resource[k] as JsonValue;
    const slot = top.get(k);
    if (slot?.kind !== 'extension') {
      if (!keepsValue(plan, slot, v)) return false;
    } else if (!isJsonObject(v) || !isPlainObject(v)) return false;
    else for (const ek in v) if (!Object.hasOwn(v, ek) || !keepsValue(plan, slot.attrs.get(ek), v[ek] as JsonValue)) return false;
  }
  return true;
};

/**
 * Returns a new document; `resource` is not modified, but values the projection keeps as they
 * are are shared with it. The default view of a canonical document (nearly every identity
 * provider request) is checked without building anything and then copied shallowly.
 */
export const applyProjection = (rs: ResourceSchema, resource: JsonObject, projection: Projection): JsonObject => {
  const plan = planFor(rs, projection);
  if (plan.keepsStored && keepsAll(plan, resource)) return { ...resource };
  const { top, attrs } = plan.layout;
  const out: JsonObject = {};
  let droppedExtensions: Set<string> | undefined;
  // for-in with hasOwn visits the keys of Object.entries in the same order, without the pairs.
  for (const k in resource) {
    if (!Object.hasOwn(resource, k)) continue;
    const v = resource[k] as JsonValue;
    if (k === 'schemas') {
      out[k] = v;
      continue;
    }
    const slot = top.get(k);
    if (slot?.kind === 'extension') {
      if (isJsonObject(v)) {
        const sub = projectExtension(plan, slot, v);
        if (Object.keys(sub).length > 0) out[k] = sub;
        else (droppedExtensions ??= new Set()).add(slot.ext.id.toLowerCase());
        continue;
      }
      // An extension URN with a non-object value is just a key like any other.
      const projected = projectValue(plan, attrs.get(k), v);
      if (projected !== undefined) out[k] = projected;
      continue;
    }
    const projected = projectValue(plan, slot, v);
    if (projected !== undefined) out[k] = projected;
  }
  const schemas = out['schemas'];
  if (Array.isArray(schemas) && droppedExtensions !== undefined)
    out['schemas'] = schemas.filter((s) => typeof s !== 'string' || !droppedExtensions.has(s.toLowerCase()));
  return out;
};

const computeWants = (rs: ResourceSchema, projection: Projection, name: string): boolean => {
  const item = parseItem(rs, name);
  if (item === undefined || item.attr === undefined) return false;
  const schemaAttrs =
    item.schema === rs.core.id ? [...rs.common, ...rs.core.attributes] : (findExtension(rs, item.schema)?.attributes ?? []);
  const def = findAttribute(schemaAttrs, item.attr);
  if (def === undefined) return false;
  const sub = item.sub === undefined ? undefined : findSubAttribute(def, item.sub);
  const target = sub ?? def;
  if (def.returned === 'never' || target.returned === 'never') return false;
  if (def.returned === 'always' || target.returned === 'always') return true;
  if (projection.attributes !== undefined) {
    const sel = select(projection.attributes, item.schema, def.name);
    if (sel.whole) return true;
    return sub === undefined ? sel.subs.size > 0 || hasAlwaysSub(def) : sel.subs.has(sub.name);
  }
  if (def.returned === 'request' || target.returned === 'request') return false;
  const sel = select(projection.excludedAttributes, item.schema, def.name);
  if (sel.whole) return sub === undefined && hasAlwaysSub(def);
  return sub === undefined || !sel.subs.has(sub.name);
};

/**
 * Whether a response under `projection` contains (part of) `name`, e.g. `members`, `groups`,
 * `name.givenName`. Lets the service skip work such as loading members for
 * `excludedAttributes=members` (R-ENTRA-29) or `attributes=displayName`.
 * Unknown names → false.
 */
export const wantsAttribute = (rs: ResourceSchema, projection: Projection, name: string): boolean => {
  const { wants } = planFor(rs, projection);
  let answer = wants.get(name);
  if (answer === undefined) {
    answer = computeWants(rs, projection, name);
    if (wants.size < 64) wants.set(name, answer); // the service asks a few fixed names
  }
  return answer;
};

/**
 * Whether `projection` keeps every attribute a resource stores exactly as it is (the default view,
 * and excludedAttributes of attributes never stored): then the stored document's text can be
 * spliced into the response (stored-view.ts) instead of projected.
 */
export const keepsStoredDocument = (rs: ResourceSchema, projection: Projection): boolean => planFor(rs, projection).keepsStored;
