// POST /Bulk (RFC 7644 §3.7) as a use case. A BulkRequest is parsed here (the envelope fails the
// whole request; a bad operation fails only itself), `bulkId:` references are planned, and each
// operation then runs through the same ScimResourceService method a single request would use, so
// validation, membership rules, ETags, transactions and activity rows are exactly theirs.
//
// Atomicity: none across operations. RFC 7644 §3.7 treats each operation as its own request and
// §3.7.3 asks the service provider to "continue performing as many changes as possible and
// disregard partial failures": every operation commits (or rolls back) in its own transaction, and
// a later failure never undoes an earlier success. Clients learn what happened from the response.
//
// Ordering (RFC 7644 §3.7.1/§3.7.2): operations run in request order, except that an operation
// that refers (in `path` or anywhere in `data`) to a `bulkId` whose POST has not run yet is
// deferred, and retried after the others in further passes. The response still lists every result
// at its request position. Deferred operations run *after* later, independent operations: the RFC
// allows any order that honours the references.
//
// Decisions:
//  * Circular references (POST A needs B's id, POST B needs A's) are refused, not resolved: RFC
//    7644 §3.7.1 says the provider MUST try but MAY "instead return HTTP status code 409
//    (Conflict)". Every operation on the cycle gets 409 with a detail naming the cycle; an
//    operation that merely depends on one gets 409 like any operation whose referenced POST failed.
//    (A client can break the cycle itself: POST one resource without the reference, then PATCH it.)
//  * A reference to a bulkId no POST of the request carries → that operation fails 400 invalidValue.
//  * A reference to a bulkId whose POST failed → 409 (the resource it needs does not exist).
//  * `bulkId` is REQUIRED for POST (§3.7.2) → a POST without one fails 400 invalidValue, unrun.
//    bulkIds must be unique in the request; a repeated one fails that later operation (400).
//  * Only whole string values `bulkId:<id>` are references (case-sensitive prefix, RFC spelling).
//  * `failOnErrors` = N (a positive whole number; `null` = absent, as Entra's inbound API sends):
//    once N operations have failed, processing stops and the operations not yet run are neither
//    run nor listed (§3.7.3). A 503 (database unavailable) also stops processing.
//  * A missing `schemas` is tolerated (the body can only be a BulkRequest here); a `schemas` naming
//    only other messages is 400 invalidSyntax. An empty `Operations` array gives an empty response.
//  * Successes carry `location` and `version` (the ETag) but no resource body (RFC allows it;
//    responses stay small). Failures carry the §3.12 error body in `response`.
//  * Failed operations are queued to the activity log like failed single requests (successes log
//    their own row inside their transaction, in the resource service).
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { isJsonObject } from '../../domain/json.js';
import type { ScimLimits } from '../../scim/limits.js';
import {
  ScimError,
  invalidSyntax,
  invalidValue,
  isScimError,
  notFound,
  payloadTooLarge,
  serviceUnavailable,
} from '../../scim/errors.js';
import { keysLike, sameName } from '../../scim/patch/json-utils.js';
import { UNSTORABLE_TEXT, isStorableText, toStorableText } from '../../scim/text.js';
import type { ProjectionParams } from '../../scim/resources/projection.js';
import type { ActivityRecorder } from '../activity/activity.js';
import { isDatabaseUnavailableError } from './resource-errors.js';
import { etagOf, type RequestContext, type ScimResourceService } from './scim-resources.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export const BULK_ID_PREFIX = 'bulkId:';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly BulkMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** One entry of the BulkResponse `Operations` array (RFC 7644 §3.7.3). */
export interface BulkOperationResult {
  readonly method?: string;
  readonly bulkId?: string;
  readonly version?: string;
  readonly location?: string;
  /** The HTTP status code as a string, e.g. "201". */
  readonly status: string;
  /** The §3.12 error body, for failures only. */
  readonly response?: Record<string, unknown>;
}

export interface BulkResponse {
  readonly schemas: readonly [typeof BULK_RESPONSE_SCHEMA];
  readonly Operations: readonly BulkOperationResult[];
}

export interface BulkOptions {
  /** Called for an operation that failed with something other than a ScimError (answered 500). */
  readonly onUnexpectedError?: (error: unknown, operationIndex: number) => void;
}

export interface BulkService {
  /**
   * Runs a BulkRequest. `ctx` is the Bulk request's own context; each operation gets a copy with
   * its own method, path and start time. Throws ScimError only for the request as a whole (400
   * invalidSyntax/invalidValue, 413 over maxOperations); operation failures are in the response.
   */
  process(ctx: RequestContext, body: unknown, options?: BulkOptions): Promise<BulkResponse>;
}

export interface BulkServiceDeps {
  readonly users: ScimResourceService;
  readonly groups: ScimResourceService;
  readonly limits: ScimLimits;
  readonly activity: ActivityRecorder;
}

// ------------------------------------------------------------------ parsed operations

interface OpBase {
  readonly index: number;
  /** As sent (upper-cased when valid), for the response. */
  readonly method: string | undefined;
  readonly bulkId: string | undefined;
  /** The resource service when the path named one, for the activity log of a failure. */
  readonly service: ScimResourceService | undefined;
}

interface InvalidOp extends OpBase {
  readonly ok: false;
  readonly error: ScimError;
  /** The id segment of the path, when there was one. */
  readonly id: string | undefined;
}

interface ValidOp extends OpBase {
  readonly ok: true;
  readonly verb: BulkMethod;
  readonly service: ScimResourceService;
  /** The id segment of the path (decoded), possibly `bulkId:x`; undefined for POST. */
  readonly id: string | undefined;
  readonly data: JsonValue | undefined;
  readonly version: string | undefined;
  /** bulkIds this operation refers to, in its path and its data. */
  readonly refs: ReadonlySet<string>;
}

type ParsedOp = InvalidOp | ValidOp;

/** Case-insensitive member lookup (R-CORE-10); two spellings of one key are ambiguous. */
function member(obj: JsonObject, name: string, where: string): JsonValue | undefined {
  const keys = keysLike(obj, name);
  if (keys.length > 1) throw invalidSyntax(`${where} has more than one "${name}" member (${keys.join(', ')}).`, 'SCIM_E_BULK_002');
  const key = keys[0];
  return key === undefined ? undefined : obj[key];
}

function collectRefs(value: JsonValue | undefined, out: Set<string>): void {
  if (typeof value === 'string') {
    if (value.startsWith(BULK_ID_PREFIX)) out.add(value.slice(BULK_ID_PREFIX.length));
  } else if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (isJsonObject(value)) {
    for (const v of Object.values(value)) collectRefs(v, out);
  }
}

/** A copy of `value` with every `bulkId:x` string replaced by the id created for x. */
function substitute(value: JsonValue, ids: ReadonlyMap<string, string>): JsonValue {
  if (typeof value === 'string') return value.startsWith(BULK_ID_PREFIX) ? (ids.get(value.slice(BULK_ID_PREFIX.length)) ?? value) : value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, ids));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, ids);
    return out;
  }
  return value;
}

const PATH = /^\/?(Users|Groups)(?:\/+([^/?#]+))?\/*$/i;

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const quote = (s: string) => JSON.stringify(s);

// ------------------------------------------------------------------ the service

export function createBulkService(deps: BulkServiceDeps): BulkService {
  const { limits } = deps;
  const byEndpoint = new Map<string, ScimResourceService>([
    ['users', deps.users],
    ['groups', deps.groups],
  ]);
  // Successes report no body, so skip the work of rendering derived and membership attributes.
  const projectionFor = (s: ScimResourceService): ProjectionParams => ({
    excludedAttributes: [...s.schema.derivedAttributes, ...(s.schema.membershipAttribute ? [s.schema.membershipAttribute] : [])],
  });

  function parseEnvelope(body: unknown): { failOnErrors: number | undefined; operations: JsonValue[] } {
    if (!isJsonObject(body)) {
      throw invalidSyntax(`A Bulk request body must be a JSON object with "schemas": ["${BULK_REQUEST_SCHEMA}"] and "Operations" (RFC 7644 §3.7).`, 'SCIM_E_BULK_001');
    }
    const schemas = member(body, 'schemas', 'The request');
    if (schemas !== undefined && schemas !== null) {
      const list = typeof schemas === 'string' ? [schemas] : schemas;
      if (!Array.isArray(list) || !list.some((s) => typeof s === 'string' && sameName(s, BULK_REQUEST_SCHEMA))) {
        throw invalidSyntax(`"schemas" must contain "${BULK_REQUEST_SCHEMA}".`, 'SCIM_E_BULK_003');
      }
    }
    const operations = member(body, 'Operations', 'The request');
    if (!Array.isArray(operations)) {
      throw invalidSyntax('A Bulk request must have an "Operations" array (RFC 7644 §3.7).', 'SCIM_E_BULK_004');
    }
    if (operations.length > limits.bulkMaxOperations) {
      // RFC 7644 §3.7.4: over maxOperations → 413, stating the limits.
      throw payloadTooLarge(
        `The bulk request has ${operations.length} operations; at most ${limits.bulkMaxOperations} are accepted ${bulkLimitsText(limits)}.`,
        'SCIM_E_BULK_005',
      );
    }
    return { failOnErrors: parseFailOnErrors(member(body, 'failOnErrors', 'The request')), operations };
  }

  function parseOperation(raw: JsonValue, index: number): ParsedOp {
    const base = { index, method: undefined, bulkId: undefined, service: undefined, id: undefined };
    if (!isJsonObject(raw)) return { ...base, ok: false, error: invalidSyntax('Each bulk operation must be a JSON object.', 'SCIM_E_BULK_006') };
    let method: string | undefined;
    let bulkId: string | undefined;
    let service: ScimResourceService | undefined;
    let id: string | undefined;
    try {
      const rawMethod = member(raw, 'method', `Operation ${index}`);
      method = typeof rawMethod === 'string' ? rawMethod : undefined;
      const rawBulkId = member(raw, 'bulkId', `Operation ${index}`);
      bulkId = typeof rawBulkId === 'string' && rawBulkId !== '' ? rawBulkId : undefined;
      const verb = METHODS.find((m) => method !== undefined && sameName(m, method));
      if (verb === undefined) {
        throw invalidSyntax(`"method" must be one of POST, PUT, PATCH or DELETE, got ${JSON.stringify(rawMethod ?? null)}.`, 'SCIM_E_BULK_007');
      }
      method = verb;
      if (rawBulkId !== undefined && rawBulkId !== null && bulkId === undefined) {
        throw invalidValue('"bulkId" must be a non-empty string.', 'SCIM_E_BULK_008');
      }
      const path = member(raw, 'path', `Operation ${index}`);
      if (typeof path !== 'string' || path.trim() === '') {
        throw invalidSyntax('"path" is required: a resource endpoint such as "/Users", or a resource such as "/Users/{id}".', 'SCIM_E_BULK_009');
      }
      const m = PATH.exec(path.trim());
      if (!m) throw notFound(`No bulk endpoint ${JSON.stringify(path)}: use /Users, /Groups, /Users/{id} or /Groups/{id}.`, 'SCIM_E_BULK_010');
      service = byEndpoint.get(m[1]!.toLowerCase())!;
      id = m[2] === undefined ? undefined : decode(m[2]);
      if (id !== undefined && !isStorableText(id)) {
        const shown = toStorableText(id);
        id = undefined;
        throw invalidValue(`The path ${quote(`${m[1]}/${shown}`)} contains ${UNSTORABLE_TEXT}; no resource has such an id.`, 'SCIM_E_BULK_021');
      }
      const endpoint = service.schema.type.endpoint;
      if (verb === 'POST' && id !== undefined) {
        throw invalidSyntax(`POST takes a resource type endpoint such as "${endpoint}", not a resource path.`, 'SCIM_E_BULK_011');
      }
      if (verb !== 'POST' && id === undefined) {
        throw invalidSyntax(`${verb} takes a resource path such as "${endpoint}/{id}".`, 'SCIM_E_BULK_011');
      }
      if (verb === 'POST' && bulkId === undefined) {
        throw invalidValue('"bulkId" is required for POST (RFC 7644 §3.7.2).', 'SCIM_E_BULK_012');
      }
      const data = member(raw, 'data', `Operation ${index}`);
      if (verb !== 'DELETE' && (data === undefined || data === null)) {
        throw invalidSyntax(`${verb} needs "data": the body a single ${verb} request would send.`, 'SCIM_E_BULK_013');
      }
      const rawVersion = member(raw, 'version', `Operation ${index}`);
      if (rawVersion !== undefined && rawVersion !== null && typeof rawVersion !== 'string') {
        throw invalidSyntax('"version" must be a string (an ETag such as W/"3").', 'SCIM_E_BULK_014');
      }
      const refs = new Set<string>();
      if (id !== undefined && id.startsWith(BULK_ID_PREFIX)) refs.add(id.slice(BULK_ID_PREFIX.length));
      if (verb !== 'DELETE') collectRefs(data, refs);
      return {
        ok: true,
        index,
        method,
        bulkId,
        verb,
        service,
        id,
        data: verb === 'DELETE' ? undefined : data,
        // Only PUT, PATCH and DELETE act on an existing version (§3.7: version → If-Match).
        version: verb !== 'POST' && typeof rawVersion === 'string' && rawVersion.trim() !== '' ? rawVersion : undefined,
        refs,
      };
    } catch (e) {
      if (!isScimError(e)) throw e;
      return { ok: false, index, method, bulkId, service, id, error: e };
    }
  }

  return {
    async process(ctx, body, options = {}) {
      const { failOnErrors, operations } = parseEnvelope(body);
      const ops = operations.map(parseOperation);

      // bulkId → the first operation carrying it; later repeats fail (bulkIds are unique, §3.7).
      const declaredBy = new Map<string, number>();
      for (const op of ops) if (op.bulkId !== undefined && !declaredBy.has(op.bulkId)) declaredBy.set(op.bulkId, op.index);
      /** The POST a reference names, or undefined when no POST of this request carries it. */
      const postOf = (ref: string): number | undefined => {
        const i = declaredBy.get(ref);
        const op = i === undefined ? undefined : ops[i];
        return op !== undefined && op.method === 'POST' ? i : undefined;
      };
      const cycles = findCycles(ops, postOf);

      const created = new Map<string, string>(); // bulkId → id of the resource its POST created
      const results: Array<BulkOperationResult | undefined> = new Array<BulkOperationResult | undefined>(ops.length);
      const prefix = ctx.path.replace(/\/Bulk\/*$/i, '');
      const failed = (i: number) => {
        const r = results[i];
        return r !== undefined && Number(r.status) >= 400;
      };

      const fail = (op: ParsedOp, error: ScimError, startedAt: number): BulkOperationResult => {
        const id = op.id === undefined ? undefined : resolveId(op.id, created);
        const location = id === undefined || op.service === undefined ? undefined : `${ctx.baseUrl}${op.service.schema.type.endpoint}/${encodeURIComponent(id)}`;
        deps.activity.enqueue(ctx.store, {
          at: new Date(Date.now() - (performance.now() - startedAt)).toISOString(),
          keyId: ctx.keyId,
          actor: ctx.actor,
          method: op.method ?? 'BULK',
          path: op.service ? `${prefix}${op.service.schema.type.endpoint}${id === undefined ? '' : `/${id}`}` : ctx.path,
          status: error.status,
          scimType: error.scimType ?? null,
          durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
          resourceType: op.service?.resourceType ?? null,
          resourceId: id ?? null,
          summary: JSON.stringify({ detail: error.detail, bulkOperation: op.index, ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }), ...(error.conflict ? { conflict: error.conflict } : {}) }),
        });
        return {
          ...(op.method === undefined ? {} : { method: op.method }),
          ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }),
          ...(location === undefined || op.method === 'POST' ? {} : { location }),
          status: String(error.status),
          response: error.toBody(),
        };
      };

      /** What to do with `op` now, decided without I/O (deferred operations are re-checked each pass). */
      function verdict(op: ParsedOp): ScimError | 'deferred' | 'run' {
        if (!op.ok) return op.error;
        if (op.bulkId !== undefined && declaredBy.get(op.bulkId) !== op.index) {
          return invalidValue(`bulkId ${quote(op.bulkId)} is already used by operation ${declaredBy.get(op.bulkId)}; bulkIds must be unique within a request.`, 'SCIM_E_BULK_015');
        }
        for (const ref of op.refs) {
          if (postOf(ref) === undefined) return invalidValue(`${quote(BULK_ID_PREFIX + ref)} refers to no POST operation of this request with bulkId ${quote(ref)}.`, 'SCIM_E_BULK_016');
        }
        const cycle = cycles.get(op.index);
        if (cycle !== undefined) {
          return new ScimError(
            409,
            undefined,
            `Circular bulkId references ${cycle.map(quote).join(' → ')}: each of these POSTs needs the id of the next (RFC 7644 §3.7.1). Create one of them without the reference, then add it with a PATCH operation.`,
            'SCIM_E_BULK_017',
          );
        }
        let waiting = false;
        for (const ref of op.refs) {
          if (created.has(ref)) continue;
          const post = postOf(ref)!;
          if (failed(post)) {
            return new ScimError(409, undefined, `The POST with bulkId ${quote(ref)} (operation ${post}) failed, so ${quote(BULK_ID_PREFIX + ref)} cannot be resolved.`, 'SCIM_E_BULK_018');
          }
          waiting = true;
        }
        return waiting ? 'deferred' : 'run';
      }

      /** Settles `op` (v ≠ 'deferred'): a failure result, or the outcome of running it. */
      async function settle(op: ParsedOp, v: ScimError | 'run'): Promise<BulkOperationResult> {
        const startedAt = performance.now();
        if (v !== 'run') return fail(op, v, startedAt);
        if (!op.ok) return fail(op, op.error, startedAt); // not reached: verdict() refuses invalid operations
        try {
          return await run(op, startedAt);
        } catch (e) {
          if (isScimError(e)) return fail(op, e, startedAt);
          if (isDatabaseUnavailableError(e)) return fail(op, serviceUnavailable('The directory database is unavailable right now; retry shortly.', 'SCIM_E_DB_UNAVAILABLE'), startedAt);
          options.onUnexpectedError?.(e, op.index);
          return fail(op, new ScimError(500, undefined, 'Internal server error while processing this operation.', 'SCIM_E_BULK_500'), startedAt);
        }
      }

      async function run(op: ValidOp, startedAt: number): Promise<BulkOperationResult> {
        const service = op.service;
        const endpoint = service.schema.type.endpoint;
        const id = op.id === undefined ? undefined : resolveId(op.id, created);
        const opCtx: RequestContext = { ...ctx, method: op.verb, path: `${prefix}${endpoint}${id === undefined ? '' : `/${id}`}`, startedAt };
        const data = op.data === undefined ? undefined : substitute(op.data, created);
        const head = { method: op.verb, ...(op.bulkId === undefined ? {} : { bulkId: op.bulkId }) };
        const pre = { ifMatch: op.version };
        switch (op.verb) {
          case 'POST': {
            const r = await service.create(opCtx, data, projectionFor(service));
            const newId = r.resource['id'];
            if (typeof newId === 'string') created.set(op.bulkId!, newId);
            return { ...head, location: r.location, version: etagOf(r.version), status: '201' };
          }
          case 'PUT': {
            const r = await service.replace(opCtx, id!, data, projectionFor(service), pre);
            return { ...head, location: r.location, version: etagOf(r.version), status: '200' };
          }
          case 'PATCH': {
            // No `attributes` asked for, so a Group PATCH is 204 as a single request is (R-CORE-20).
            const out = await service.patch(opCtx, id!, data, projectionFor(service), pre);
            return { ...head, location: out.rendered.location, version: etagOf(out.rendered.version), status: out.noContent ? '204' : '200' };
          }
          case 'DELETE': {
            await service.delete(opCtx, id!, pre);
            return { ...head, location: `${ctx.baseUrl}${endpoint}/${encodeURIComponent(id!)}`, status: '204' };
          }
        }
      }

      let pending = ops;
      let errors = 0;
      let stopped = false;
      while (pending.length > 0 && !stopped) {
        const deferred: ParsedOp[] = [];
        for (const op of pending) {
          const v = verdict(op);
          if (v === 'deferred') {
            deferred.push(op);
            continue;
          }
          // Each operation's work is bounded (docs/security.md "Cost model"), but a Bulk request
          // holds up to 1,000 of them: yield to the event loop between operations so other
          // tenants' requests are served in between (on SQLite every await here is a microtask).
          await yieldToEventLoop();
          const outcome = await settle(op, v);
          results[op.index] = outcome;
          if (Number(outcome.status) >= 400) {
            errors++;
            if ((failOnErrors !== undefined && errors >= failOnErrors) || outcome.status === '503') {
              stopped = true;
              break;
            }
          }
        }
        if (!stopped && deferred.length === pending.length) {
          // Unreachable: with cycles refused up front, every pass settles at least one operation.
          for (const op of deferred) results[op.index] = fail(op, new ScimError(409, undefined, 'Unresolvable bulkId references.', 'SCIM_E_BULK_019'), performance.now());
          break;
        }
        pending = deferred;
      }

      return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r): r is BulkOperationResult => r !== undefined) };
    },
  };
}

/** The limits in the form R-CORE-27 asks 413 details to carry. */
export const bulkLimitsText = (limits: Pick<ScimLimits, 'bulkMaxOperations' | 'bulkMaxPayloadBytes'>): string =>
  JSON.stringify({ maxOperations: limits.bulkMaxOperations, maxPayloadSize: limits.bulkMaxPayloadBytes });

function resolveId(id: string, created: ReadonlyMap<string, string>): string | undefined {
  return id.startsWith(BULK_ID_PREFIX) ? created.get(id.slice(BULK_ID_PREFIX.length)) : id;
}

/** `failOnErrors`: absent or null → none; otherwise a whole number ≥ 1 (a numeric string too). */
function parseFailOnErrors(raw: JsonValue | undefined): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw invalidValue(`"failOnErrors" must be a whole number of at least 1, got ${JSON.stringify(raw)}.`, 'SCIM_E_BULK_020');
  }
  return n;
}

/**
 * Operations on a circular chain of bulkId references, each mapped to one cycle through it as a
 * list of bulkIds (first = last). Edges go from an operation to the POSTs it refers to; only POSTs
 * have incoming edges, so only POSTs can be on a cycle. Kahn's algorithm finds the operations that
 * can never run; a breadth-first search from each of those tells a cycle member from an operation
 * that only depends on one (that one fails later, as a dependant of a failed POST).
 */
function findCycles(ops: readonly ParsedOp[], postOf: (ref: string) => number | undefined): Map<number, string[]> {
  const deps = ops.map((op) => {
    const out = new Set<number>();
    if (!op.ok) return out;
    for (const ref of op.refs) {
      const p = postOf(ref);
      if (p !== undefined) out.add(p);
    }
    return out;
  });
  const dependants = ops.map(() => [] as number[]);
  const remaining = deps.map((d) => d.size);
  deps.forEach((d, i) => d.forEach((p) => dependants[p]!.push(i)));
  const queue = remaining.flatMap((n, i) => (n === 0 ? [i] : []));
  const settled = new Set<number>(queue);
  while (queue.length > 0) {
    const p = queue.pop()!;
    for (const i of dependants[p]!) {
      if (--remaining[i]! === 0 && !settled.has(i)) {
        settled.add(i);
        queue.push(i);
      }
    }
  }
  const cycles = new Map<number, string[]>();
  for (let start = 0; start < ops.length; start++) {
    if (settled.has(start)) continue;
    // Shortest way back to `start`.
    const parent = new Map<number, number>();
    const frontier = [start];
    let found = false;
    for (let k = 0; k < frontier.length && !found; k++) {
      const node = frontier[k]!;
      for (const next of deps[node]!) {
        if (next === start) {
          parent.set(start, node);
          found = true;
          break;
        }
        if (!parent.has(next) && !settled.has(next)) {
          parent.set(next, node);
          frontier.push(next);
        }
      }
    }
    if (!found) continue;
    const chain = [start];
    for (let node = parent.get(start)!; node !== start; node = parent.get(node)!) chain.push(node);
    chain.push(start);
    // parent pointers walk the cycle backwards; "a → b" reads "a needs b".
    const names = chain.reverse().map((i) => ops[i]!.bulkId ?? `#${i}`);
    cycles.set(start, names);
  }
  return cycles;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
