// Client JSON → the canonical stored document (POST and PUT bodies; the PATCH engine's result).
//
// Canonical document: RFC attribute spelling whatever case the client used (R-CORE-10), core
// and common attributes at top level, each extension under its canonical URN, `schemas`
// recomputed, no `id`/`meta`/readOnly/unknown attributes (ignored, not rejected: R-GEN-08), no
// null/""/empty values (R-GEN-09), booleans as JSON booleans (R-GEN-10), strings exactly as sent
// (R-GEN-11). Key order follows the schema, so equal content gives byte-equal JSON.
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { invalidSyntax, invalidValue, mutability } from '../errors.js';
import type { ScimLimits } from '../limits.js';
import { findAttribute, findExtension, type ResourceSchema } from '../schema/registry.js';
import type { AttributeDef, SchemaDef } from '../schema/types.js';
import { normalizeAttr, type CodecContext } from './normalize-value.js';
import { checkDeclaredSchemas } from './declared-schemas.js';

export { coerceBoolean, ensureSinglePrimary } from './values.js';

export interface NormalizeOptions {
  readonly mode: 'create' | 'replace';
  /** The stored document being replaced (PUT); enables the immutable check. */
  readonly existing?: JsonObject;
  readonly limits: ScimLimits;
  /** A client's POST/PUT body: check its `schemas` (declared-schemas.ts). Not for PATCH results. */
  readonly checkSchemas?: boolean;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Attributes a client cannot set through a body: readOnly ones (id, meta, groups: R-GEN-08,
 * R-CORE-21) are ignored. writeOnly ones (password) are dropped too. Decision: WiggleDesk stores
 * no passwords — sign-in is SSO — so `password` (Okta sends a random placeholder, R-OKTA-03)
 * never reaches storage, and so can never leak through a response (R-CORE-12).
 */
const isStorable = (rs: ResourceSchema, def: AttributeDef): boolean =>
  def.mutability !== 'readOnly' && def.mutability !== 'writeOnly' && !rs.derivedAttributes.includes(def.name);

/** Per schema URN: canonical attribute name → normalised value (undefined = given as no value). */
type Collected = Map<string, Map<string, JsonValue | undefined>>;

const put = (c: Collected, schema: string, name: string, v: JsonValue | undefined): void => {
  const m = c.get(schema) ?? new Map<string, JsonValue | undefined>();
  m.set(name, v); // a later duplicate key (other letter case) wins
  c.set(schema, m);
};

const attrPath = (schema: SchemaDef, core: SchemaDef, name: string): string => (schema === core ? name : `${schema.id}:${name}`);

/** Top-level key → (schema, attribute): common/core names, or a URN-qualified attribute. */
const resolveTopKey = (rs: ResourceSchema, key: string): { schema: SchemaDef; def: AttributeDef } | undefined => {
  const direct = findAttribute(rs.common, key) ?? findAttribute(rs.core.attributes, key);
  if (direct !== undefined) return { schema: rs.core, def: direct };
  // RFC 7644 §3.10: a fully qualified name, e.g. "urn:…:enterprise:2.0:User:employeeNumber".
  // Bare extension names at top level ("department": null, R-ENTRA-11) are NOT resolved.
  const colon = key.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const urn = key.slice(0, colon);
  const name = key.slice(colon + 1);
  if (same(urn, rs.core.id)) {
    const def = findAttribute(rs.common, name) ?? findAttribute(rs.core.attributes, name);
    return def === undefined ? undefined : { schema: rs.core, def };
  }
  const ext = findExtension(rs, urn);
  const def = ext === undefined ? undefined : findAttribute(ext.attributes, name);
  return ext === undefined || def === undefined ? undefined : { schema: ext, def };
};

const collect = (rs: ResourceSchema, body: JsonObject, ctx: CodecContext): Collected => {
  const out: Collected = new Map();
  const take = (schema: SchemaDef, def: AttributeDef, raw: unknown): void => {
    if (!isStorable(rs, def)) return;
    put(out, schema.id, def.name, normalizeAttr(def, raw, attrPath(schema, rs.core, def.name), ctx));
  };
  for (const [key, raw] of Object.entries(body)) {
    if (same(key, 'schemas')) continue; // recomputed (checked on POST/PUT by declared-schemas.ts)
    const ext = findExtension(rs, key);
    if (ext !== undefined) {
      if (raw === null || raw === '') continue;
      if (!isJsonObject(raw)) throw invalidValue(`"${ext.id}" must be a JSON object`, 'SCIM_E_CODEC_002');
      for (const [k, v] of Object.entries(raw)) {
        const def = findAttribute(ext.attributes, k);
        if (def !== undefined) take(ext, def, v);
      }
      continue;
    }
    const hit = resolveTopKey(rs, key);
    if (hit !== undefined) take(hit.schema, hit.def, raw);
  }
  return out;
};

/** Objects in schema order; attributes with no value are left out. */
const assemble = (defs: readonly AttributeDef[], values: Map<string, JsonValue | undefined> | undefined): JsonObject => {
  const o: JsonObject = {};
  for (const def of defs) {
    const v = values?.get(def.name);
    if (v !== undefined) o[def.name] = v;
  }
  return o;
};

const jsonEqual = (a: JsonValue, b: JsonValue): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * RFC 7644 §3.5.1 immutable: "If one or more values are already set for the attribute, the
 * input value(s) MUST match" → 400 mutability. An omitted immutable attribute keeps its stored
 * value (it is "not asserted"), since the output replaces the stored document. Group `members`
 * is exempt: its sub-attributes are immutable per element, but elements come and go as rows.
 */
const applyImmutable = (
  rs: ResourceSchema,
  defs: readonly AttributeDef[],
  next: JsonObject,
  prev: JsonObject | undefined,
  prefix: string,
): void => {
  if (prev === undefined) return;
  for (const def of defs) {
    if (def.name === rs.membershipAttribute || !isStorable(rs, def)) continue;
    const before = prev[def.name];
    if (before === undefined || before === null) continue;
    const after = next[def.name];
    if (def.mutability === 'immutable') {
      if (after === undefined) next[def.name] = before;
      else if (!jsonEqual(before, after))
        throw mutability(`Attribute "${prefix}${def.name}" is immutable and cannot be changed`, 'SCIM_E_CODEC_014');
    } else if (def.type === 'complex' && !def.multiValued && def.subAttributes !== undefined && isJsonObject(before)) {
      const sub = isJsonObject(after) ? after : {};
      applyImmutable(rs, def.subAttributes, sub, before, `${prefix}${def.name}.`);
      if (after === undefined && Object.keys(sub).length > 0) next[def.name] = sub;
    }
  }
};

/** RFC 7643 §2.2 "required"; readOnly ones (id) are the server's to set. */
const checkRequired = (defs: readonly AttributeDef[], doc: JsonObject, prefix: string): void => {
  for (const def of defs) {
    if (def.required && def.mutability !== 'readOnly' && doc[def.name] === undefined)
      throw invalidValue(`Attribute "${prefix}${def.name}" is required`, 'SCIM_E_CODEC_012');
  }
};

/**
 * Normalises a POST/PUT body (or a PATCH result) into the canonical document. Throws
 * ScimError: invalidSyntax (not an object), invalidValue (wrong type, limits, required),
 * mutability (immutable changed on replace).
 */
export const normalizeForWrite = (rs: ResourceSchema, input: unknown, opts: NormalizeOptions): JsonObject => {
  if (!isJsonObject(input)) throw invalidSyntax('Request body must be a JSON object', 'SCIM_E_CODEC_001');
  if (opts.checkSchemas === true) checkDeclaredSchemas(rs, input);
  const ctx: CodecContext = { limits: opts.limits, membershipAttribute: rs.membershipAttribute };
  const collected = collect(rs, input, ctx);
  const prev = opts.mode === 'replace' ? opts.existing : undefined;

  const core = assemble([...rs.common, ...rs.core.attributes], collected.get(rs.core.id));
  applyImmutable(rs, [...rs.common, ...rs.core.attributes], core, prev, '');
  checkRequired([...rs.common, ...rs.core.attributes], core, '');

  const schemas: JsonValue[] = [rs.core.id];
  const doc: JsonObject = { schemas, ...core };
  for (const ext of rs.extensions) {
    const obj = assemble(ext.attributes, collected.get(ext.id));
    const prevExt = prev?.[ext.id];
    applyImmutable(rs, ext.attributes, obj, isJsonObject(prevExt) ? prevExt : undefined, `${ext.id}:`);
    const declared = rs.type.schemaExtensions.find((e) => e.schema === ext.id);
    if (Object.keys(obj).length > 0 || declared?.required === true) checkRequired(ext.attributes, obj, `${ext.id}:`);
    if (Object.keys(obj).length === 0) continue;
    doc[ext.id] = obj;
    schemas.push(ext.id);
  }
  return doc;
};
