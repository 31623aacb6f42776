// SCIM security event tokens (RFC 9967): per-organisation SET streams fed by the same outbox as the
// Events API and webhooks. Each stream is one more consumer of the outbox with its own cursor: the
// outbox events after the cursor become SET rows (claims stored, signed when sent), delivered by
// push (RFC 8935) through the outbound guard, or handed out by poll (RFC 8936) until acknowledged.
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../../domain/json.js';
import type { TenantId } from '../../domain/ids.js';
import type { BusyReceivers, NewSetDelivery, SetAttemptOutcome, SetDeliveryMethod, SetStore, SetStreamRecord, SetStreamStats, ClaimedSetDelivery } from '../../storage/ports.js';
import {
  canMerge,
  EMITTED_EVENT_URIS,
  eventsClaimFor,
  filterEvents,
  mergeEvents,
  parsePollRequest,
  parseSetError,
  SET_MEDIA_TYPE,
  subjectUri,
  type SetClaims,
  type SetSourceEvent,
} from '../../scim/events/set-profile.js';
import { generateSigningKey, jwkSet, signSet } from '../../auth/set-signing.js';
import { hashSecret, secretMatches } from '../../auth/api-key.js';
import { checkOutboundUrl, outboundRequest, OutboundError, type OutboundPolicy } from '../../outbound/outbound-request.js';
import { ServiceError } from '../organizations/organizations.js';

/** The outbox, as a SET stream reads it (adapted from the events service in compose.ts). */
export interface SetEventSource {
  /** Events of the tenant after `cursor`, oldest first, at most `limit`, and the cursor after the last one read. */
  read(tenantId: TenantId, cursor: string | null, limit: number): Promise<{ events: SetSourceEvent[]; cursor: string | null }>;
  /** The current end of the tenant's outbox: a new stream receives what happens after it was created. */
  head(tenantId: TenantId): Promise<string | null>;
}

export interface SetStreamsDeps {
  readonly store: SetStore;
  readonly source: SetEventSource;
  /** Absolute base URL of this deployment (PUBLIC_URL): issuer, JWKS and poll URLs derive from it. */
  readonly baseUrl: string;
  readonly outbound: OutboundPolicy;
  /** Injected clock (tests drive retry timing with it). */
  readonly now?: () => Date;
  /** Long-poll wait when `returnImmediately` is false (RFC 8936 §2.1), and how often it re-checks. */
  readonly pollWaitMs?: number;
  readonly pollCheckMs?: number;
  readonly random?: () => number;
}

/**
 * Push retry schedule after each failed attempt (the webhook schedule of issue #13: about 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h), ±10 % jitter; after the last one the SET is marked failed.
 */
export const SET_RETRY_DELAYS_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
/** A retired signing key stays in the JWKS this long, for receivers that verify late or cache keys. */
export const KEY_OVERLAP_MS = 7 * 24 * 3600_000;
/** Delivered and failed SETs are kept this long (for the CLI's delivery log), then purged. */
export const SET_RETENTION_MS = 30 * 24 * 3600_000;
/**
 * A push stream whose every attempt has failed (unreachable, timeout, 5xx, 429 …) for this long is
 * disabled, like a webhook endpoint (issue #13; RFC 8935 leaves retry and give-up policy to the
 * transmitter, this is ours). Its pending SETs stay queued and go out, in order, once an admin re-enables the stream. A 400 with an
 * `err` code (§2.3) is an answer about one SET, not a failing receiver: it counts as healthy.
 */
export const SET_DISABLE_AFTER_MS = 5 * 24 * 3600_000;
const MAX_POLL_EVENTS = 100;
const DEFAULT_POLL_EVENTS = 25;
/** A stream's lease while its new outbox events become SETs (a few queries). */
const STREAM_LEASE_MS = 30_000;
/** A push claim outlives the request's timeout by this much; then another instance may send the SET again (same jti). */
const PUSH_LEASE_MARGIN_MS = 5_000;
const READ_BATCH = 500;
export const POLL_TOKEN_PREFIX = 'wdset_';

export interface NewStreamInput {
  readonly name?: string;
  readonly push?: { readonly url: string; readonly authorization?: string };
  readonly poll?: boolean;
  readonly audience?: string;
  readonly eventUris?: readonly string[];
}

export interface StreamView {
  readonly id: string;
  readonly name: string;
  readonly delivery: SetDeliveryMethod;
  readonly endpointUrl: string | null;
  readonly hasAuthorization: boolean;
  readonly pollUrl: string | null;
  readonly audience: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly eventUris: readonly string[];
  readonly enabled: boolean;
  /** Push: failing since (null while healthy); 5 days of it disable the stream. */
  readonly failingSince: string | null;
  readonly disabledReason: string | null;
  readonly disabledAt: string | null;
  readonly createdAt: string;
  readonly stats: SetStreamStats;
}

export interface PollAnswer {
  readonly status: number;
  readonly body: JsonObject;
  readonly wwwAuthenticate?: boolean;
}

export function createSetStreamService(deps: SetStreamsDeps) {
  const { store, source } = deps;
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const base = deps.baseUrl.replace(/\/+$/, '');
  const instance = randomBytes(6).toString('hex');

  const issuerOf = (tenantId: TenantId) => `${base}/sets/${tenantId}`;
  const jwksUrlOf = (tenantId: TenantId) => `${issuerOf(tenantId)}/jwks.json`;
  const pollUrlOf = (streamId: string) => `${base}/sets/streams/${streamId}/poll`;

  const view = (s: SetStreamRecord, stats: SetStreamStats): StreamView => ({
    id: s.id,
    name: s.name,
    delivery: s.delivery,
    endpointUrl: s.endpointUrl,
    hasAuthorization: s.authorization !== null,
    pollUrl: s.delivery === 'poll' ? pollUrlOf(s.id) : null,
    audience: s.audience,
    issuer: issuerOf(s.tenantId),
    jwksUrl: jwksUrlOf(s.tenantId),
    eventUris: s.eventUris ?? EMITTED_EVENT_URIS,
    enabled: s.enabled,
    failingSince: s.failingSince,
    disabledReason: s.disabledReason,
    disabledAt: s.disabledAt,
    createdAt: s.createdAt,
    stats,
  });

  /** The tenant's signing key, created on first use. */
  async function signingKey(tenantId: TenantId) {
    const active = await store.activeKey(tenantId);
    if (active) return active;
    const k = await generateSigningKey();
    await store.rotateKey(tenantId, { ...k, createdAt: now().toISOString() });
    return (await store.activeKey(tenantId))!;
  }

  async function requireStream(tenantId: TenantId, id: string): Promise<SetStreamRecord> {
    const s = await store.findStream(tenantId, id);
    if (!s) throw new ServiceError('not_found', `No SET stream with id ${id} in this organisation`);
    return s;
  }

  /**
   * Turns the outbox events after the stream's cursor into SET rows. One instance at a time per
   * stream (a lease); the rows and the new cursor are written together, so a crash re-reads the
   * same events and the (stream, source event) key keeps them from doubling.
   */
  async function materialize(tenantId: TenantId, streamId: string, maxBatches = 20): Promise<number> {
    // Idle streams cost one read per round and no write: the lease is taken only when there is work.
    const current = await store.findStream(tenantId, streamId);
    if (!current || !current.enabled || (await source.read(tenantId, current.sourceCursor, 1)).events.length === 0) return 0;
    const owner = `${instance}:${randomBytes(4).toString('hex')}`;
    const t = now();
    if (!(await store.leaseStream(tenantId, streamId, owner, t.toISOString(), new Date(t.getTime() + STREAM_LEASE_MS).toISOString()))) return 0;
    let appended = 0;
    try {
      for (let batch = 0; batch < maxBatches; batch++) {
        const stream = await store.findStream(tenantId, streamId);
        if (!stream || !stream.enabled) break;
        const { events, cursor } = await source.read(tenantId, stream.sourceCursor, READ_BATCH);
        if (events.length === 0) break;
        const rows = toDeliveries(stream, events, now());
        if (!(await store.appendDeliveries(tenantId, streamId, owner, stream.sourceCursor, cursor, rows, now().toISOString()))) break;
        appended += rows.length;
        if (events.length < READ_BATCH) break;
      }
    } finally {
      await store.releaseStream(tenantId, streamId, owner);
    }
    return appended;
  }

  function toDeliveries(stream: SetStreamRecord, events: readonly SetSourceEvent[], at: Date): NewSetDelivery[] {
    const out: Array<{ first: SetSourceEvent; uri: string; externalId: string | null; txn: string; toe: string; events: Record<string, JsonObject> }> = [];
    for (const e of events) {
      const mapped = eventsClaimFor(e);
      const wanted = mapped && filterEvents(mapped, stream.eventUris);
      if (!wanted) continue;
      const uri = subjectUri(e.resourceType, e.resourceId);
      const next = { first: e, uri, externalId: e.externalId, txn: e.txn, toe: e.occurredAt, events: wanted };
      const last = out[out.length - 1];
      if (last && canMerge(last, next)) {
        last.events = mergeEvents(last.events, wanted);
        last.externalId = e.externalId ?? last.externalId;
      } else out.push(next);
    }
    const iat = Math.floor(at.getTime() / 1000);
    return out.map((s) => {
      const jti = randomBytes(16).toString('hex');
      const claims: SetClaims = {
        jti,
        iss: issuerOf(stream.tenantId),
        aud: stream.audience,
        iat,
        toe: Math.floor(Date.parse(s.toe) / 1000),
        txn: s.txn,
        sub_id: { format: 'scim', uri: s.uri, ...(s.externalId === null ? {} : { externalId: s.externalId }) },
        events: s.events,
      };
      return { jti, sourceEventId: s.first.id, subject: s.uri, txn: s.txn, claims: JSON.stringify(claims) };
    });
  }

  const retryDelay = (attempt: number): number | undefined => {
    const d = SET_RETRY_DELAYS_MS[attempt - 1];
    return d === undefined ? undefined : Math.round(d * (0.9 + 0.2 * random()));
  };

  /** RFC 9110 §10.2.3 Retry-After: seconds or an HTTP date; undefined when absent or unreadable. */
  const retryAfterMs = (h: string | string[] | undefined, at: Date): number | undefined => {
    const v = Array.isArray(h) ? h[0] : h;
    if (v === undefined) return undefined;
    if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
    const d = Date.parse(v);
    return Number.isNaN(d) ? undefined : Math.max(0, d - at.getTime());
  };

  /** One RFC 8935 push of one SET; the outcome to record. */
  async function pushOne(d: ClaimedSetDelivery): Promise<SetAttemptOutcome> {
    const key = await signingKey(d.tenantId);
    const jws = await signSet(JSON.parse(d.claims) as SetClaims, key);
    const attempt = d.attempts + 1;
    const retryOrFail = (status: number | null, error: string, description: string | null, minDelayMs?: number): SetAttemptOutcome => {
      const at = now();
      const delay = retryDelay(attempt);
      if (delay === undefined) return { kind: 'failed', status, error: `retries_exhausted:${error}`.slice(0, 100), description, at: at.toISOString() };
      return { kind: 'retry', status, error, description, nextAttemptAt: new Date(at.getTime() + Math.max(delay, minDelayMs ?? 0)).toISOString() };
    };
    try {
      const res = await outboundRequest(
        {
          method: 'POST',
          url: d.endpointUrl,
          // RFC 8935 §2: the SET as the body, typed application/secevent+jwt; the answer is JSON.
          headers: { 'content-type': SET_MEDIA_TYPE, accept: 'application/json', ...(d.authorization === null ? {} : { authorization: d.authorization }) },
          body: jws,
        },
        deps.outbound,
      );
      // RFC 8935 §2.2: 202 Accepted is the one success answer.
      if (res.status === 202) return { kind: 'delivered', status: 202, at: now().toISOString() };
      if (res.status === 400) {
        // RFC 8935 §2.3: the recipient rejected this SET ({"err","description"}); sending it again
        // would be rejected again, so the error is recorded and the SET is not retried.
        const e = parseSetError(res.body.toString('utf8'));
        return { kind: 'failed', status: 400, error: e?.err ?? 'http_400', description: e?.description ?? null, at: now().toISOString() };
      }
      if (res.status === 429 || res.status === 503) return retryOrFail(res.status, `http_${res.status}`, null, retryAfterMs(res.headers['retry-after'], now()));
      return retryOrFail(res.status, `http_${res.status}`, null);
    } catch (e) {
      if (e instanceof OutboundError) return retryOrFail(null, e.code, e.message.slice(0, 500));
      throw e;
    }
  }

  /** Sends one claimed SET and records the outcome (and the stream's health). */
  async function pushAndRecord(d: ClaimedSetDelivery, owner: string): Promise<void> {
    const outcome = await pushOne(d);
    if (!(await store.recordAttempt(d.seq, owner, outcome))) return;
    const healthy = outcome.kind === 'delivered' || (outcome.kind === 'failed' && outcome.status === 400);
    const at = now();
    await store.notePushHealth(
      d.tenantId,
      d.streamId,
      healthy,
      at.toISOString(),
      new Date(at.getTime() - SET_DISABLE_AFTER_MS).toISOString(),
      `Every push has failed for 5 days (last: ${outcome.kind === 'delivered' ? '' : outcome.error}); re-enable the stream once the receiver works again.`,
    );
  }

  /** Claims due push deliveries (none to a busy stream or organisation) and starts them; each promise settles once the outcome is recorded. */
  async function startPushes(limit: number, busy?: BusyReceivers): Promise<Array<{ key: string; tenant: string; done: Promise<void> }>> {
    const owner = `${instance}:${randomBytes(4).toString('hex')}`;
    const t = now();
    const claimed = await store.claimDuePush(owner, t.toISOString(), new Date(t.getTime() + deps.outbound.timeoutMs + PUSH_LEASE_MARGIN_MS).toISOString(), limit, busy);
    return claimed.map((d) => ({ key: d.streamId, tenant: d.tenantId, done: pushAndRecord(d, owner) }));
  }

  /** Turns new outbox events into SETs for every enabled stream; says whether any stream pushes. */
  async function materializeAll(): Promise<boolean> {
    const streams = await store.enabledStreams();
    for (const s of streams) await materialize(s.tenantId, s.id);
    return streams.some((s) => s.delivery === 'push');
  }

  /** Claims due push deliveries, sends them and waits for every outcome; returns how many attempts were made. */
  async function deliverDue(limit = 50): Promise<number> {
    const started = await startPushes(limit);
    await Promise.all(started.map((s) => s.done));
    return started.length;
  }

  return {
    issuerOf,
    jwksUrlOf,
    pollUrlOf,
    materialize,
    deliverDue,

    async addStream(tenantId: TenantId, input: NewStreamInput): Promise<{ stream: StreamView; pollToken: string | null }> {
      if (Boolean(input.push) === Boolean(input.poll)) throw new ServiceError('invalid', 'A SET stream is either push (an endpoint URL) or poll, not both or neither');
      let endpointUrl: string | null = null;
      if (input.push) {
        try {
          endpointUrl = checkOutboundUrl(input.push.url, deps.outbound).toString();
        } catch (e) {
          throw new ServiceError('invalid', `Push endpoint refused: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (input.push.authorization !== undefined && (input.push.authorization.trim() === '' || /[\r\n]/.test(input.push.authorization))) {
          throw new ServiceError('invalid', 'The authorization header value must be a single non-empty line, e.g. "Bearer <token>"');
        }
      }
      const eventUris = input.eventUris?.length ? [...new Set(input.eventUris)] : null;
      const unknown = eventUris?.filter((u) => !EMITTED_EVENT_URIS.includes(u)) ?? [];
      if (unknown.length) throw new ServiceError('invalid', `Unknown event URI(s): ${unknown.join(', ')}; emitted: ${EMITTED_EVENT_URIS.join(', ')}`);
      const id = randomBytes(12).toString('hex');
      const pollToken = input.poll ? `${POLL_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}` : null;
      const audience = input.audience?.trim() || (endpointUrl ?? pollUrlOf(id));
      await signingKey(tenantId);
      const record: SetStreamRecord = {
        tenantId,
        id,
        name: input.name?.trim() || (endpointUrl ? new URL(endpointUrl).host : 'poll stream'),
        delivery: input.push ? 'push' : 'poll',
        endpointUrl,
        authorization: input.push?.authorization?.trim() ?? null,
        pollTokenHash: pollToken === null ? null : hashSecret(pollToken),
        audience,
        eventUris,
        enabled: true,
        failingSince: null,
        disabledReason: null,
        disabledAt: null,
        // A stream starts at the current end of the outbox.
        sourceCursor: await source.head(tenantId),
        createdAt: now().toISOString(),
      };
      await store.createStream(record);
      return { stream: view(record, { pending: 0, delivered: 0, failed: 0 }), pollToken };
    },

    async listStreams(tenantId: TenantId): Promise<StreamView[]> {
      const streams = await store.listStreams(tenantId);
      return Promise.all(streams.map(async (s) => view(s, await store.streamStats(tenantId, s.id))));
    },

    async getStream(tenantId: TenantId, id: string): Promise<StreamView> {
      const s = await requireStream(tenantId, id);
      return view(s, await store.streamStats(tenantId, id));
    },

    async removeStream(tenantId: TenantId, id: string): Promise<void> {
      if (!(await store.deleteStream(tenantId, id))) throw new ServiceError('not_found', `No SET stream with id ${id} in this organisation`);
    },

    /** Re-enabling clears the failure state: pending SETs go out again, in order. */
    async setEnabled(tenantId: TenantId, id: string, enabled: boolean): Promise<void> {
      if (!(await store.setStreamEnabled(tenantId, id, enabled, now().toISOString(), enabled ? null : 'Disabled by an administrator.'))) throw new ServiceError('not_found', `No SET stream with id ${id} in this organisation`);
    },

    async deliveries(tenantId: TenantId, id: string, limit = 50) {
      await requireStream(tenantId, id);
      return store.listDeliveries(tenantId, id, limit);
    },

    /** A new signing key; the old one stays published for KEY_OVERLAP_MS. */
    async rotateKey(tenantId: TenantId): Promise<{ kid: string }> {
      const k = await generateSigningKey();
      await store.rotateKey(tenantId, { ...k, createdAt: now().toISOString() });
      return { kid: k.kid };
    },

    /**
     * The organisation's public keys (RFC 7517 §5) for the public JWKS URL. The id comes from the
     * URL, unverified: public keys are public, and an unknown organisation gets an empty set (no
     * enumeration).
     */
    async publicJwks(orgId: string) {
      const keys = await store.publishedKeys(orgId as TenantId, new Date(now().getTime() - KEY_OVERLAP_MS).toISOString());
      return jwkSet(keys.map((k) => k.publicJwk));
    },

    /**
     * RFC 8936 §2: one poll. Authenticates the bearer token, applies `ack` and `setErrs` (§2.4:
     * acknowledged SETs are not sent again; SETs in error are recorded and not sent again), then
     * answers the oldest unacknowledged SETs — the same ones again until they are acknowledged.
     */
    async poll(streamId: string, bearer: string | undefined, body: unknown, signal?: AbortSignal): Promise<PollAnswer> {
      const stream = await store.findStreamById(streamId);
      if (!stream || stream.delivery !== 'poll' || stream.pollTokenHash === null || bearer === undefined || !secretMatches(bearer, stream.pollTokenHash)) {
        return { status: 401, body: { err: 'authentication_failed', description: 'Send the stream\'s poll token as "Authorization: Bearer wdset_…"' }, wwwAuthenticate: true };
      }
      if (!stream.enabled) return { status: 403, body: { err: 'access_denied', description: 'This SET stream is disabled' } };
      let req;
      try {
        req = parsePollRequest(body);
      } catch (e) {
        return { status: 400, body: { err: 'invalid_request', description: e instanceof Error ? e.message : String(e) } };
      }
      const tenantId = stream.tenantId;
      if (req.ack.length || req.setErrs.size) await store.acknowledge(tenantId, streamId, req.ack, req.setErrs, now().toISOString());
      const max = Math.min(req.maxEvents ?? DEFAULT_POLL_EVENTS, MAX_POLL_EVENTS);
      // §2.1: maxEvents 0 acknowledges only.
      if (max === 0) return { status: 200, body: { sets: {} } };
      const waitUntil = Date.now() + (req.returnImmediately ? 0 : (deps.pollWaitMs ?? 20_000));
      for (;;) {
        await materialize(tenantId, streamId);
        const { rows, more } = await store.pendingForPoll(tenantId, streamId, max);
        if (rows.length > 0 || Date.now() >= waitUntil || signal?.aborted) {
          const key = rows.length ? await signingKey(tenantId) : undefined;
          const sets: JsonObject = {};
          for (const r of rows) sets[r.jti] = await signSet(JSON.parse(r.claims) as SetClaims, key!);
          // §2.2: moreAvailable when more SETs are waiting than were returned.
          return { status: 200, body: { sets, moreAvailable: more } };
        }
        await new Promise((r) => setTimeout(r, Math.min(deps.pollCheckMs ?? 1000, Math.max(0, waitUntil - Date.now()))));
      }
    },

    /** One worker round: outbox → SETs for every enabled stream, then due pushes; returns the pushes attempted. */
    async runOnce(): Promise<number> {
      // No push stream: no claim (on SQLite a claim is a write, even when it finds nothing).
      if (!(await materializeAll())) return 0;
      let attempted = 0;
      for (let i = 0; i < 20; i++) {
        const n = await deliverDue();
        attempted += n;
        if (n === 0) break;
      }
      return attempted;
    },

    /**
     * The worker's round (workers/set-delivery-worker.ts): new outbox events become SETs, then due
     * pushes are started without waiting for them, so a receiver that takes its full timeout holds
     * only its own stream (workers/request-dispatcher.ts caps what is in flight).
     */
    materializeAll,
    startPushes: (limit: number, busy: BusyReceivers) => startPushes(Math.min(limit, 50), busy),

    purge: () => store.purgeCompleted(new Date(now().getTime() - SET_RETENTION_MS).toISOString()),
  };
}

export type SetStreamService = ReturnType<typeof createSetStreamService>;
