// The filter cost bound on SQLite (docs/security.md "Cost model"). better-sqlite3 runs every
// statement on the event loop that all tenants share, and a filter on an attribute no index
// serves makes SQLite examine every row of the tenant, reading JSON for some comparisons. So
// each list query carries a meter: a `scim_work(token, units)` call, registered on the
// connection, is charged once per row the query examines (weighted by the document's size when
// the filter reads JSON) and once per JSON comparison. Past the budget, or past the deadline
// (checked every 64 charges, for work the units underestimate), the call throws and SQLite
// abandons the statement; the repository answers 400 tooMany naming the limit. PostgreSQL runs
// queries in its own processes (the event loop is free meanwhile) under `statement_timeout`.
import { randomUUID } from 'node:crypto';

export interface SqlWorkLimits {
  /** Units one list request (page and count query together) may spend. */
  readonly units: number;
  /** Wall-clock bound on the same work, milliseconds. */
  readonly deadlineMs: number;
  /** PostgreSQL: statement_timeout of a filtered list's statements, milliseconds. */
  readonly deadlineMsPostgres: number;
}

/** ≈ 20 ms of SQLite work on the reference machine (docs/security.md). */
export const DEFAULT_SQL_WORK: SqlWorkLimits = Object.freeze({ units: 200_000, deadlineMs: 20, deadlineMsPostgres: 2_000 });

/** Thrown from inside SQLite by scim_work; carries which limit was hit. */
export class SqlWorkExceeded extends Error {
  constructor(
    readonly limit: 'units' | 'deadline',
    readonly limits: SqlWorkLimits,
  ) {
    super(`filter work limit exceeded (${limit})`);
    this.name = 'SqlWorkExceeded';
  }
}

interface Meter {
  spent: number;
  calls: number;
  started: number | undefined;
  readonly limits: SqlWorkLimits;
}

const meters = new Map<string, Meter>();

/** Opens a meter for one request's queries; the token travels as a bound parameter. */
export function beginSqlWork(limits: SqlWorkLimits = DEFAULT_SQL_WORK): { token: string; end(): void; spent(): number } {
  const token = randomUUID();
  const meter: Meter = { spent: 0, calls: 0, started: undefined, limits };
  meters.set(token, meter);
  return { token, end: () => void meters.delete(token), spent: () => meter.spent };
}

/** The body of the SQLite function `scim_work(token, units)`: returns 1, or throws SqlWorkExceeded. */
export function chargeSqlWork(token: unknown, units: unknown): number {
  const m = typeof token === 'string' ? meters.get(token) : undefined;
  if (m === undefined) return 1;
  // The clock starts at the first charge: the statement is running by then.
  m.started ??= performance.now();
  m.spent += typeof units === 'number' && units > 0 ? units : 1;
  if (m.spent > m.limits.units) throw new SqlWorkExceeded('units', m.limits);
  if ((++m.calls & 63) === 0 && performance.now() - m.started > m.limits.deadlineMs) throw new SqlWorkExceeded('deadline', m.limits);
  return 1;
}
