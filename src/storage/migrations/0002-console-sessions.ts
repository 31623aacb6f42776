// Console sessions: an index on expires_at, so the sweep of expired sessions at sign-in reads
// only the expired rows however many sessions there are.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
}
