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
import type { AttributeDef } from '../schema/types.js';
import { isBlank, parseItem, parseList, type ProjectionItem } from './attr-list.js';

export type { ProjectionItem } from './attr-list.js';

export interface Projection {
  /** Resolved `attributes` items; undefined when the parameter is absent or blank. */
  readonly attributes: readonly ProjectionItem[] | undefined;
  /** Resolved `excludedAttributes` items (empty when absent, or when `attributes` is given). */
  readonly excludedAttributes: readonly ProjectionItem[];
}

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

interface Selection {
  /** The attribute itself (or its whole schema) is named. */
  readonly whole: boolean;
  /** Canonical names of its sub-attributes that are named. */
  readonly subs: ReadonlySet<string>;
}

const select = (items: readonly ProjectionItem[], schema: string, name: string): Selection => {
  let whole = false;
  const subs = new Set<string>();
  for (const i of items) {
    if (i.schema !== schema) continue;
    if (i.attr === undefined || (i.attr === name && i.sub === undefined)) whole = true;
    else if (i.attr === name && i.sub !== undefined) subs.add(i.sub);
  }
  return { whole, subs };
};

type SubRule = (sub: AttributeDef) => boolean;

/** Keeps the sub-attributes `keep` accepts; empty complex values disappear. */
const pickSubs = (def: AttributeDef, value: JsonValue, keep: SubRule, keepUnknown: boolean): JsonValue | undefined => {
  if (def.type !== 'complex') return value;
  const pick = (o: JsonObject): JsonObject | undefined => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(o)) {
      const sub = findSubAttribute(def, k);
      if (sub === undefined ? keepUnknown : keep(sub)) out[k] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const el of value) {
      const p = isJsonObject(el) ? pick(el) : keepUnknown ? el : undefined;
      if (p !== undefined) out.push(p);
    }
    return out.length === 0 ? undefined : out;
  }
  return isJsonObject(value) ? pick(value) : value;
};

const notNever: SubRule = (s) => s.returned !== 'never';
const onlyAlways: SubRule = (s) => s.returned === 'always';
const hasAlwaysSub = (def: AttributeDef): boolean => (def.subAttributes ?? []).some(onlyAlways);

/** The projected value of one attribute, or undefined to leave it out. */
const projectAttr = (p: Projection, schema: string, def: AttributeDef, value: JsonValue): JsonValue | undefined => {
  if (def.returned === 'never') return undefined;
  if (def.returned === 'always') return pickSubs(def, value, notNever, true);
  if (p.attributes !== undefined) {
    const sel = select(p.attributes, schema, def.name);
    if (sel.whole) return pickSubs(def, value, notNever, true);
    if (sel.subs.size > 0) return pickSubs(def, value, (s) => notNever(s) && (s.returned === 'always' || sel.subs.has(s.name)), false);
    return hasAlwaysSub(def) ? pickSubs(def, value, onlyAlways, false) : undefined;
  }
  if (def.returned === 'request') return undefined;
  const sel = select(p.excludedAttributes, schema, def.name);
  if (sel.whole) return hasAlwaysSub(def) ? pickSubs(def, value, onlyAlways, false) : undefined;
  return pickSubs(def, value, (s) => s.returned === 'always' || (s.returned === 'default' && !sel.subs.has(s.name)), true);
};

const projectObject = (
  p: Projection,
  schema: string,
  defs: readonly AttributeDef[],
  extra: readonly AttributeDef[],
  obj: JsonObject,
  out: JsonObject,
): void => {
  for (const [k, v] of Object.entries(obj)) {
    const def = findAttribute(extra, k) ?? findAttribute(defs, k);
    const projected = def === undefined ? (p.attributes === undefined ? v : undefined) : projectAttr(p, schema, def, v);
    if (projected !== undefined) out[k] = projected;
  }
};

/** Returns a new document; `resource` is not modified. */
export const applyProjection = (rs: ResourceSchema, resource: JsonObject, projection: Projection): JsonObject => {
  const out: JsonObject = {};
  const droppedExtensions = new Set<string>();
  for (const [k, v] of Object.entries(resource)) {
    if (k === 'schemas') {
      out[k] = v;
      continue;
    }
    const ext = findExtension(rs, k);
    if (ext !== undefined && isJsonObject(v)) {
      const sub: JsonObject = {};
      projectObject(projection, ext.id, ext.attributes, [], v, sub);
      if (Object.keys(sub).length > 0) out[k] = sub;
      else droppedExtensions.add(ext.id.toLowerCase());
      continue;
    }
    projectObject(projection, rs.core.id, rs.core.attributes, rs.common, { [k]: v }, out);
  }
  const schemas = out['schemas'];
  if (Array.isArray(schemas) && droppedExtensions.size > 0)
    out['schemas'] = schemas.filter((s) => typeof s !== 'string' || !droppedExtensions.has(s.toLowerCase()));
  return out;
};

/**
 * Whether a response under `projection` contains (part of) `name`, e.g. `members`, `groups`,
 * `name.givenName`. Lets the service skip work such as loading members for
 * `excludedAttributes=members` (R-ENTRA-29) or `attributes=displayName`.
 * Unknown names → false.
 */
export const wantsAttribute = (rs: ResourceSchema, projection: Projection, name: string): boolean => {
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
