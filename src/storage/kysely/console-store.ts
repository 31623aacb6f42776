// The console's storage entry point: sessions (looked up before the tenant is known) and
// tenant-bound read models for the console pages.
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { ConsoleStore } from '../ports.js';
import { createSessionsRepo } from './sessions-repo.js';
import { createConsoleReadsRepo } from './console-reads-repo.js';
import type { SqlWorkLimits } from './sql-work.js';

/** `sqlWork`: the work bound of console searches (default: the SCIM filters' DEFAULT_SQL_WORK). */
export function createConsoleStore(db: Kysely<Database>, dialect: SqlDialectName, sqlWork?: SqlWorkLimits): ConsoleStore {
  return {
    sessions: createSessionsRepo(db),
    reads: (tenantId) => createConsoleReadsRepo(db, dialect, tenantId, sqlWork),
  };
}
