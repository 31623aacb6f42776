// Flattens a SCIM resource into (attribute path, value) rows for display: `name.givenName`,
// `emails[0].value`, `urn:…:enterprise:2.0:User:department`. Pure, so it is easy to test.
import type { JsonObject, JsonValue } from '../../../domain/json.js';

export interface AttributeRow {
  readonly path: string;
  readonly value: string;
}

const SKIP = new Set(['schemas', 'meta', 'groups', 'members']);

function scalar(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function walk(value: JsonValue, path: string, out: AttributeRow[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push({ path, value: '(none)' });
    value.forEach((v, i) => walk(v, `${path}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 0) out.push({ path, value: '(empty)' });
    for (const k of keys) walk(value[k]!, path ? `${path}${k.startsWith('urn:') ? ':' : '.'}${k}` : k, out);
  } else {
    out.push({ path, value: scalar(value) });
  }
}

/** Every attribute except schemas, meta and the memberships (shown in their own sections). */
export function flattenAttributes(resource: JsonObject): AttributeRow[] {
  const out: AttributeRow[] = [];
  for (const [k, v] of Object.entries(resource)) {
    if (SKIP.has(k)) continue;
    if (k.startsWith('urn:') && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [sub, sv] of Object.entries(v)) walk(sv, `${k}:${sub}`, out);
    } else {
      walk(v, k, out);
    }
  }
  return out;
}
