// Which identity provider is connected, learned from its traffic, and what looks misconfigured.
// The client comes from the User-Agent (shared/docs/client-behaviors.md: Okta "Okta SCIM Client",
// Entra's provisioning service, OneLogin, JumpCloud, Ping, Google), else from request shapes
// (Entra's capitalised PATCH ops "Replace"/"Add" without aadOptscim062020, R-ENTRA-13; its Test
// Connection filter on a random GUID, R-ENTRA-02). The sync rhythm and the hints are computed
// from the activity log when the page is shown; only the client and its User-Agent are stored.
import type { ActivityRecord, ConsoleStore, TenantStore } from '../../storage/ports.js';
import { requireAdmin, type ConsoleActor } from './console-auth.js';

/** User-Agent of the SCIM setup page's "Send test request" with a pasted key. */
export const CONSOLE_TEST_USER_AGENT = 'WiggleDesk-Console-Test';

export type IdpClient = 'entra' | 'okta' | 'onelogin' | 'jumpcloud' | 'ping' | 'google' | 'generic';

export const CLIENT_LABEL: Record<IdpClient, string> = {
  entra: 'Microsoft Entra ID',
  okta: 'Okta',
  onelogin: 'OneLogin',
  jumpcloud: 'JumpCloud',
  ping: 'Ping Identity',
  google: 'Google Workspace',
  generic: 'A SCIM client',
};

/** The client named by a User-Agent, or undefined when it names none we know. */
export function clientFromUserAgent(userAgent: string | undefined | null): IdpClient | undefined {
  if (!userAgent) return undefined;
  const ua = userAgent.toLowerCase();
  if (/okta/.test(ua)) return 'okta';
  if (/onelogin/.test(ua)) return 'onelogin';
  if (/jumpcloud/.test(ua)) return 'jumpcloud';
  if (/ping(identity|federate|one)?\b/.test(ua)) return 'ping';
  if (/google/.test(ua)) return 'google';
  if (/microsoft|azure|entra|\baad\b|identity\.provisioning/.test(ua)) return 'entra';
  return undefined;
}

const GUID_FILTER = /eq\s+"?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"?/i;

function summaryOf(r: ActivityRecord): Record<string, unknown> {
  try {
    const v = JSON.parse(r.summary ?? 'null') as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** PATCH operations written the Entra default way ("Replace", "Add", "Remove"): the flag is missing. */
export function capitalisedPatchOps(rows: readonly ActivityRecord[]): number {
  let n = 0;
  for (const r of rows) {
    if (r.method !== 'PATCH' || r.keyId === null) continue;
    const ops = summaryOf(r).operations;
    if (Array.isArray(ops) && ops.some((o: unknown) => typeof o === 'object' && o !== null && /^[A-Z]/.test(String((o as { sent?: unknown; op?: unknown }).sent ?? (o as { op?: unknown }).op ?? '')))) n++;
  }
  return n;
}

/** The client the request shapes point to, when the User-Agent said nothing. */
export function clientFromShapes(rows: readonly ActivityRecord[]): IdpClient | undefined {
  if (capitalisedPatchOps(rows) > 0) return 'entra';
  if (rows.some((r) => r.method === 'GET' && typeof summaryOf(r).filter === 'string' && GUID_FILTER.test(String(summaryOf(r).filter)))) return 'entra';
  return undefined;
}

/** Sync cycles: requests closer than CYCLE_GAP belong to one cycle. */
const CYCLE_GAP_MS = 5 * 60_000;

export interface SyncRhythm {
  readonly lastSyncAt: string | undefined;
  /** Typical time between the starts of two cycles, when at least two gaps were seen. */
  readonly intervalMs: number | undefined;
  readonly cycles: number;
}

export function syncRhythm(rows: readonly ActivityRecord[]): SyncRhythm {
  const times = rows
    .filter((r) => r.keyId !== null)
    .map((r) => Date.parse(r.at))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b);
  if (times.length === 0) return { lastSyncAt: undefined, intervalMs: undefined, cycles: 0 };
  const starts = [times[0]!];
  for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > CYCLE_GAP_MS) starts.push(times[i]!);
  const gaps = starts.slice(1).map((s, i) => s - starts[i]!).sort((a, b) => a - b);
  const intervalMs = gaps.length >= 2 ? gaps[Math.floor(gaps.length / 2)] : undefined;
  return { lastSyncAt: new Date(times[times.length - 1]!).toISOString(), intervalMs, cycles: starts.length };
}

export type IdpHint =
  | { readonly kind: 'entra_flag_missing'; readonly requests: number }
  | { readonly kind: 'users_without_email'; readonly count: number }
  | { readonly kind: 'non_email_user_names'; readonly count: number }
  | { readonly kind: 'repeated_conflict'; readonly value: string; readonly attribute: string; readonly times: number; readonly existingId: string; readonly existingName: string; readonly resourceType: string | null }
  | { readonly kind: 'empty_groups'; readonly count: number }
  | { readonly kind: 'silent'; readonly since: string; readonly intervalMs: number };

export interface IdpProfileView {
  readonly client: IdpClient;
  readonly label: string;
  readonly userAgent: string | null;
  readonly since: string;
  readonly rhythm: SyncRhythm;
  readonly hints: readonly IdpHint[];
}

/** Entra's documented cycle when too few cycles were seen to measure one (R-ENTRA-39). */
const ENTRA_INTERVAL_MS = 40 * 60_000;
/** How many recent activity rows the profile reads. */
const WINDOW_ROWS = 2000;

export function hintsOf(input: {
  client: IdpClient;
  rows: readonly ActivityRecord[];
  rhythm: SyncRhythm;
  directory: { usersWithoutEmail: number; nonEmailUserNames: number; emptyGroups: number };
  now: number;
}): IdpHint[] {
  const hints: IdpHint[] = [];
  const capitalised = capitalisedPatchOps(input.rows);
  if (input.client === 'entra' && capitalised > 0) hints.push({ kind: 'entra_flag_missing', requests: capitalised });
  if (input.directory.usersWithoutEmail > 0) hints.push({ kind: 'users_without_email', count: input.directory.usersWithoutEmail });
  if (input.directory.nonEmailUserNames > 0) hints.push({ kind: 'non_email_user_names', count: input.directory.nonEmailUserNames });
  const clashes = new Map<string, { times: number; row: ActivityRecord; conflict: Record<string, string> }>();
  for (const r of input.rows) {
    if (r.status !== 409) continue;
    const c = summaryOf(r).conflict as Record<string, string> | undefined;
    if (!c || typeof c.value !== 'string' || typeof c.existingId !== 'string') continue;
    const key = `${r.resourceType}:${c.attribute}:${c.value.toLowerCase()}`;
    const seen = clashes.get(key);
    if (seen) seen.times++;
    else clashes.set(key, { times: 1, row: r, conflict: c });
  }
  for (const { times, row, conflict } of clashes.values()) {
    if (times >= 3) {
      hints.push({ kind: 'repeated_conflict', value: conflict.value!, attribute: conflict.attribute ?? 'userName', times, existingId: conflict.existingId!, existingName: conflict.existingName ?? conflict.existingId!, resourceType: row.resourceType });
    }
  }
  if (input.directory.emptyGroups > 0) hints.push({ kind: 'empty_groups', count: input.directory.emptyGroups });
  const interval = input.rhythm.intervalMs ?? (input.client === 'entra' ? ENTRA_INTERVAL_MS : undefined);
  if (input.rhythm.lastSyncAt && interval !== undefined && input.now - Date.parse(input.rhythm.lastSyncAt) > 3 * interval) {
    hints.push({ kind: 'silent', since: input.rhythm.lastSyncAt, intervalMs: interval });
  }
  return hints;
}

export function createIdpProfiles(deps: { store: ConsoleStore; now?: () => number }) {
  const now = deps.now ?? Date.now;
  // When each tenant's profile row was last written by this instance: at most once a minute,
  // unless the client changes.
  const written = new Map<string, { at: number; client: IdpClient }>();

  return {
    /** Called for every authenticated SCIM request (off the response path). */
    async observe(store: TenantStore, userAgent: string | undefined): Promise<void> {
      // The console's own "Send test request" is not the identity provider.
      if (userAgent?.startsWith(CONSOLE_TEST_USER_AGENT)) return;
      const client = clientFromUserAgent(userAgent) ?? 'generic';
      const t = now();
      const prev = written.get(store.tenantId);
      if (prev && prev.client === client && t - prev.at < 60_000) return;
      written.set(store.tenantId, { at: t, client });
      if (written.size > 10_000) written.clear();
      await store.idpProfile.observe({ client, userAgent: userAgent ?? null, at: new Date(t).toISOString() });
    },

    /** The profile of the organisation's identity provider, or undefined before its first request. */
    async view(actor: ConsoleActor): Promise<IdpProfileView | undefined> {
      requireAdmin(actor);
      const stored = await actor.store.idpProfile.get();
      if (!stored) return undefined;
      const [rows, directory] = await Promise.all([
        actor.store.activity.list({ errorsOnly: false, resourceId: undefined, beforeSeq: undefined, limit: WINDOW_ROWS }),
        deps.store.reads(actor.org.id).directoryHints(),
      ]);
      const client = stored.client === 'generic' ? (clientFromShapes(rows) ?? 'generic') : (stored.client as IdpClient);
      const rhythm = syncRhythm(rows);
      return {
        client,
        label: CLIENT_LABEL[client] ?? CLIENT_LABEL.generic,
        userAgent: stored.userAgent,
        since: stored.firstSeenAt,
        rhythm: rhythm.lastSyncAt ? rhythm : { ...rhythm, lastSyncAt: stored.lastSeenAt },
        hints: hintsOf({ client, rows, rhythm, directory, now: now() }),
      };
    },
  };
}

export type IdpProfiles = ReturnType<typeof createIdpProfiles>;
