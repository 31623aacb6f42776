// SQLite through better-sqlite3: WAL, a busy timeout, foreign keys on. The embedded default.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database as Schema } from '../kysely/database.js';
import { foldCase } from '../../scim/filter/fold-case.js';

export function createSqliteDb(path: string): { db: Kysely<Schema>; close(): Promise<void> } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // NORMAL in WAL mode is durable across process crashes (only an OS crash can lose the last commits).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('cache_size = -65536');
  // SQLite's lower() folds ASCII only; filters on non-caseExact JSON attributes use this instead.
  sqlite.function('scim_fold', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? foldCase(s) : s));
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
}
