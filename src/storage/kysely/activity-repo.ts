// The provisioning activity log: one row per SCIM request, shown in the console.
import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { ActivityLogTable, Database } from './database.js';
import type { TenantId } from '../../domain/ids.js';
import type { ActivityEntry, ActivityRecord, ActivityStore } from '../ports.js';
import { toStorableText } from '../../scim/text.js';
import type { SqlDialectName } from './dialect-name.js';
import { insertPrepared, runPrepared } from './prepared.js';

const toRecord = (r: Selectable<ActivityLogTable>): ActivityRecord => ({
  seq: Number(r.seq),
  at: r.at,
  keyId: r.key_id,
  actor: r.actor,
  method: r.method,
  path: r.path,
  status: Number(r.status),
  scimType: r.scim_type,
  durationMs: Number(r.duration_ms),
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  summary: r.summary,
});

// Bounds on client-controlled text. Paths, ids and error details can echo up to a whole request
// body; unbounded, one request could write a megabyte row, and on PostgreSQL a resource_id over
// the ~2.7 kB btree limit failed the insert of the whole batch (the other requests went unlogged).
const MAX_PATH = 1024;
const MAX_RESOURCE_ID = 256;
const MAX_SUMMARY = 2048;

/**
 * Storable text (no U+0000, no unpaired surrogate: one bad row used to fail its whole batch on
 * PostgreSQL) of at most `max` UTF-16 units, never splitting a surrogate pair, "…" when clipped.
 */
export function clip(text: string, max: number): string;
export function clip(text: string | null, max: number): string | null;
export function clip(raw: string | null, max: number): string | null {
  if (raw === null) return null;
  const text = toStorableText(raw);
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * The predicate of the partial index activity_log_changes (migration 0025), spelled exactly as
 * there with literal constants: SQLite and PostgreSQL use a partial index only for a query whose
 * WHERE implies the index's, and a bound parameter implies nothing.
 */
const CHANGES_OR_FAILURES = sql<SqlBool>`(method <> 'GET' or status >= 400)`;

/** Rows per compiled multi-row INSERT of queued activity entries. */
const APPEND_CHUNK = 50;

export function createActivityRepo(db: Kysely<Database>, dialect: SqlDialectName, tenantId: TenantId): ActivityStore {
  const toRow = (e: ActivityEntry) => ({
    tenant_id: tenantId,
    at: e.at,
    key_id: e.keyId,
    actor: e.actor,
    method: clip(e.method, 16),
    path: clip(e.path, MAX_PATH),
    status: e.status,
    scim_type: e.scimType,
    duration_ms: e.durationMs,
    resource_type: e.resourceType,
    resource_id: clip(e.resourceId, MAX_RESOURCE_ID),
    summary: clip(e.summary, MAX_SUMMARY),
  });
  return {
    async record(entry) {
      // Every SCIM write logs one row in its transaction and its events point at it: compiled once.
      const row = toRow(entry);
      const cols = Object.keys(row);
      const { rows } = await runPrepared(db, `${dialect}:activity:record`, Object.values(row), (...p) =>
        db.insertInto('activity_log').values(Object.fromEntries(cols.map((c, i) => [c, p[i]])) as never).returning('seq'),
      );
      return Number((rows[0] as { seq: number }).seq);
    },
    async append(entries) {
      if (entries.length === 0) return;
      const rows = entries.map(toRow);
      // Batches of queued entries (reads, failures); one row is compiled once.
      if (rows.length === 1) return insertPrepared(db, dialect, 'activity_log', rows[0]!);
      // Building and compiling a multi-row INSERT costs Kysely ~4.5 µs per row, i.e. per logged
      // read (issue #15): full chunks use one statement compiled once, the rest one built here.
      const cols = Object.keys(rows[0]!);
      let i = 0;
      for (; rows.length - i >= APPEND_CHUNK; i += APPEND_CHUNK) {
        const args = rows.slice(i, i + APPEND_CHUNK).flatMap((r) => Object.values(r));
        await runPrepared(db, `${dialect}:activity:append:${APPEND_CHUNK}`, args, (...p) =>
          db.insertInto('activity_log').values(Array.from({ length: APPEND_CHUNK }, (_, r) => Object.fromEntries(cols.map((c, k) => [c, p[r * cols.length + k]]))) as never),
        );
      }
      if (i < rows.length) await db.insertInto('activity_log').values(rows.slice(i)).execute();
    },
    async list({ errorsOnly, resourceId, withReads, beforeSeq, limit }) {
      let q = db.selectFrom('activity_log').selectAll().where('tenant_id', '=', tenantId);
      if (errorsOnly) q = q.where('status', '>=', 400);
      if (resourceId !== undefined) q = withReads ? q.where('resource_id', '=', resourceId) : q.where('resource_id', '=', resourceId).where(CHANGES_OR_FAILURES);
      if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
      const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
      return rows.map(toRecord);
    },
    async find(seq) {
      const row = await db.selectFrom('activity_log').selectAll().where('tenant_id', '=', tenantId).where('seq', '=', seq).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async stats(sinceIso) {
      const row = await db
        .selectFrom('activity_log')
        .select((eb) => [
          eb.fn.sum<number>(eb.case().when('status', '<', 400).then(1).else(0).end()).as('ok'),
          eb.fn.sum<number>(eb.case().when('status', '>=', 400).then(1).else(0).end()).as('err'),
        ])
        .where('tenant_id', '=', tenantId)
        .where('at', '>=', sinceIso)
        .executeTakeFirst();
      const last = await db.selectFrom('activity_log').select('at').where('tenant_id', '=', tenantId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return { successes: Number(row?.ok ?? 0), errors: Number(row?.err ?? 0), lastAt: last?.at ?? null };
    },
  };
}
