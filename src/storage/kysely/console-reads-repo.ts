// Read models for the console: Manage Users and Groups lists from the hot columns, group members
// by page, and provisioning health. Searches go through the same SCIM filter → SQL compiler as
// /scim/v2 list requests, so the console and the API cannot disagree about what matches.
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from './database.js';
import type { SignInTables } from './sign-in-store.js';
import type { SqlDialectName } from './dialect-name.js';
import type { TenantId } from '../../domain/ids.js';
import type { ConsoleReads, DirectoryUserRow, SortSpec } from '../ports.js';
import { filterToSql, rowCharge, sortExpression, type FilterContext } from './filter-to-sql.js';
import { isStorableText } from '../../scim/text.js';
import { beginSqlWork, DEFAULT_SQL_WORK, SqlWorkExceeded, type SqlWorkLimits } from './sql-work.js';
import { tooMany } from '../../scim/errors.js';

/**
 * The console's search box costs what a SCIM filter costs (docs/security.md "Cost model"): on
 * SQLite every row the search examines is charged to the request's scim_work() meter, and past the
 * budget or the deadline the statement is abandoned; on PostgreSQL the search runs under its own
 * statement_timeout. The page then says to narrow the search, instead of holding up every tenant.
 */
function searchRefused(e: SqlWorkExceeded) {
  const what = e.limit === 'units' ? `${e.limits.units} units of work (1 per user or group examined)` : `${e.limits.deadlineMs} ms of database time`;
  return tooMany(`This search needs more work than one page may do (at most ${what}). Search for a longer part of the name or email, or by status alone.`, 'SCIM_E_FILTER_SQL_019');
}

type UserRow = { id: string; user_name: string; display_name: string | null; email: string | null; active: number; source: string; updated_at: string };

const toUserRow = (r: UserRow): DirectoryUserRow => ({
  id: r.id,
  userName: r.user_name,
  displayName: r.display_name,
  email: r.email,
  active: Number(r.active) === 1,
  source: r.source,
  lastModified: r.updated_at,
});

const USER_COLUMNS = ['r.id', 'r.user_name', 'r.display_name', 'r.email', 'r.active', 'r.source', 'r.updated_at'] as const;

export function createConsoleReadsRepo(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId, work: SqlWorkLimits = DEFAULT_SQL_WORK): ConsoleReads {
  const userCtx: FilterContext = { dialect, resourceType: 'User', alias: 'r', tenantId };
  const groupCtx: FilterContext = { dialect, resourceType: 'Group', alias: 'r', tenantId };

  /** Runs a filtered read under the work bound of its dialect (see searchRefused). */
  async function metered<T>(ctx: FilterContext, run: (ctx: FilterContext, d: Kysely<Database>) => Promise<T>): Promise<T> {
    if (dialect === 'postgres') {
      const inner = async (d: Kysely<Database>) => {
        await sql`select set_config('statement_timeout', ${String(work.deadlineMsPostgres)}, true)`.execute(d);
        return run(ctx, d);
      };
      try {
        return db.isTransaction ? await inner(db) : await db.transaction().execute(inner);
      } catch (e) {
        if ((e as { code?: unknown }).code === '57014') throw searchRefused(new SqlWorkExceeded('deadline', { ...work, deadlineMs: work.deadlineMsPostgres }));
        throw e;
      }
    }
    const meter = beginSqlWork(work);
    try {
      return await run({ ...ctx, meter: { token: meter.token, json: false } }, db);
    } catch (e) {
      if (e instanceof SqlWorkExceeded) throw searchRefused(e);
      throw e;
    } finally {
      meter.end();
    }
  }

  /** The WHERE of a filtered read: the row charge first, so every row examined pays (SQLite). */
  const whereOf = (ctx: FilterContext, filter: Parameters<typeof filterToSql>[1]) => {
    const filtered = filterToSql(ctx, filter);
    const charge = rowCharge(ctx);
    return charge ? sql<SqlBool>`(${charge} and ${filtered})` : filtered;
  };

  /** NULLs last in both directions and both dialects; seq breaks ties so pages are stable. */
  const order = (ctx: FilterContext, sort: SortSpec | undefined) => {
    if (!sort) return [sql`r.seq asc`];
    const expr = sortExpression(ctx, sort.attr);
    return [sql`(${expr} is null)`, sql`${expr} ${sort.descending ? sql`desc` : sql`asc`}`, sql`r.seq asc`];
  };

  async function readGroups(q: Parameters<ConsoleReads['listGroups']>[0], ctx: FilterContext, d: Kysely<Database>) {
    const where = q.filter ? whereOf(ctx, q.filter) : sql<SqlBool>`1 = 1`;
    const base = d.selectFrom('scim_groups as r').where('r.tenant_id', '=', tenantId).where(where);
    const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    let rowsQ = base.select((eb) => [
      'r.id',
      'r.display_name',
      'r.external_id',
      'r.updated_at',
      eb
        .selectFrom('group_members as m')
        .select((e) => e.fn.countAll<number>().as('c'))
        .where('m.tenant_id', '=', tenantId)
        .whereRef('m.group_id', '=', 'r.id')
        .as('member_count'),
    ]);
    for (const o of order(ctx, q.sort)) rowsQ = rowsQ.orderBy(o);
    const rows = q.limit > 0 ? await rowsQ.limit(q.limit).offset(q.offset).execute() : [];
    return {
      total: Number(totalRow.n),
      rows: rows.map((r) => ({ id: r.id, displayName: r.display_name, externalId: r.external_id, memberCount: Number(r.member_count ?? 0), lastModified: r.updated_at })),
    };
  }

  return {
    async listUsers(q) {
      const read = async (ctx: FilterContext, d: Kysely<Database>) => {
        const where = q.filter ? whereOf(ctx, q.filter) : sql<SqlBool>`1 = 1`;
        let base = d.selectFrom('scim_users as r').where('r.tenant_id', '=', tenantId).where(where);
        if (q.source !== undefined) base = base.where('r.source', '=', q.source);
        const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        let rowsQ = base.select(USER_COLUMNS);
        for (const o of order(ctx, q.sort)) rowsQ = rowsQ.orderBy(o);
        const rows = q.limit > 0 ? await rowsQ.limit(q.limit).offset(q.offset).execute() : [];
        return { total: Number(totalRow.n), rows: rows.map(toUserRow) };
      };
      return q.filter ? metered(userCtx, read) : read(userCtx, db);
    },

    async signInOf(scimUserId) {
      if (!isStorableText(scimUserId)) return { lastSignInAt: null, identities: [] };
      const sdb = db as unknown as Kysely<Database & SignInTables>;
      const [user, identities] = await Promise.all([
        sdb.selectFrom('sign_in_users').select('last_sign_in_at').where('tenant_id', '=', tenantId).where('scim_user_id', '=', scimUserId).executeTakeFirst(),
        sdb.selectFrom('sign_in_identities').select(['provider', 'linked_at']).where('tenant_id', '=', tenantId).where('scim_user_id', '=', scimUserId).orderBy('linked_at').execute(),
      ]);
      return { lastSignInAt: user?.last_sign_in_at ?? null, identities: identities.map((i) => ({ provider: i.provider, linkedAt: i.linked_at })) };
    },

    async directoryHints() {
      const [noEmail, nonEmailNames, empty] = await Promise.all([
        db.selectFrom('scim_users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('email', 'is', null).executeTakeFirstOrThrow(),
        db.selectFrom('scim_users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('user_name', 'not like', '%@%').executeTakeFirstOrThrow(),
        db
          .selectFrom('scim_groups as g')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('g.tenant_id', '=', tenantId)
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('group_members as m').select('m.group_id').whereRef('m.tenant_id', '=', 'g.tenant_id').whereRef('m.group_id', '=', 'g.id'))))
          .executeTakeFirstOrThrow(),
      ]);
      return { usersWithoutEmail: Number(noEmail.n), nonEmailUserNames: Number(nonEmailNames.n), emptyGroups: Number(empty.n) };
    },

    async resourceNames(ids) {
      const wanted = [...new Set(ids)].filter((id) => isStorableText(id) && id.length <= 256).slice(0, 500);
      const out = new Map<string, string>();
      if (wanted.length === 0) return out;
      const [users, groups] = await Promise.all([
        db.selectFrom('scim_users').select(['id', 'display_name', 'user_name']).where('tenant_id', '=', tenantId).where('id', 'in', wanted).execute(),
        db.selectFrom('scim_groups').select(['id', 'display_name']).where('tenant_id', '=', tenantId).where('id', 'in', wanted).execute(),
      ]);
      for (const u of users) out.set(u.id, u.display_name ?? u.user_name);
      for (const g of groups) out.set(g.id, g.display_name);
      return out;
    },

    async findUser(id) {
      if (!isStorableText(id)) return undefined; // as in resource-repo: PostgreSQL would refuse it (500)
      const row = await db.selectFrom('scim_users as r').select(USER_COLUMNS).where('r.tenant_id', '=', tenantId).where('r.id', '=', id).executeTakeFirst();
      return row ? toUserRow(row) : undefined;
    },

    async listGroups(q) {
      return q.filter ? metered(groupCtx, (ctx, d) => readGroups(q, ctx, d)) : readGroups(q, groupCtx, db);
    },


    async groupMembers(groupId, offset, limit) {
      const base = db.selectFrom('group_members as m').where('m.tenant_id', '=', tenantId).where('m.group_id', '=', groupId);
      const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows =
        limit <= 0
          ? []
          : await base
              .leftJoin('scim_users as u', (j) => j.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.user_id'))
              .leftJoin('scim_groups as g', (j) => j.onRef('g.tenant_id', '=', 'm.tenant_id').onRef('g.id', '=', 'm.child_group_id'))
              .select(['m.member_id', 'm.member_type', 'u.display_name as user_display', 'u.user_name', 'u.active', 'g.display_name as group_display'])
              .orderBy(sql`coalesce(g.display_name_folded, u.display_name_folded, u.user_name_folded)`)
              .orderBy('m.member_id')
              .limit(limit)
              .offset(offset)
              .execute();
      return {
        total: Number(totalRow.n),
        rows: rows.map((r) => {
          const isGroup = r.member_type === 'Group';
          return {
            id: r.member_id,
            type: isGroup ? ('Group' as const) : ('User' as const),
            displayName: isGroup ? r.group_display : r.user_display,
            userName: isGroup ? null : r.user_name,
            active: isGroup || r.active === null ? null : Number(r.active) === 1,
          };
        }),
      };
    },

    async counts() {
      const users = await db
        .selectFrom('scim_users')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('active').as('a')])
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      const groups = await db.selectFrom('scim_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return { users: Number(users.n), activeUsers: Number(users.a ?? 0), groups: Number(groups.n) };
    },

    async provisioningStats(sinceIso) {
      const row = await db
        .selectFrom('activity_log')
        .select((eb) => [
          eb.fn.sum<number>(eb.case().when('status', '<', 400).then(1).else(0).end()).as('ok'),
          eb.fn.sum<number>(eb.case().when('status', '>=', 400).then(1).else(0).end()).as('err'),
        ])
        .where('tenant_id', '=', tenantId)
        .where('key_id', 'is not', null)
        .where('at', '>=', sinceIso)
        .executeTakeFirst();
      const last = await db
        .selectFrom('activity_log')
        .select(['at', 'key_id', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('key_id', 'is not', null)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return {
        successes: Number(row?.ok ?? 0),
        errors: Number(row?.err ?? 0),
        last: last?.key_id ? { at: last.at, keyId: last.key_id, status: Number(last.status) } : undefined,
      };
    },
  };
}
