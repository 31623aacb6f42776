// Small JSON helpers for the PATCH engine: case-insensitive key lookup (R-CORE-10: the JSON keys
// of a request body are case-insensitive), a JSON guard, deep equality and "empty" tests.
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';

// Attribute names and SCIM message keys are ASCII by grammar (RFC 7643 §2.1), so toLowerCase
// is an exact case fold for them.
export const sameName = (a: string, b: string): boolean => a.length === b.length && a.toLowerCase() === b.toLowerCase();

/** Every key of `obj` equal to `name` ignoring case, in insertion order. */
export const keysLike = (obj: JsonObject, name: string): string[] => Object.keys(obj).filter((k) => sameName(k, name));

/** True for values that come out of JSON.parse (no undefined, functions, NaN or class instances). */
export const isJsonValue = (v: unknown): v is JsonValue => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJsonValue);
  if (typeof v === 'object') {
    // Plain objects only; null-prototype ones too (some JSON parsers build those to defuse
    // `__proto__` keys).
    const proto: unknown = Object.getPrototypeOf(v);
    return (proto === Object.prototype || proto === null) && Object.values(v).every(isJsonValue);
  }
  return false;
};

/** Structural equality; object key order does not matter, array order does. */
export const jsonEqual = (a: JsonValue | undefined, b: JsonValue | undefined): boolean => {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
};

/** "No value" as R-GEN-09 / R-ENTRA-22 define it: absent, null, "" or an empty object/array. */
export const isEmptyValue = (v: JsonValue | undefined): boolean =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (isJsonObject(v) && Object.keys(v).length === 0);

/**
 * A deep copy, so the result never aliases the caller's request or document (purity). JSON only
 * needs plain objects, arrays and primitives: a walk costs ≈ 0.4 µs for a user document where
 * structuredClone's serialise-and-rebuild cost ≈ 3 µs, 3 % of a PATCH (issue #15). A `__proto__`
 * key (JSON.parse makes it an own property) stays an own property, not a prototype.
 */
export function cloneJson<T extends JsonValue>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  const out: Record<string, JsonValue> = {};
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const copy = cloneJson((v as Record<string, JsonValue>)[k]!);
    if (k === '__proto__') Object.defineProperty(out, k, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[k] = copy;
  }
  return out as T;
}
