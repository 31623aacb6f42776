// Webhook endpoints of an organisation: the use cases behind the console's Webhooks page and
// `wiggledesk webhook add|list|remove|rotate-secret`. Delivery itself is in delivery.ts.
import { randomBytes } from 'node:crypto';
import type { DeliveryRecord, TenantStore, WebhookEndpointRecord } from '../../storage/ports.js';
import { EVENT_TYPES, isEventType } from '../../domain/events.js';
import { checkOutboundUrl, OutboundError, outboundRequest, type OutboundPolicy } from '../../outbound/outbound-request.js';
import { ServiceError } from '../organizations/organizations.js';
import { generateWebhookSecret, type SecretSealer } from './secrets.js';
import { webhookHeaders } from './signing.js';
import { webhookBody, type Send } from './delivery.js';
import { newEventId } from '../events/event-id.js';

/** How long the previous secret keeps signing after a rotation (both signatures are sent). */
export const DEFAULT_ROTATION_OVERLAP_HOURS = 24;
const MAX_ENDPOINTS = 20;
const REPLAY_LIMIT = 10_000;

/** An endpoint as lists show it: never the secret. */
export type WebhookEndpointView = Omit<WebhookEndpointRecord, 'secret' | 'previousSecret'> & { readonly rotating: boolean };

export interface TestResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

export function parseEventTypes(raw: string | readonly string[] | undefined | null): string[] | null {
  if (raw === undefined || raw === null) return null;
  const words = (typeof raw === 'string' ? raw.split(/[\s,]+/) : raw.flatMap((r) => r.split(/[\s,]+/))).map((s) => s.trim()).filter((s) => s !== '');
  if (words.length === 0 || (words.length === 1 && words[0] === '*')) return null;
  const unknown = words.find((w) => !isEventType(w));
  if (unknown !== undefined) throw new ServiceError('invalid', `Unknown event type "${unknown.slice(0, 100)}": choose from ${EVENT_TYPES.join(', ')} (or none for all)`);
  return [...new Set(words)];
}

export function createWebhookService(deps: { sealer: SecretSealer; policy: OutboundPolicy; now: () => number; send?: Send }) {
  const send = deps.send ?? outboundRequest;
  const iso = () => new Date(deps.now()).toISOString();

  const view = (e: WebhookEndpointRecord): WebhookEndpointView => {
    const { secret: _s, previousSecret, ...rest } = e;
    return { ...rest, rotating: previousSecret !== null && e.previousSecretExpiresAt !== null && Date.parse(e.previousSecretExpiresAt) > deps.now() };
  };

  function checkUrl(raw: string): string {
    const url = raw.trim();
    if (url.length > 2000) throw new ServiceError('invalid', 'A webhook URL is at most 2,000 characters');
    try {
      return checkOutboundUrl(url, deps.policy).toString();
    } catch (e) {
      if (e instanceof OutboundError) throw new ServiceError('invalid', `Webhook URL refused: ${e.message}. It must be an https URL on a public address.`);
      throw e;
    }
  }

  async function requireEndpoint(store: TenantStore, id: string): Promise<WebhookEndpointRecord> {
    const e = await store.webhooks.find(id);
    if (!e) throw new ServiceError('not_found', `No webhook endpoint ${JSON.stringify(id.slice(0, 100))} in this organisation`);
    return e;
  }

  return {
    /** Adds an endpoint; the secret is returned here once and never again. */
    async add(store: TenantStore, input: { url: string; eventTypes?: string | readonly string[] | null | undefined; description?: string | null | undefined; createdBy: string | null }): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
      const url = checkUrl(input.url);
      const eventTypes = parseEventTypes(input.eventTypes);
      const description = input.description?.trim().slice(0, 200) || null;
      if ((await store.webhooks.list()).length >= MAX_ENDPOINTS) throw new ServiceError('conflict', `An organisation can have at most ${MAX_ENDPOINTS} webhook endpoints`);
      const secret = generateWebhookSecret();
      const endpoint = await store.webhooks.create({ id: `we_${randomBytes(12).toString('hex')}`, url, description, eventTypes, secret: deps.sealer.seal(secret), createdBy: input.createdBy, now: iso() });
      return { endpoint: view(endpoint), secret };
    },

    async list(store: TenantStore): Promise<WebhookEndpointView[]> {
      return (await store.webhooks.list()).map(view);
    },

    async get(store: TenantStore, id: string): Promise<WebhookEndpointView> {
      return view(await requireEndpoint(store, id));
    },

    async remove(store: TenantStore, id: string): Promise<void> {
      if (!(await store.webhooks.remove(id))) throw new ServiceError('not_found', `No webhook endpoint ${JSON.stringify(id.slice(0, 100))} in this organisation`);
    },

    /**
     * A new secret, returned once. The previous one keeps signing (a second `v1,` signature) for
     * `overlapHours`, so receivers can switch without missing a delivery.
     */
    async rotateSecret(store: TenantStore, id: string, overlapHours: number = DEFAULT_ROTATION_OVERLAP_HOURS): Promise<{ secret: string; previousValidUntil: string }> {
      const e = await requireEndpoint(store, id);
      if (!Number.isFinite(overlapHours) || overlapHours < 0 || overlapHours > 24 * 7) throw new ServiceError('invalid', 'The overlap is from 0 to 168 hours');
      const secret = generateWebhookSecret();
      const previousValidUntil = new Date(deps.now() + overlapHours * 3600_000).toISOString();
      await store.webhooks.update(id, { secret: deps.sealer.seal(secret), previousSecret: e.secret, previousSecretExpiresAt: previousValidUntil }, iso());
      return { secret, previousValidUntil };
    },

    /** Enabling clears the reason and the failure clock; pending deliveries resume. */
    async setEnabled(store: TenantStore, id: string, enabled: boolean): Promise<WebhookEndpointView> {
      await requireEndpoint(store, id);
      const now = iso();
      const e = await store.webhooks.update(id, enabled ? { enabled, disabledReason: null, disabledAt: null, failingSince: null } : { enabled, disabledReason: 'Disabled by an administrator.', disabledAt: now }, now);
      return view(e!);
    },

    /**
     * Sends a signed `webhook.test` ping now, synchronously (not an event: nothing is written to the
     * outbox, it is not retried). Signed and shaped like every delivery.
     */
    async sendTest(store: TenantStore, id: string): Promise<TestResult> {
      const e = await requireEndpoint(store, id);
      const started = deps.now();
      const body = webhookBody('webhook.test', new Date(started).toISOString(), JSON.stringify({ tenantId: store.tenantId, endpointId: e.id }));
      const secrets = [deps.sealer.open(e.secret)];
      if (e.previousSecret && e.previousSecretExpiresAt && Date.parse(e.previousSecretExpiresAt) > started) secrets.push(deps.sealer.open(e.previousSecret));
      try {
        const res = await send({ method: 'POST', url: e.url, headers: webhookHeaders(secrets, newEventId(started), Math.floor(started / 1000), body), body }, deps.policy);
        const ok = res.status >= 200 && res.status < 300;
        return { ok, status: res.status, error: ok ? null : `HTTP ${res.status}`, durationMs: res.elapsedMs };
      } catch (err) {
        return { ok: false, status: null, error: err instanceof OutboundError ? `${err.code}: ${err.message}` : String(err), durationMs: deps.now() - started };
      }
    },

    async deliveries(store: TenantStore, id: string, beforeSeq?: number, limit = 50): Promise<DeliveryRecord[]> {
      await requireEndpoint(store, id);
      return store.webhooks.deliveries(id, { beforeSeq, limit: Math.min(Math.max(limit, 1), 200) });
    },

    /** Queues one event again for this endpoint (same webhook-id). */
    async replayEvent(store: TenantStore, id: string, eventId: string): Promise<number> {
      await requireEndpoint(store, id);
      const n = await store.webhooks.replay(id, { eventId: eventId.trim() }, iso(), 1);
      if (n === 0) throw new ServiceError('not_found', `No event ${JSON.stringify(eventId.slice(0, 100))} to replay (unknown, older than the retention, or being delivered right now)`);
      return n;
    },

    /** Queues every retained event in [from, to] that the endpoint's filter accepts, in stream order. */
    async replayRange(store: TenantStore, id: string, from: string, to: string): Promise<number> {
      await requireEndpoint(store, id);
      const f = Date.parse(from);
      const t = Date.parse(to);
      if (Number.isNaN(f) || Number.isNaN(t)) throw new ServiceError('invalid', 'Give the replay range as two dates and times (from, to)');
      if (f > t) throw new ServiceError('invalid', 'The replay range starts after it ends');
      return store.webhooks.replay(id, { from: new Date(f).toISOString(), to: new Date(t).toISOString() }, iso(), REPLAY_LIMIT);
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
