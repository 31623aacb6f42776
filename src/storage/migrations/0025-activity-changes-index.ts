// A logged read costs the activity log one row, not a random index page (issue #15).
//
// `activity_log_resource (tenant_id, resource_id)` held an entry for every request about a
// resource, and resource ids are random: each logged `GET /Users/{id}` dirtied its own leaf page
// of that index, one more WAL page per read (measured: 17–21 µs per appended row against 4–6 µs
// without the index, 100,000 rows of log, 10,000 users). The only reader that needs an index is
// the user's provisioning history in the console, which shows what changed the user or failed —
// so the index now holds exactly those rows: every non-GET request and every failure. Queries must
// repeat the predicate word for word (a partial index is used only when the query implies it;
// activity-repo.ts `CHANGES_OR_FAILURES`). `seq` is in the key so that the newest rows of a
// resource come straight off the index on PostgreSQL too (SQLite's index rows end with the rowid,
// which seq is, anyway). The full log, reads included, is still listed in seq
// order by activity_log_tenant_seq; erasure redacts a person's rows with one scan of the tenant's
// log, as it already did for the rows that merely mention them.
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.dropIndex('activity_log_resource').execute();
  await sql`create index activity_log_changes on activity_log (tenant_id, resource_id, seq) where resource_id is not null and (method <> 'GET' or status >= 400)`.execute(db);
}
