// Provisioning activity (every SCIM request of the organisation, newest first, filterable to
// errors) and the dashboard's sync health: when the identity provider last called, how many
// requests succeeded and failed in the last 24 hours, and the latest errors with their detail.
import type { ActivityRecord, AuthFailureReason, ConsoleStore } from '../../storage/ports.js';
import { ServiceError } from '../organizations/organizations.js';
import { requireAdmin, type ConsoleActor } from './console-auth.js';

export interface ActivityRow extends ActivityRecord {
  /** Name of the API key that made the request; null for console actions and deleted keys. */
  readonly keyName: string | null;
  /** The error detail from the redacted summary, when there is one. */
  readonly detail: string | null;
  /** The resource's display name (else user name) when it still exists. */
  readonly resourceName: string | null;
  /** What a write changed: attribute paths with old → new values. */
  readonly changes: readonly AttributeChangeView[];
  readonly moreChanges: number;
  /** A 409's clashing record. */
  readonly conflict: { readonly attribute: string; readonly value: string; readonly existingId: string; readonly existingName: string } | null;
}

export interface AttributeChangeView {
  readonly path: string;
  readonly from: string | null;
  readonly to: string | null;
}

export interface ActivityPage {
  readonly errorsOnly: boolean;
  readonly pageSize: number;
  readonly rows: readonly ActivityRow[];
  /** `before` for the next (older) page, when there is one. */
  readonly nextBefore: number | undefined;
  readonly before: number | undefined;
}

export type SyncHealth = 'not_connected' | 'refused' | 'healthy' | 'degraded' | 'failing' | 'idle';

/** Refused requests that named one of the organisation's keys, aggregated per key and reason. */
export interface RefusedConnection {
  readonly keyId: string;
  /** The key's name (revoked keys keep theirs); null once the key row is gone. */
  readonly keyName: string | null;
  readonly reason: AuthFailureReason;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly attempts: number;
  readonly userAgent: string | null;
  /** Still happening: the last refusal is newer than the last accepted request. */
  readonly ongoing: boolean;
}

export interface Dashboard {
  readonly health: SyncHealth;
  readonly lastRequest: { readonly at: string; readonly keyName: string | null; readonly status: number } | undefined;
  readonly successes24h: number;
  readonly errors24h: number;
  readonly latestErrors: readonly ActivityRow[];
  /** Refused connections of the last 7 days, latest first. */
  readonly refused: readonly RefusedConnection[];
  readonly users: number;
  readonly activeUsers: number;
  readonly groups: number;
  readonly activeKeys: number;
  readonly apiAccessApproved: boolean;
}

export const ACTIVITY_PAGE_SIZES = [25, 50, 100, 200] as const;
const DEFAULT_PAGE_SIZE = 50;
const CSV_BATCH = 1000;
/** The newest rows one Activity CSV export holds. */
export const ACTIVITY_CSV_MAX_ROWS = 50_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back the Dashboard and Activity look for refused connections. */
export const REFUSED_WINDOW_DAYS = 7;

function refusedOf(records: Awaited<ReturnType<ConsoleActor['store']['authFailures']['list']>>, names: Map<string, string>, lastAcceptedAt: string | undefined): RefusedConnection[] {
  return records.map((r) => ({ ...r, keyName: names.get(r.keyId) ?? null, ongoing: lastAcceptedAt === undefined || r.lastAt > lastAcceptedAt }));
}

/** Names of all the organisation's keys (revoked ones too: old rows still name them) and OAuth clients. */
export async function keyNamesOf(actor: ConsoleActor): Promise<Map<string, string>> {
  const [keys, clients] = await Promise.all([actor.store.apiKeys.list(), actor.store.oauth.listClients()]);
  return new Map([...keys.map((k): [string, string] => [k.id, k.name]), ...clients.map((c): [string, string] => [c.id, c.name])]);
}

function parsedSummary(r: ActivityRecord): Record<string, unknown> {
  if (!r.summary) return {};
  try {
    const parsed = JSON.parse(r.summary) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // A summary that is not JSON (clipped) is shown as it is on the entry's page.
  }
  return {};
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function changesOf(summary: Record<string, unknown>): AttributeChangeView[] {
  if (!Array.isArray(summary.changes)) return [];
  return summary.changes.flatMap((c: unknown) => {
    if (typeof c !== 'object' || c === null) return [];
    const o = c as Record<string, unknown>;
    return typeof o.path === 'string' ? [{ path: o.path, from: str(o.from), to: str(o.to) }] : [];
  });
}

function conflictOf(summary: Record<string, unknown>): ActivityRow['conflict'] {
  const c = summary.conflict;
  if (typeof c !== 'object' || c === null) return null;
  const o = c as Record<string, unknown>;
  const [attribute, value, existingId, existingName] = [str(o.attribute), str(o.value), str(o.existingId), str(o.existingName)];
  return attribute && value !== null && existingId && existingName ? { attribute, value, existingId, existingName } : null;
}

/** Key names and resource names on activity rows, and the summary's detail, changes and conflict. */
export const withNames =
  (names: Map<string, string>, resources: Map<string, string> = new Map()) =>
  (r: ActivityRecord): ActivityRow => {
    const summary = parsedSummary(r);
    return {
      ...r,
      keyName: r.keyId ? (names.get(r.keyId) ?? null) : null,
      detail: r.status >= 400 ? str(summary.detail) : null,
      resourceName: r.resourceId ? (resources.get(r.resourceId) ?? null) : null,
      changes: changesOf(summary),
      moreChanges: typeof summary.moreChanges === 'number' ? summary.moreChanges : 0,
      conflict: conflictOf(summary),
    };
  };

/** Names of the resources the rows touched (and of the records they clashed with). */
export async function resourceNamesOf(store: ConsoleStore, actor: ConsoleActor, records: readonly ActivityRecord[]): Promise<Map<string, string>> {
  const ids = records.flatMap((r) => (r.resourceId ? [r.resourceId] : []));
  return store.reads(actor.org.id).resourceNames(ids);
}

export function healthOf(stats: { successes: number; errors: number; lastAt: string | undefined }, now: number): SyncHealth {
  if (stats.lastAt === undefined) return 'not_connected';
  if (stats.errors > 0 && stats.successes === 0) return 'failing';
  if (stats.errors > 0) return 'degraded';
  if (now - Date.parse(stats.lastAt) > DAY_MS) return 'idle';
  return 'healthy';
}

export function createConsoleActivity(deps: { store: ConsoleStore; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return {
    async list(actor: ConsoleActor, params: { errorsOnly: boolean; before: number | undefined; pageSize?: number }): Promise<ActivityPage> {
      requireAdmin(actor);
      const size = (ACTIVITY_PAGE_SIZES as readonly number[]).includes(params.pageSize ?? 0) ? params.pageSize! : DEFAULT_PAGE_SIZE;
      const [records, names] = await Promise.all([
        actor.store.activity.list({ errorsOnly: params.errorsOnly, resourceId: undefined, beforeSeq: params.before, limit: size + 1 }),
        keyNamesOf(actor),
      ]);
      const page = records.slice(0, size);
      const rows = page.map(withNames(names, await resourceNamesOf(deps.store, actor, page)));
      const last = rows[rows.length - 1];
      return { errorsOnly: params.errorsOnly, pageSize: size, rows, before: params.before, nextBefore: records.length > size && last ? last.seq : undefined };
    },

    /** The newest ACTIVITY_CSV_MAX_ROWS rows (or errors), newest first, in batches, for the CSV export. */
    async *exportRows(actor: ConsoleActor, params: { errorsOnly: boolean }): AsyncGenerator<ActivityRow[]> {
      requireAdmin(actor);
      const names = await keyNamesOf(actor);
      let before: number | undefined;
      for (let n = 0; n < ACTIVITY_CSV_MAX_ROWS; n += CSV_BATCH) {
        const records = await actor.store.activity.list({ errorsOnly: params.errorsOnly, resourceId: undefined, beforeSeq: before, limit: CSV_BATCH });
        if (records.length === 0) return;
        yield records.map(withNames(names, await resourceNamesOf(deps.store, actor, records)));
        if (records.length < CSV_BATCH) return;
        before = records[records.length - 1]!.seq;
      }
    },

    async entry(actor: ConsoleActor, seq: number): Promise<ActivityRow> {
      requireAdmin(actor);
      const record = await actor.store.activity.find(seq);
      if (!record) throw new ServiceError('not_found', 'No such activity entry in your organisation');
      return withNames(await keyNamesOf(actor), await resourceNamesOf(deps.store, actor, [record]))(record);
    },

    /** Refused connections of the last REFUSED_WINDOW_DAYS days (Activity → "Refused connections"). */
    async refused(actor: ConsoleActor): Promise<RefusedConnection[]> {
      requireAdmin(actor);
      const t = now();
      const [records, names, stats] = await Promise.all([
        actor.store.authFailures.list(new Date(t - REFUSED_WINDOW_DAYS * DAY_MS).toISOString()),
        keyNamesOf(actor),
        deps.store.reads(actor.org.id).provisioningStats(new Date(t - DAY_MS).toISOString()),
      ]);
      return refusedOf(records, names, stats.last?.at);
    },

    async dashboard(actor: ConsoleActor): Promise<Dashboard> {
      requireAdmin(actor);
      const t = now();
      const reads = deps.store.reads(actor.org.id);
      const [stats, counts, errors, keys, failures] = await Promise.all([
        reads.provisioningStats(new Date(t - DAY_MS).toISOString()),
        reads.counts(),
        actor.store.activity.list({ errorsOnly: true, resourceId: undefined, beforeSeq: undefined, limit: 5 }),
        actor.store.apiKeys.list(),
        actor.store.authFailures.list(new Date(t - REFUSED_WINDOW_DAYS * DAY_MS).toISOString()),
      ]);
      const names = await keyNamesOf(actor);
      const refused = refusedOf(failures, names, stats.last?.at);
      const health = healthOf({ successes: stats.successes, errors: stats.errors, lastAt: stats.last?.at }, t);
      return {
        refused,
        // Requests arrive but every one is refused at the door: not "not connected yet".
        health: refused.some((r) => r.ongoing) && (health === 'not_connected' || health === 'idle') ? 'refused' : health,
        lastRequest: stats.last ? { at: stats.last.at, keyName: names.get(stats.last.keyId) ?? null, status: stats.last.status } : undefined,
        successes24h: stats.successes,
        errors24h: stats.errors,
        latestErrors: errors.map(withNames(names, await resourceNamesOf(deps.store, actor, errors))),
        users: counts.users,
        activeUsers: counts.activeUsers,
        groups: counts.groups,
        activeKeys: keys.filter((k) => !k.revokedAt).length,
        apiAccessApproved: actor.org.apiAccessApproved,
      };
    },
  };
}

export type ConsoleActivity = ReturnType<typeof createConsoleActivity>;
