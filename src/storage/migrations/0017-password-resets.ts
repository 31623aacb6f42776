// One-time password links (issue #17): an admin's reset for another console account, the CLI's
// `admin reset-password`, and the first admin's sign-in link. Only the SHA-256 of the token is
// stored; a row is deleted when used, replaced by a newer link for the same account, and refused
// after expires_at. Additive only.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema
    .createTable('password_resets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('password_resets_account').on('password_resets').columns(['tenant_id', 'account_id']).execute();
}
