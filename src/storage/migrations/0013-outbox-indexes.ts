// The outbox costs less per write (issue #13's cost target: SCIM writes within 10 % of their CPU
// before the outbox). Every event row was written into its table and five B-trees (the unique id,
// the position index, occurred_at, resource, and member for membership events); each is a WAL page
// at COMMIT. Which queries use which index (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL;
// test/events/outbox-indexes.test.ts checks the plans):
//  - events_tenant_position (tenant_id, txid, seq): the Events API, the webhook fan-out, the SET
//    source — kept;
//  - the unique id: replay of one event by id — kept (it is also the id's uniqueness);
//  - events_occurred: only the retention purge. The purge now walks the primary key from the oldest
//    row (seq order is creation order, so the expired rows are a prefix, give or take a clock step) —
//    dropped;
//  - events_resource + events_member: a user's history in the console and the erasure of a person,
//    both "events about this user": its own events (resource_id) and its memberships' (member_id).
//    One expression index on the subject, coalesce(member_id, resource_id), answers both with one
//    lookup — they are replaced by it.
// Result: three B-trees per event instead of four (five for membership events).
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.dropIndex('events_occurred').execute();
  await db.schema.dropIndex('events_resource').execute();
  await db.schema.dropIndex('events_member').execute();
  // Queries must spell the expression exactly like this (SQLite matches index expressions structurally).
  await sql`create index events_subject on events (tenant_id, (coalesce(member_id, resource_id)), seq)`.execute(db);
}
