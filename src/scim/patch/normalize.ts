// The PATCH tolerance layer: the ONE place where what real clients send is rewritten into
// RFC 7644 §3.5.2 operations, each rule tagged with its requirement id (docs/design.md "Real
// clients": "normalise at the edge of the PATCH engine, in one place, with a test per quirk").
// After this step add.ts / replace.ts / remove.ts apply strict RFC semantics to resolved targets.
//
// This file may name attributes (`id`, `meta`, `schemas`, the `value` sub-attribute) because
// the quirks are about those names; everything else goes through the registry.
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { invalidValue, mutability, noTarget } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/parser.js';
import { coerceBoolean } from '../resources/codec.js';
import { findExtension, findSubAttribute, type ResourceSchema } from '../schema/registry.js';
import type { AttributeDef, SchemaDef } from '../schema/types.js';
import { sameName } from './json-utils.js';
import type { PatchOperation } from './parse-patch.js';
import { resolveTarget, type Target } from './target.js';

/** An RFC-shaped operation on a resolved target. Carries the index of the request operation. */
export type NormalizedOp =
  | { readonly op: 'add' | 'replace'; readonly target: Target; readonly value: JsonValue }
  /** `values`: the elements to remove from a multi-valued attribute (R-ENTRA-33), else undefined. */
  | { readonly op: 'remove'; readonly target: Target; readonly values: readonly JsonValue[] | undefined };

export interface NormalizeContext {
  /** The resource's id, for the R-OKTA-12 rule. */
  readonly id: string;
}

/** RFC 7643 §2.4 multi-valued elements and R-ENTRA-21 references carry their id in `value`. */
const VALUE = 'value';

const isNoValue = (v: JsonValue | undefined): boolean => v === null || v === '';
const isScalar = (v: JsonValue | undefined): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

// ---------------------------------------------------------------------------------------------
// Value shaping: canonical sub-attribute names (RFC 7643 §2.1, R-CORE-10, R-ENTRA-41) and
// string booleans (R-GEN-10, R-ENTRA-18), so that merges and the primary rule see real values.

const shapeScalar = (def: AttributeDef, v: JsonValue): JsonValue => {
  // R-GEN-10 / R-ENTRA-18: "True", "False", "false"… for a boolean target. Other strings are
  // left as they are; the codec rejects them with invalidValue.
  if (def.type === 'boolean') return coerceBoolean(v) ?? v;
  return v;
};

/** One value of `attr` (an element, for a multi-valued attribute). */
const shapeOne = (attr: AttributeDef, v: JsonValue): JsonValue => {
  if (attr.type !== 'complex') return shapeScalar(attr, v);
  // R-CORE-15: a scalar where a complex element is expected is its `value`
  // (`"value":"id1"` for members → `{"value":"id1"}`).
  const valueSub = findSubAttribute(attr, VALUE);
  if (isScalar(v) && valueSub !== undefined) return { [valueSub.name]: shapeScalar(valueSub, v) };
  if (!isJsonObject(v)) return v; // wrong type: add/replace or the codec reports it
  const out: JsonObject = {};
  for (const [key, raw] of Object.entries(v)) {
    const sub = findSubAttribute(attr, key);
    // Unknown sub-attributes (OneLogin's `managerId`, R-OL-01) and readOnly ones
    // (`manager.displayName`) are ignored, as the codec ignores them on POST/PUT (R-GEN-08).
    // Dropping them here keeps "equal value" checks about what would be stored, and keeps
    // keys such as `__proto__` out of the objects built below.
    if (sub === undefined || sub.mutability === 'readOnly') continue;
    if (Object.hasOwn(out, sub.name)) {
      throw invalidValue(`"${attr.name}" names the sub-attribute "${sub.name}" twice (in different letter case).`, 'SCIM_E_PATCH_025');
    }
    out[sub.name] = shapeScalar(sub, raw);
  }
  return out;
};

/** A list of elements: R-CORE-15 wraps a lone value for a multi-valued attribute into a list. */
const shapeList = (attr: AttributeDef, v: JsonValue): JsonValue[] => (Array.isArray(v) ? v : [v]).map((e) => shapeOne(attr, e));

/**
 * R-ENTRA-21: a reference (a single-valued complex attribute with a `value` sub-attribute, i.e.
 * `manager`) arrives as `"id"`, `{"value":"id"}` or `[{"value":"id","$ref":"…"}]`.
 * Returns the object form; `null` for an empty list.
 */
const unwrapReference = (attr: AttributeDef, v: JsonValue): JsonValue => {
  if (!Array.isArray(v)) return v;
  if (v.length === 0) return null;
  const [only] = v;
  if (v.length > 1 || only === undefined) {
    throw invalidValue(`"${attr.name}" is single-valued but the operation gives ${v.length} values.`, 'SCIM_E_PATCH_024');
  }
  return only;
};

const isReference = (attr: AttributeDef): boolean =>
  attr.type === 'complex' && !attr.multiValued && findSubAttribute(attr, VALUE) !== undefined;

// ---------------------------------------------------------------------------------------------
// Operations with a path.

const removeOp = (target: Target, value: JsonValue | undefined): NormalizedOp[] => {
  const isList = target.level === 'attribute' && target.attr.multiValued;
  if (!isList || value === undefined || isNoValue(value)) {
    // RFC 7644 §3.5.2.2: remove takes no value; one sent anyway is ignored.
    return [{ op: 'remove', target, values: undefined }];
  }
  // R-ENTRA-33 / R-JC-04: `{"op":"Remove","path":"members","value":[{"value":"u1"}]}` removes
  // only the listed values, never the whole attribute. An empty list removes nothing (a
  // client that meant "all" sends no value), so it is dropped rather than read as "clear".
  const values = shapeList(target.attr, value);
  return values.length === 0 ? [] : [{ op: 'remove', target, values }];
};

const setOp = (op: 'add' | 'replace', target: Target, value: JsonValue | undefined): NormalizedOp[] => {
  if (value === undefined) {
    // RFC 7644 §3.5.2.1 / §3.5.2.3: add and replace MUST carry a "value".
    throw invalidValue(`"${op}" requires a "value".`, 'SCIM_E_PATCH_021');
  }
  const { attr, level } = target;
  let v = value;
  if (level === 'attribute' && isReference(attr)) {
    v = unwrapReference(attr, v); // R-ENTRA-21
    // R-ENTRA-21: `{"value": ""}` clears the reference like "" does.
    if (isJsonObject(v) && Object.keys(v).some((k) => sameName(k, VALUE)) && Object.values(v).every((x) => isNoValue(x))) v = null;
  }
  if (level === 'element' && Array.isArray(v) && v.length === 1 && v[0] !== undefined) {
    v = v[0]; // tolerance: one element as a one-element list for `attr[filter]`
  }
  if (isNoValue(v)) {
    // R-ENTRA-22: "" or null on add/replace clears the target (SCIM_Null_Update_Test).
    // Decision: add of nothing to a whole multi-valued attribute appends nothing, so a stray
    // `{"op":"add","path":"members","value":null}` cannot empty a group.
    if (op === 'add' && level === 'attribute' && attr.multiValued) return [];
    return [{ op: 'remove', target, values: undefined }];
  }
  if (level === 'sub' && target.sub !== undefined) return [{ op, target, value: shapeScalar(target.sub, v) }];
  if (level === 'attribute' && attr.multiValued) return [{ op, target, value: shapeList(attr, v) }];
  const shaped = shapeOne(attr, v);
  if (level === 'attribute' && isReference(attr) && isJsonObject(shaped) && attr.mutability === 'readWrite' && !attr.required) {
    // R-ENTRA-21: a new reference replaces the old one whole (remove, then set); merging
    // `{"value":"new"}` into the stored object would keep the old manager's `$ref`.
    return [
      { op: 'remove', target, values: undefined },
      { op, target, value: shaped },
    ];
  }
  return [{ op, target, value: shaped }];
};

const withPath = (rs: ResourceSchema, op: PatchOperation['op'], path: PatchPath, value: JsonValue | undefined): NormalizedOp[] => {
  const target = resolveTarget(rs, path);
  return op === 'remove' ? removeOp(target, value) : setOp(op, target, value);
};

// ---------------------------------------------------------------------------------------------
// Operations without a path (RFC 7644 §3.5.2.1 / §3.5.2.3: `value` is a set of attributes).

interface Keyed {
  readonly path: PatchPath;
  readonly value: JsonValue;
}

// R-ENTRA-19: each key is an attribute PATH (`name.givenName`,
// `urn:…:enterprise:2.0:User:employeeNumber`), parsed by the same grammar as `path`.
const keyPath = (key: string): PatchPath => parsePatchPath(key);

const synthesizedPath = (urn: string, attr: AttributeDef): PatchPath => ({
  kind: 'PatchPath',
  path: { kind: 'AttrPath', urn, name: attr.name, sub: undefined, offset: 0 },
  valueFilter: undefined,
  subAfterFilter: undefined,
  offset: 0,
});

const expandPathless = (rs: ResourceSchema, value: JsonValue | undefined, ctx: NormalizeContext, depth = 0): Keyed[] => {
  if (value === undefined) throw invalidValue('An operation without "path" requires a "value".', 'SCIM_E_PATCH_026');
  if (!isJsonObject(value)) {
    throw invalidValue('Without "path", "value" must be an object of attributes (RFC 7644 §3.5.2).', 'SCIM_E_PATCH_022');
  }
  const out: Keyed[] = [];
  for (const [key, v] of Object.entries(value)) {
    // R-GEN-08: `schemas` and `meta` in a value are the client echoing the resource; ignored.
    if (sameName(key, 'schemas') || sameName(key, 'meta')) continue;
    if (sameName(key, 'id')) {
      // R-OKTA-12: Okta's group rename carries the group's own id; OneLogin sends `"id": null`
      // (R-GEN-08). Both are ignored; a different id is an attempt to change it (R-CORE-19).
      if (v === null || v === ctx.id) continue;
      throw mutability('"id" is read-only and cannot be changed.', 'SCIM_E_PATCH_023');
    }
    const ext = findExtension(rs, key);
    const isCore = depth === 0 && sameName(key, rs.core.id);
    if (ext !== undefined || isCore) {
      if (isNoValue(v) && ext !== undefined) {
        // R-ENTRA-22 applied to the extension object: clear each writable attribute.
        for (const a of ext.attributes) if (a.mutability !== 'readOnly') out.push({ path: synthesizedPath(ext.id, a), value: null });
        continue;
      }
      if (!isJsonObject(v)) throw invalidValue(`"${key}" must be an object of attributes.`, 'SCIM_E_PATCH_027');
      // The RFC form `{"urn:…:enterprise:2.0:User": {"department": "x"}}`: one op per attribute.
      if (ext !== undefined) for (const [k, x] of Object.entries(v)) out.push({ path: keyPath(`${ext.id}:${k}`), value: x });
      else out.push(...expandPathless(rs, v, ctx, depth + 1));
      continue;
    }
    out.push({ path: keyPath(key), value: v });
  }
  return out;
};

// ---------------------------------------------------------------------------------------------
// Issue #16: a path that is a bare extension URN (`"path": "urn:…:enterprise:2.0:User"`), which
// some clients send. RFC 7644 §3.5.2 paths name attributes, not schemas, so this is a tolerance:
// add/replace with an object value are the path-less form with the URN as the key
// (`{"value": {"urn:…:User": {…}}}`, RFC 7644 §3.5.2.1/§3.5.2.3: only the named attributes change);
// remove without a value clears every writable attribute of the extension; remove with an object
// value clears only the attributes it names.

/** The extension a path names as a whole (the parser reads `…:2.0:User` as urn `…:2.0`, name `User`). */
const bareExtension = (rs: ResourceSchema, path: PatchPath): SchemaDef | undefined => {
  if (path.valueFilter !== undefined || path.subAfterFilter !== undefined || path.path.sub !== undefined || path.path.urn === undefined) return undefined;
  return findExtension(rs, `${path.path.urn}:${path.path.name}`);
};

const wholeExtension = (rs: ResourceSchema, op: PatchOperation, ext: SchemaDef, ctx: NormalizeContext): NormalizedOp[] => {
  if (op.op !== 'remove') {
    if (op.value === undefined) throw invalidValue(`"${op.op}" requires a "value".`, 'SCIM_E_PATCH_021');
    const kind = op.op;
    return expandPathless(rs, { [ext.id]: op.value }, ctx).flatMap(({ path, value }) => withPath(rs, kind, path, value));
  }
  const named = isJsonObject(op.value) ? Object.keys(op.value) : undefined;
  const attrs = ext.attributes.filter(
    (a) => a.mutability !== 'readOnly' && a.mutability !== 'immutable' && (named === undefined || named.some((k) => sameName(k, a.name))),
  );
  return attrs.flatMap((a) => withPath(rs, 'remove', synthesizedPath(ext.id, a), undefined));
};

/**
 * Rewrites one request operation into RFC-shaped operations on resolved targets. Throws the
 * same ScimErrors as the RFC would (invalidPath for unknown attributes, invalidValue,
 * mutability); the caller tags them with the operation index.
 */
export function normalizeOperation(rs: ResourceSchema, op: PatchOperation, ctx: NormalizeContext): NormalizedOp[] {
  if (op.path !== undefined) {
    const ext = bareExtension(rs, op.path);
    if (ext !== undefined) return wholeExtension(rs, op, ext, ctx);
    return withPath(rs, op.op, op.path, op.value);
  }
  if (op.op === 'remove') {
    // RFC 7644 §3.5.2.2 / R-CORE-17: "If "path" is unspecified, the operation fails with 400
    // and a "scimType" error code of "noTarget"." (Not a tolerance; checked where path-less
    // operations are expanded.)
    throw noTarget('"remove" requires a "path".', 'SCIM_E_PATCH_020');
  }
  const kind = op.op;
  return expandPathless(rs, op.value, ctx).flatMap(({ path, value }) => withPath(rs, kind, path, value));
}
