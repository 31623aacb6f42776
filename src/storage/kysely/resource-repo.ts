// Users and Groups share one repository shape: hot columns + a JSON document, keyed
// (tenant_id, id), listed by filter → SQL with index or keyset pagination. Every statement
// names tenant_id; the tenant is closed over and cannot be passed in.
import { sql, type Compilable, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Filter } from '../../scim/filter/ast.js';
import type { Database } from './database.js';
import type { SqlDialectName } from './dialect-name.js';
import type { JsonObject } from '../../domain/json.js';
import type { TenantId } from '../../domain/ids.js';
import type { ResourceTypeName } from '../../scim/schema/types.js';
import { UniqueConflict, type ListQuery, type ListResult, type ResourceStore, type StoredResource, type StoredView } from '../ports.js';
import { constraintViolation } from '../dialects/errors.js';
import { groupHotValues, tableFor, userEmailRows, userHotValues } from './column-map.js';
import { filterToSql, rowCharge, sortExpression, type FilterContext } from './filter-to-sql.js';
import { beginSqlWork, DEFAULT_SQL_WORK, SqlWorkExceeded, type SqlWorkLimits } from './sql-work.js';
import { tooMany } from '../../scim/errors.js';
import { isStorableText } from '../../scim/text.js';
import { bindingsOf, insertPrepared, runPrepared, runShaped, type Bindings } from './prepared.js';
import { journalFor, type ChangeJournal } from './change-journal.js';
import { idIn, idList } from './id-list.js';

type Row = { seq: number; id: string; version: number; created_at: string; updated_at: string; doc: unknown; source?: string };

export const parseDoc = (doc: unknown): JsonObject => (typeof doc === 'string' ? (JSON.parse(doc) as JsonObject) : (doc as JsonObject));

const toStored = (r: Row): StoredResource & { seq: number } => ({
  seq: Number(r.seq),
  id: r.id,
  version: Number(r.version),
  created: r.created_at,
  lastModified: r.updated_at,
  doc: parseDoc(r.doc),
  ...(r.source === undefined ? {} : { source: r.source }),
});

/**
 * A row as read for a response: SQLite returns the document as text, handed on unparsed (a GET or
 * list page of the default view splices it into the response); PostgreSQL returns jsonb parsed.
 */
const toView = (r: Row): StoredView & { seq: number } =>
  typeof r.doc === 'string'
    ? { seq: Number(r.seq), id: r.id, version: Number(r.version), created: r.created_at, lastModified: r.updated_at, docText: r.doc, ...(r.source === undefined ? {} : { source: r.source }) }
    : toStored(r);

function uniqueAttribute(type: ResourceTypeName, error: unknown): string | undefined {
  const v = constraintViolation(error);
  if (v?.kind !== 'unique') return undefined;
  const c = v.constraint;
  if (/user_name/.test(c)) return 'userName';
  if (/display_name/.test(c)) return 'displayName';
  if (/scim_users_id|scim_groups_id|\.id\b/.test(c)) return 'id';
  return type === 'User' ? 'userName' : 'displayName';
}

/** Attributes whose equality selects a handful of rows through an index. */
const SELECTIVE = new Set(['id', 'username', 'externalid', 'emails', 'emails.value', 'members', 'members.value']);

/** Whether the filter pins the result to a few rows by itself (an equality on a SELECTIVE attribute). */
export function isSelective(f: Filter | undefined, parent = ''): boolean {
  switch (f?.kind) {
    case 'AttrExpression':
      return f.op === 'eq' && f.value !== null && SELECTIVE.has(`${parent}${f.path.name}${f.path.sub ? `.${f.path.sub}` : ''}`.toLowerCase());
    case 'Logical':
      return f.op === 'and' ? isSelective(f.left, parent) || isSelective(f.right, parent) : isSelective(f.left, parent) && isSelective(f.right, parent);
    case 'ValuePath': // emails[value eq "x"] is emails.value eq "x"
      return isSelective(f.filter, `${f.path.name}.`);
    default:
      return false;
  }
}

const sameRows = (a: ReadonlyArray<{ value_folded: string; type_folded: string }>, b: typeof a): boolean =>
  a.length === b.length && a.every((r, i) => r.value_folded === b[i]?.value_folded && r.type_folded === b[i]?.type_folded);

/** The document's value of the unique attribute (userName, displayName, externalId). */
function clashingValue(doc: JsonObject, attr: string): string | undefined {
  const key = Object.keys(doc).find((k) => k.toLowerCase() === attr.toLowerCase());
  const v = key === undefined ? undefined : doc[key];
  return typeof v === 'string' ? v : undefined;
}

export function createResourceRepo(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId, type: ResourceTypeName, journal?: ChangeJournal, limitsOfWork: SqlWorkLimits = DEFAULT_SQL_WORK): ResourceStore {
  const table = tableFor(type);
  /** Every write notes itself in the transaction's change journal; outside a transaction it is refused. */
  const changed = (id: string) => journalFor(journal, `Writing a ${type}`).note(`${type}:${id}`);
  const ctx: FilterContext = { dialect, resourceType: type, alias: 'r', tenantId };
  // `source` is written on insert only: an update (or a claim, through the lifecycle store) never flips it by accident.
  const hot = (doc: JsonObject) => (type === 'User' ? userHotValues(doc) : groupHotValues(doc));
  const ROW = (type === 'User'
    ? ['r.seq', 'r.id', 'r.version', 'r.created_at', 'r.updated_at', 'r.doc', 'r.source']
    : ['r.seq', 'r.id', 'r.version', 'r.created_at', 'r.updated_at', 'r.doc']) as unknown as readonly ['r.seq', 'r.id', 'r.version', 'r.created_at', 'r.updated_at', 'r.doc'];

  /** The email side rows of a User; on update only when they changed (most PATCHes leave emails alone). */
  /**
   * The hot columns to SET: those whose value changes (all of them without `previous`). SQLite
   * rewrites the entry of every index whose column an UPDATE sets, changed or not — a WAL page per
   * index at COMMIT: a PATCH of `title` wrote five untouched index pages of scim_users.
   */
  function changedHotValues(doc: JsonObject, previous: JsonObject | undefined): Record<string, unknown> {
    const next = hot(doc) as Record<string, unknown>;
    if (!previous) return next;
    const before = hot(previous) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(next).filter(([column, value]) => before[column] !== value));
  }

  async function writeEmails(id: string, doc: JsonObject, replace: boolean, previous?: JsonObject): Promise<void> {
    if (type !== 'User') return;
    const next = userEmailRows(doc);
    if (replace && previous && sameRows(userEmailRows(previous), next)) return;
    if (replace) {
      await runPrepared(db, `${dialect}:emails:delete`, [tenantId, id], (t, u) => db.deleteFrom('scim_user_emails').where('tenant_id', '=', t!).where('user_id', '=', u!));
    }
    for (const e of next) await insertPrepared(db, dialect, 'scim_user_emails', { tenant_id: tenantId, user_id: id, value_folded: e.value_folded, type_folded: e.type_folded });
  }

  async function adjustCount(delta: number): Promise<void> {
    await runPrepared(db, `${dialect}:adjustCount`, [tenantId, type, delta, delta], (t, rt, d, d2) =>
      db
        .insertInto('resource_counts')
        .values({ tenant_id: t!, resource_type: rt!, count: d as unknown as number })
        .onConflict((oc) => oc.columns(['tenant_id', 'resource_type']).doUpdateSet({ count: sql`resource_counts.count + ${d2}` })),
    );
  }


  async function total(db: Kysely<Database>, where: RawBuilder<SqlBool> | undefined): Promise<number> {
    if (!where) {
      const { rows } = await runPrepared(db, `${dialect}:counts:get`, [tenantId, type], (t, rt) =>
        db.selectFrom('resource_counts').select('count').where('tenant_id', '=', t!).where('resource_type', '=', rt!),
      );
      return Number(rows[0]?.count ?? 0);
    }
    const { rows } = await runShaped(db, `${dialect}:${table}:count`, [tenantId], bindingsOf([where]), (t) =>
      db
        .selectFrom(`${table} as r` as 'scim_users as r')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('r.tenant_id', '=', t!)
        .where(where),
    );
    return Number(rows[0]?.n);
  }

  async function rowById(id: string): Promise<Row | undefined> {
    // No stored id contains U+0000 or an unpaired surrogate, and PostgreSQL refuses them as
    // parameters (a 500): whoever asks, the answer is "not found".
    if (!isStorableText(id)) return undefined;
    const { rows } = await runPrepared(db, `${dialect}:${table}:findById`, [tenantId, id], (t, i) =>
      db.selectFrom(`${table} as r` as 'scim_users as r').select(ROW).where('r.tenant_id', '=', t).where('r.id', '=', i),
    );
    return rows[0] as Row | undefined;
  }

  return {
    resourceType: type,

    async insert(id, doc, now, options = {}) {
      changed(id);
      const created = options.created ?? now;
      const version = options.version ?? 1;
      const values = {
        tenant_id: tenantId,
        id,
        created_at: created,
        updated_at: now,
        version,
        doc: JSON.stringify(doc),
        ...hot(doc),
        ...(type === 'User' ? { source: options.source ?? 'scim' } : {}),
      };
      try {
        await insertPrepared(db, dialect, table, values);
      } catch (error) {
        const attr = uniqueAttribute(type, error);
        if (attr) throw new UniqueConflict(attr, clashingValue(doc, attr));
        throw error;
      }
      await writeEmails(id, doc, false);
      await adjustCount(1);
      return { id, version, created, lastModified: now, doc, ...(type === 'User' ? { source: options.source ?? 'scim' } : {}) };
    },

    async findById(id) {
      const row = await rowById(id);
      return row ? toStored(row) : undefined;
    },

    async findView(id) {
      const row = await rowById(id);
      return row ? toView(row) : undefined;
    },

    async findForUpdate(id) {
      if (!isStorableText(id)) return undefined;
      // SQLite runs one write transaction at a time: a plain read is already serialised.
      if (dialect !== 'postgres') {
        const row = await rowById(id);
        return row ? toStored(row) : undefined;
      }
      // PostgreSQL: a row lock held to the end of the write transaction, so concurrent writers of
      // one resource queue instead of failing the optimistic version check (issue #16). NO KEY
      // UPDATE, like the UPDATE that follows: it does not block the KEY SHARE lock a foreign key
      // check takes (a member row referencing this user), so group writes never wait on it.
      const { rows } = await runPrepared(db, `${dialect}:${table}:findForUpdate`, [tenantId, id], (t, i) =>
        db.selectFrom(`${table} as r` as 'scim_users as r').select(ROW).where('r.tenant_id', '=', t).where('r.id', '=', i).forNoKeyUpdate(),
      );
      return rows[0] ? toStored(rows[0] as Row) : undefined;
    },

    async update(id, doc, now, expectedVersion, previous) {
      changed(id);
      let result: { created_at: string } | undefined;
      const set: Record<string, unknown> = { ...changedHotValues(doc, previous), doc: JSON.stringify(doc), updated_at: now, version: expectedVersion + 1 };
      const cols = Object.keys(set);
      try {
        const { rows } = await runPrepared(db, `${dialect}:${table}:update:${cols.join(',')}`, [...Object.values(set), tenantId, id, expectedVersion], (...p) =>
          db
            .updateTable(table as 'scim_users')
            .set(Object.fromEntries(cols.map((c, i) => [c, p[i]])) as never)
            .where('tenant_id', '=', p[cols.length]!)
            .where('id', '=', p[cols.length + 1]!)
            .where('version', '=', p[cols.length + 2] as unknown as number)
            .returning(['created_at']),
        );
        result = rows[0];
      } catch (error) {
        const attr = uniqueAttribute(type, error);
        if (attr) throw new UniqueConflict(attr, clashingValue(doc, attr));
        throw error;
      }
      if (!result) return undefined;
      await writeEmails(id, doc, true, previous);
      return { id, version: expectedVersion + 1, created: result.created_at, lastModified: now, doc };
    },

    async touch(id, now) {
      changed(id);
      const { rows } = await runPrepared(db, `${dialect}:${table}:touch`, [now, tenantId, id], (n, t, i) =>
        db
          .updateTable(table as 'scim_users')
          .set({ updated_at: n!, version: sql`version + 1` })
          .where('tenant_id', '=', t!)
          .where('id', '=', i!)
          .returning(type === 'User' ? ['seq', 'id', 'version', 'created_at', 'updated_at', 'doc', 'source'] : ['seq', 'id', 'version', 'created_at', 'updated_at', 'doc']),
      );
      return rows[0] ? toStored(rows[0] as Row) : undefined;
    },

    async delete(id) {
      changed(id);
      const { rows } = await runPrepared(db, `${dialect}:${table}:delete`, [tenantId, id], (t, i) =>
        db.deleteFrom(table as 'scim_users').where('tenant_id', '=', t!).where('id', '=', i!).returning('id'),
      );
      const deleted = rows.length > 0;
      if (deleted) await adjustCount(-1);
      return deleted;
    },

    async findByIds(candidates) {
      const out: StoredResource[] = [];
      const ids = [...new Set(candidates.filter(isStorableText))];
      for (let i = 0; i < ids.length; i += 500) {
        const { rows } = await runPrepared(db, `${dialect}:${table}:findByIds`, [tenantId, idList(dialect, ids.slice(i, i + 500))], (t, list) =>
          db.selectFrom(`${table} as r` as 'scim_users as r').select(ROW).where('r.tenant_id', '=', t!).where(idIn(dialect, 'r.id', list)),
        );
        for (const r of rows) out.push(toStored(r as Row));
      }
      return out;
    },

    async existingIds(candidates) {
      const found = new Set<string>();
      const ids = candidates.filter(isStorableText);
      for (let i = 0; i < ids.length; i += 500) {
        const { rows } = await runPrepared(db, `${dialect}:${table}:existingIds`, [tenantId, idList(dialect, ids.slice(i, i + 500))], (t, list) =>
          db.selectFrom(table as 'scim_users').select('id').where('tenant_id', '=', t!).where(idIn(dialect, 'id', list)),
        );
        for (const r of rows) found.add(r.id);
      }
      return found;
    },

    list: (query) => listAs(query, toStored),
    listViews: (query) => listAs(query, toView),
  };

  /** A list page, each row made a StoredResource or a StoredView by `as`. */
  async function listAs<R extends StoredView>(query: ListQuery, as: (r: Row) => R & { seq: number }): Promise<ListResult<R>> {
    if (!query.filter) return listWith(query, ctx, db, as);
    if (dialect === 'postgres') {
      // PostgreSQL evaluates in its own process (the event loop is free meanwhile); a filtered
      // list is bounded by a statement_timeout of its own, shorter than the pool's 30 s.
      const run = async (d: Kysely<Database>) => {
        await sql`select set_config('statement_timeout', ${String(limitsOfWork.deadlineMsPostgres)}, true)`.execute(d);
        return listWith(query, ctx, d, as);
      };
      try {
        return db.isTransaction ? await run(db) : await db.transaction().execute(run);
      } catch (e) {
        if ((e as { code?: unknown }).code === '57014') throw workRefused(new SqlWorkExceeded('deadline', { ...limitsOfWork, deadlineMs: limitsOfWork.deadlineMsPostgres }));
        throw e;
      }
    }
    const meter = beginSqlWork(limitsOfWork);
    try {
      return await listWith(query, { ...ctx, meter: { token: meter.token, json: false } }, db, as);
    } catch (e) {
      if (e instanceof SqlWorkExceeded) throw workRefused(e);
      throw e;
    } finally {
      meter.end();
    }
  }

  /**
   * One page of a list. Every statement is a cached template per *shape* (prepared.ts): the filter
   * is compiled to SQL on each call (that is where it is validated and its values folded), but the
   * statement around it is built and compiled by Kysely only the first time its shape is seen, and
   * the filter's values are bound as parameters of that same statement (one prepared statement per
   * shape in SQLite's cache, whatever the values).
   */
  async function listWith<R extends StoredView>(query: ListQuery, ctx: FilterContext, db: Kysely<Database>, as: (r: Row) => R & { seq: number }): Promise<ListResult<R>> {
      const filtered = query.filter ? filterToSql(ctx, query.filter) : undefined;
      const charge = filtered ? rowCharge(ctx) : undefined;
      const where = filtered && charge ? sql<SqlBool>`(${charge} and ${filtered})` : filtered;
      const count = query.page.count;
      const base = (t: string) => {
        const q = db.selectFrom(`${table} as r` as 'scim_users as r').select(ROW).where('r.tenant_id', '=', t);
        return where ? q.where(where) : q;
      };
      const rowsOf = async (key: string, args: readonly unknown[], inner: Bindings, build: (...m: string[]) => Compilable<unknown>) =>
        (await runShaped(db, `${dialect}:${table}:list:${key}`, args, inner, build)).rows as Row[];
      const page = query.page;

      if (page.kind === 'cursor') {
        // Keyset pages on seq: any depth costs the same as the first page.
        const backwards = page.beforeSeq !== undefined;
        const after = page.afterSeq !== undefined;
        const args = [tenantId, ...(after ? [page.afterSeq] : []), ...(backwards ? [page.beforeSeq] : []), count + 1];
        const rows =
          count <= 0
            ? []
            : await rowsOf(`cursor:${after}:${backwards}`, args, bindingsOf([where]), (t, ...m) => {
                let q = base(t!);
                let i = 0;
                if (after) q = q.where('r.seq', '>', m[i++] as unknown as number);
                if (backwards) q = q.where('r.seq', '<', m[i++] as unknown as number);
                return q.orderBy('r.seq', backwards ? 'desc' : 'asc').limit(m[i] as unknown as number);
              });
        const ordered = backwards ? rows.slice(0, count).reverse() : rows.slice(0, count);
        const out = ordered.map(as);
        return { total: query.withTotal ? await total(db, where) : undefined, resources: out, hasMore: rows.length > count };
      }

      const offset = Math.max(0, page.startIndex - 1);
      let rows: Row[];
      if (count <= 0) rows = [];
      else if (query.sort) {
        const expr = sortExpression(ctx, query.sort.attr);
        const descending = query.sort.descending;
        // NULLs last in both directions and both dialects; seq breaks ties so pages are stable.
        rows = await rowsOf(`sort:${descending}`, [tenantId, count, offset], bindingsOf([where, expr, expr]), (t, limit, off) =>
          base(t!)
            .orderBy(sql`(${expr} is null)`)
            .orderBy(sql`${expr} ${descending ? sql`desc` : sql`asc`}`)
            .orderBy('r.seq')
            .limit(limit as unknown as number)
            .offset(off as unknown as number),
        );
      } else if (!where && offset > 0) {
        // Deep offsets: walk the narrow (tenant_id, seq) index to find the first seq, then read a range.
        rows = await rowsOf('deep', [tenantId, offset, tenantId, count], bindingsOf([]), (t, off, t2, limit) => {
          const start = db
            .selectFrom(`${table} as s` as 'scim_users as s')
            .select('s.seq')
            .where('s.tenant_id', '=', t!)
            .orderBy('s.seq')
            .limit(1)
            .offset(off as unknown as number);
          return base(t2!).where('r.seq', '>=', start).orderBy('r.seq').limit(limit as unknown as number);
        });
      } else {
        // A selective filter (equality on userName, externalId, id, emails.value …) is answered from its
        // index and the few rows sorted. Without statistics SQLite prefers walking the tenant's whole seq
        // index in order and testing every row against the IN list (5 ms at 10k users, ~0.9 s at 1M);
        // `+seq` (not an indexable expression) rules that plan out.
        const selective = !!where && dialect === 'sqlite' && isSelective(query.filter);
        rows = await rowsOf(`seq:${selective}`, [tenantId, count, offset], bindingsOf([where]), (t, limit, off) =>
          base(t!)
            .orderBy(selective ? sql`+${sql.ref('r.seq')}` : sql.ref('r.seq'))
            .limit(limit as unknown as number)
            .offset(off as unknown as number),
        );
      }
      // A short page tells the total by itself (the usual `userName eq` lookup): no count query.
      const known = rows.length > 0 && rows.length < count ? offset + rows.length : offset === 0 && rows.length === 0 && count > 0 ? 0 : undefined;
      const totalCount = query.withTotal ? (known ?? (await total(db, where))) : undefined;
      return { total: totalCount, resources: rows.map(as) };
  }
}

/** 400 tooMany naming the limit (RFC 7644 §3.12: "more results than the server is willing to calculate or process"). */
function workRefused(e: SqlWorkExceeded) {
  const what = e.limit === 'units' ? `${e.limits.units} units of work (1 per row examined, 1 per comparison on an attribute no index serves, 1 per 2 KiB of document read)` : `${e.limits.deadlineMs} ms of database time`;
  return tooMany(
    `This filter needs more work than one request may do: at most ${what}. Filter on an indexed attribute (id, userName, externalId, displayName, emails, members, groups), or narrow the filter with "and" on one; see docs/security.md "Cost model".`,
    'SCIM_E_FILTER_SQL_019',
  );
}
