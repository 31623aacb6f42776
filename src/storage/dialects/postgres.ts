// PostgreSQL through a sized pg pool: the scale-out engine (many stateless instances, one database).
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database as Schema } from '../kysely/database.js';

// bigint (int8) columns such as seq and count(*) come back as strings by default; our values fit a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export function createPostgresDb(url: string, poolSize: number): { db: Kysely<Schema>; close(): Promise<void>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Fail fast when the database is down instead of queueing requests forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 30_000,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, close: () => db.destroy(), pool };
}
