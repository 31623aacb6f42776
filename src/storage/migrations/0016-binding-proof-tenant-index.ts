// Deleting an organisation cascades to its pending binding proofs (0015's foreign key on
// tenant_id). Without an index on the child side every such delete scans the whole table, for
// every organisation; test/storage/foreign-key-indexes.test.ts holds every foreign key to this.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.createIndex('sign_in_binding_proofs_tenant').on('sign_in_binding_proofs').column('tenant_id').execute();
}
