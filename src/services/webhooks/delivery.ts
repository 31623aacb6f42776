// Webhook delivery, one round at a time (the worker in src/workers/ calls `runOnce` in a loop):
// fan new events out into per-endpoint deliveries, claim the due ones, send them, record the
// outcome. At-least-once: a delivery is done only when the endpoint answered 2xx; every attempt of
// one event carries the same `webhook-id` (the event id), so receivers deduplicate on it.
//
// Retry schedule (Svix / Standard Webhooks): after failed attempt n wait about 5 s, 5 min, 30 min,
// 2 h, 5 h, 10 h, 10 h (±10 % jitter); after the 8th attempt the delivery is `failed`. 3xx counts as
// failure (redirects are not followed). 410 Gone disables the endpoint. 429 and 503 honour
// Retry-After (RFC 9110 §10.2.3: seconds or an HTTP date). An endpoint that has failed for 5 days
// without a success is disabled, and the console says why. Time comes from the injected clock.
import type { BusyReceivers, ClaimedDelivery, DeliveryOutcome, PlatformStore } from '../../storage/ports.js';
import { outboundRequest, OutboundError, type OutboundPolicy, type OutboundRequest, type OutboundResponse } from '../../outbound/outbound-request.js';
import type { SecretSealer } from './secrets.js';
import { webhookHeaders } from './signing.js';

export const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const DISABLE_AFTER_MS = 5 * 24 * 3600_000;
const LEASE_MS = 60_000; // longer than the 15 s request timeout: a live worker always finishes first
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

export type Send = (request: OutboundRequest, policy: OutboundPolicy) => Promise<OutboundResponse>;

export interface DeliveryDeps {
  readonly platform: PlatformStore;
  readonly sealer: SecretSealer;
  readonly policy: OutboundPolicy;
  /** Milliseconds since the epoch; tests inject a clock. */
  readonly now: () => number;
  /** [0, 1); tests make jitter predictable. */
  readonly random?: () => number;
  readonly send?: Send;
  readonly batch?: number;
  readonly onError?: (e: unknown) => void;
}

export interface WebhookBody {
  readonly type: string;
  readonly timestamp: string;
  readonly data: unknown;
}

/** The request body: Standard Webhooks' `{type, timestamp, data}` with the event's own data, byte for byte. */
export const webhookBody = (type: string, timestamp: string, dataJson: string): string =>
  `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(timestamp)},"data":${dataJson}}`;

/** Retry-After as milliseconds from `now`, or undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d{1,9}$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function createWebhookDelivery(deps: DeliveryDeps) {
  const random = deps.random ?? Math.random;
  const send = deps.send ?? outboundRequest;
  const batch = deps.batch ?? 50;
  const iso = (ms: number) => new Date(ms).toISOString();

  function secretsOf(d: ClaimedDelivery, now: number): string[] {
    const out = [deps.sealer.open(d.secret)];
    if (d.previousSecret && d.previousSecretExpiresAt && Date.parse(d.previousSecretExpiresAt) > now) out.push(deps.sealer.open(d.previousSecret));
    return out;
  }

  function outcomeOf(d: ClaimedDelivery, result: { status: number | null; error: string | null; durationMs: number; retryAfter: number | undefined }, now: number): DeliveryOutcome {
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    if (ok) return { ok, status: result.status, error: null, durationMs: result.durationMs, retryAt: undefined, disableEndpoint: undefined };
    let disableEndpoint: string | undefined;
    if (result.status === 410) disableEndpoint = 'The endpoint answered 410 Gone: it asked not to receive more webhooks.';
    else if (d.failingSince !== null && now - Date.parse(d.failingSince) >= DISABLE_AFTER_MS) {
      disableEndpoint = `Every delivery has failed since ${d.failingSince} (5 days): re-enable the endpoint once it works again.`;
    }
    let retryAt: string | undefined;
    if (d.attempt < MAX_ATTEMPTS) {
      const scheduled = RETRY_DELAYS_MS[d.attempt - 1]!;
      const jittered = scheduled * (0.9 + 0.2 * random());
      const honoured = (result.status === 429 || result.status === 503) && result.retryAfter !== undefined ? Math.min(Math.max(result.retryAfter, 1000), MAX_RETRY_AFTER_MS) : undefined;
      retryAt = iso(now + Math.round(honoured ?? jittered));
    }
    return { ok, status: result.status, error: result.error, durationMs: result.durationMs, retryAt, disableEndpoint };
  }

  async function deliver(d: ClaimedDelivery): Promise<void> {
    const started = deps.now();
    const body = webhookBody(d.eventType, d.occurredAt, d.data);
    let result: { status: number | null; error: string | null; durationMs: number; retryAfter: number | undefined };
    try {
      const headers = webhookHeaders(secretsOf(d, started), d.eventId, Math.floor(started / 1000), body);
      const res = await send({ method: 'POST', url: d.url, headers, body }, deps.policy);
      const ok = res.status >= 200 && res.status < 300;
      result = { status: res.status, error: ok ? null : `HTTP ${res.status}`, durationMs: res.elapsedMs, retryAfter: retryAfterMs(res.headers['retry-after'], deps.now()) };
    } catch (e) {
      const error = e instanceof OutboundError ? `${e.code}: ${e.message}` : `error: ${e instanceof Error ? e.message : String(e)}`;
      result = { status: null, error: error.slice(0, 500), durationMs: deps.now() - started, retryAfter: undefined };
    }
    const now = deps.now();
    await deps.platform.deliveries.complete(d, outcomeOf(d, result, now), iso(now));
  }

  const delivered = (d: ClaimedDelivery) =>
    deliver(d).catch((e: unknown) => {
      // Recording failed (database down): the lease expires and the delivery is retried.
      deps.onError?.(e);
    });

  /** Fan-out, then claim up to `limit` due deliveries (none to a busy endpoint or organisation). */
  async function claimDue(limit: number, busy?: BusyReceivers): Promise<ClaimedDelivery[]> {
    // No enabled endpoint anywhere: nothing to fan out or send (and no write lock taken on SQLite).
    if (!(await deps.platform.deliveries.anyEnabledEndpoint())) return [];
    const now = deps.now();
    await deps.platform.deliveries.fanOut(iso(now), { endpoints: 20, eventsPerEndpoint: 500 });
    return deps.platform.deliveries.claim(iso(now), iso(now + LEASE_MS), limit, busy);
  }

  return {
    /** One round: fan-out, claim, send in parallel, record, and wait for all of it (tests with an injected clock). Returns how many deliveries were attempted. */
    async runOnce(): Promise<number> {
      const claimed = await claimDue(batch);
      await Promise.all(claimed.map(delivered));
      return claimed.length;
    },

    /**
     * The worker's round: claims like runOnce but does not wait for the requests — each returned
     * promise settles when its outcome is recorded — so a receiver that takes its full 15 s holds
     * only its own deliveries, never the loop (workers/request-dispatcher.ts).
     */
    async startDue(limit: number, busy: BusyReceivers): Promise<Array<{ key: string; tenant: string; done: Promise<void> }>> {
      const claimed = await claimDue(Math.min(limit, batch), busy);
      return claimed.map((d) => ({ key: d.endpointId, tenant: d.tenantId, done: delivered(d) }));
    },
  };
}

export type WebhookDelivery = ReturnType<typeof createWebhookDelivery>;
