// PostgreSQL through a sized pg pool: the scale-out engine (many stateless instances, one database).
import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
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
    // Client-side bound for a database that stops answering without closing the socket (network
    // partition, failover): the server's statement_timeout cannot fire then. Just above it, so it
    // only ever ends queries the server can no longer answer. A DATABASE_URL `?query_timeout=` wins.
    query_timeout: 35_000,
    keepAlive: true,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  // Nor a checked-out one (a request mid-transaction when the database restarts): pg-pool listens
  // for errors on idle clients only, and pg emits 'error' on a client whose socket closes, which
  // without a listener is an uncaught exception. The query in flight already fails with the error,
  // and pg-pool discards the client on release because it is no longer queryable.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: discardingTimedOut(pool) }) });
  return { db, close: () => db.destroy(), pool };
}

/**
 * The pool as Kysely sees it, except that a client whose query hit query_timeout is destroyed on
 * release instead of going back to the pool: its socket is silent (partition, vanished primary),
 * and every later query on it would wait out the timeout again, so the service would not recover
 * when the database did. Until then, every further query on it fails at once.
 */
function discardingTimedOut(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      let timedOut = false;
      const query = (...args: unknown[]): unknown => {
        // The socket is silent: a further statement on it (Kysely's ROLLBACK after the failed one)
        // would only wait out the timeout again while the request holds its pool slot.
        if (timedOut) return Promise.reject(new Error('Query read timeout'));
        const result = (client.query as (...a: unknown[]) => unknown)(...args);
        if (result instanceof Promise) {
          result.catch((e: unknown) => {
            if (e instanceof Error && e.message === 'Query read timeout') timedOut = true;
          });
        }
        return result;
      };
      return { query: query as PostgresPoolClient['query'], release: (destroy?: boolean) => client.release(destroy === true || timedOut) };
    },
    end: () => pool.end(),
    // Kysely 0.29 reads the pool's options (to open a control connection when a query with an AbortSignal is
    // cancelled; we pass no signals, so it falls back to a pooled connection and this stays unused).
    options: pool.options,
  };
}
