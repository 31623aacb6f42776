// Parsing of the `attributes` / `excludedAttributes` lists (RFC 7644 §3.4.2.5, §3.9):
// comma-separated attribute paths, case-insensitive, optionally URN-qualified.
// A local splitter rather than the filter parser: list items are plain paths, and a value
// filter inside an item (`emails[type eq "work"]`, exercised by the MS Postman suite) is
// ignored, which R-CORE-09 allows.
import { resolveAttrPath, type ResourceSchema } from '../schema/registry.js';

/** One resolved list item, with canonical names. `attr` undefined = a whole schema by URN. */
export interface ProjectionItem {
  readonly schema: string;
  readonly attr: string | undefined;
  readonly sub: string | undefined;
}

/** Splits on commas outside `[...]` and `"..."` (a value filter may contain commas). */
export const splitList = (text: string): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
};

/** `emails[type eq "work"].value` → `emails.value`: the filter part is dropped. */
const stripValueFilter = (item: string): string => {
  const open = item.indexOf('[');
  if (open < 0) return item;
  const close = item.lastIndexOf(']');
  return item.slice(0, open) + (close > open ? item.slice(close + 1) : '');
};

/** Resolves one item against the resource type; unknown names give undefined (ignored). */
export const parseItem = (rs: ResourceSchema, raw: string): ProjectionItem | undefined => {
  const text = stripValueFilter(raw.trim()).trim();
  if (text.length === 0) return undefined;
  const lower = text.toLowerCase();
  for (const schema of [rs.core, ...rs.extensions]) {
    if (schema.id.toLowerCase() === lower) return { schema: schema.id, attr: undefined, sub: undefined };
  }
  // The attribute name follows the last ':' (URNs contain dots, e.g. "2.0", but names do not
  // contain ':'), and a '.' after it separates the sub-attribute.
  const colon = text.lastIndexOf(':');
  const urn = colon < 0 ? undefined : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  const sub = dot < 0 ? undefined : rest.slice(dot + 1);
  const r = resolveAttrPath(rs, { kind: 'AttrPath', urn, name, sub, offset: 0 });
  return r === undefined ? undefined : { schema: r.schema, attr: r.attr.name, sub: r.sub?.name };
};

export const parseList = (rs: ResourceSchema, param: string | readonly string[] | undefined): ProjectionItem[] => {
  if (param === undefined) return [];
  const texts = typeof param === 'string' ? [param] : param;
  const items: ProjectionItem[] = [];
  for (const t of texts) {
    for (const part of splitList(t)) {
      const item = parseItem(rs, part);
      if (item !== undefined) items.push(item);
    }
  }
  return items;
};

/** Whether the list is absent or has no text at all (`attributes=`). */
export const isBlank = (param: string | readonly string[] | undefined): boolean =>
  param === undefined || (typeof param === 'string' ? [param] : param).every((t) => splitList(t).length === 0);
