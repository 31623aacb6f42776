// What a write changed, for the activity log and a user's history: attribute paths with their old
// and new values ("displayName: Ann Lee → Ann Smith"). Never `password` (accepted, never stored
// anyway) and never `meta`; values are clipped, and the list is capped so the summary stays
// within the activity row's 2,048 characters as valid JSON.
import type { JsonObject, JsonValue } from '../../domain/json.js';

export interface AttributeChange {
  readonly path: string;
  /** null: the attribute was not set before (or is no longer set after). */
  readonly from: string | null;
  readonly to: string | null;
}

const MAX_VALUE = 80;
const MAX_CHANGES = 12;
const BUDGET = 1500;
const SKIP = new Set(['schemas', 'meta', 'password', 'id']);

const clipValue = (v: string) => (v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v);

/** Leaf values by path: `name.givenName`, `emails[type eq "work"].value`, `phoneNumbers[1].value`. */
export function flattenForDiff(doc: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: JsonValue | undefined, path: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      const types = value.map((e) => (typeof e === 'object' && e !== null && !Array.isArray(e) && typeof e.type === 'string' ? e.type : undefined));
      const byType = types.every((t) => t !== undefined) && new Set(types).size === types.length;
      value.forEach((e, i) => walk(e, byType ? `${path}[type eq ${JSON.stringify(types[i])}]` : `${path}[${i}]`));
      return;
    }
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (path === '' && SKIP.has(k)) continue;
        if (k.toLowerCase() === 'password' || (k === 'type' && /\]$/.test(path) && /type eq/.test(path))) continue;
        walk(v, path === '' ? k : `${path}.${k}`);
      }
      return;
    }
    out.set(path, String(value));
  };
  walk(doc, '');
  return out;
}

/** The changed leaves, in the new document's order, then removals. */
export function diffDocs(before: JsonObject, after: JsonObject): { changes: AttributeChange[]; more: number } {
  const a = flattenForDiff(before);
  const b = flattenForDiff(after);
  const all: AttributeChange[] = [];
  for (const [path, to] of b) {
    const from = a.get(path);
    if (from !== to) all.push({ path, from: from === undefined ? null : clipValue(from), to: clipValue(to) });
  }
  for (const [path, from] of a) if (!b.has(path)) all.push({ path, from: clipValue(from), to: null });
  const changes: AttributeChange[] = [];
  let size = 0;
  for (const c of all) {
    size += c.path.length + (c.from?.length ?? 4) + (c.to?.length ?? 4) + 30;
    if (changes.length >= MAX_CHANGES || size > BUDGET) break;
    changes.push(c);
  }
  return { changes, more: all.length - changes.length };
}
