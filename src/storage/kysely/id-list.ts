// A list of ids bound as ONE parameter, so a statement has one shape (one cached template, one
// prepared statement) whatever the list's length: a PostgreSQL text[], SQLite JSON text read with
// json_each. `column IN (?, ?, …)` has a shape per length — up to 500 of them for one statement.
import { sql, type RawBuilder } from 'kysely';
import type { SqlDialectName } from './dialect-name.js';

/** The ids as the one bound value `idIn` expects. */
export function idList(dialect: SqlDialectName, ids: readonly string[]): unknown {
  return dialect === 'postgres' ? ids : JSON.stringify(ids);
}

/** `column` is one of the ids in `list` (a value made by idList, or a prepared statement's marker for one). */
export function idIn(dialect: SqlDialectName, column: string, list: unknown): RawBuilder<boolean> {
  return dialect === 'postgres' ? sql<boolean>`${sql.ref(column)} = any(${list}::text[])` : sql<boolean>`${sql.ref(column)} in (select value from json_each(${list}))`;
}
