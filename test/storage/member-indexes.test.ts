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
