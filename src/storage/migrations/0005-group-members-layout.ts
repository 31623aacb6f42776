// group_members, laid out so that no lookup scans and no add depends on the group's size.
//
// By member: "which groups is this user in?" (User.groups on every user response, sign-in) and the
// foreign-key cascades when a User or a Group is deleted look rows up by (tenant_id, user_id) and
// (tenant_id, child_group_id). 0001's index on (tenant_id, member_id) served neither cascade —
// deleting a user scanned the tenant's memberships: 167 ms at 200,000 rows, seconds at a million —
// and, not covering group_id, lost to a scan whenever SQLite's statistics were approximate. One
// partial, covering, UNIQUE index per member kind replaces it; each row is in exactly one of them,
// and together they keep a member in a group once (what the primary key did).
//
// By group: 0001's primary key (tenant_id, group_id, member_id) put 100 new random member ids on
// ~100 different pages of a big group's key range (adds to a 100,000-member group cost up to 2–3×
// those to a group of 100). The group index is now in insertion order — (tenant_id, group_id) plus
// SQLite's rowid, or PostgreSQL's `seq` — so an add appends to the group's last page whatever its
// size, and members are paged in that order.
import { sql, type Kysely } from 'kysely';
import type { SqlDialectName } from '../kysely/dialect-name.js';

export async function up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void> {
  if (dialect === 'sqlite') {
    // SQLite cannot drop a primary key: rebuild the table without it.
    await db.schema
      .createTable('group_members_next')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('member_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('child_group_id', 'text')
      .addColumn('member_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addForeignKeyConstraint('group_members_group_fk', ['tenant_id', 'group_id'], 'scim_groups', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
      .addForeignKeyConstraint('group_members_user_fk', ['tenant_id', 'user_id'], 'scim_users', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
      .addForeignKeyConstraint('group_members_child_fk', ['tenant_id', 'child_group_id'], 'scim_groups', ['tenant_id', 'id'], (fk) => fk.onDelete('cascade'))
      .addCheckConstraint(
        'group_members_one_target',
        sql`(user_id = member_id AND child_group_id IS NULL) OR (child_group_id = member_id AND user_id IS NULL)`,
      )
      .execute();
    await sql`insert into group_members_next (tenant_id, group_id, member_id, user_id, child_group_id, member_type, created_at)
              select tenant_id, group_id, member_id, user_id, child_group_id, member_type, created_at from group_members order by rowid`.execute(db);
    await db.schema.dropTable('group_members').execute();
    await db.schema.alterTable('group_members_next').renameTo('group_members').execute();
    await db.schema.createIndex('group_members_group').on('group_members').columns(['tenant_id', 'group_id']).execute();
  } else {
    await db.schema.dropIndex('group_members_member').execute();
    await sql`alter table group_members drop constraint group_members_pk`.execute(db);
    await sql`alter table group_members add column seq bigint generated always as identity`.execute(db);
    await db.schema.createIndex('group_members_group').on('group_members').columns(['tenant_id', 'group_id', 'seq']).execute();
  }
  await db.schema
    .createIndex('group_members_user')
    .unique()
    .on('group_members')
    .columns(['tenant_id', 'user_id', 'group_id'])
    .where('user_id', 'is not', null)
    .execute();
  await db.schema
    .createIndex('group_members_child')
    .unique()
    .on('group_members')
    .columns(['tenant_id', 'child_group_id', 'group_id'])
    .where('child_group_id', 'is not', null)
    .execute();
}
