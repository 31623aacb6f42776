// SCIM use cases for Users and Groups: one service shape for both resource types, one
// transaction per write with its activity-log row inside it. The registry drives validation
// and projection; no attribute is special-cased here except through the registry's
// membershipAttribute (Group.members, stored as rows) and derivedAttributes (User.groups).
import { decimalInteger } from '../../scim/query-numbers.js';
import { jsonEqual, type JsonObject, type JsonValue } from '../../domain/json.js';
import { isoNow } from '../../domain/clock.js';
import type { TenantStore, StoredResource, StoredView, ResourceStore, Page, SortSpec } from '../../storage/ports.js';
import { docOf } from '../../storage/ports.js';
import { UniqueConflict, VersionConflict } from '../../storage/ports.js';
import type { ResourceTypeName } from '../../scim/schema/types.js';
import { getResourceSchema, resolveAttrPath, type ResourceSchema } from '../../scim/schema/registry.js';
import { normalizeForWrite } from '../../scim/resources/codec.js';
import { applyProjection, keepsStoredDocument, parseProjection, wantsAttribute, type Projection, type ProjectionParams } from '../../scim/resources/projection.js';
import { spliceStoredView } from '../../scim/resources/stored-view.js';
import { parseFilter, parseAttrPath } from '../../scim/filter/parser.js';
import { diffDocs } from './change-summary.js';
import { parsePatchRequest } from '../../scim/patch/parse-patch.js';
import { applyPatch, type MemberChange, type MemberRef } from '../../scim/patch/apply-patch.js';
import type { ScimLimits } from '../../scim/limits.js';
import {
  invalidValue,
  invalidCount,
  notFound,
  preconditionFailed,
  uniqueness,
  ScimError,
} from '../../scim/errors.js';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor.js';
import type { ActivityEntry, MemberChangeRow } from '../../storage/ports.js';
import { recordChange, type ResourceChange } from '../events/record-events.js';
import { createWriteQueue } from './write-queue.js';
import { newResourceId } from '../../domain/resource-ids.js';

type MemberDelta = { readonly added: readonly MemberChangeRow[]; readonly removed: readonly MemberChangeRow[] };

export interface RequestContext {
  readonly store: TenantStore;
  readonly keyId: string | null;
  readonly actor: string | null;
  readonly method: string;
  /** Request path without the query string, for the activity log. */
  readonly path: string;
  /** Absolute SCIM base, e.g. https://host/scim/v2. */
  readonly baseUrl: string;
  readonly startedAt: number;
}

export interface RenderedResource {
  readonly resource: JsonObject;
  /** `resource` as JSON text, when it was spliced from the stored text (then `resource` is parsed from it on first read). */
  readonly text?: string;
  readonly version: number;
  readonly location: string;
  /** Group members, streamed in pages when the projection asks for them. */
  readonly members: AsyncIterable<JsonObject[]> | undefined;
}

/** A resource rendered by splicing its stored text (stored-view.ts): `resource` is parsed from the text only if read. */
class SplicedResource implements RenderedResource {
  #resource: JsonObject | undefined;
  constructor(
    readonly text: string,
    readonly version: number,
    readonly location: string,
    readonly members: AsyncIterable<JsonObject[]> | undefined,
  ) {}
  get resource(): JsonObject {
    return (this.#resource ??= JSON.parse(this.text) as JsonObject);
  }
}

export interface ListParams extends ProjectionParams {
  readonly filter?: string | undefined;
  readonly sortBy?: string | undefined;
  readonly sortOrder?: string | undefined;
  readonly startIndex?: string | number | undefined;
  readonly count?: string | number | undefined;
  /** RFC 9865: present (even empty) selects cursor pagination. */
  readonly cursor?: string | undefined;
}

export interface ListRendered {
  readonly totalResults: number | undefined;
  readonly startIndex: number | undefined;
  readonly itemsPerPage: number;
  readonly resources: RenderedResource[];
  readonly nextCursor: string | undefined;
  readonly previousCursor: string | undefined;
}

export interface Preconditions {
  readonly ifMatch?: string | undefined;
}

export interface PatchOutcome {
  readonly rendered: RenderedResource;
  /** Groups answer 204 unless attributes were asked for (R-CORE-20). */
  readonly noContent: boolean;
}

export interface ScimResourceService {
  readonly resourceType: ResourceTypeName;
  readonly schema: ResourceSchema;
  create(ctx: RequestContext, body: unknown, projection: ProjectionParams): Promise<RenderedResource>;
  get(ctx: RequestContext, id: string, projection: ProjectionParams): Promise<RenderedResource>;
  replace(ctx: RequestContext, id: string, body: unknown, projection: ProjectionParams, pre: Preconditions): Promise<RenderedResource>;
  patch(ctx: RequestContext, id: string, body: unknown, projection: ProjectionParams, pre: Preconditions): Promise<PatchOutcome>;
  delete(ctx: RequestContext, id: string, pre: Preconditions): Promise<void>;
  list(ctx: RequestContext, params: ListParams): Promise<ListRendered>;
}

export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * What the user lifecycle (services/lifecycle) adds to SCIM writes of Users: claims of manual
 * users, suspension, soft deletion. Called inside the write's transaction unless said otherwise.
 */
export interface UserLifecycleHooks {
  /** Before a create, outside any transaction: the manual user this create takes over (the answer is that user), or undefined. Throws a ScimError when the policy refuses. */
  claimOnCreate(ctx: RequestContext, doc: JsonObject): Promise<StoredResource | undefined>;
  /** Before a SCIM write changes an existing user: true when the write also claims a manual user. Throws when the policy refuses. */
  beforeWrite(tx: TenantStore, ctx: RequestContext, current: StoredResource, next: JsonObject | undefined): Promise<boolean>;
  /** After the update: lifecycle labels for the activity entry (suspended, reactivated, claimed); ends sessions on suspension. */
  afterWrite(tx: TenantStore, ctx: RequestContext, current: StoredResource, next: StoredResource, claimed: boolean): Promise<string[]>;
  /** Replaces the row delete: soft-deletes per the organisation's policy; returns the activity summary. */
  onDelete(tx: TenantStore, ctx: RequestContext, current: StoredResource): Promise<string>;
  /** After the delete committed (erasure at once under on-delete=erase). */
  afterDelete(ctx: RequestContext, id: string): Promise<void>;
  /** A write failed: lets the lifecycle record what must outlive the rolled-back transaction (a pending claim). */
  onFailure(ctx: RequestContext, error: unknown): Promise<void>;
}

const MEMBER_PAGE = 1000;
const WRITE_RETRIES = 5;

export function createScimResourceService(resourceType: ResourceTypeName, limits: ScimLimits, userHooks?: UserLifecycleHooks): ScimResourceService {
  const rs = getResourceSchema(resourceType);
  const endpoint = rs.type.endpoint;
  const membersAttr = rs.membershipAttribute;
  const derived = rs.derivedAttributes;
  const repo = (store: TenantStore): ResourceStore => (resourceType === 'User' ? store.users : store.groups);
  const notFoundError = (id: string) => notFound(`${resourceType} ${JSON.stringify(id)} not found`, 'SCIM_E_RESOURCE_404');

  // ------------------------------------------------------------------ rendering

  type GroupsByMember = Map<string, Array<{ id: string; displayName: string; direct: boolean }>>;

  async function render(
    store: TenantStore,
    baseUrl: string,
    stored: StoredView,
    projection: Projection,
    opts: { forceNoMembers?: boolean; groupsByMember?: GroupsByMember; membersKnownEmpty?: boolean } = {},
  ): Promise<RenderedResource> {
    const location = `${baseUrl}${endpoint}/${stored.id}`;
    const meta: JsonObject = { resourceType, created: stored.created, lastModified: stored.lastModified, location, version: etagOf(stored.version) };
    const derivedValues: Array<[string, JsonValue]> = [];
    for (const name of derived) {
      if (!wantsAttribute(rs, projection, name)) continue;
      // A map given (a list page's walk, or an empty one for a resource created just now) is the
      // whole answer: a resource missing from it is in no group.
      const groups = opts.groupsByMember ? (opts.groupsByMember.get(stored.id) ?? []) : await store.members.ancestorsOf(stored.id, resourceType);
      if (groups.length > 0) {
        derivedValues.push([name, groups.map((g) => ({ value: g.id, $ref: `${baseUrl}/Groups/${g.id}`, display: g.displayName, type: g.direct ? 'direct' : 'indirect' }))]);
      }
    }
    let members: AsyncIterable<JsonObject[]> | undefined;
    if (membersAttr && !opts.forceNoMembers && wantsAttribute(rs, projection, membersAttr)) {
      // A group created just now without members has none to read (rendered as `"members":[]`, as a read would).
      members = opts.membersKnownEmpty ? noMemberPages() : memberPages(store, baseUrl, stored.id);
    }
    // The default view of a document stored as text: spliced, not parsed and re-serialised (not when
    // members are streamed into it: render.ts builds that body from the resource object).
    const spliceable = stored.docText !== undefined && members === undefined && keepsStoredDocument(rs, projection);
    const text = spliceable ? spliceStoredView(rs, stored.docText, stored.id, meta, derivedValues) : undefined;
    if (text !== undefined) return new SplicedResource(text, stored.version, location, members);
    const { schemas, ...rest } = docOf(stored);
    const full: JsonObject = { schemas: schemas ?? [rs.core.id], id: stored.id, ...rest, meta };
    for (const [name, value] of derivedValues) full[name] = value;
    return { resource: applyProjection(rs, full, projection), version: stored.version, location, members };
  }

  async function* noMemberPages(): AsyncIterable<JsonObject[]> {}

  async function* memberPages(store: TenantStore, baseUrl: string, groupId: string): AsyncIterable<JsonObject[]> {
    for await (const page of store.members.iterateMembers(groupId, MEMBER_PAGE)) {
      yield page.map((m) => ({
        value: m.value,
        $ref: `${baseUrl}/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`,
        type: m.type,
        ...(m.display === undefined ? {} : { display: m.display }),
      }));
    }
  }

  // ------------------------------------------------------------------ helpers

  function checkIfMatch(stored: StoredResource, pre: Preconditions): void {
    if (pre.ifMatch === undefined) return;
    const tags = pre.ifMatch.split(',').map((t) => t.trim());
    const current = etagOf(stored.version);
    const bare = (t: string) => t.replace(/^W\//, '');
    if (tags.includes('*') || tags.some((t) => bare(t) === bare(current))) return;
    throw preconditionFailed(`If-Match ${pre.ifMatch} does not match the current version ${current}`, 'SCIM_E_ETAG_412');
  }

  function activity(ctx: RequestContext, status: number, resourceId: string | null, summary: string | null): ActivityEntry {
    return {
      // startedAt is a performance.now() reading: convert it to wall-clock time.
      at: new Date(Date.now() - (performance.now() - ctx.startedAt)).toISOString(),
      keyId: ctx.keyId,
      actor: ctx.actor,
      method: ctx.method,
      path: ctx.path,
      status,
      scimType: null,
      durationMs: Math.round((performance.now() - ctx.startedAt) * 100) / 100,
      resourceType,
      resourceId,
      summary,
    };
  }

  /** Attribute names, plus the old → new values of what changed (change-summary.ts). */
  const attrSummary = (doc: JsonObject, before: JsonObject = {}, after: JsonObject = doc) => {
    const { changes, more } = diffDocs(before, after);
    return JSON.stringify({ attributes: Object.keys(doc).filter((k) => k !== 'schemas').sort(), changes, ...(more > 0 ? { moreChanges: more } : {}) });
  };

  /**
   * The 409 names the record that holds the value (RFC 7644 §3.3: "uniqueness"), so the admin of
   * the identity provider and the console can find it. Looked up after the failed transaction
   * (PostgreSQL refuses statements inside an aborted one).
   */
  async function uniquenessError(store: TenantStore, e: UniqueConflict): Promise<ScimError> {
    const plain = uniqueness(`A ${resourceType} with this ${e.attribute} already exists in your organisation`, 'SCIM_E_UNIQUE_409');
    if (e.value === undefined) return plain;
    try {
      const found = await repo(store).list({ filter: parseFilter(`${e.attribute} eq ${JSON.stringify(e.value)}`), sort: undefined, page: { kind: 'index', startIndex: 1, count: 1 }, withTotal: false });
      const existing = found.resources[0];
      if (!existing) return plain;
      const name = [existing.doc.displayName, existing.doc.userName].find((v): v is string => typeof v === 'string') ?? existing.id;
      return uniqueness(`A ${resourceType} with the ${e.attribute} ${JSON.stringify(e.value)} already exists in your organisation (id ${existing.id})`, 'SCIM_E_UNIQUE_409', {
        conflict: { attribute: e.attribute, value: e.value, existingId: existing.id, existingName: name },
      });
    } catch {
      return plain;
    }
  }

  /** Splits the membership attribute off a normalised document (members are rows). */
  function splitMembers(doc: JsonObject): { doc: JsonObject; members: MemberRef[] | undefined } {
    if (!membersAttr || !(membersAttr in doc)) return { doc, members: undefined };
    const { [membersAttr]: raw, ...rest } = doc;
    const members = Array.isArray(raw)
      ? raw.flatMap((m) => (typeof m === 'object' && m !== null && !Array.isArray(m) && typeof m.value === 'string' ? [{ value: m.value }] : []))
      : [];
    return { doc: rest, members };
  }

  /** Resolves member ids to Users/Groups of this tenant; unknown ids are 400 invalidValue naming them. */
  async function resolveMembers(store: TenantStore, groupId: string, refs: readonly MemberRef[]): Promise<Array<{ value: string; type: 'User' | 'Group' }>> {
    const ids = [...new Set(refs.map((r) => r.value))];
    if (ids.length > limits.maxMembersPerRequest) {
      throw invalidValue(`At most ${limits.maxMembersPerRequest} members can be named in one request (got ${ids.length})`, 'SCIM_E_MEMBERS_TOO_MANY');
    }
    const users = await store.users.existingIds(ids);
    const rest = ids.filter((id) => !users.has(id));
    const groups = rest.length ? await store.groups.existingIds(rest) : new Set<string>();
    const unknown = rest.filter((id) => !groups.has(id));
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 5).map((u) => JSON.stringify(u)).join(', ');
      throw invalidValue(`Unknown member id${unknown.length > 1 ? 's' : ''} ${shown}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}: members must be Users or Groups of your organisation`, 'SCIM_E_MEMBERS_UNKNOWN');
    }
    if (groups.size > 0) {
      if (groups.has(groupId)) throw invalidValue(`A group cannot be a member of itself (${groupId})`, 'SCIM_E_MEMBERS_CYCLE');
      const ancestors = new Set((await store.members.ancestorsOf(groupId, 'Group')).map((g) => g.id));
      const cyclic = [...groups].filter((g) => ancestors.has(g));
      if (cyclic.length > 0) throw invalidValue(`Adding group ${JSON.stringify(cyclic[0])} would create a membership cycle`, 'SCIM_E_MEMBERS_CYCLE');
    }
    return ids.map((value) => ({ value, type: users.has(value) ? 'User' : 'Group' }));
  }

  /** Applies the PATCH's member operations in order; returns what each actually added and removed, in that order. */
  async function applyMemberChanges(store: TenantStore, groupId: string, changes: readonly MemberChange[], now: string): Promise<MemberDelta[]> {
    const deltas: MemberDelta[] = [];
    for (const c of changes) {
      switch (c.kind) {
        case 'add':
          deltas.push({ added: await store.members.add(groupId, await resolveMembers(store, groupId, c.members), now), removed: [] });
          break;
        case 'remove':
          deltas.push({ added: [], removed: await store.members.remove(groupId, c.values) });
          break;
        case 'removeAll':
          deltas.push({ added: [], removed: await store.members.removeAll(groupId) });
          break;
        case 'removeWhere':
          deltas.push({ added: [], removed: await store.members.removeWhere(groupId, c.filter) });
          break;
        case 'replaceAll':
          deltas.push(await replaceMembers(store, groupId, c.members, now));
          break;
      }
    }
    return deltas.filter((d) => d.added.length > 0 || d.removed.length > 0);
  }

  /** PUT and `replace members`: a diff against the stored rows, not delete-all-then-insert. */
  async function replaceMembers(store: TenantStore, groupId: string, refs: readonly MemberRef[], now: string): Promise<MemberDelta> {
    const wanted = await resolveMembers(store, groupId, refs);
    const current = await store.members.memberIds(groupId);
    const wantedIds = new Set(wanted.map((m) => m.value));
    const toAdd = wanted.filter((m) => !current.has(m.value));
    const toRemove = [...current].filter((id) => !wantedIds.has(id));
    const removed = toRemove.length ? await store.members.remove(groupId, toRemove) : [];
    const added = toAdd.length ? await store.members.add(groupId, toAdd, now) : [];
    return { added, removed };
  }

  /** The events of a write: the resource's own change, then its membership changes in the order they were made. */
  function changesOf(before: StoredResource | undefined, after: StoredResource, deltas: readonly MemberDelta[]): ResourceChange[] {
    const out: ResourceChange[] = [];
    if (!before) out.push({ kind: 'created', resourceType, after });
    else if (after.version !== before.version && !jsonEqual(after.doc, before.doc)) out.push({ kind: 'updated', resourceType, before, after });
    for (const d of deltas) out.push({ kind: 'members', group: after, added: d.added, removed: d.removed });
    return out;
  }

  /** A write that claimed a manual user is a user.updated carrying the source change, even when no attribute changed. */
  function withClaim(changes: ResourceChange[], before: StoredResource, after: StoredResource, claimed: boolean): ResourceChange[] {
    if (!claimed) return changes;
    const source = { from: 'manual', to: 'scim' } as const;
    const i = changes.findIndex((c) => c.kind === 'updated');
    if (i >= 0) return changes.map((c, j) => (j === i && c.kind === 'updated' ? { ...c, source } : c));
    return [{ kind: 'updated', resourceType, before, after, source }, ...changes];
  }

  /**
   * Retries a write transaction when a concurrent writer bumped the version first. The first
   * attempt is optimistic (a plain read, so membership-only PATCHes of one group, which change no
   * document, never queue); a retry reads the row with a lock (`findForUpdate`), so it cannot
   * conflict again and an unconditional write always succeeds (issue #16). If-Match is checked
   * against the locked row: a real mismatch is still 412.
   */
  async function withRetry<T>(store: TenantStore, fn: (locked: boolean) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt > 1);
      } catch (e) {
        if (e instanceof VersionConflict && attempt < WRITE_RETRIES) continue;
        if (e instanceof VersionConflict) throw new ScimError(409, undefined, 'The resource changed concurrently; retry the request', 'SCIM_E_CONFLICT');
        if (e instanceof UniqueConflict) throw await uniquenessError(store, e);
        throw e;
      }
    }
  }

  const projectionOf = (p: ProjectionParams) => parseProjection(rs, p);
  // Writes of one resource take turns in this process (write-queue.ts: waiting holds no pool connection).
  const writes = createWriteQueue();
  const writeKey = (ctx: RequestContext, id: string) => `${ctx.store.tenantId}/${id}`;
  const lifecycle = (): UserLifecycleHooks | undefined => (resourceType === 'User' ? userHooks : undefined);

  /** Runs a write, letting the lifecycle see a failure (a pending claim survives the rollback). */
  async function guarded<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      await lifecycle()?.onFailure(ctx, e);
      throw e;
    }
  }

  const withLifecycle = (summary: string, labels: readonly string[]): string =>
    labels.length === 0 ? summary : JSON.stringify({ ...(JSON.parse(summary) as object), lifecycle: labels });

  // ------------------------------------------------------------------ use cases

  return {
    resourceType,
    schema: rs,

    async create(ctx, body, projectionParams) {
      const projection = projectionOf(projectionParams);
      const normalized = normalizeForWrite(rs, body, { mode: 'create', limits, checkSchemas: true });
      const { doc, members } = splitMembers(normalized);
      const claimed = await lifecycle()?.claimOnCreate(ctx, doc);
      if (claimed) return render(ctx.store, ctx.baseUrl, claimed, projection);
      const id = newResourceId();
      const stored = await withRetry(ctx.store, () =>
        ctx.store.transaction(async (tx) => {
          const now = isoNow();
          const s = await repo(tx).insert(id, doc, now);
          const added = members && members.length > 0 ? await tx.members.add(id, await resolveMembers(tx, id, members), now) : [];
          await recordChange(tx, activity(ctx, 201, id, attrSummary(normalized, {}, doc)), changesOf(undefined, s, added.length ? [{ added, removed: [] }] : []), now);
          return s;
        }),
      );
      // A resource created just now is in no group yet: no walk for User.groups.
      return render(ctx.store, ctx.baseUrl, stored, projection, { groupsByMember: new Map(), membersKnownEmpty: !members || members.length === 0 });
    },

    async get(ctx, id, projectionParams) {
      const projection = projectionOf(projectionParams);
      const stored = await repo(ctx.store).findView(id);
      if (!stored) throw notFoundError(id);
      return render(ctx.store, ctx.baseUrl, stored, projection);
    },

    async replace(ctx, id, body, projectionParams, pre) {
      const projection = projectionOf(projectionParams);
      const stored = await guarded(ctx, () => writes.run(writeKey(ctx, id), () => withRetry(ctx.store, (locked) =>
        ctx.store.transaction(async (tx) => {
          const current = locked ? await repo(tx).findForUpdate(id) : await repo(tx).findById(id);
          if (!current) throw notFoundError(id);
          checkIfMatch(current, pre);
          if (typeof body === 'object' && body !== null && 'id' in body) {
            const bodyId = (body as { id?: unknown }).id;
            if (bodyId !== undefined && bodyId !== null && bodyId !== id) {
              throw invalidValue(`The id in the body (${JSON.stringify(bodyId)}) does not match the URL (${id})`, 'SCIM_E_PUT_ID');
            }
          }
          const normalized = normalizeForWrite(rs, body, { mode: 'replace', existing: current.doc, limits, checkSchemas: true });
          const { doc, members } = splitMembers(normalized);
          const claim = (await lifecycle()?.beforeWrite(tx, ctx, current, doc)) ?? false;
          const now = isoNow();
          // R-OKTA-14: omitting members in a Group PUT means no members.
          const delta = membersAttr ? await replaceMembers(tx, id, members ?? [], now) : { added: [], removed: [] };
          const memberRows = delta.added.length + delta.removed.length;
          let next: StoredResource | undefined = current;
          if (!jsonEqual(doc, current.doc)) {
            next = await repo(tx).update(id, doc, now, current.version, current.doc);
            if (!next) throw new VersionConflict();
          } else if (memberRows > 0 || claim) {
            next = await repo(tx).touch(id, now);
          }
          const after = next ?? current;
          const labels = (await lifecycle()?.afterWrite(tx, ctx, current, after, claim)) ?? [];
          await recordChange(tx, activity(ctx, 200, id, withLifecycle(attrSummary(normalized, current.doc, doc), labels)), withClaim(changesOf(current, after, memberRows > 0 ? [delta] : []), current, after, claim), now);
          return after;
        }),
      )));
      return render(ctx.store, ctx.baseUrl, stored, projection);
    },

    async patch(ctx, id, body, projectionParams, pre) {
      const projection = projectionOf(projectionParams);
      const ops = parsePatchRequest(body, limits);
      const stored = await guarded(ctx, () => writes.run(writeKey(ctx, id), () => withRetry(ctx.store, (locked) =>
        ctx.store.transaction(async (tx) => {
          const current = locked ? await repo(tx).findForUpdate(id) : await repo(tx).findById(id);
          if (!current) throw notFoundError(id);
          checkIfMatch(current, pre);
          const result = applyPatch(rs, current.doc, ops, { id, limits });
          const claim = (await lifecycle()?.beforeWrite(tx, ctx, current, result.doc)) ?? false;
          const now = isoNow();
          const deltas = result.memberChanges.length ? await applyMemberChanges(tx, id, result.memberChanges, now) : [];
          const memberRows = deltas.length;
          let next: StoredResource | undefined = current;
          if (result.changed && !jsonEqual(result.doc, current.doc)) {
            next = await repo(tx).update(id, result.doc, now, current.version, current.doc);
            if (!next) throw new VersionConflict();
          } else if (memberRows > 0 || claim) {
            next = await repo(tx).touch(id, now);
          }
          const { changes, more } = diffDocs(current.doc, result.doc);
          // `sent`: the op as the client wrote it when it differs ("Replace": Entra without aadOptscim062020).
          const sentOps = rawOpNames(body);
          const summary = JSON.stringify({
            operations: ops.map((o, i) => ({ op: o.op, path: o.path ? pathText(o.path) : null, ...(sentOps[i] !== undefined && sentOps[i] !== o.op ? { sent: sentOps[i] } : {}) })),
            changes,
            ...(more > 0 ? { moreChanges: more } : {}),
          });
          const after = next ?? current;
          const labels = (await lifecycle()?.afterWrite(tx, ctx, current, after, claim)) ?? [];
          await recordChange(tx, activity(ctx, membersAttr && !hasProjection(projectionParams) ? 204 : 200, id, withLifecycle(summary, labels)), withClaim(changesOf(current, after, deltas), current, after, claim), now);
          return after;
        }),
      )));
      const noContent = Boolean(membersAttr) && !hasProjection(projectionParams);
      return { rendered: await render(ctx.store, ctx.baseUrl, stored, projection, { forceNoMembers: noContent }), noContent };
    },

    async delete(ctx, id, pre) {
      const hooks = lifecycle();
      await guarded(ctx, () => writes.run(writeKey(ctx, id), () =>
        ctx.store.transaction(async (tx) => {
          const current = await repo(tx).findForUpdate(id);
          if (!current) throw notFoundError(id);
          checkIfMatch(current, pre);
          let summary: string | null = null;
          if (hooks) {
            await hooks.beforeWrite(tx, ctx, current, undefined);
            summary = await hooks.onDelete(tx, ctx, current);
          } else {
            await repo(tx).delete(id);
          }
          await recordChange(tx, activity(ctx, 204, id, summary), [{ kind: 'deleted', resourceType, before: current }]);
        }),
      ));
      await hooks?.afterDelete(ctx, id);
    },

    async list(ctx, params) {
      const projection = projectionOf(params);
      const filter = params.filter !== undefined && params.filter.trim() !== '' ? parseFilter(params.filter) : undefined;
      const sort = parseSort(params);
      const useCursor = params.cursor !== undefined;
      let page: Page;
      let startIndex: number | undefined;
      // A SHA-256 of the query: only cursor pages (RFC 9865) are bound to it.
      const fingerprint = useCursor ? queryFingerprint(ctx.store.tenantId, resourceType, params) : '';
      let count = parseCount(params.count, useCursor);
      if (useCursor) {
        const cur = params.cursor === '' ? undefined : decodeCursor(params.cursor!, fingerprint, limits.cursorTimeoutSeconds);
        if (sort && cur) {
          page = { kind: 'index', startIndex: cur.offset + 1, count };
        } else if (sort) {
          page = { kind: 'index', startIndex: 1, count };
        } else {
          page = { kind: 'cursor', afterSeq: cur?.direction === 'next' ? cur.seq : undefined, beforeSeq: cur?.direction === 'prev' ? cur.seq : undefined, count };
        }
      } else {
        startIndex = parseStartIndex(params.startIndex);
        page = { kind: 'index', startIndex, count };
      }
      const result = await repo(ctx.store).listViews({ filter, sort, page, withTotal: true });
      // Derived attributes (User.groups) for the whole page in a few queries, not one walk per row.
      const groupsByMember =
        derived.some((name) => wantsAttribute(rs, projection, name)) && result.resources.length > 0
          ? await ctx.store.members.ancestorsOfMany(result.resources.map((r) => r.id), resourceType)
          : undefined;
      const resources = await Promise.all(
        result.resources.map((r) => render(ctx.store, ctx.baseUrl, r, projection, groupsByMember ? { groupsByMember } : {})),
      );
      let nextCursor: string | undefined;
      let previousCursor: string | undefined;
      if (useCursor) {
        const rows = result.resources;
        if (page.kind === 'cursor') {
          const forward = page.beforeSeq === undefined;
          const moreAhead = forward ? result.hasMore === true : true;
          const moreBehind = forward ? page.afterSeq !== undefined : result.hasMore === true;
          const last = rows[rows.length - 1];
          const first = rows[0];
          if (moreAhead && last) nextCursor = encodeCursor({ fingerprint, seq: last.seq, direction: 'next', offset: 0 });
          if (moreBehind && first) previousCursor = encodeCursor({ fingerprint, seq: first.seq, direction: 'prev', offset: 0 });
        } else {
          const offset = page.startIndex - 1;
          if (offset + rows.length < (result.total ?? 0)) nextCursor = encodeCursor({ fingerprint, seq: 0, direction: 'next', offset: offset + rows.length });
          if (offset > 0) previousCursor = encodeCursor({ fingerprint, seq: 0, direction: 'prev', offset: Math.max(0, offset - count) });
        }
      }
      count = resources.length;
      return { totalResults: result.total, startIndex, itemsPerPage: count, resources, nextCursor, previousCursor };
    },
  };

  function parseSort(params: ListParams): SortSpec | undefined {
    if (params.sortBy === undefined || params.sortBy.trim() === '') return undefined;
    let path;
    try {
      path = parseAttrPath(params.sortBy.trim());
    } catch {
      throw invalidValue(`sortBy ${JSON.stringify(params.sortBy)} is not an attribute path`, 'SCIM_E_SORT_001');
    }
    const attr = resolveAttrPath(rs, path);
    if (!attr) throw invalidValue(`sortBy names an unknown attribute ${JSON.stringify(params.sortBy)}`, 'SCIM_E_SORT_002');
    if ((attr.sub ?? attr.attr).type === 'complex' || attr.attr.returned === 'never') {
      throw invalidValue(`Cannot sort by ${JSON.stringify(params.sortBy)}`, 'SCIM_E_SORT_003');
    }
    const order = (params.sortOrder ?? 'ascending').trim().toLowerCase();
    if (order !== 'ascending' && order !== 'descending') {
      throw invalidValue(`sortOrder must be "ascending" or "descending" (got ${JSON.stringify(params.sortOrder)})`, 'SCIM_E_SORT_004');
    }
    return { attr, descending: order === 'descending' };
  }

  function parseCount(raw: string | number | undefined, cursor: boolean): number {
    if (raw === undefined || raw === '') return limits.defaultPageSize;
    const n = decimalInteger(raw);
    if (!Number.isInteger(n)) {
      if (cursor) throw invalidCount(`count must be a whole number from 1 to ${limits.maxPageSize}`, 'SCIM_E_COUNT_001');
      throw invalidValue(`count must be a whole number in decimal digits (got ${JSON.stringify(raw)})`, 'SCIM_E_COUNT_002');
    }
    if (cursor && (n < 1 || n > limits.maxPageSize)) throw invalidCount(`count must be from 1 to ${limits.maxPageSize} with cursor pagination (got ${n})`, 'SCIM_E_COUNT_003');
    // RFC 7644 §3.4.2.4: negative counts mean 0; counts above the maximum are capped, not refused.
    return Math.min(Math.max(n, 0), limits.maxPageSize);
  }
}

function parseStartIndex(raw: string | number | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = decimalInteger(raw);
  if (!Number.isInteger(n)) throw invalidValue(`startIndex must be a whole number in decimal digits (got ${JSON.stringify(raw)})`, 'SCIM_E_START_001');
  // RFC 7644 §3.4.2.4: a value below 1 is treated as 1. Past the last page the page is empty; the
  // cap keeps a value such as 1e20 from reaching SQL as an OFFSET no database accepts (a 500).
  return Math.min(Math.max(1, n), Number.MAX_SAFE_INTEGER);
}

const hasProjection = (p: ProjectionParams): boolean => {
  const a = p.attributes;
  return a !== undefined && (Array.isArray(a) ? a.length > 0 : String(a).trim() !== '');
};

function pathText(p: { path: { urn: string | undefined; name: string; sub: string | undefined }; valueFilter: unknown; subAfterFilter: string | undefined }): string {
  const base = `${p.path.urn ? `${p.path.urn}:` : ''}${p.path.name}${p.path.sub ? `.${p.path.sub}` : ''}`;
  return `${base}${p.valueFilter ? '[…]' : ''}${p.subAfterFilter ? `.${p.subAfterFilter}` : ''}`;
}

/** The `op` strings of a PATCH body as sent (before case normalisation), by position. */
function rawOpNames(body: unknown): Array<string | undefined> {
  if (typeof body !== 'object' || body === null) return [];
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const ops = key === undefined ? undefined : (body as Record<string, unknown>)[key];
  if (!Array.isArray(ops)) return [];
  return ops.map((o: unknown) => (typeof o === 'object' && o !== null && typeof (o as { op?: unknown }).op === 'string' ? ((o as { op: string }).op).slice(0, 20) : undefined));
}
