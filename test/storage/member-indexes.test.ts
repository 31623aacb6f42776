// group_members is looked up by member in three places that must stay index lookups at a million
// rows: the foreign-key cascades when a User or a Group is deleted, and User.groups. A scan here
// made DELETE /Users/{id} cost 167 ms at 200,000 memberships (docs/performance.md). SQLite's
// query plans are checked with no statistics at all (a fresh or just-restored database).
import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { migrateToLatest } from '../../src/storage/migrations/migrate.js';
import { filterToSql } from '../../src/storage/kysely/filter-to-sql.js';
import { parseFilter } from '../../src/scim/filter/parser.js';

describe('group_members lookups by member (SQLite query plans)', () => {
  const sqlite = new Database(':memory:');
  sqlite.function('scim_fold', { deterministic: true }, (v: unknown) => v); // as the app registers it; plans only
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  const plan = (text: string, params: readonly unknown[] = []) =>
    (sqlite.prepare(`explain query plan ${text}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
  const filterPlan = (resourceType: 'User' | 'Group', filter: string) => {
    const table = resourceType === 'User' ? 'scim_users' : 'scim_groups';
    const where = filterToSql({ dialect: 'sqlite', resourceType, alias: 'r', tenantId: 't' }, parseFilter(filter));
    const q = sql`select r.id from ${sql.table(table)} as r where r.tenant_id = ${'t'} and ${where}`.compile(db);
    return plan(q.sql, q.parameters);
  };

  beforeAll(async () => {
    await migrateToLatest(db, 'sqlite');
  });

  it('the cascade of a User delete finds its rows by (tenant_id, user_id)', () => {
    expect(plan(`select rowid from group_members where tenant_id = 't' and user_id = 'u'`)).toMatch(/SEARCH group_members USING (COVERING )?INDEX group_members_user/);
  });

  it('the cascade of a Group delete finds the rows where it is a member by (tenant_id, child_group_id)', () => {
    expect(plan(`select rowid from group_members where tenant_id = 't' and child_group_id = 'g'`)).toMatch(/SEARCH group_members USING (COVERING )?INDEX group_members_child/);
  });

  it('User.groups reads the member rows through the covering index and each group by its key', () => {
    const p = plan(
      `select m.member_id, m.group_id, g.display_name from group_members m cross join scim_groups g
       where m.tenant_id = 't' and m.user_id in ('a', 'b') and g.tenant_id = m.tenant_id and g.id = m.group_id`,
    );
    expect(p).toMatch(/SEARCH m USING (COVERING )?INDEX group_members_user/);
    expect(p).not.toMatch(/SCAN/);
  });

  it('removing members by id is a lookup per id, and members are paged in insertion order without a sort, whatever the group size', () => {
    // The ids come as one JSON parameter (storage/kysely/id-list.ts): one statement shape for any number of them.
    expect(plan(`delete from group_members where tenant_id = 't' and user_id in (select value from json_each(?)) and group_id = 'g'`, ['["a","b"]'])).toMatch(/SEARCH group_members USING (COVERING )?INDEX group_members_user \(tenant_id=\? AND user_id=\? AND group_id=\?\)/);
    expect(plan(`delete from group_members as e where e.tenant_id = 't' and e.child_group_id is not null and e.group_id = 'g' and (e.child_group_id = 'x')`)).toMatch(/INDEX group_members_child/);
    const page = plan(`select m.member_id from group_members m where m.tenant_id = 't' and m.group_id = 'g' and m.rowid > 0 order by m.rowid limit 1000`);
    expect(page).toMatch(/SEARCH m USING INDEX group_members_group \(tenant_id=\? AND group_id=\? AND rowid>\?\)/);
    expect(page).not.toMatch(/TEMP B-TREE/);
  });

  it('/Groups?filter=members[value eq …] looks the member up by its index, never scanning the memberships', () => {
    for (const f of ['members[value eq "u"]', 'members.value eq "u"', 'members[value eq "u" and type eq "User"]']) {
      const p = filterPlan('Group', f);
      expect(p, f).toMatch(/group_members_user/);
      expect(p, f).toMatch(/group_members_child/);
      expect(p, f).not.toMatch(/SCAN e\b|SCAN group_members/);
    }
  });

  it('/Users?filter=groups[value eq …] reads the rows of the group by the primary key', () => {
    expect(filterPlan('User', 'groups[value eq "g"]')).not.toMatch(/SCAN e\b|SCAN group_members/);
  });
});

describe('migration 0005 on a database with memberships (SQLite)', () => {
  it('keeps every row, keeps a member in a group once, and pages members in the order they were added', async () => {
    const sqlite = new Database(':memory:');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(db, 'sqlite', '0004-covering-email-index');
    sqlite.exec(`
      insert into organizations (id, name, name_folded, api_access_approved, created_at) values ('t', 'T', 't', 1, 'now');
      insert into scim_users (tenant_id, id, user_name, user_name_folded, created_at, updated_at, version, doc, active, source)
        values ('t', 'u2', 'b', 'b', 'n', 'n', 1, '{}', 1, 'scim'), ('t', 'u1', 'a', 'a', 'n', 'n', 1, '{}', 1, 'scim');
      insert into scim_groups (tenant_id, id, display_name, display_name_folded, created_at, updated_at, version, doc)
        values ('t', 'g', 'G', 'g', 'n', 'n', 1, '{}'), ('t', 'h', 'H', 'h', 'n', 'n', 1, '{}');
      insert into group_members (tenant_id, group_id, member_id, user_id, child_group_id, member_type, created_at)
        values ('t', 'g', 'u2', 'u2', null, 'User', 'n'), ('t', 'g', 'u1', 'u1', null, 'User', 'n'), ('t', 'g', 'h', null, 'h', 'Group', 'n');`);
    await migrateToLatest(db, 'sqlite');
    const rows = () => sqlite.prepare(`select group_id, member_id, user_id, child_group_id from group_members order by rowid`).all();
    expect(rows()).toEqual([
      { group_id: 'g', member_id: 'u2', user_id: 'u2', child_group_id: null },
      { group_id: 'g', member_id: 'u1', user_id: 'u1', child_group_id: null },
      { group_id: 'g', member_id: 'h', user_id: null, child_group_id: 'h' },
    ]);
    const again = sqlite.prepare(`insert into group_members (tenant_id, group_id, member_id, user_id, child_group_id, member_type, created_at) values ('t', 'g', ?, ?, ?, ?, 'n') on conflict do nothing`);
    expect(again.run('u1', 'u1', null, 'User').changes).toBe(0);
    expect(again.run('h', null, 'h', 'Group').changes).toBe(0);
    sqlite.prepare(`delete from scim_users where tenant_id = 't' and id = 'u2'`).run();
    expect(rows().map((r) => (r as { member_id: string }).member_id)).toEqual(['u1', 'h']);
  });
});
