// SQLite through better-sqlite3: WAL, a busy timeout, foreign keys on. The embedded default.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, SqliteQueryCompiler, sql, type DatabaseConnection, type LimitNode, type QueryCompiler, type SqliteDatabase, type SqliteDialectConfig, type TransactionSettings } from 'kysely';
import type { Database as Schema } from '../kysely/database.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { chargeSqlWork } from '../kysely/sql-work.js';
import { createSqliteCredentialWatch, type ClosableCredentialWatch } from './credential-watch.js';
import { SAFETY_NET_PAGES, startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import { enableGroupCommit } from '../kysely/group-commit.js';
import { enableDirectReads } from '../kysely/prepared.js';

/** compact(): tries 5 ms apart, about 2 s in all (a checkpoint of the worker takes milliseconds). */
const COMPACT_ATTEMPTS = 400;

export interface SqliteOptions {
  /** `serve`: WAL checkpoints in a worker thread instead of inside a request's COMMIT (wal-checkpointer.ts). */
  readonly backgroundCheckpoints?: boolean | undefined;
  readonly onBackgroundError?: ((e: unknown) => void) | undefined;
  /** Tests: the worker's interval (default EVERY_MS). */
  readonly checkpointEveryMs?: number | undefined;
}

export function createSqliteDb(path: string, options: SqliteOptions = {}): { db: Kysely<Schema>; close(): Promise<void>; optimize(): void; compact(): Promise<void>; credentials: ClosableCredentialWatch } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // NORMAL in WAL mode is durable across process crashes (only an OS crash can lose the last commits).
  sqlite.pragma('synchronous = NORMAL');
  // 32 MiB of page cache holds every interior B-tree page of a million-user tenant (the leaves come from
  // the OS page cache); more only raised RSS, which must stay under 300 MB (docs/performance.md).
  sqlite.pragma('cache_size = -32768');
  let checkpointer: WalCheckpointer | undefined;
  if (options.backgroundCheckpoints && path !== ':memory:') {
    sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
    checkpointer = startWalCheckpointer(path, { everyMs: options.checkpointEveryMs, onError: (e) => options.onBackgroundError?.(e) });
  }
  // ANALYZE samples at most this many index rows per index, so it stays cheap at a million users.
  sqlite.pragma('analysis_limit = 1000');
  // Erasure (issue #14): deleted content is overwritten with zeros in the database file, so a purged
  // person's data does not linger in free pages or free space inside pages.
  sqlite.pragma('secure_delete = ON');
  // Group commit runs every change but a group's first in a savepoint, and SQLite copies each page a
  // savepoint changes into a statement journal — a temporary FILE once past 64 KiB, which a SCIM create
  // (≈ 29 pages) always is: an open, 29 writes and a close per change (docs/performance.md, session 7).
  // In memory it is a copy per page. Sorts and transient indexes keep their own bounded memory either way
  // (a 500,000-row deep sorted page: RSS +40 MB with and without this, measured).
  sqlite.pragma('temp_store = MEMORY');
  // SQLite's lower() folds ASCII only; filters on non-caseExact JSON attributes use this instead.
  sqlite.function('scim_fold', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? foldCase(s) : s));
  // The filter cost meter (storage/kysely/sql-work.ts): not deterministic, so SQLite calls it for
  // every row and comparison instead of hoisting it out of the loop.
  sqlite.function('scim_work', { deterministic: false, directOnly: true }, chargeSqlWork);
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Schema>({ dialect: new WriteLockingSqliteDialect({ database: statements }) });
  // SCIM changes share COMMITs (storage/kysely/group-commit.ts).
  enableGroupCommit(db, () => sqlite.inTransaction);
  // Prepared reads run at once while no transaction is open on the connection (storage/kysely/prepared.ts).
  // A statement runs synchronously, so nothing else can use the connection meanwhile; with a transaction
  // open (a group commit between its BEGIN and COMMIT) a read waits its turn through Kysely, as before,
  // so it never sees uncommitted changes.
  enableDirectReads(db, (text, parameters) => {
    if (sqlite.inTransaction) return undefined;
    const stmt = statements.prepare(text) as Database.Statement;
    // `reader` alone is true of an INSERT … RETURNING too: a write always takes Kysely's path.
    return stmt.reader && stmt.readonly ? (stmt.all(parameters) as unknown[]) : undefined;
  });
  return {
    db,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
    // Read on the same connection, synchronously (credential-watch.ts).
    credentials: createSqliteCredentialWatch(sqlite),
    // Without statistics SQLite's planner walks a tenant's users in seq order to test
    // `id IN (emails with this value)` instead of starting from the emails index. `PRAGMA optimize`
    // (re)analyzes only tables whose size changed a lot since the last run, so calling it often is cheap.
    optimize: () => {
      if (sqlite.inTransaction) return; // a timer can land between a group's statements: next time
      sqlite.pragma('optimize = 0x10002');
      dropIndexSamples(sqlite);
    },
    // After an erasure the WAL file still holds copies of the pages as they were before: copy the
    // erased pages into the database and truncate the WAL to zero bytes. Index samples (sqlite_stat4
    // holds copies of index keys) are deleted first (dropIndexSamples), as optimize() does.
    // Through Kysely, so it waits for the connection like any statement (never inside another transaction).
    compact: async () => {
      await db.connection().execute(async () => dropIndexSamples(sqlite));
      // Another connection's checkpoint (the background worker, another process) makes TRUNCATE give
      // up at once — busy, or SQLITE_BUSY — leaving the old pages in the WAL: try again until it has
      // truncated, and fail loudly rather than report an erasure the WAL still contradicts.
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await sql<{ busy: number; log: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
          if (Number(r.rows[0]?.busy ?? 0) === 0) return;
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
        }
        if (attempt === COMPACT_ATTEMPTS) throw new Error(`WAL checkpoint (TRUNCATE) still busy after ${COMPACT_ATTEMPTS} attempts: erased pages may remain in the -wal file`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}

/**
 * ANALYZE keeps two kinds of statistics: row counts per index prefix (sqlite_stat1), which the
 * planner needs (see optimize()), and up to 24 sample keys per index (sqlite_stat4), which cost
 * twice over. With samples loaded SQLite 3.54 treats every statement that has an equality or a
 * range on a non-unique index as depending on its bound values and prepares it again at every
 * execution: measured on a 10,000-user database, `emails.value eq` 3.4 → 9.0 µs and `externalId
 * eq` 3.2 → 9.3 µs per statement after a plain ANALYZE, back with the samples deleted (issue #15).
 * And the samples are copies of index keys — userNames, email addresses — that an erasure would
 * have to chase. The server's own ANALYZE never writes samples (analysis_limit turns them off), but
 * an operator's `sqlite3 … ANALYZE`, another tool or an old database can leave them: they are
 * deleted at the next optimize() and the statistics reloaded without them. No hot plan depends on
 * them (bench/explain.mjs); secure_delete zeroes the freed rows.
 */
function dropIndexSamples(sqlite: Database.Database): void {
  const table = sqlite.prepare(`select count(*) from sqlite_schema where name = 'sqlite_stat4'`).pluck().get();
  if (!table || !sqlite.prepare('select exists (select 1 from sqlite_stat4)').pluck().get()) return;
  sqlite.exec('delete from sqlite_stat4; analyze sqlite_schema');
}

/**
 * A bound LIMIT is read as `+?`. SQLite 3.54 looks at the value bound to a bare `limit ?` when it
 * plans, so each new binding — every execution, even of the same value — expires the statement and
 * it is prepared again: a `userName eq` page measured 10–12 µs against 6 with `+?`, which keeps the
 * value bound but out of the planner's sight (issue #15).
 */
class SqliteCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    this.append('limit +');
    this.visitNode(node.limit);
  }
}

/**
 * `db.transaction().setAccessMode('read write')` begins with BEGIN IMMEDIATE: the write lock is taken
 * at the start, where busy_timeout can wait for it, instead of at the first write of a transaction
 * that has already read — which fails at once (SQLITE_BUSY) if another process committed meanwhile.
 * Statements are compiled by SqliteCompiler (a bound LIMIT as `+?`).
 */
class WriteLockingSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new WriteLockingSqliteDriver(this.#config);
  }
  override createQueryCompiler(): QueryCompiler {
    return new SqliteCompiler();
  }
}

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');

class WriteLockingSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    if (settings?.accessMode === 'read write') await connection.executeQuery(BEGIN_IMMEDIATE);
    else await super.beginTransaction(connection);
  }
}

/**
 * Kysely prepares every statement anew; for SQLite that is a measurable share of a point lookup.
 * The same SQL text (values are always bound parameters) reuses its prepared statement. Safe
 * because Kysely runs one statement at a time per connection and never streams ours. Least
 * recently used first out, bounded by count and by SQL length: filter shapes come from clients
 * (up to 100 clauses each), and a prepared statement's memory grows with its text.
 */
function withStatementCache(sqlite: Database.Database, size = 1000, maxChars = 2_000_000): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  let chars = 0;
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql); // refresh its place in the LRU order
      } else {
        stmt = sqlite.prepare(sql);
        chars += sql.length;
        while (cache.size > 0 && (cache.size >= size || chars > maxChars)) {
          const oldest = cache.keys().next().value as string;
          cache.delete(oldest);
          chars -= oldest.length;
        }
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
