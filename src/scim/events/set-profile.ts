// The SCIM profile for Security Event Tokens (RFC 9967) as pure data: which event URIs we emit,
// how one change of the outbox becomes the claims of one SET, and the wire shapes of SET push
// (RFC 8935) and poll (RFC 8936). No crypto, no I/O: signing lives in auth/set-signing.ts.
import type { JsonObject } from '../../domain/json.js';

/** RFC 9967 §2: the lowercase `urn:ietf:params:scim:event` prefix; §2.4 the "prov" class. */
export const SCIM_EVENT_PREFIX = 'urn:ietf:params:scim:event:';
export const PROV_CREATE_NOTICE = 'urn:ietf:params:scim:event:prov:create:notice';
export const PROV_PATCH_NOTICE = 'urn:ietf:params:scim:event:prov:patch:notice';
export const PROV_PUT_NOTICE = 'urn:ietf:params:scim:event:prov:put:notice';
export const PROV_DELETE = 'urn:ietf:params:scim:event:prov:delete';
export const PROV_ACTIVATE = 'urn:ietf:params:scim:event:prov:activate';
export const PROV_DEACTIVATE = 'urn:ietf:params:scim:event:prov:deactivate';

/**
 * Every URI this server emits, advertised in ServiceProviderConfig `securityEvents.eventUris`
 * (RFC 9967 §4). Only "notice" variants: our events are thin (RFC 9967 §2.4 "notice" mode lists the
 * changed attributes; the receiver GETs the resource), never "full" copies of a record.
 */
export const EMITTED_EVENT_URIS: readonly string[] = [
  PROV_CREATE_NOTICE,
  PROV_PATCH_NOTICE,
  PROV_PUT_NOTICE,
  PROV_DELETE,
  PROV_ACTIVATE,
  PROV_DEACTIVATE,
];

/** RFC 8417 §2.3 explicit typing: the JOSE header `typ` of every SET, and the push media type (RFC 8935 §2). */
export const SET_JWT_TYPE = 'secevent+jwt';
export const SET_MEDIA_TYPE = 'application/secevent+jwt';

/** The outbox event types (issue #13) a SET stream maps. */
export type SourceEventType =
  | 'user.created'
  | 'user.updated'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'user.deleted'
  | 'group.created'
  | 'group.updated'
  | 'group.deleted'
  | 'group.user_added'
  | 'group.user_removed';

/** What a SET needs from one outbox event (the services layer adapts the outbox row to this). */
export interface SetSourceEvent {
  /** The outbox event id: the stream's idempotency key. */
  readonly id: string;
  readonly type: SourceEventType | string;
  readonly resourceType: 'User' | 'Group';
  readonly resourceId: string;
  readonly externalId: string | null;
  /** The resource's ETag after the change (RFC 9967 §2.2 `version`); absent after a delete. */
  readonly version: string | null;
  /** Changed attribute paths (RFC 9967 §2.2 `attributes`, RFC 7644 §3.5.2 path syntax). */
  readonly attributes: readonly string[];
  /** The HTTP method of the SCIM request (or console action) that caused it, when known. */
  readonly method: string | null;
  /** The transaction that caused it (the activity-log entry id), shared by all its events. */
  readonly txn: string;
  /** When the change happened (ISO-8601); becomes `toe` (RFC 8417 §2.2). */
  readonly occurredAt: string;
}

/** The claims of one SET before signing (RFC 8417 §2.2, RFC 9967 §2.1–2.2). */
export interface SetClaims {
  readonly jti: string;
  readonly iss: string;
  readonly aud: string;
  readonly iat: number;
  readonly toe: number;
  readonly txn: string;
  /** RFC 9967 §2.1: `sub_id` of format "scim" (RFC 9493), never the JWT `sub`. */
  readonly sub_id: { readonly format: 'scim'; readonly uri: string; readonly externalId?: string };
  readonly events: Record<string, JsonObject>;
}

const endpointOf = (resourceType: 'User' | 'Group'): string => (resourceType === 'User' ? '/Users' : '/Groups');

/** RFC 9967 §2.1 `uri`: the path relative to the SCIM base URI, e.g. `/Users/2b2f…`. */
export const subjectUri = (resourceType: 'User' | 'Group', id: string): string => `${endpointOf(resourceType)}/${encodeURIComponent(id)}`;

/** The modify event for an update: PUT replaces (RFC 9967 §2.4.3), everything else is a PATCH (§2.4.2). */
const modifyUri = (method: string | null): string => (method !== null && method.toUpperCase() === 'PUT' ? PROV_PUT_NOTICE : PROV_PATCH_NOTICE);

/** A notice payload: `attributes` (never `data`: RFC 9967 §2.4 "exactly one … MUST be present") and `version`. */
const notice = (e: SetSourceEvent, attributes: readonly string[]): JsonObject => ({
  attributes: [...attributes],
  ...(e.version === null ? {} : { version: e.version }),
});

/**
 * The `events` claim for one outbox event, or undefined when it is not a provisioning change.
 * RFC 9967 §2.1: several event URIs in one SET describe the same state change of one resource, so a
 * deactivation carries the modify notice (which attributes changed, the new version) and
 * `prov:deactivate` (§2.4.6) together; a reactivation likewise with `prov:activate` (§2.4.5).
 * Membership changes are modify notices on the Group listing `members`.
 */
export function eventsClaimFor(e: SetSourceEvent): Record<string, JsonObject> | undefined {
  switch (e.type) {
    case 'user.created':
    case 'group.created':
      // §2.4.1: the server assigned `id`, so it is listed with what the request set.
      return { [PROV_CREATE_NOTICE]: notice(e, e.attributes.includes('id') ? e.attributes : ['id', ...e.attributes]) };
    case 'user.updated':
    case 'group.updated':
      return { [modifyUri(e.method)]: notice(e, e.attributes) };
    case 'user.deactivated':
      return { [modifyUri(e.method)]: notice(e, e.attributes.length ? e.attributes : ['active']), [PROV_DEACTIVATE]: {} };
    case 'user.reactivated':
      return { [modifyUri(e.method)]: notice(e, e.attributes.length ? e.attributes : ['active']), [PROV_ACTIVATE]: {} };
    case 'user.deleted':
    case 'group.deleted':
      // §2.4.4: no payload attributes, no "full"/"notice" qualifier.
      return { [PROV_DELETE]: {} };
    case 'group.user_added':
    case 'group.user_removed':
      return { [modifyUri(e.method)]: notice(e, ['members']) };
    default:
      return undefined;
  }
}

/** Keeps only the event URIs a stream asked for; undefined when nothing is left. */
export function filterEvents(events: Record<string, JsonObject>, wanted: readonly string[] | null): Record<string, JsonObject> | undefined {
  if (wanted === null) return events;
  const kept = Object.entries(events).filter(([uri]) => wanted.includes(uri));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/**
 * RFC 9967 §5 (high change rates): "Aggregate multiple PATCH Events into a single event". Consecutive
 * SETs of the same transaction about the same subject with the same single modify URI (the 100
 * `group.user_added` of one PATCH) become one SET whose `attributes` is the union; deletes,
 * activations and creates are never merged.
 */
export function canMerge(a: { txn: string; uri: string; events: Record<string, JsonObject> }, b: { txn: string; uri: string; events: Record<string, JsonObject> }): boolean {
  if (a.txn !== b.txn || a.uri !== b.uri) return false;
  const ka = Object.keys(a.events);
  const kb = Object.keys(b.events);
  return ka.length === 1 && kb.length === 1 && ka[0] === kb[0] && (ka[0] === PROV_PATCH_NOTICE || ka[0] === PROV_PUT_NOTICE);
}

/** Merges b (later) into a: union of attributes, b's version (the later state). */
export function mergeEvents(a: Record<string, JsonObject>, b: Record<string, JsonObject>): Record<string, JsonObject> {
  const uri = Object.keys(a)[0]!;
  const pa = a[uri]!;
  const pb = b[uri]!;
  const attrs = [...new Set([...((pa['attributes'] as string[] | undefined) ?? []), ...((pb['attributes'] as string[] | undefined) ?? [])])];
  const version = pb['version'] ?? pa['version'];
  return { [uri]: { attributes: attrs, ...(version === undefined ? {} : { version }) } };
}

// ---- RFC 8936 poll messages ----

/** RFC 8935 §2.4 / RFC 8936 §2.4 error codes ("Security Event Token Error Codes" registry). */
export const SET_ERROR_CODES = ['invalid_request', 'invalid_key', 'invalid_issuer', 'invalid_audience', 'authentication_failed', 'access_denied'] as const;

export interface PollRequest {
  /** RFC 8936 §2.1: most SETs to return; 0 = acknowledge only. Absent: the server picks. */
  readonly maxEvents: number | undefined;
  /** RFC 8936 §2.1: answer at once even when there is nothing (default false: long poll). */
  readonly returnImmediately: boolean;
  /** RFC 8936 §2.1: jti values the recipient received and processed. */
  readonly ack: readonly string[];
  /** RFC 8936 §2.1: jti → {err, description} for SETs the recipient could not process. */
  readonly setErrs: ReadonlyMap<string, { err: string; description: string | null }>;
}

export class PollRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PollRequestError';
  }
}

const MAX_ACKS = 1000;

/** Validates an RFC 8936 §2.1 poll request body; throws PollRequestError with a readable reason. */
export function parsePollRequest(body: unknown): PollRequest {
  if (body === undefined || body === null) return { maxEvents: undefined, returnImmediately: false, ack: [], setErrs: new Map() };
  if (typeof body !== 'object' || Array.isArray(body)) throw new PollRequestError('The poll request must be a JSON object (RFC 8936 §2.1)');
  const o = body as Record<string, unknown>;
  const known = new Set(['maxEvents', 'returnImmediately', 'ack', 'setErrs']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new PollRequestError(`Unknown poll request member "${k}": expected maxEvents, returnImmediately, ack, setErrs`);
  let maxEvents: number | undefined;
  if (o['maxEvents'] !== undefined) {
    const m = o['maxEvents'];
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0) throw new PollRequestError('"maxEvents" must be a non-negative integer');
    maxEvents = m;
  }
  const ri = o['returnImmediately'];
  if (ri !== undefined && typeof ri !== 'boolean') throw new PollRequestError('"returnImmediately" must be true or false');
  const ack = o['ack'] ?? [];
  if (!Array.isArray(ack) || ack.some((j) => typeof j !== 'string' || j === '')) throw new PollRequestError('"ack" must be an array of jti strings');
  const errs = o['setErrs'] ?? {};
  if (typeof errs !== 'object' || errs === null || Array.isArray(errs)) throw new PollRequestError('"setErrs" must be an object mapping jti to {"err","description"}');
  const setErrs = new Map<string, { err: string; description: string | null }>();
  for (const [jti, v] of Object.entries(errs as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null || typeof (v as Record<string, unknown>)['err'] !== 'string') {
      throw new PollRequestError(`"setErrs.${jti}" must be an object with a string "err" (RFC 8936 §2.1)`);
    }
    const d = (v as Record<string, unknown>)['description'];
    setErrs.set(jti, { err: (v as { err: string }).err.slice(0, 100), description: typeof d === 'string' ? d.slice(0, 1000) : null });
  }
  if (ack.length + setErrs.size > MAX_ACKS) throw new PollRequestError(`At most ${MAX_ACKS} acknowledgements per poll`);
  return { maxEvents, returnImmediately: ri === true, ack: ack as string[], setErrs };
}

/** RFC 8935 §2.3: a 400 answer's body `{"err","description"}`; undefined when it is not one. */
export function parseSetError(body: string): { err: string; description: string | null } | undefined {
  try {
    const o = JSON.parse(body) as unknown;
    if (typeof o !== 'object' || o === null) return undefined;
    const err = (o as Record<string, unknown>)['err'];
    const d = (o as Record<string, unknown>)['description'];
    return typeof err === 'string' ? { err: err.slice(0, 100), description: typeof d === 'string' ? d.slice(0, 1000) : null } : undefined;
  } catch {
    return undefined;
  }
}
