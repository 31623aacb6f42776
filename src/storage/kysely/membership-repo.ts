// Group membership as rows (tenant, group, member): adding 100 members is one insert that appends
// to the group's end of its index, and removing one is a lookup by member, whatever the group's
// size (migration 0005 has the layout). Composite foreign keys keep every
// row inside its tenant even if the code above were wrong.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { TenantId } from '../../domain/ids.js';
import type { Filter } from '../../scim/filter/ast.js';
import type { MembershipStore, MemberRow, MemberChangeRow } from '../ports.js';
import { journalFor, type ChangeJournal } from './change-journal.js';
import { invalidFilter } from '../../scim/errors.js';
import { UNSTORABLE_TEXT, isStorableText } from '../../scim/text.js';
import { bindingsOf, runPrepared, runShaped } from './prepared.js';
import { idIn, idList } from './id-list.js';
import { MEMBER_ID_COLUMNS } from './column-map.js';
import { foldCase } from '../../scim/filter/fold-case.js';

const CHUNK = 400; // rows per multi-row INSERT/DELETE: well under SQLite's 32,766 bound parameters.

export function createMembershipRepo(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId, journal?: ChangeJournal): MembershipStore {
  /** Notes each membership change in the transaction's journal (a nested group's change is the group's). */
  function changed(groupId: string, rows: readonly MemberChangeRow[]): MemberChangeRow[] {
    const j = journalFor(journal, 'Changing group members');
    for (const r of rows) j.note(r.type === 'User' ? `member:${groupId}:${r.value}` : `Group:${groupId}`);
    return rows as MemberChangeRow[];
  }
  const toChange = (r: { member_id: string; member_type: string }): MemberChangeRow => ({ value: r.member_id, type: r.member_type === 'Group' ? 'Group' : 'User' });

  /**
   * The groups that directly contain `ids` (users or groups, by `kind`), with their names: the
   * member's rows through the partial covering index of its kind (group_members_user /
   * group_members_child), then each group's name by its primary key. Scalar subqueries rather than
   * a join: SQLite 3.54 runs this two-table join ~3× slower than 3.53 did with the same plan (17 vs
   * 6 µs per user; docs/performance.md), while the subqueries take 6 µs on both. The foreign key
   * guarantees the group exists. `has_parents` says whether the group is itself a member of a
   * group: only those are walked up, so a member of groups that are not nested (the common case)
   * costs one statement, not two (issue #15: the second statement, finding nothing, was a third of
   * `User.groups`). The sort key is folded here rather than read from display_name_folded: one
   * probe of scim_groups per group instead of two.
   */
  function parentsWithNames(kind: 'user' | 'group', ids: readonly string[]) {
    return runPrepared(db, `${dialect}:parents:${kind}:${ids.length}`, [tenantId, ...ids], (t, ...p) =>
      db
        .selectFrom('group_members as m')
        .select(['m.member_id', 'm.group_id'])
        .select((eb) => [
          eb.selectFrom('scim_groups as g').select('g.display_name').whereRef('g.tenant_id', '=', 'm.tenant_id').whereRef('g.id', '=', 'm.group_id').as('display_name'),
          eb
            .exists(eb.selectFrom('group_members as p').select(sql.lit(1).as('one')).whereRef('p.tenant_id', '=', 'm.tenant_id').whereRef('p.child_group_id', '=', 'm.group_id'))
            .as('has_parents'),
        ])
        .where('m.tenant_id', '=', t!)
        .where(kind === 'user' ? 'm.user_id' : 'm.child_group_id', 'in', p),
    );
  }

  return {
    async add(groupId, members, now) {
      journalFor(journal, 'Changing group members');
      const added: MemberChangeRow[] = [];
      for (let i = 0; i < members.length; i += CHUNK) {
        const rows = members.slice(i, i + CHUNK).map((m) => ({
          tenant_id: tenantId,
          group_id: groupId,
          member_id: m.value,
          user_id: m.type === 'User' ? m.value : null,
          child_group_id: m.type === 'Group' ? m.value : null,
          member_type: m.type,
          created_at: now,
        }));
        const r = await db
          .insertInto('group_members')
          .values(rows)
          // Already a member: group_members_user / group_members_child (unique per member kind) say so.
          .onConflict((oc) => oc.doNothing())
          .returning(['member_id', 'member_type'])
          .execute();
        for (const row of r) added.push(toChange(row));
      }
      return changed(groupId, added);
    },
    async remove(groupId, memberIds) {
      // By the member indexes (one lookup per id and kind), never by walking a big group's rows.
      journalFor(journal, 'Changing group members');
      const removed: MemberChangeRow[] = [];
      for (let i = 0; i < memberIds.length; i += CHUNK) {
        const chunk = idList(dialect, memberIds.slice(i, i + CHUNK));
        for (const column of MEMBER_ID_COLUMNS) {
          const { rows } = await runPrepared(db, `${dialect}:members:remove:${column}`, [tenantId, chunk, groupId], (t, list, g) =>
            db
              .deleteFrom('group_members')
              .where('tenant_id', '=', t!)
              .where(idIn(dialect, column, list))
              .where('group_id', '=', g!)
              .returning(['member_id', 'member_type']),
          );
          for (const row of rows) removed.push(toChange(row));
        }
      }
      return changed(groupId, removed);
    },
    async removeAll(groupId) {
      journalFor(journal, 'Changing group members');
      const r = await db.deleteFrom('group_members').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).returning(['member_id', 'member_type']).execute();
      return changed(groupId, r.map(toChange));
    },
    async removeWhere(groupId, filter: Filter) {
      // `members[value eq "x"]`, `members[type eq "Group"]`: delete the rows the value filter selects,
      // one member kind at a time with `value` read from its indexed column (an index lookup for eq).
      journalFor(journal, 'Changing group members');
      const removed: MemberChangeRow[] = [];
      for (const column of MEMBER_ID_COLUMNS) {
        // One template per member kind and filter shape; the filter's values are bound (prepared.ts).
        const where = memberRowFilter(filter, sql.ref(`e.${column}`));
        const { rows } = await runShaped(db, `${dialect}:members:removeWhere:${column}`, [tenantId, groupId], bindingsOf([where]), (t, g) =>
          db
            .deleteFrom('group_members as e')
            .where('e.tenant_id', '=', t!)
            .where(`e.${column}`, 'is not', null)
            .where('e.group_id', '=', g!)
            .where(where)
            .returning([sql<string>`member_id`.as('member_id'), sql<string>`member_type`.as('member_type')]),
        );
        for (const row of rows) removed.push(toChange(row));
      }
      return changed(groupId, removed);
    },
    async *iterateMembers(groupId, pageSize) {
      // In the order members were added: keyset pages on the group index (SQLite's rowid, PostgreSQL's
      // seq), then the page's users and groups by id, one statement each with the ids as one bound
      // array. The join of all three in one statement per page cost PostgreSQL 2–3× more: a nested
      // loop probe per member and, for a big group, a parallel plan (two workers started) per page
      // (docs/performance.md §8.2).
      const position = dialect === 'sqlite' ? sql<number>`m.rowid` : sql<number>`m.seq`;
      let after = 0;
      for (;;) {
        const { rows } = await runPrepared(db, `${dialect}:members:page`, [tenantId, groupId, after, pageSize], (t, g, a, l) =>
          db
            .selectFrom('group_members as m')
            .select(['m.member_id', 'm.member_type', position.as('position')])
            .where('m.tenant_id', '=', t!)
            .where('m.group_id', '=', g!)
            .where(position, '>', a as unknown as number)
            .orderBy(position)
            .limit(l as unknown as number),
        );
        if (rows.length === 0) return;
        const users: string[] = [];
        const groups: string[] = [];
        for (const r of rows) (r.member_type === 'Group' ? groups : users).push(r.member_id);
        const display = new Map<string, string | null>();
        if (users.length > 0) {
          const found = await runPrepared(db, `${dialect}:members:users`, [tenantId, idList(dialect, users)], (t, list) =>
            db.selectFrom('scim_users as u').select(['u.id', 'u.display_name', 'u.user_name']).where('u.tenant_id', '=', t!).where(idIn(dialect, 'u.id', list)),
          );
          for (const u of found.rows) display.set(u.id, u.display_name ?? u.user_name);
        }
        if (groups.length > 0) {
          const found = await runPrepared(db, `${dialect}:members:groups`, [tenantId, idList(dialect, groups)], (t, list) =>
            db.selectFrom('scim_groups as g').select(['g.id', 'g.display_name']).where('g.tenant_id', '=', t!).where(idIn(dialect, 'g.id', list)),
          );
          for (const g of found.rows) display.set(`Group:${g.id}`, g.display_name);
        }
        yield rows.map(
          (r): MemberRow => ({
            value: r.member_id,
            type: r.member_type === 'Group' ? 'Group' : 'User',
            display: (r.member_type === 'Group' ? display.get(`Group:${r.member_id}`) : display.get(r.member_id)) ?? undefined,
          }),
        );
        if (rows.length < pageSize) return;
        after = Number(rows[rows.length - 1]!.position);
      }
    },
    async memberIds(groupId) {
      const rows = await db.selectFrom('group_members').select('member_id').where('tenant_id', '=', tenantId).where('group_id', '=', groupId).execute();
      return new Set(rows.map((r) => r.member_id));
    },
    async ancestorsOf(memberId, memberType) {
      return (await this.ancestorsOfMany([memberId], memberType)).get(memberId) ?? [];
    },
    async ancestorsOfMany(memberIds, memberType) {
      // Walk up the group graph one statement per level for all members at once; a seen-set stops at
      // cycles. Typical depth is 1–2 levels. Above the first level every member is a group.
      const result = new Map<string, Array<{ id: string; displayName: string; direct: boolean }>>();
      if (memberIds.length === 0) return result;
      const parentsOf = new Map<string, string[]>();
      let frontier = [...new Set(memberIds)];
      const seen = new Set(frontier);
      const names = new Map<string, { name: string; folded: string }>();
      for (let depth = 0; frontier.length > 0 && depth < 32; depth++) {
        const next: string[] = [];
        for (let i = 0; i < frontier.length; i += CHUNK) {
          const chunk = frontier.slice(i, i + CHUNK);
          const { rows } = await parentsWithNames(depth === 0 && memberType === 'User' ? 'user' : 'group', chunk);
          for (const r of rows) {
            const list = parentsOf.get(r.member_id) ?? [];
            list.push(r.group_id);
            parentsOf.set(r.member_id, list);
            // Never null: group_members.group_id references the group (composite foreign key).
            if (!names.has(r.group_id)) names.set(r.group_id, { name: r.display_name ?? '', folded: foldCase(r.display_name ?? '') });
            if (!seen.has(r.group_id)) {
              seen.add(r.group_id);
              if (r.has_parents) next.push(r.group_id);
            }
          }
        }
        frontier = next;
      }
      for (const member of new Set(memberIds)) {
        // Breadth-first from the member: direct groups first, then indirect ones, each once.
        const out: Array<{ id: string; displayName: string; direct: boolean }> = [];
        const visited = new Set<string>([member]);
        let level = parentsOf.get(member) ?? [];
        let direct = true;
        while (level.length > 0) {
          const up: string[] = [];
          const here = [...new Set(level)].filter((g) => !visited.has(g) && names.has(g));
          here.sort((a, b) => (names.get(a)!.folded < names.get(b)!.folded ? -1 : 1));
          for (const g of here) {
            visited.add(g);
            out.push({ id: g, displayName: names.get(g)!.name, direct });
            up.push(...(parentsOf.get(g) ?? []));
          }
          level = up;
          direct = false;
        }
        result.set(member, out);
      }
      return result;
    },
  };
}

/** A member value filter (`value eq "x"`, `type eq "Group"`, and/or/not) over group_members rows; `value` is `valueColumn`. */
function memberRowFilter(f: Filter, valueColumn: RawBuilder<unknown>): RawBuilder<boolean> {
  switch (f.kind) {
    case 'Logical':
      return f.op === 'and'
        ? sql<boolean>`(${memberRowFilter(f.left, valueColumn)} and ${memberRowFilter(f.right, valueColumn)})`
        : sql<boolean>`(${memberRowFilter(f.left, valueColumn)} or ${memberRowFilter(f.right, valueColumn)})`;
    case 'Not':
      return sql<boolean>`(not ${memberRowFilter(f.filter, valueColumn)})`;
    case 'ValuePath':
      return memberRowFilter(f.filter, valueColumn);
    case 'Present':
      return sql<boolean>`1 = 1`;
    case 'AttrExpression': {
      const name = (f.path.sub ?? f.path.name).toLowerCase();
      if (name !== 'value' && name !== 'type') {
        throw invalidFilter(`Members can be selected by "value" or "type", not "${f.path.sub ?? f.path.name}" (position ${f.path.offset})`, 'SCIM_E_MEMBERS_001', { position: f.path.offset });
      }
      const col = name === 'type' ? sql.ref('e.member_type') : valueColumn;
      const v = String(f.value);
      if (!isStorableText(v)) {
        throw invalidFilter(`The value at position ${f.offset} contains ${UNSTORABLE_TEXT}, which no member id can contain`, 'SCIM_E_MEMBERS_003', { position: f.offset });
      }
      switch (f.op) {
        case 'eq': return sql<boolean>`${col} = ${v}`;
        case 'ne': return sql<boolean>`${col} <> ${v}`;
        case 'sw': return sql<boolean>`substr(${col}, 1, ${v.length}) = ${v}`;
        default:
          throw invalidFilter(`Operator "${f.op}" is not supported in a members value filter (position ${f.offset})`, 'SCIM_E_MEMBERS_002', { position: f.offset });
      }
    }
  }
}
