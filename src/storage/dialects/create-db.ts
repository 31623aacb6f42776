// The one place that picks the driver from the configured URL.
import type { Kysely } from 'kysely';
import type { Database } from '../kysely/database.js';
import type { SqlDialectName } from '../kysely/dialect-name.js';
import { createSqliteDb, type SqliteOptions } from './sqlite.js';
import { createPostgresDb } from './postgres.js';
import { createPostgresCredentialWatch, type ClosableCredentialWatch } from './credential-watch.js';
import type { CredentialWatch } from '../ports.js';

export interface DbHandle {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialectName;
  close(): Promise<void>;
  /** Refresh planner statistics where the engine needs us to (SQLite); a no-op on PostgreSQL (autovacuum). */
  optimize(): void;
  /** After an erasure: leave no copy of erased pages in side files (SQLite: WAL checkpoint and truncate). */
  compact(): Promise<void>;
  /** Pool statistics for /metrics (PostgreSQL only). */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
  /**
   * Changes to credentials on any instance (credential-watch.ts). On PostgreSQL the first call opens
   * the listening connection, so processes that never authenticate requests (the CLI) never do.
   */
  credentials(): CredentialWatch;
}

export function createDb(options: { dialect: SqlDialectName; url: string; poolSize: number }, sqliteOptions: SqliteOptions = {}): DbHandle {
  if (options.dialect === 'postgres') {
    const { db, close, pool } = createPostgresDb(options.url, options.poolSize);
    let watch: ClosableCredentialWatch | undefined;
    return {
      db,
      dialect: 'postgres',
      close: async () => {
        await watch?.close();
        await close();
      },
      optimize: () => {},
      // PostgreSQL: the erased rows are invisible to every query at once; VACUUM (autovacuum) reclaims the dead tuples.
      compact: async () => {},
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      credentials: () => (watch ??= createPostgresCredentialWatch(options.url)),
    };
  }
  const { db, close, optimize, compact, credentials } = createSqliteDb(options.url, sqliteOptions);
  return { db, dialect: 'sqlite', close, optimize, compact, poolStats: () => undefined, credentials: () => credentials };
}
