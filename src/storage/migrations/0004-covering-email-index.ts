// `emails.value eq "x"` looks up scim_user_emails by (tenant_id, value_folded) and needs the
// user_id: with user_id in the index the lookup never touches the table, and SQLite's planner
// (which has no statistics) stops preferring the primary key's tenant-wide scan.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.dropIndex('scim_user_emails_value').execute();
  await db.schema.createIndex('scim_user_emails_value').on('scim_user_emails').columns(['tenant_id', 'value_folded', 'user_id']).execute();
}
