// Hot statements built and compiled once. Kysely builds an immutable query tree and compiles it
// to SQL on every call — about a sixth of a point request's CPU (docs/performance.md §5). A
// template is built once per (dialect, shape) with marker arguments; each call copies its SQL
// and puts the real arguments where the markers were. Only bound parameters are substituted, so
// the SQL text (and SQLite's cached prepared statement) is the same on every call.
import { CompiledQuery, type Compilable, type Kysely, type OperationNode, type OperationNodeSource, type QueryResult, type RawNode, type ValueNode } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';

const MARK = '\u0000wd-arg:';

type Slot = number | { readonly constant: unknown };
interface Template {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

/**
 * Templates, least recently used first. Bounded by count and by the length of their SQL, since
 * filter shapes come from clients: a stream of distinct long filters evicts older shapes instead
 * of growing the heap (RSS must stay under 300 MB, docs/performance.md). The statements SQLite
 * keeps prepared are bounded separately (dialects/sqlite.ts).
 */
const templates = new Map<string, Template>();
const MAX_TEMPLATES = 2_000; // the code's own shapes are ~100 (IN-list lengths included)
const MAX_TEMPLATE_CHARS = 4_000_000; // keys + SQL text, UTF-16 code units (≈ 8 MB)
let templateChars = 0;

function remember(key: string, t: Template): void {
  const size = key.length + t.sql.length;
  while (templates.size > 0 && (templates.size >= MAX_TEMPLATES || templateChars + size > MAX_TEMPLATE_CHARS)) {
    const [oldKey, old] = templates.entries().next().value as [string, Template];
    templates.delete(oldKey);
    templateChars -= oldKey.length + old.sql.length;
  }
  templates.set(key, t);
  templateChars += size;
}

/**
 * Runs a reading statement at once, synchronously, or answers undefined (then Kysely's executor runs
 * it). The SQLite dialect registers one (dialects/sqlite.ts enableDirectReads): Kysely's executor
 * takes a connection mutex and several promise turns per statement — a few µs and a few KB of
 * garbage each, for statements that take about as long themselves (issue #15).
 */
export type DirectReader = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;

const directReaders = new WeakMap<Kysely<Database>, DirectReader>();

export function enableDirectReads(db: Kysely<Database>, reader: DirectReader): void {
  directReaders.set(db, reader);
}

/** How many templates are cached and how much text they hold (tests, /metrics). */
export function templateCacheStats(): { entries: number; chars: number } {
  return { entries: templates.size, chars: templateChars };
}

/**
 * Runs `build(...markers)` once per `key` (which must name the dialect and every shape choice,
 * e.g. an IN-list's length) and executes it with `args`. Every value that varies between calls
 * must be an argument; `build` must pass arguments only as bound values (not identifiers,
 * not `sql.raw`), which the template checks when it is made.
 */
export async function runPrepared<R>(
  db: Kysely<Database>,
  key: string,
  args: readonly unknown[],
  build: (...markers: string[]) => Compilable<R>,
): Promise<QueryResult<R>> {
  return runShaped(db, key, args, NO_VALUES, build);
}

/**
 * The SQL shape of expressions built with the `sql` tag (a filter, a sort key): their text with
 * every bound value left out, and those values in the order they appear. Two filters that differ
 * only in their values (`userName eq "a"`, `userName eq "b"`) have one shape, hence one template
 * and one prepared statement. Identifiers and literal SQL are part of the shape.
 */
export interface Bindings {
  readonly shape: string;
  readonly values: readonly unknown[];
}

const NO_VALUES: Bindings = Object.freeze({ shape: '', values: Object.freeze([]) });

/** The bindings of `exprs`, in the order the query that embeds them names them (a repeated expression is listed again). */
export function bindingsOf(exprs: ReadonlyArray<OperationNodeSource | undefined>): Bindings {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const e of exprs) {
    parts.push('\u0002');
    if (e) walk(e.toOperationNode(), parts, values);
  }
  return { shape: parts.join(''), values };
}

function walk(node: OperationNode, parts: string[], values: unknown[]): void {
  if (node.kind === 'RawNode') {
    const raw = node as RawNode;
    for (let i = 0; i < raw.sqlFragments.length; i++) {
      parts.push(raw.sqlFragments[i]!);
      const p = raw.parameters[i];
      if (p) walk(p, parts, values);
    }
  } else if (node.kind === 'ValueNode' && !(node as ValueNode).immediate) {
    parts.push('\u0001?');
    values.push((node as ValueNode).value);
  } else {
    // An identifier, a literal: part of the shape. (A node with values inside would put them in the
    // shape too; the template then refuses to be made, see makeTemplate.)
    parts.push('\u0001', JSON.stringify(node));
  }
}

/**
 * Like runPrepared, for a statement that embeds client-shaped expressions (a filter): the key
 * must name the statement's own shape choices; `inner.shape` is appended to it. `build` receives
 * markers for `args` and embeds the expressions of `inner` as they are (with this call's values):
 * the template learns where those values go by finding them, in order, among the parameters.
 */
export async function runShaped<R>(
  db: Kysely<Database>,
  key: string,
  args: readonly unknown[],
  inner: Bindings,
  build: (...markers: string[]) => Compilable<R>,
): Promise<QueryResult<R>> {
  const fullKey = inner.shape === '' ? key : `${key}\u0003${inner.shape}`;
  let t = templates.get(fullKey);
  if (t) {
    templates.delete(fullKey); // most recently used last
    templates.set(fullKey, t);
  } else {
    t = makeTemplate(args.length, build, inner.values);
    remember(fullKey, t);
  }
  const parameters = t.slots.map((s) => (typeof s === 'number' ? (s < args.length ? args[s] : inner.values[s - args.length]) : s.constant));
  // A transaction's statements always go through its own connection.
  const rows = db.isTransaction ? undefined : directReaders.get(db)?.(t.sql, parameters);
  if (rows !== undefined) return { rows: rows as R[] };
  return db.executeQuery(CompiledQuery.raw(t.sql, parameters)) as Promise<QueryResult<R>>;
}

/** INSERT of one row: compiled once per table and column set. */
export async function insertPrepared(db: Kysely<Database>, dialect: SqlDialectName, into: keyof Database, row: Readonly<Record<string, unknown>>): Promise<void> {
  const cols = Object.keys(row);
  await runPrepared(db, `${dialect}:insert:${into}:${cols.join(',')}`, Object.values(row), (...p) =>
    db.insertInto(into).values(Object.fromEntries(cols.map((c, i) => [c, p[i]])) as never),
  );
}

function makeTemplate(arity: number, build: (...markers: string[]) => Compilable<unknown>, inner: readonly unknown[] = []): Template {
  const markers = Array.from({ length: arity }, (_, i) => `${MARK}${i}`);
  const compiled = build(...markers).compile();
  if (compiled.sql.includes(MARK)) throw new Error('prepared query: an argument reached the SQL text instead of a bound parameter');
  let next = 0;
  const slots = compiled.parameters.map((p): Slot => {
    if (typeof p === 'string' && p.startsWith(MARK)) return Number(p.slice(MARK.length));
    if (inner.length === 0) return { constant: p };
    // With embedded expressions every other parameter must be their next value: a constant of the
    // statement could not be told apart from a value equal to it.
    if (next >= inner.length || !Object.is(p, inner[next])) throw new Error('prepared query: a parameter is neither an argument nor the next value of the embedded expressions');
    return arity + next++;
  });
  if (next !== inner.length) throw new Error(`prepared query: ${inner.length - next} value(s) of the embedded expressions not bound as parameters`);
  const used = new Set(slots.filter((s): s is number => typeof s === 'number' && s < arity));
  if (used.size !== arity) throw new Error(`prepared query: ${arity - used.size} argument(s) not bound as parameters`);
  return { sql: compiled.sql, slots };
}
