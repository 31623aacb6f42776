// "Which groups are these users in?" (User.groups on every user response and for a whole list page,
// sign-in, the console) looks group_members up by (tenant_id, member_id IN (…)) and needs group_id.
// With group_id in the index the lookup never touches the table. Without it, SQLite's planner — with
// no statistics, or with the approximate ones `analysis_limit` produces ("1001 rows per tenant") —
// prefers a scan of the tenant's whole primary key (tenant_id, group_id, member_id), which covers the
// query: 119 ms instead of 0.64 ms for a 100-id page at 200,000 membership rows (bench/explain.mjs).
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.dropIndex('group_members_member').execute();
  await db.schema.createIndex('group_members_member').on('group_members').columns(['tenant_id', 'member_id', 'group_id']).execute();
}
