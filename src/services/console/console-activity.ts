// Provisioning activity (every SCIM request of the organisation, newest first, filterable to
// errors) and the dashboard's sync health: when the identity provider last called, how many
// requests succeeded and failed in the last 24 hours, and the latest errors with their detail.
import type { ActivityRecord, ConsoleStore } from '../../storage/ports.js';
import { ServiceError } from '../organizations/organizations.js';
import { requireAdmin, type ConsoleActor } from './console-auth.js';

export interface ActivityRow extends ActivityRecord {
  /** Name of the API key that made the request; null for console actions and deleted keys. */
  readonly keyName: string | null;
  /** The error detail from the redacted summary, when there is one. */
  readonly detail: string | null;
}

export interface ActivityPage {
  readonly errorsOnly: boolean;
  readonly rows: readonly ActivityRow[];
  /** `before` for the next (older) page, when there is one. */
  readonly nextBefore: number | undefined;
  readonly before: number | undefined;
}

export type SyncHealth = 'not_connected' | 'healthy' | 'degraded' | 'failing' | 'idle';

export interface Dashboard {
  readonly health: SyncHealth;
  readonly lastRequest: { readonly at: string; readonly keyName: string | null; readonly status: number } | undefined;
  readonly successes24h: number;
  readonly errors24h: number;
  readonly latestErrors: readonly ActivityRow[];
  readonly users: number;
  readonly activeUsers: number;
  readonly groups: number;
  readonly activeKeys: number;
  readonly apiAccessApproved: boolean;
}

const PAGE_SIZE = 50;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Names of all the organisation's keys (revoked ones too: old rows still name them) and OAuth clients. */
export async function keyNamesOf(actor: ConsoleActor): Promise<Map<string, string>> {
  const [keys, clients] = await Promise.all([actor.store.apiKeys.list(), actor.store.oauth.listClients()]);
  return new Map([...keys.map((k): [string, string] => [k.id, k.name]), ...clients.map((c): [string, string] => [c.id, c.name])]);
}

function detailOf(r: ActivityRecord): string | null {
  if (r.status < 400 || !r.summary) return null;
  try {
    const parsed = JSON.parse(r.summary) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { detail?: unknown }).detail === 'string') return (parsed as { detail: string }).detail;
  } catch {
    // A summary that is not JSON is shown as it is on the entry's page.
  }
  return null;
}

const withNames = (names: Map<string, string>) => (r: ActivityRecord): ActivityRow => ({
  ...r,
  keyName: r.keyId ? (names.get(r.keyId) ?? null) : null,
  detail: detailOf(r),
});

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
    async list(actor: ConsoleActor, params: { errorsOnly: boolean; before: number | undefined }): Promise<ActivityPage> {
      requireAdmin(actor);
      const [records, names] = await Promise.all([
        actor.store.activity.list({ errorsOnly: params.errorsOnly, resourceId: undefined, beforeSeq: params.before, limit: PAGE_SIZE + 1 }),
        keyNamesOf(actor),
      ]);
      const rows = records.slice(0, PAGE_SIZE).map(withNames(names));
      const last = rows[rows.length - 1];
      return { errorsOnly: params.errorsOnly, rows, before: params.before, nextBefore: records.length > PAGE_SIZE && last ? last.seq : undefined };
    },

    async entry(actor: ConsoleActor, seq: number): Promise<ActivityRow> {
      requireAdmin(actor);
      const record = await actor.store.activity.find(seq);
      if (!record) throw new ServiceError('not_found', 'No such activity entry in your organisation');
      return withNames(await keyNamesOf(actor))(record);
    },

    async dashboard(actor: ConsoleActor): Promise<Dashboard> {
      requireAdmin(actor);
      const t = now();
      const reads = deps.store.reads(actor.org.id);
      const [stats, counts, errors, keys] = await Promise.all([
        reads.provisioningStats(new Date(t - DAY_MS).toISOString()),
        reads.counts(),
        actor.store.activity.list({ errorsOnly: true, resourceId: undefined, beforeSeq: undefined, limit: 5 }),
        actor.store.apiKeys.list(),
      ]);
      const names = await keyNamesOf(actor);
      return {
        health: healthOf({ successes: stats.successes, errors: stats.errors, lastAt: stats.last?.at }, t),
        lastRequest: stats.last ? { at: stats.last.at, keyName: names.get(stats.last.keyId) ?? null, status: stats.last.status } : undefined,
        successes24h: stats.successes,
        errors24h: stats.errors,
        latestErrors: errors.map(withNames(names)),
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
