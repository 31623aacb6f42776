// Hot statements built and compiled once. Kysely builds an immutable query tree and compiles it
// to SQL on every call — about a sixth of a point request's CPU (docs/performance.md §5). A
// template is built once per (dialect, shape) with marker arguments; each call copies its SQL
// and puts the real arguments where the markers were. Only bound parameters are substituted, so
// the SQL text (and SQLite's cached prepared statement) is the same on every call.
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';

const MARK = '\u0000wd-arg:';

type Slot = number | { readonly constant: unknown };
interface Template {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

const templates = new Map<string, Template>();
const MAX_TEMPLATES = 2_000; // shapes include IN-list lengths; far more than the code has

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
  let t = templates.get(key);
  if (!t) {
    t = makeTemplate(args.length, build);
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(key, t);
  }
  const parameters = t.slots.map((s) => (typeof s === 'number' ? args[s] : s.constant));
  return db.executeQuery(CompiledQuery.raw(t.sql, parameters)) as Promise<QueryResult<R>>;
}

/** INSERT of one row: compiled once per table and column set. */
export async function insertPrepared(db: Kysely<Database>, dialect: SqlDialectName, into: keyof Database, row: Readonly<Record<string, unknown>>): Promise<void> {
  const cols = Object.keys(row);
  await runPrepared(db, `${dialect}:insert:${into}:${cols.join(',')}`, Object.values(row), (...p) =>
    db.insertInto(into).values(Object.fromEntries(cols.map((c, i) => [c, p[i]])) as never),
  );
}

function makeTemplate(arity: number, build: (...markers: string[]) => Compilable<unknown>): Template {
  const markers = Array.from({ length: arity }, (_, i) => `${MARK}${i}`);
  const compiled = build(...markers).compile();
  if (compiled.sql.includes(MARK)) throw new Error('prepared query: an argument reached the SQL text instead of a bound parameter');
  const slots = compiled.parameters.map((p): Slot => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : { constant: p }));
  const used = new Set(slots.filter((s): s is number => typeof s === 'number'));
  if (used.size !== arity) throw new Error(`prepared query: ${arity - used.size} argument(s) not bound as parameters`);
  return { sql: compiled.sql, slots };
}
