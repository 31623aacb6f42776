// Normalises one attribute value against its AttributeDef (RFC 7643 §2.3 data types, §2.4
// multi-valued). Returns undefined for "no value" so the caller leaves the attribute out.
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { invalidValue } from '../errors.js';
import type { ScimLimits } from '../limits.js';
import { findSubAttribute } from '../schema/registry.js';
import type { AttributeDef } from '../schema/types.js';
import { coerceBoolean, ensureSinglePrimary, exceedsChars, isNoValue, isXsdDateTime } from './values.js';

export interface CodecContext {
  readonly limits: ScimLimits;
  /** Group `members`: limited by maxMembersPerRequest instead of maxMultiValues, deduplicated. */
  readonly membershipAttribute: string | undefined;
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

const describe = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

const wrongType = (path: string, expected: string, v: unknown, code: string) =>
  invalidValue(`Attribute "${path}" must be ${expected}, got ${describe(v)}`, code);

const normalizeString = (v: unknown, path: string, ctx: CodecContext, expected: string): string => {
  if (typeof v !== 'string') throw wrongType(path, expected, v, 'SCIM_E_CODEC_006');
  if (exceedsChars(v, ctx.limits.maxStringLength))
    throw invalidValue(`Attribute "${path}" is longer than ${ctx.limits.maxStringLength} characters`, 'SCIM_E_CODEC_007');
  return v; // R-GEN-11: stored exactly as sent
};

const normalizeComplex = (def: AttributeDef, v: JsonObject, path: string, ctx: CodecContext): JsonObject | undefined => {
  const subs = def.subAttributes ?? [];
  const byName = new Map<string, JsonValue | undefined>();
  for (const [k, raw] of Object.entries(v)) {
    const sub = findSubAttribute(def, k);
    // Unknown sub-attributes are ignored (R-GEN-08, R-OL-01); readOnly ones (manager.displayName)
    // are the server's to fill.
    if (sub === undefined || sub.mutability === 'readOnly' || sub.mutability === 'writeOnly') continue;
    byName.set(sub.name, normalizeAttr(sub, raw, `${path}.${sub.name}`, ctx));
  }
  const out: JsonObject = {};
  for (const sub of subs) {
    const s = byName.get(sub.name);
    if (s !== undefined) out[sub.name] = s;
  }
  if (Object.keys(out).length === 0) return undefined;
  for (const sub of subs) {
    if (sub.required && out[sub.name] === undefined) throw invalidValue(`Attribute "${path}.${sub.name}" is required`, 'SCIM_E_CODEC_013');
  }
  return out;
};

/** One (non-array) value of `def`. */
const normalizeOne = (def: AttributeDef, v: unknown, path: string, ctx: CodecContext): JsonValue | undefined => {
  if (isNoValue(v)) return undefined;
  switch (def.type) {
    case 'complex':
      if (isJsonObject(v)) return normalizeComplex(def, v, path, ctx);
      // R-ENTRA-11: "manager": "123" means {"value": "123"}; likewise "members": ["id"] (R-CORE-15).
      if (isScalar(v) && findSubAttribute(def, 'value') !== undefined) return normalizeComplex(def, { value: v }, path, ctx);
      throw wrongType(path, 'a JSON object', v, 'SCIM_E_CODEC_005');
    case 'string':
      return normalizeString(v, path, ctx, 'a string');
    case 'reference':
      return normalizeString(v, path, ctx, 'a reference string');
    case 'binary':
      // base64 per §2.3.6; the alphabet is not checked, clients differ (padding, base64url, PEM).
      return normalizeString(v, path, ctx, 'a base64 string');
    case 'boolean': {
      const b = coerceBoolean(v); // R-GEN-10
      if (b === undefined) throw wrongType(path, 'a boolean', v, 'SCIM_E_CODEC_008');
      return b;
    }
    case 'integer':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(path, 'an integer', v, 'SCIM_E_CODEC_009');
      return v;
    case 'decimal':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw wrongType(path, 'a number', v, 'SCIM_E_CODEC_010');
      return v;
    case 'dateTime':
      if (typeof v !== 'string' || !isXsdDateTime(v))
        throw invalidValue(`Attribute "${path}" must be an xsd:dateTime, e.g. 2015-10-10T14:38:21Z`, 'SCIM_E_CODEC_011');
      return v; // stored as sent (R-GEN-11)
  }
};

/** Group members are a set: the second mention of an id adds nothing (R-ENTRA-32). */
const dedupeByValue = (values: JsonValue[]): JsonValue[] => {
  const seen = new Set<JsonValue>();
  return values.filter((m) => {
    const id = isJsonObject(m) ? m['value'] : undefined;
    if (id === undefined || seen.has(id)) return id === undefined;
    seen.add(id);
    return true;
  });
};

const normalizeMulti = (def: AttributeDef, v: unknown, path: string, ctx: CodecContext): JsonValue | undefined => {
  // §2.4 / R-CORE-15: a lone value for a multi-valued attribute is a one-element list.
  const items: unknown[] = Array.isArray(v) ? v : [v];
  const isMembers = def.name === ctx.membershipAttribute;
  const max = isMembers ? ctx.limits.maxMembersPerRequest : ctx.limits.maxMultiValues;
  if (items.length > max) throw invalidValue(`Attribute "${path}" has more than ${max} values`, 'SCIM_E_CODEC_003');
  const out: JsonValue[] = [];
  items.forEach((item, i) => {
    const n = normalizeOne(def, item, `${path}[${i}]`, ctx);
    if (n !== undefined) out.push(n);
  });
  if (out.length === 0) return undefined; // `roles: []` stores nothing (R-ENTRA-10)
  if (isMembers) return dedupeByValue(out);
  return findSubAttribute(def, 'primary') === undefined ? out : ensureSinglePrimary(out);
};

/**
 * Normalises `v` for `def`. `path` names the attribute in error details, e.g.
 * `emails[1].primary` or `urn:…:enterprise:2.0:User:manager.value`.
 */
export const normalizeAttr = (def: AttributeDef, v: unknown, path: string, ctx: CodecContext): JsonValue | undefined => {
  if (isNoValue(v)) return undefined; // R-GEN-09
  if (def.multiValued) return normalizeMulti(def, v, path, ctx);
  if (Array.isArray(v)) {
    // Entra's legacy manager form is `[{"value": id, "$ref": …}]` (R-ENTRA-21): one element is
    // the value, none is no value, more is an error.
    if (v.length === 0) return undefined;
    if (v.length > 1) throw invalidValue(`Attribute "${path}" is single-valued but got ${v.length} values`, 'SCIM_E_CODEC_004');
    return normalizeOne(def, v[0], path, ctx);
  }
  return normalizeOne(def, v, path, ctx);
};
