// Fast seeding for large tests and benchmarks: multi-row INSERTs straight into the real schema
// (the same hot columns the repository writes, via column-map), bypassing HTTP. Only test
// support and bench/ use this; the service never does.
import { randomUUID } from 'node:crypto';
import type { Composition } from '../../src/compose.js';
import type { TenantId } from '../../src/domain/ids.js';
import { userEmailRows, userHotValues } from '../../src/storage/kysely/column-map.js';
import { sql } from 'kysely';

export async function seedUsers(c: Composition, tenantId: TenantId, count: number, prefix = 'seed'): Promise<string[]> {
  const db = c.db.db;
  const ids: string[] = [];
  const now = new Date().toISOString();
  const CHUNK = 500;
  for (let start = 0; start < count; start += CHUNK) {
    const users: Array<Record<string, unknown>> = [];
    const emails: Array<Record<string, unknown>> = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const id = randomUUID();
      ids.push(id);
      const userName = `${prefix}.${i}@seed.example`;
      const doc = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, displayName: `Seed ${i}`, emails: [{ type: 'work', value: userName, primary: true }] };
      users.push({ tenant_id: tenantId, id, ...userHotValues(doc), source: 'scim', created_at: now, updated_at: now, version: 1, doc: JSON.stringify(doc) });
      for (const e of userEmailRows(doc)) emails.push({ tenant_id: tenantId, user_id: id, ...e });
    }
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('scim_users').values(users as never).execute();
      await tx.insertInto('scim_user_emails').values(emails as never).execute();
    });
  }
  await db
    .insertInto('resource_counts')
    .values({ tenant_id: tenantId, resource_type: 'User', count })
    .onConflict((oc) => oc.columns(['tenant_id', 'resource_type']).doUpdateSet({ count: sql`resource_counts.count + ${count}` }))
    .execute();
  c.db.optimize(); // statistics for the new data, as the server's periodic optimize would
  return ids;
}
