// SCIM filter AST → SQL boolean expression, for SQLite and PostgreSQL (style.md §8.8 rules 1–3).
// The AST is type-checked against the schema registry on the way: an unknown attribute, or an
// operator that does not fit the attribute's type, is 400 invalidFilter naming the position.
// Values always travel as bound parameters; JSON paths too (SQLite `json_extract(doc, ?)`,
// PostgreSQL `doc #>> ?::text[]`). Leaves under a `not` are wrapped in COALESCE(…, false) so that
// `not` is an exact complement (SQL's NULL would otherwise drop rows from both `x` and `not x`);
// elsewhere they stay bare, so `user_name_folded = ?` remains an index lookup.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AttrExpression, AttrPath, CompareOp, Filter, FilterValue, ValuePath } from '../../scim/filter/ast.js';
import type { AttributeDef, ResourceTypeName } from '../../scim/schema/types.js';
import { getResourceSchema, resolveAttrPath, findSubAttribute, type ResolvedAttr, type ResourceSchema } from '../../scim/schema/registry.js';
import { invalidFilter } from '../../scim/errors.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import type { SqlDialectName } from './dialect-name.js';
import { MEMBER_ID_COLUMNS, hotColumn } from './column-map.js';
import { UNSTORABLE_TEXT, isStorableText } from '../../scim/text.js';

type Expr = RawBuilder<unknown>;
type Bool = RawBuilder<SqlBool>;

export interface FilterContext {
  readonly dialect: SqlDialectName;
  readonly resourceType: ResourceTypeName;
  /** Alias of the resource table in the outer query (`r`). */
  readonly alias: string;
  /** The tenant of the outer query: side-table subqueries are scoped to it and driven by its indexes. */
  readonly tenantId: string;
  /** Under a `not`: leaves must be true or false, never NULL. */
  readonly twoValued?: boolean;
  /**
   * SQLite: the request's work meter (sql-work.ts). Every comparison that reads JSON is charged
   * one unit, and `json` is set so the row charge is weighted by the document's size.
   */
  readonly meter?: { readonly token: string; json: boolean };
}

const TRUE = sql<SqlBool>`1 = 1`;

export function filterToSql(ctx: FilterContext, filter: Filter): Bool {
  return compile(ctx, getResourceSchema(ctx.resourceType), filter);
}

function compile(ctx: FilterContext, rs: ResourceSchema, f: Filter): Bool {
  switch (f.kind) {
    case 'Logical': {
      const l = compile(ctx, rs, f.left);
      const r = compile(ctx, rs, f.right);
      return f.op === 'and' ? sql<SqlBool>`(${l} and ${r})` : sql<SqlBool>`(${l} or ${r})`;
    }
    case 'Not':
      return sql<SqlBool>`(not ${compile({ ...ctx, twoValued: true }, rs, f.filter)})`;
    case 'ValuePath':
      return compileValuePath(ctx, rs, f);
    case 'Present':
    case 'AttrExpression':
      return compileLeaf(ctx, rs, f);
  }
}

function resolve(rs: ResourceSchema, path: AttrPath): ResolvedAttr {
  const r = resolveAttrPath(rs, path);
  if (!r) throw invalidFilter(`Unknown attribute "${printPath(path)}" at position ${path.offset}`, 'SCIM_E_FILTER_SQL_001', { position: path.offset });
  if (r.attr.returned === 'never' || r.attr.mutability === 'writeOnly') {
    throw invalidFilter(`Attribute "${printPath(path)}" at position ${path.offset} cannot be filtered on`, 'SCIM_E_FILTER_SQL_002', { position: path.offset });
  }
  return r;
}

const printPath = (p: AttrPath) => `${p.urn ? `${p.urn}:` : ''}${p.name}${p.sub ? `.${p.sub}` : ''}`;

/** `attr op value` / `attr pr` where attr is singular, a sub-attribute, or multi-valued (any element). */
function compileLeaf(ctx: FilterContext, rs: ResourceSchema, f: AttrExpression | { kind: 'Present'; path: AttrPath; offset: number }): Bool {
  const r = resolve(rs, f.path);
  if (r.attr.multiValued) {
    // `emails co "x"` / `emails.value eq "x"`: true when any element matches (RFC 7644 §3.4.2.2).
    const sub = r.sub ?? (r.attr.type === 'complex' ? findSubAttribute(r.attr, 'value') : undefined);
    const inner: Filter =
      f.kind === 'Present'
        ? { kind: 'Present', path: { ...f.path, urn: undefined, name: sub?.name ?? '$self', sub: undefined }, offset: f.offset }
        : { ...f, path: { ...f.path, urn: undefined, name: sub?.name ?? '$self', sub: undefined } };
    return compileElementExists(ctx, rs, r, f.kind === 'Present' && !r.sub ? undefined : inner, f.path.offset);
  }
  if (r.attr.type === 'complex' && !r.sub) {
    if (f.kind !== 'Present') {
      throw invalidFilter(`"${printPath(f.path)}" at position ${f.path.offset} is a complex attribute; compare one of its sub-attributes`, 'SCIM_E_FILTER_SQL_003', { position: f.path.offset });
    }
    return sql<SqlBool>`(${jsonValue(ctx, docRef(ctx), jsonPathOf(r))} is not null)`;
  }
  const def = r.sub ?? r.attr;
  const canonical = `${r.attr.name}${r.sub ? `.${r.sub.name}` : ''}`;
  const hot = r.isExtension ? undefined : hotColumn(ctx.resourceType, canonical);
  if (hot) {
    const col = sql.ref(`${ctx.alias}.${hot.column}`);
    return leaf(ctx, f, def, col, { folded: hot.folded, kind: hot.kind, nativeBoolean: false });
  }
  return leaf(ctx, f, def, jsonValue(ctx, docRef(ctx), jsonPathOf(r)), { folded: false, kind: undefined, nativeBoolean: true });
}

/** `emails[type eq "work" and value co "@x"]`: some element satisfies the inner filter. */
function compileValuePath(ctx: FilterContext, rs: ResourceSchema, f: ValuePath): Bool {
  const r = resolve(rs, f.path);
  if (r.attr.type !== 'complex' || r.sub) {
    throw invalidFilter(`"${printPath(f.path)}[…]" at position ${f.offset} needs a complex attribute`, 'SCIM_E_FILTER_SQL_004', { position: f.offset });
  }
  if (!r.attr.multiValued) {
    // A value filter on a singular complex attribute (`name[givenName eq "x"]`): the element is the object itself.
    return compileElement(ctx, { kind: 'object', base: jsonValueRaw(ctx, docRef(ctx), jsonPathOf(r)) }, r.attr, f.filter);
  }
  return compileElementExists(ctx, rs, r, f.filter, f.offset);
}

type ElementSource =
  | { kind: 'object'; base: Expr } // a JSON object value (element of json_each / jsonb_array_elements)
  | { kind: 'columns'; columns: Record<string, { expr: Expr; folded: boolean }> }; // a side table row

function compileElementExists(outer: FilterContext, _rs: ResourceSchema, r: ResolvedAttr, inner: Filter | undefined, offset: number): Bool {
  // EXISTS is two-valued by itself; inside it, NULL and false both exclude a row.
  const ctx: FilterContext = { ...outer, twoValued: false };
  const branches = sideTable(ctx, r);
  if (branches) {
    // `r.id IN (uncorrelated subquery)`: the database starts from the side table's index
    // (e.g. emails by folded value) instead of testing every resource of the tenant.
    const selects = branches.map((side) => {
      const where = inner ? compileElement(ctx, side.source, r.attr, inner) : TRUE;
      const only = side.only ? sql<SqlBool>` and ${side.only}` : sql``;
      // SQLite: each side row examined is charged too (a `co` on emails reads all of the tenant's).
      const charge = ctx.meter && ctx.dialect === 'sqlite' ? sql<SqlBool>` and scim_work(${ctx.meter.token}, 1)` : sql``;
      return sql`select ${sql.ref(side.owner)} from ${sql.table(side.table)} as e where e.tenant_id = ${ctx.tenantId}${only}${charge} and ${where}`;
    });
    return sql<SqlBool>`${sql.ref(`${ctx.alias}.id`)} in (${sql.join(selects, sql` union all `)})`;
  }
  if (r.attr.type !== 'complex' && inner && inner.kind !== 'Present') {
    // Simple multi-valued attribute: compare the element itself.
    return jsonArrayExists(ctx, r, (el) => compileSimpleElement(ctx, el, r.attr, inner, offset));
  }
  return jsonArrayExists(ctx, r, (el) => (inner ? compileElement(ctx, { kind: 'object', base: el }, r.attr, inner) : TRUE));
}

/** Rows instead of JSON: user emails (indexed side table), group members, user groups. */
interface SideTable {
  readonly table: string;
  readonly owner: string;
  /** Restricts the branch to the rows its column mapping describes. */
  readonly only?: Bool;
  readonly source: ElementSource;
}

function sideTable(ctx: FilterContext, r: ResolvedAttr): SideTable[] | undefined {
  const name = r.attr.name.toLowerCase();
  if (ctx.resourceType === 'User' && !r.isExtension && name === 'emails') {
    return [{
      table: 'scim_user_emails',
      owner: 'e.user_id',
      source: { kind: 'columns', columns: { value: { expr: sql.ref('e.value_folded'), folded: true }, type: { expr: sql.ref('e.type_folded'), folded: true } } },
    }];
  }
  if (ctx.resourceType === 'Group' && name === 'members') {
    // One branch per member kind, each reading `value` from the column its index is on, so
    // `members[value eq "x"]` is two index lookups and never a scan of the memberships.
    return MEMBER_ID_COLUMNS.map((column) => ({
      table: 'group_members',
      owner: 'e.group_id',
      only: sql<SqlBool>`${sql.ref(`e.${column}`)} is not null`,
      source: { kind: 'columns', columns: { value: { expr: sql.ref(`e.${column}`), folded: false }, type: { expr: sql.ref('e.member_type'), folded: false } } },
    }));
  }
  if (ctx.resourceType === 'User' && name === 'groups') {
    // Direct memberships (indirect ones are returned on GET but not filterable; see docs/scim-support.md).
    return [{
      table: 'group_members',
      owner: 'e.user_id',
      only: sql<SqlBool>`e.user_id is not null`,
      source: { kind: 'columns', columns: { value: { expr: sql.ref('e.group_id'), folded: false } } },
    }];
  }
  return undefined;
}

/** Compile a filter whose paths are relative to one element (sub-attribute names). */
function compileElement(ctx: FilterContext, source: ElementSource, parent: AttributeDef, f: Filter): Bool {
  switch (f.kind) {
    case 'Logical': {
      const l = compileElement(ctx, source, parent, f.left);
      const r = compileElement(ctx, source, parent, f.right);
      return f.op === 'and' ? sql<SqlBool>`(${l} and ${r})` : sql<SqlBool>`(${l} or ${r})`;
    }
    case 'Not':
      return sql<SqlBool>`(not ${compileElement({ ...ctx, twoValued: true }, source, parent, f.filter)})`;
    case 'ValuePath':
      throw invalidFilter(`Nested value filters are not allowed (position ${f.offset})`, 'SCIM_E_FILTER_SQL_005', { position: f.offset });
    case 'Present':
    case 'AttrExpression': {
      const name = f.path.sub ?? f.path.name;
      const sub = findSubAttribute(parent, f.path.sub ? f.path.name : name);
      // Inside brackets a path names a sub-attribute of the parent (`type`, `value`); allow `emails.type` too.
      const def = f.path.sub && f.path.name.toLowerCase() === parent.name.toLowerCase() ? findSubAttribute(parent, f.path.sub) : sub;
      if (!def || f.path.urn) {
        throw invalidFilter(`Unknown sub-attribute "${printPath(f.path)}" of "${parent.name}" at position ${f.path.offset}`, 'SCIM_E_FILTER_SQL_006', { position: f.path.offset });
      }
      if (source.kind === 'columns') {
        const col = source.columns[def.name.toLowerCase()];
        if (!col) {
          throw invalidFilter(`"${parent.name}.${def.name}" at position ${f.path.offset} cannot be filtered on`, 'SCIM_E_FILTER_SQL_007', { position: f.path.offset });
        }
        return leaf(ctx, f, def, col.expr, { folded: col.folded, kind: 'string', nativeBoolean: false });
      }
      return leaf(ctx, f, def, jsonValue(ctx, source.base, [def.name]), { folded: false, kind: undefined, nativeBoolean: true });
    }
  }
}

function compileSimpleElement(ctx: FilterContext, el: Expr, def: AttributeDef, f: Filter, offset: number): Bool {
  if (f.kind !== 'AttrExpression') throw invalidFilter(`Unsupported filter on "${def.name}" at position ${offset}`, 'SCIM_E_FILTER_SQL_008', { position: offset });
  return leaf(ctx, f, def, jsonScalar(ctx, el), { folded: false, kind: undefined, nativeBoolean: true });
}

interface LeafOptions {
  /** The operand holds folded text already. */
  readonly folded: boolean;
  readonly kind: 'string' | 'boolean' | 'dateTime' | undefined;
  /** JSON-sourced: booleans come back as 1/0 (SQLite) or 'true'/'false' text (PostgreSQL). */
  readonly nativeBoolean: boolean;
}

function leaf(ctx: FilterContext, f: AttrExpression | { kind: 'Present'; path: AttrPath; offset: number }, def: AttributeDef, expr: Expr, o: LeafOptions): Bool {
  if (f.kind === 'Present') return sql<SqlBool>`(${expr} is not null)`;
  // `ne` is the exact complement of `eq`: a resource without the attribute is "not equal" too.
  if (f.op === 'ne' && f.value !== null) return sql<SqlBool>`(not ${leaf({ ...ctx, twoValued: true }, { ...f, op: 'eq' }, def, expr, o)})`;
  const { op, value } = f;
  const where = `at position ${f.offset}`;
  if (typeof value === 'string' && !isStorableText(value)) {
    // `"\u0000"`, `"\ud800"` parse as JSON escapes, but PostgreSQL refuses them as parameters (a 500).
    throw invalidFilter(`The value ${where} contains ${UNSTORABLE_TEXT}, which no stored value can contain`, 'SCIM_E_FILTER_SQL_018', { position: f.offset });
  }
  if (value === null) {
    if (op === 'eq') return sql<SqlBool>`(${expr} is null)`;
    if (op === 'ne') return sql<SqlBool>`(${expr} is not null)`;
    throw invalidFilter(`"${op} null" is not meaningful ${where}; use eq, ne or pr`, 'SCIM_E_FILTER_SQL_009', { position: f.offset });
  }
  let pred: Bool;
  switch (def.type) {
    case 'boolean': {
      if (typeof value !== 'boolean' && !(typeof value === 'string' && /^(true|false)$/i.test(value))) {
        throw invalidFilter(`"${def.name}" is boolean; compare it with true or false ${where}`, 'SCIM_E_FILTER_SQL_010', { position: f.offset });
      }
      if (op !== 'eq' && op !== 'ne') throw invalidFilter(`Operator "${op}" does not apply to boolean "${def.name}" ${where}`, 'SCIM_E_FILTER_SQL_011', { position: f.offset });
      const b = value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
      const operand = o.nativeBoolean && ctx.dialect === 'postgres' ? (b ? 'true' : 'false') : b ? 1 : 0;
      pred = sql<SqlBool>`${expr} = ${operand}`;
      break;
    }
    case 'integer':
    case 'decimal': {
      const n = typeof value === 'number' ? value : Number(value);
      if (typeof value === 'boolean' || !Number.isFinite(n)) throw invalidFilter(`"${def.name}" is a number ${where}`, 'SCIM_E_FILTER_SQL_012', { position: f.offset });
      if (['co', 'sw', 'ew'].includes(op)) throw invalidFilter(`Operator "${op}" does not apply to number "${def.name}" ${where}`, 'SCIM_E_FILTER_SQL_013', { position: f.offset });
      const num = ctx.dialect === 'postgres' ? sql`cast(${expr} as numeric)` : expr;
      pred = compare(num, op, n);
      break;
    }
    case 'dateTime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw invalidFilter(`"${def.name}" is a dateTime; give an xsd:dateTime such as "2024-01-31T12:00:00Z" ${where}`, 'SCIM_E_FILTER_SQL_014', { position: f.offset });
      }
      if (['co', 'sw', 'ew'].includes(op)) throw invalidFilter(`Operator "${op}" does not apply to dateTime "${def.name}" ${where}`, 'SCIM_E_FILTER_SQL_015', { position: f.offset });
      // Hot timestamp columns hold toISOString() text, so normalised text order is time order.
      const operand = o.kind === 'dateTime' ? new Date(value).toISOString() : value;
      pred = compare(expr, op, operand);
      break;
    }
    case 'complex':
      throw invalidFilter(`"${def.name}" is complex; compare a sub-attribute ${where}`, 'SCIM_E_FILTER_SQL_016', { position: f.offset });
    default: {
      // string, reference, binary
      if (typeof value !== 'string') {
        // Tolerate `externalId eq 123` (unquoted digits): compare as text.
        if (typeof value === 'boolean') throw invalidFilter(`"${def.name}" is a string ${where}`, 'SCIM_E_FILTER_SQL_017', { position: f.offset });
      }
      const text = String(value);
      const caseInsensitive = !def.caseExact;
      let lhs: Expr = expr;
      let rhs: string = text;
      if (caseInsensitive || o.folded) {
        rhs = foldCase(text);
        if (!o.folded) lhs = ctx.dialect === 'postgres' ? sql`lower(${expr})` : sql`scim_fold(${expr})`;
      }
      pred = stringCompare(ctx, lhs, op, rhs);
    }
  }
  if (o.nativeBoolean && ctx.meter && ctx.dialect === 'sqlite') {
    // A comparison on JSON (not a column): charged per evaluation (per row, or per element).
    ctx.meter.json = true;
    pred = sql<SqlBool>`(scim_work(${ctx.meter.token}, 1) and ${pred})`;
  }
  return ctx.twoValued ? sql<SqlBool>`coalesce(${pred}, ${ctx.dialect === 'postgres' ? sql`false` : sql`0`})` : pred;
}

/**
 * SQLite: the charge for each row a filtered query examines, 1 unit plus, when the filter reads
 * JSON, 1 per 2 KiB of the document (SQLite parses it once per row, then caches the parse).
 * `length()` of a column is read from the record header, without loading the document.
 */
export function rowCharge(ctx: FilterContext): RawBuilder<SqlBool> | undefined {
  if (!ctx.meter || ctx.dialect !== 'sqlite') return undefined;
  const units = ctx.meter.json ? sql`1 + length(${sql.ref(`${ctx.alias}.doc`)}) / 2048` : sql`1`;
  return sql<SqlBool>`scim_work(${ctx.meter.token}, ${units})`;
}

function compare(lhs: Expr, op: CompareOp, value: FilterValue): Bool {
  switch (op) {
    case 'eq': return sql<SqlBool>`${lhs} = ${value}`;
    case 'ne': return sql<SqlBool>`${lhs} <> ${value}`;
    case 'gt': return sql<SqlBool>`${lhs} > ${value}`;
    case 'ge': return sql<SqlBool>`${lhs} >= ${value}`;
    case 'lt': return sql<SqlBool>`${lhs} < ${value}`;
    case 'le': return sql<SqlBool>`${lhs} <= ${value}`;
    default: throw new Error(`compare: unexpected ${op}`);
  }
}

function stringCompare(ctx: FilterContext, lhs: Expr, op: CompareOp, v: string): Bool {
  const pg = ctx.dialect === 'postgres';
  // Substring tests use instr/strpos and substr/right instead of LIKE: no escaping of % and _,
  // and no dialect-specific case folding hidden inside LIKE.
  switch (op) {
    case 'co': return pg ? sql<SqlBool>`strpos(${lhs}, ${v}) > 0` : sql<SqlBool>`instr(${lhs}, ${v}) > 0`;
    case 'sw': return pg ? sql<SqlBool>`left(${lhs}, ${v.length}) = ${v}` : sql<SqlBool>`substr(${lhs}, 1, ${v.length}) = ${v}`;
    case 'ew': return pg ? sql<SqlBool>`right(${lhs}, ${v.length}) = ${v}` : sql<SqlBool>`substr(${lhs}, ${-v.length}) = ${v}`;
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      // Code-point order in both dialects (PostgreSQL's default collation is locale-aware).
      return pg ? compare(sql`(${lhs}) collate "C"`, op, v) : compare(lhs, op, v);
    default:
      return compare(lhs, op, v);
  }
}

// ---------------------------------------------------------------- JSON access per dialect

const docRef = (ctx: FilterContext): Expr => sql.ref(`${ctx.alias}.doc`);

/** Path segments into the document: [urn, attr, sub] for extensions, [attr, sub] for core. */
export function jsonPathOf(r: ResolvedAttr): string[] {
  const segs = r.isExtension ? [r.schema, r.attr.name] : [r.attr.name];
  if (r.sub) segs.push(r.sub.name);
  return segs;
}

const sqlitePath = (segs: readonly string[]) => `$${segs.map((s) => `."${s}"`).join('')}`;

/** A scalar as SQL value: SQLite json_extract (typed), PostgreSQL text via #>>. */
function jsonValue(ctx: FilterContext, base: Expr, segs: readonly string[]): Expr {
  return ctx.dialect === 'postgres' ? sql`(${base} #>> ${segs}::text[])` : sql`json_extract(${base}, ${sqlitePath(segs)})`;
}

/** A JSON sub-document (object/array), for nested access. */
function jsonValueRaw(ctx: FilterContext, base: Expr, segs: readonly string[]): Expr {
  return ctx.dialect === 'postgres' ? sql`(${base} #> ${segs}::text[])` : sql`json_extract(${base}, ${sqlitePath(segs)})`;
}

function jsonScalar(ctx: FilterContext, el: Expr): Expr {
  return ctx.dialect === 'postgres' ? sql`(${el} #>> '{}')` : el;
}

/** EXISTS over the elements of a multi-valued attribute stored in the document. */
function jsonArrayExists(ctx: FilterContext, r: ResolvedAttr, where: (element: Expr) => Bool): Bool {
  const segs = r.isExtension ? [r.schema, r.attr.name] : [r.attr.name];
  if (ctx.dialect === 'postgres') {
    const arr = sql`(${docRef(ctx)} #> ${segs}::text[])`;
    return sql<SqlBool>`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${arr}) = 'array' then ${arr} else '[]'::jsonb end) as je where ${where(sql.ref('je.value'))})`;
  }
  return sql<SqlBool>`exists (select 1 from json_each(${docRef(ctx)}, ${sqlitePath(segs)}) as je where ${where(sql.ref('je.value'))})`;
}

// ---------------------------------------------------------------- sorting

/** ORDER BY expression for `sortBy` (RFC 7644 §3.4.2.3): hot column, or the JSON value; multi-valued → primary/first. */
export function sortExpression(ctx: FilterContext, r: ResolvedAttr): Expr {
  const canonical = `${r.attr.name}${r.sub ? `.${r.sub.name}` : ''}`;
  const hot = r.isExtension ? undefined : hotColumn(ctx.resourceType, canonical);
  if (hot) return sql.ref(`${ctx.alias}.${hot.column}`);
  if (ctx.resourceType === 'User' && !r.isExtension && r.attr.name === 'emails' && (!r.sub || r.sub.name === 'value')) {
    return sql.ref(`${ctx.alias}.email_folded`);
  }
  const def = r.sub ?? r.attr;
  let segs = jsonPathOf(r);
  if (r.attr.multiValued) {
    const base = r.isExtension ? [r.schema, r.attr.name] : [r.attr.name];
    const sub = r.sub?.name ?? 'value';
    segs = ctx.dialect === 'postgres' ? [...base, '0', sub] : [];
    if (ctx.dialect === 'sqlite') return foldIfNeeded(ctx, def, sql`json_extract(${docRef(ctx)}, ${`${sqlitePath(base)}[0]."${sub}"`})`);
  }
  return foldIfNeeded(ctx, def, jsonValue(ctx, docRef(ctx), segs));
}

function foldIfNeeded(ctx: FilterContext, def: AttributeDef, e: Expr): Expr {
  if (def.type !== 'string' || def.caseExact) return e;
  return ctx.dialect === 'postgres' ? sql`lower(${e})` : sql`scim_fold(${e})`;
}
