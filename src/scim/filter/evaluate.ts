// In-memory filter matching (RFC 7644 §3.4.2.2 semantics), used by the PATCH engine to pick
// elements of multi-valued attributes (`members[value eq "..."]`) and by tests. The schema
// stays with the caller: it answers caseExact per attribute path; everything else is typed by
// the JSON values themselves.

import { isJsonObject } from '../../domain/json.js';
import type { AttrExpression, AttrPath, CompareOp, Filter } from './ast.js';
import { flattenLogical } from './flatten.js';
import { foldCase } from './fold-case.js';

export interface EvaluateOptions {
  /**
   * Whether string comparisons on `path` are case-sensitive (RFC 7643 §2.2 caseExact).
   * Inside a value filter the path is qualified by its parent: for `emails[type eq "work"]`
   * this is asked about `{ name: "emails", sub: "type" }`. A top-level filter evaluated
   * directly on an element (the PATCH engine's use) is asked about the path as written.
   */
  caseExact(path: AttrPath): boolean;
}

/**
 * Whether `target` (a resource, or one element of a multi-valued attribute) matches.
 * - Attribute names match case-insensitively; `a.b` descends; a multi-valued attribute
 *   matches when ANY of its values does. `ne` is the exact complement of `eq`, as in the
 *   storage layer's SQL: `emails.type ne "work"` is false when any email is of type work.
 * - A URN-qualified path reads the object under the URN key if present, else the top level
 *   (so core-URN-qualified names like `urn:...:core:2.0:User:userName` work).
 * - A complex attribute compared without a sub-attribute (`emails co "x"`) compares its
 *   `value` sub-attribute.
 * - `pr` and `eq null`/`ne null`: unassigned, null, "", [] and {} all count as absent;
 *   an absent attribute matches `ne "x"` and nothing else but `eq null`.
 * - co/sw/ew need strings; gt/ge/lt/le order strings by code unit, numbers numerically,
 *   and two ISO 8601 dateTimes as instants (also for eq/ne). Mixed types are never equal.
 */
export function evaluateFilter(filter: Filter, target: unknown, options: EvaluateOptions): boolean {
  return compileFilter(filter, options)(target);
}

/** A filter compiled into a predicate: what does not depend on the target is worked out once. */
export type CompiledFilter = (target: unknown) => boolean;

/**
 * Compiles `filter` once for many targets (the PATCH engine tests every element of an attribute
 * against one value filter). Same semantics as evaluateFilter, which is defined through it: the
 * filter's constants are case-folded and parsed as dateTimes once, and/or chains are flattened
 * once, caseExact is asked once per path; only the target's own values are looked at per call.
 * Folded target strings are memoised per compiled filter (bounded), so a chain of N terms on one
 * attribute folds each value once, not N times.
 */
export function compileFilter(filter: Filter, options: EvaluateOptions): CompiledFilter {
  const memo = new Map<string, string>();
  const fold = (s: string): string => {
    let f = memo.get(s);
    if (f === undefined) {
      if (memo.size >= 4096) memo.clear();
      f = foldCase(s);
      memo.set(s, f);
    }
    return f;
  };
  return compileNode(filter, undefined, options, fold);
}

type Fold = (s: string) => string;

function compileNode(filter: Filter, parent: AttrPath | undefined, options: EvaluateOptions, fold: Fold): CompiledFilter {
  switch (filter.kind) {
    case 'AttrExpression':
      return compileComparison(filter, qualify(filter.path, parent), options, fold);
    case 'Present': {
      const path = filter.path;
      return (target) => isPresent(resolve(target, path));
    }
    case 'Not': {
      const inner = compileNode(filter.filter, parent, options, fold);
      return (target) => !inner(target);
    }
    case 'Logical': {
      const operands = flattenLogical(filter).map((f) => compileNode(f, parent, options, fold));
      return filter.op === 'and' ? (target) => operands.every((p) => p(target)) : (target) => operands.some((p) => p(target));
    }
    case 'ValuePath': {
      const inner = compileNode(filter.filter, qualify(filter.path, parent), options, fold);
      const path = filter.path;
      // A value filter selects complex values; stray scalars in the array never match.
      return (target) => resolve(target, path).some((element) => isJsonObject(element) && inner(element));
    }
  }
}

/** The path as the schema knows it: a value-filter path is a sub-attribute of its parent. */
function qualify(path: AttrPath, parent: AttrPath | undefined): AttrPath {
  if (parent === undefined) return path;
  return { kind: 'AttrPath', urn: parent.urn, name: parent.name, sub: path.name, offset: path.offset };
}

// --- attribute lookup -----------------------------------------------------------------------

/** All values at `path` in `target`, with multi-valued attributes flattened one level. */
function resolve(target: unknown, path: AttrPath): unknown[] {
  let root = target;
  if (path.urn !== undefined) {
    const extension = getIgnoreCase(target, path.urn);
    if (extension !== undefined) root = extension;
  }
  const values = toList(getIgnoreCase(root, path.name));
  const sub = path.sub;
  if (sub === undefined) return values;
  return values.flatMap((value) => toList(getIgnoreCase(value, sub)));
}

/** RFC 7643 §2.1: attribute names are case-insensitive. Exact key first, then a scan. */
function getIgnoreCase(object: unknown, key: string): unknown {
  if (!isJsonObject(object)) return undefined;
  if (Object.hasOwn(object, key)) return object[key];
  const lower = key.toLowerCase();
  const found = Object.keys(object).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : object[found];
}

const toList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * RFC 7644 §3.4.2.2 "pr": a non-empty value, or a complex value with a non-empty node.
 * Iterative, so deeply nested documents cannot exhaust the stack.
 */
function isPresent(values: readonly unknown[]): boolean {
  const stack: unknown[] = [...values];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) for (const item of value as unknown[]) stack.push(item);
    else if (isJsonObject(value)) for (const item of Object.values(value)) stack.push(item);
    else if (value !== null && value !== undefined && value !== '') return true;
  }
  return false;
}

// --- comparisons ----------------------------------------------------------------------------

function compileComparison(expr: AttrExpression, path: AttrPath, options: EvaluateOptions, fold: Fold): CompiledFilter {
  const exprPath = expr.path;
  if (expr.value === null) {
    if (expr.op === 'eq') return (target) => !isPresent(resolve(target, exprPath));
    if (expr.op === 'ne') return (target) => isPresent(resolve(target, exprPath));
    return () => false;
  }
  const expected = expr.value;
  // `ne` is the exact complement of `eq` (as in storage's filter→SQL), not "some value differs":
  // an unassigned attribute is "not equal", and ["work", "home"] is not `ne "work"`.
  const op = expr.op === 'ne' ? 'eq' : expr.op;
  const negate = expr.op === 'ne';
  // Worked out once: caseExact for the path as written and for its `value` sub-attribute, the
  // folded constant and the constant as a dateTime.
  let exactPlain: boolean | undefined;
  let exactValue: boolean | undefined;
  const isExactFor = (usesValueSub: boolean): boolean =>
    usesValueSub ? (exactValue ??= options.caseExact({ ...path, sub: 'value' })) : (exactPlain ??= options.caseExact(path));
  const text = typeof expected === 'string' ? { raw: expected, folded: fold(expected), instant: op === 'co' || op === 'sw' || op === 'ew' ? undefined : parseDateTime(expected) } : undefined;
  const simple = exprPath.urn === undefined && exprPath.sub === undefined;
  const exactPlainFn = (): boolean => isExactFor(false);
  return (target) => {
    if (simple) {
      // The common case inside a value filter (`value ew "x"` on one element): a scalar, read without allocating.
      const v = getIgnoreCase(target, exprPath.name);
      if (v !== undefined && !Array.isArray(v) && !isJsonObject(v)) {
        const any = v !== null && compareScalar(op, v, expected, text, exactPlainFn, fold);
        return negate ? !any : any;
      }
    }
    const found = resolve(target, exprPath);
    // A complex value without a sub-attribute compares its "value" sub-attribute.
    const usesValueSub = exprPath.sub === undefined && found.some(isJsonObject);
    let any = false;
    for (const v of found) {
      const actual = isJsonObject(v) ? getIgnoreCase(v, 'value') : v;
      if (actual === null || actual === undefined) continue;
      if (compareScalar(op, actual, expected, text, () => isExactFor(usesValueSub), fold)) {
        any = true;
        break;
      }
    }
    return negate ? !any : any;
  };
}

interface ExpectedText {
  readonly raw: string;
  readonly folded: string;
  readonly instant: Instant | undefined;
}

/** One value against the filter's value; never called with `ne` (see compileComparison). */
function compareScalar(
  op: CompareOp,
  actual: unknown,
  expected: string | number | boolean,
  text: ExpectedText | undefined,
  isExact: () => boolean,
  fold: Fold,
): boolean {
  if (typeof actual === 'string' && text !== undefined) return compareStrings(op, actual, text, isExact, fold);
  if (typeof actual === 'number' && typeof expected === 'number') return ordered(op, compare(actual, expected));
  if (typeof actual === 'boolean' && typeof expected === 'boolean') {
    return op === 'eq' && actual === expected;
  }
  return false; // mixed types are never equal, nor ordered
}

function compareStrings(op: CompareOp, actual: string, expected: ExpectedText, isExact: () => boolean, fold: Fold): boolean {
  if (expected.instant !== undefined) {
    const a = parseDateTime(actual);
    if (a !== undefined) return ordered(op, compareInstants(a, expected.instant));
  }
  const exact = isExact();
  const a = exact ? actual : fold(actual);
  const e = exact ? expected.raw : expected.folded;
  if (op === 'co') return a.includes(e);
  if (op === 'sw') return a.startsWith(e);
  if (op === 'ew') return a.endsWith(e);
  // Lexicographic by UTF-16 code unit: deterministic, unlike localeCompare.
  return ordered(op, compare(a, e));
}

const compare = <T extends string | number>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/** eq/ne/gt/ge/lt/le from a three-way comparison; co/sw/ew do not apply to ordered values. */
function ordered(op: CompareOp, comparison: number): boolean {
  switch (op) {
    case 'eq':
      return comparison === 0;
    case 'ne':
      return comparison !== 0;
    case 'gt':
      return comparison > 0;
    case 'ge':
      return comparison >= 0;
    case 'lt':
      return comparison < 0;
    case 'le':
      return comparison <= 0;
    default:
      return false;
  }
}

// --- dateTime -------------------------------------------------------------------------------

/**
 * A point in time with the exact fraction as written: a double cannot hold .NET's 7 fraction
 * digits next to epoch milliseconds, so the fraction is kept as digits.
 */
export interface Instant {
  /** Whole seconds since the epoch, UTC. */
  readonly seconds: number;
  /** Fraction-of-second digits without trailing zeros ("8617979", "" for none). */
  readonly fraction: string;
}

// xsd:dateTime as SCIM uses it (RFC 7643 §2.3.5); fractions of any length.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/i;

/** Parses an ISO 8601 / xsd:dateTime string; undefined when it is not one. No zone means UTC. */
export function parseDateTime(s: string): Instant | undefined {
  const m = DATE_TIME.exec(s);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined; // e.g. 2023-02-30
  date.setUTCHours(hour, minute, second, 0);
  const seconds = date.getTime() / 1000 - zoneOffsetMinutes(m[8]) * 60;
  return { seconds, fraction: (m[7] ?? '').replace(/0+$/, '') };
}

export function compareInstants(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  const width = Math.max(a.fraction.length, b.fraction.length);
  return compare(a.fraction.padEnd(width, '0'), b.fraction.padEnd(width, '0'));
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = zone.slice(1).split(':').map(Number) as [number, number];
  return sign * (hours * 60 + minutes);
}
