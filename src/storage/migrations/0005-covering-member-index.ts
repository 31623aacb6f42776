// Looking group_members up by member: "which groups is this user in?" (User.groups on every user
// response and for a whole list page, sign-in) and the foreign-key cascades when a User or a Group
// is deleted (SQLite and PostgreSQL look child rows up by (tenant_id, user_id) and
// (tenant_id, child_group_id)). 0001's index on (tenant_id, member_id) served neither cascade —
// deleting a user scanned the tenant's memberships: 167 ms at 200,000 rows, seconds at a million —
// and, not covering group_id, lost to a scan of the primary key whenever SQLite's statistics were
// approximate (119 ms instead of 0.6 ms for a 100-id list page). One partial, covering index per
// member kind replaces it; each row lands in exactly one of them, so an insert touches no more
// B-trees than before.
import type { Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, _dialect: SqlDialectName): Promise<void> {
  await db.schema.dropIndex('group_members_member').execute();
  await db.schema
    .createIndex('group_members_user')
    .on('group_members')
    .columns(['tenant_id', 'user_id', 'group_id'])
    .where('user_id', 'is not', null)
    .execute();
  await db.schema
    .createIndex('group_members_child')
    .on('group_members')
    .columns(['tenant_id', 'child_group_id', 'group_id'])
    .where('child_group_id', 'is not', null)
    .execute();
}
