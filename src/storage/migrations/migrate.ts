// Runs the one migration set with Kysely's Migrator (a table records what has run), at start
// and by `wiggledesk migrate`. Safe to run from several instances at once: Kysely takes a lock.
import type { Kysely } from 'kysely';
// Kysely 0.29 moved the migration API to its own entry point.
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { SqlDialectName } from '../kysely/dialect-name.js';
import * as m0001 from './0001-init.js';
import * as m0002 from './0002-console-sessions.js';
import * as m0003 from './0003-sso.js';
import * as m0004 from './0004-covering-email-index.js';
import * as m0005 from './0005-group-members-layout.js';
import * as m0007 from './0007-oauth-clients.js';
import * as m0008 from './0008-events.js';
import * as m0009 from './0009-user-lifecycle.js';
import * as m0010 from './0010-connection-insights.js';
import * as m0012 from './0012-set-streams.js';
import * as m0013 from './0013-outbox-indexes.js';
import * as m0014 from './0014-set-stream-health.js';
import * as m0015 from './0015-binding-proof.js';
import * as m0016 from './0016-binding-proof-tenant-index.js';
import * as m0017 from './0017-password-resets.js';
import * as m0019 from './0019-org-oidc-providers.js';
import * as m0023 from './0023-credential-changes.js';
import * as m0024 from './0024-derived-event-ids.js';
import * as m0025 from './0025-activity-changes-index.js';

type DialectMigration = { up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> };
const ALL: Record<string, DialectMigration> = {
  '0001-init': m0001,
  '0002-console-sessions': m0002,
  '0003-sso': m0003,
  '0004-covering-email-index': m0004,
  '0005-group-members-layout': m0005,
  '0007-oauth-clients': m0007,
  '0008-events': m0008,
  '0009-user-lifecycle': m0009,
  '0010-connection-insights': m0010,
  '0012-set-streams': m0012,
  '0013-outbox-indexes': m0013,
  '0014-set-stream-health': m0014,
  '0015-binding-proof': m0015,
  '0016-binding-proof-tenant-index': m0016,
  '0017-password-resets': m0017,
  '0019-org-oidc-providers': m0019,
  '0023-credential-changes': m0023,
  '0024-derived-event-ids': m0024,
  '0025-activity-changes-index': m0025,
};

/** Runs the pending migrations (up to and including `upTo`, for upgrade tests; default: all). */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialectName, upTo?: string): Promise<string[]> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(Object.entries(ALL).map(([name, m]): [string, Migration] => [name, { up: (d) => m.up(d, dialect) }])),
  };
  // Numbers are reserved per parallel branch, so a lower number can land after a higher one has
  // run on a database (0013 after 0015/0019): each migration is additive and independent of the
  // others' numbers, so a pending lower one simply runs (Kysely would otherwise refuse to start).
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
