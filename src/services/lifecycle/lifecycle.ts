// The user lifecycle (issue #14): manual users and how an identity provider claims them, the
// per-organisation deprovisioning policy, suspension, soft deletion with a retention period,
// restore, and erasure (purge) that leaves only a tombstone.
//
// Suspension: `active:false` keeps the row, its memberships and its data; sign-in is refused and
// the user's console sessions are deleted in the same transaction (Entra does not restore group
// memberships on reactivation, so they must survive a suspension).
// Soft deletion: the row moves from scim_users to deleted_users, so it is gone from every SCIM
// read, list and filter at once and its userName/externalId are free; Restore moves it back
// under the same id. Erasure removes the person's data and leaves (id, externalId, deletion and
// purge times). Each step writes an activity entry naming the actor (API key, console admin,
// CLI or the retention job).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../domain/clock.js';
import type { JsonObject } from '../../domain/json.js';
import type { TenantId } from '../../domain/ids.js';
import type {
  ActivityEntry,
  ClaimPolicy,
  DeletedUserRecord,
  ErasureReport,
  LifecycleJobStore,
  LifecyclePolicy,
  OnDeletePolicy,
  PlatformStore,
  StoredResource,
  TenantStore,
  UserClaimRecord,
} from '../../storage/ports.js';
import { UniqueConflict, VersionConflict } from '../../storage/ports.js';
import { ScimError, uniqueness } from '../../scim/errors.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { getResourceSchema } from '../../scim/schema/registry.js';
import { normalizeForWrite } from '../../scim/resources/codec.js';
import { ENTERPRISE_USER_SCHEMA } from '../../scim/schema/definitions.js';
import type { ScimLimits } from '../../scim/limits.js';
import { ServiceError } from '../organizations/organizations.js';
import type { RequestContext, UserLifecycleHooks } from '../scim/scim-resources.js';
import { parseCsv, CsvError } from './csv.js';
import { newResourceId } from '../../domain/resource-ids.js';
import { recordChange, type ResourceChange } from '../events/record-events.js';

export const CLAIM_POLICIES: readonly ClaimPolicy[] = ['match', 'approve', 'never'];
export const ON_DELETE_POLICIES: readonly OnDeletePolicy[] = ['retain', 'erase'];
export const MAX_RETENTION_DAYS = 365;
export const MAX_IMPORT_ROWS = 50_000;
const DAY_MS = 86_400_000;
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PURGE_LEASE = 'user-purge';
const PURGE_BATCH = 200;
const EMAIL = /^[^\s@",;<>]+@[^\s@",;<>]+\.[^\s@",;<>]+$/;

/** Who did it, for the activity log: an API key, a console admin, the CLI or the retention job. */
export interface LifecycleActor {
  readonly keyId: string | null;
  readonly actor: string | null;
  readonly method: string;
  readonly path: string;
}

export const RETENTION_JOB: LifecycleActor = { keyId: null, actor: 'retention job', method: 'PURGE', path: '/jobs/purge' };
export const cliActor = (command: string): LifecycleActor => ({ keyId: null, actor: 'cli', method: 'CLI', path: `wiggledesk ${command}` });

export interface ManualUserInput {
  readonly email: string;
  readonly name: string;
  readonly department?: string | undefined;
  readonly title?: string | undefined;
}

export interface ImportRowPreview {
  readonly line: number;
  readonly email: string;
  readonly name: string;
  readonly department: string;
  readonly title: string;
  readonly error: string | undefined;
}

export interface ImportPreview {
  readonly rows: readonly ImportRowPreview[];
  readonly valid: number;
  readonly invalid: number;
  /** A problem with the file as a whole (no header, unreadable CSV): nothing can be imported. */
  readonly fileError: string | undefined;
}

export interface PurgeResult {
  /** false when another instance holds the purge lease: nothing was done here. */
  readonly ran: boolean;
  readonly erased: ReadonlyArray<ErasureReport & { tenantId: TenantId }>;
}

export interface PendingClaimView {
  readonly claim: UserClaimRecord;
  readonly manual: StoredResource | undefined;
}

/** The SCIM answer when a claim waits for an admin: RFC 7644 §3.3 409 `uniqueness`, with what to do. */
class ClaimPending extends ScimError {
  constructor(readonly userId: string, readonly doc: JsonObject, detail: string) {
    super(409, 'uniqueness', detail, 'SCIM_E_CLAIM_PENDING');
  }
}

const PENDING_DETAIL =
  'A manually added user with this userName or email already exists in WiggleDesk. This organisation approves claims of manual users: ' +
  'the claim is pending approval by an admin in the WiggleDesk console (Users › Pending claims). Retry after it is approved.';
const REJECTED_DETAIL =
  'A manually added user with this userName or email already exists in WiggleDesk, and an admin rejected the claim of it. ' +
  'Ask an admin of the organisation to remove or rename the manual user, or to change the claim policy.';
const NEVER_DETAIL =
  'A manually added user with this userName or email already exists in WiggleDesk, and this organisation never lets an identity provider ' +
  'take over manual users (claim policy "never"). Ask an admin to remove or rename the manual user, or to change the claim policy.';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The primary email, else the first: what a claim matches on. */
function primaryEmail(doc: JsonObject): string | undefined {
  const emails = Array.isArray(doc.emails) ? doc.emails.filter((e): e is JsonObject => typeof e === 'object' && e !== null && !Array.isArray(e)) : [];
  return str((emails.find((e) => e.primary === true) ?? emails[0])?.value);
}

const isActive = (doc: JsonObject): boolean => doc.active !== false;

export interface UserLifecycleDeps {
  readonly clock: Clock;
  readonly jobs: LifecycleJobStore;
  readonly platform: PlatformStore;
  readonly limits: ScimLimits;
}

export function createUserLifecycle(deps: UserLifecycleDeps) {
  const { clock, jobs, platform, limits } = deps;
  const userSchema = getResourceSchema('User');
  const nowIso = () => clock.now().toISOString();

  function entry(by: LifecycleActor, status: number, id: string | null, summary: Record<string, unknown>): ActivityEntry {
    return {
      at: nowIso(),
      keyId: by.keyId,
      actor: by.actor,
      method: by.method,
      path: by.path,
      status,
      scimType: null,
      durationMs: 0,
      resourceType: 'User',
      resourceId: id,
      summary: JSON.stringify(summary),
    };
  }

  const fromRequest = (ctx: RequestContext): LifecycleActor => ({ keyId: ctx.keyId, actor: ctx.actor, method: ctx.method, path: ctx.path });
  const actorLabel = (by: LifecycleActor): string | null => by.actor ?? (by.keyId ? `API key ${by.keyId}` : null);

  // ---------------------------------------------------------------- claims

  /** Links a manual user to the identity provider's record: the IdP's attributes win, the rest stays; the source becomes scim. */
  async function link(store: TenantStore, by: LifecycleActor, id: string, doc: JsonObject): Promise<StoredResource> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.transaction(async (tx) => {
          const current = await tx.users.findForUpdate(id);
          if (!current || current.source !== 'manual') throw new VersionConflict();
          const merged: JsonObject = { ...current.doc, ...doc };
          const now = nowIso();
          const next = await tx.users.update(id, merged, now, current.version, current.doc);
          if (!next) throw new VersionConflict();
          await tx.lifecycle.setSource(id, 'scim');
          await tx.lifecycle.deleteClaim(id);
          const source = { from: 'manual', to: 'scim' };
          await recordChange(tx, entry(by, 201, id, { lifecycle: ['claimed'], source }), [{ kind: 'updated', resourceType: 'User', before: current, after: next, source }], now);
          return { ...next, source: 'scim' };
        });
      } catch (e) {
        if (e instanceof VersionConflict && attempt < 3) continue;
        if (e instanceof VersionConflict) throw new ScimError(409, undefined, 'The manual user changed concurrently; retry the request', 'SCIM_E_CLAIM_CONFLICT');
        if (e instanceof UniqueConflict) throw uniqueness(`A User with this ${e.attribute} already exists in your organisation`, 'SCIM_E_UNIQUE_409');
        throw e;
      }
    }
  }

  const hooks: UserLifecycleHooks = {
    async claimOnCreate(ctx, doc) {
      if (ctx.keyId === null) return undefined; // only an identity provider claims
      const userName = str(doc.userName) ?? '';
      const email = primaryEmail(doc);
      const matches = await ctx.store.lifecycle.findManualMatches(foldCase(userName), email ? foldCase(email) : null);
      if (matches.length === 0) return undefined;
      if (matches.length > 1) {
        throw uniqueness(
          `The userName and the primary email match ${matches.length} different manually added users; an admin must merge or remove them in the WiggleDesk console before this user can be provisioned`,
          'SCIM_E_CLAIM_AMBIGUOUS',
        );
      }
      const id = matches[0]!;
      const policy = await ctx.store.lifecycle.policy();
      if (policy.claim === 'never') throw uniqueness(NEVER_DETAIL, 'SCIM_E_CLAIM_NEVER');
      if (policy.claim === 'approve') {
        const claim = await ctx.store.lifecycle.findClaim(id);
        if (claim?.status === 'rejected') throw uniqueness(REJECTED_DETAIL, 'SCIM_E_CLAIM_REJECTED');
        if (claim?.status !== 'approved') {
          await ctx.store.lifecycle.requestClaim(id, doc, ctx.keyId, nowIso());
          throw uniqueness(PENDING_DETAIL, 'SCIM_E_CLAIM_PENDING');
        }
      }
      return link(ctx.store, fromRequest(ctx), id, doc);
    },

    async beforeWrite(tx, ctx, current, next) {
      if (ctx.keyId === null || current.source !== 'manual') return false;
      const policy = await tx.lifecycle.policy();
      if (policy.claim === 'match') return true;
      if (next === undefined) {
        throw new ScimError(409, undefined, `User ${current.id} was added manually in WiggleDesk and is not managed by your identity provider; it cannot be deleted over SCIM`, 'SCIM_E_CLAIM_DELETE');
      }
      if (policy.claim === 'never') throw uniqueness(NEVER_DETAIL, 'SCIM_E_CLAIM_NEVER');
      const claim = await tx.lifecycle.findClaim(current.id);
      if (claim?.status === 'approved') return true;
      if (claim?.status === 'rejected') throw uniqueness(REJECTED_DETAIL, 'SCIM_E_CLAIM_REJECTED');
      throw new ClaimPending(current.id, next, PENDING_DETAIL);
    },

    async afterWrite(tx, _ctx, current, next, claimed) {
      const labels: string[] = [];
      if (claimed) {
        await tx.lifecycle.setSource(current.id, 'scim');
        await tx.lifecycle.deleteClaim(current.id);
        labels.push('claimed');
      }
      if (isActive(current.doc) && !isActive(next.doc)) {
        await tx.lifecycle.endSessionsOf(current.id);
        labels.push('suspended');
      } else if (!isActive(current.doc) && isActive(next.doc)) {
        labels.push('reactivated');
      }
      return labels;
    },

    async onDelete(tx, ctx, current) {
      const deleted = await softDelete(tx, fromRequest(ctx), current);
      return JSON.stringify({ lifecycle: ['deleted'], purgeAfter: deleted.purgeAfter });
    },

    async afterDelete(ctx, id) {
      const policy = await ctx.store.lifecycle.policy();
      if (policy.onDelete === 'erase') await erase(ctx.store, fromRequest(ctx), id);
    },

    async onFailure(ctx, error) {
      if (error instanceof ClaimPending) await ctx.store.lifecycle.requestClaim(error.userId, error.doc, ctx.keyId, nowIso());
    },
  };

  // ---------------------------------------------------------------- deletion, restore, erasure

  async function softDelete(tx: TenantStore, by: LifecycleActor, current: StoredResource): Promise<DeletedUserRecord> {
    const policy = await tx.lifecycle.policy();
    const now = clock.now();
    const purgeAfter = new Date(now.getTime() + (policy.onDelete === 'erase' ? 0 : policy.retentionDays) * DAY_MS).toISOString();
    const deleted = await tx.lifecycle.softDelete(current, now.toISOString(), actorLabel(by), purgeAfter);
    await tx.lifecycle.endSessionsOf(current.id);
    await tx.users.delete(current.id);
    return deleted;
  }

  /** What a purge event says about the person: ids only (the payload of an erased person holds no personal data). */
  const tombstoneView = (d: DeletedUserRecord): StoredResource => ({ id: d.id, version: d.version, created: d.created, lastModified: d.deletedAt, doc: d.externalId ? { externalId: d.externalId } : {} });

  /** Erases one soft-deleted user inside `tx`: data gone, tombstone, user.purged event, activity entry. */
  async function eraseIn(tx: TenantStore, by: LifecycleActor, id: string): Promise<ErasureReport | undefined> {
    const deleted = await tx.lifecycle.findDeleted(id);
    if (!deleted) return undefined;
    const r = await tx.lifecycle.erase(id, nowIso());
    if (!r) return undefined;
    await recordChange(tx, entry(by, 200, id, { lifecycle: ['purged'], purgedAt: r.purgedAt, deletedAt: r.deletedAt }), [{ kind: 'purged', resourceType: 'User', before: tombstoneView(deleted) }], r.purgedAt);
    return r;
  }

  /** Erases a user (live or soft-deleted) in one transaction, then compacts; undefined when it was already erased. */
  async function erase(store: TenantStore, by: LifecycleActor, id: string): Promise<ErasureReport | undefined> {
    const report = await store.transaction(async (tx) => {
      const live = await tx.users.findForUpdate(id);
      if (live) {
        await softDelete(tx, by, live);
        await recordChange(tx, entry(by, 204, id, { lifecycle: ['deleted'] }), [{ kind: 'deleted', resourceType: 'User', before: live }]);
      }
      return eraseIn(tx, by, id);
    });
    if (report) await jobs.compact();
    return report;
  }

  async function requireTombstoneOrDeleted(store: TenantStore, id: string): Promise<never> {
    const t = await store.lifecycle.tombstone(id);
    if (t) throw new ServiceError('not_found', `User ${id} was erased on ${t.purgedAt}; only its tombstone remains`);
    throw new ServiceError('not_found', `No deleted user ${id} in this organisation`);
  }

  // ---------------------------------------------------------------- manual users

  function manualDoc(input: ManualUserInput, existing?: JsonObject): JsonObject {
    const email = input.email.trim();
    const name = input.name.trim();
    if (!EMAIL.test(email)) throw new ServiceError('invalid', `"${email}" is not an email address`);
    if (name === '') throw new ServiceError('invalid', 'A name is required');
    if (name.length > 256 || email.length > 320) throw new ServiceError('invalid', 'Name or email is too long');
    const department = str(input.department);
    const title = str(input.title);
    const base: JsonObject = existing ? { ...existing } : {};
    delete base[ENTERPRISE_USER_SCHEMA];
    delete base.title;
    const doc: JsonObject = {
      ...base,
      schemas: department ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
      userName: email,
      displayName: name,
      name: { formatted: name },
      emails: [{ value: email, type: 'work', primary: true }],
      active: existing ? existing.active !== false : true,
      ...(title ? { title } : {}),
      ...(department ? { [ENTERPRISE_USER_SCHEMA]: { department } } : {}),
    };
    try {
      return normalizeForWrite(userSchema, doc, { mode: 'create', limits });
    } catch (e) {
      if (e instanceof ScimError) throw new ServiceError('invalid', e.detail);
      throw e;
    }
  }

  async function addManual(store: TenantStore, by: LifecycleActor, input: ManualUserInput): Promise<StoredResource> {
    const doc = manualDoc(input);
    try {
      return await store.transaction(async (tx) => {
        const id = newResourceId();
        const now = nowIso();
        const stored = await tx.users.insert(id, doc, now, { source: 'manual' });
        await recordChange(tx, entry(by, 201, id, { lifecycle: ['added manually'] }), [{ kind: 'created', resourceType: 'User', after: stored }], now);
        return stored;
      });
    } catch (e) {
      if (e instanceof UniqueConflict) throw new ServiceError('conflict', `A user with the email ${JSON.stringify(input.email.trim())} already exists in this organisation`);
      throw e;
    }
  }

  function previewRows(store: TenantStore, text: string): Promise<ImportPreview> {
    return (async () => {
      let rows;
      try {
        rows = parseCsv(text);
      } catch (e) {
        if (e instanceof CsvError) return { rows: [], valid: 0, invalid: 0, fileError: `The file is not valid CSV (${e.message})` };
        throw e;
      }
      const header = rows.shift();
      const cols = (header?.fields ?? []).map((h) => foldCase(h.trim()).replace(/[\s_-]/g, ''));
      const at = (names: string[]) => cols.findIndex((c) => names.includes(c));
      const iEmail = at(['email', 'emailaddress', 'mail', 'username']);
      const iName = at(['name', 'displayname', 'fullname']);
      const iDept = at(['department', 'dept']);
      const iTitle = at(['title', 'jobtitle']);
      if (!header || iEmail < 0 || iName < 0) {
        return { rows: [], valid: 0, invalid: 0, fileError: 'The first line must be a header naming at least the columns "email" and "name" (optional: "department", "title")' };
      }
      if (rows.length > MAX_IMPORT_ROWS) return { rows: [], valid: 0, invalid: 0, fileError: `At most ${MAX_IMPORT_ROWS} rows can be imported at once (the file has ${rows.length})` };
      const seen = new Map<string, number>();
      const out: ImportRowPreview[] = rows.map((r) => {
        const get = (i: number) => (i >= 0 ? (r.fields[i] ?? '').trim() : '');
        const row = { line: r.line, email: get(iEmail), name: get(iName), department: get(iDept), title: get(iTitle) };
        let error: string | undefined;
        if (row.email === '') error = 'email is empty';
        else if (!EMAIL.test(row.email)) error = `"${row.email}" is not an email address`;
        else if (row.name === '') error = 'name is empty';
        else if (row.name.length > 256 || row.email.length > 320) error = 'name or email is too long';
        else {
          const f = foldCase(row.email);
          const first = seen.get(f);
          if (first !== undefined) error = `the same email as line ${first}`;
          else seen.set(f, r.line);
        }
        return { ...row, error };
      });
      const candidates = out.filter((r) => r.error === undefined).map((r) => foldCase(r.email));
      const taken = await store.lifecycle.existingUserNames(candidates);
      const checked = out.map((r) => (r.error === undefined && taken.has(foldCase(r.email)) ? { ...r, error: 'a user with this email already exists' } : r));
      const invalid = checked.filter((r) => r.error !== undefined).length;
      return { rows: checked, valid: checked.length - invalid, invalid, fileError: undefined };
    })();
  }

  // ---------------------------------------------------------------- the use cases

  return {
    hooks,

    policy: (store: TenantStore): Promise<LifecyclePolicy> => store.lifecycle.policy(),

    async setPolicy(store: TenantStore, by: LifecycleActor, input: { claim?: string | undefined; onDelete?: string | undefined; retentionDays?: string | number | undefined }): Promise<LifecyclePolicy> {
      const current = await store.lifecycle.policy();
      const claim = input.claim ?? current.claim;
      const onDelete = input.onDelete ?? current.onDelete;
      const rawDays = input.retentionDays ?? current.retentionDays;
      if (!(CLAIM_POLICIES as readonly string[]).includes(claim)) throw new ServiceError('invalid', `The claim policy must be one of ${CLAIM_POLICIES.join(', ')} (got "${claim}")`);
      if (!(ON_DELETE_POLICIES as readonly string[]).includes(onDelete)) throw new ServiceError('invalid', `On delete must be one of ${ON_DELETE_POLICIES.join(', ')} (got "${onDelete}")`);
      const days = typeof rawDays === 'number' ? rawDays : /^\d{1,3}$/.test(rawDays.trim()) ? Number(rawDays.trim()) : NaN;
      if (!Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS) throw new ServiceError('invalid', `Retention must be a whole number of days from 0 to ${MAX_RETENTION_DAYS} (got "${rawDays}")`);
      return store.transaction(async (tx) => {
        const next = await tx.lifecycle.setPolicy({ claim: claim as ClaimPolicy, onDelete: onDelete as OnDeletePolicy, retentionDays: days }, nowIso(), actorLabel(by));
        await tx.activity.append([{ ...entry(by, 200, null, { lifecycle: ['policy'], claim, onDelete, retentionDays: days }), resourceType: null }]);
        return next;
      });
    },

    listDeleted: (store: TenantStore, offset: number, limit: number) => store.lifecycle.listDeleted(offset, limit),

    /** Brings a soft-deleted user back under the same id, with the memberships of groups that still exist. */
    async restore(store: TenantStore, by: LifecycleActor, id: string): Promise<StoredResource> {
      return store.transaction(async (tx) => {
        const d = await tx.lifecycle.findDeleted(id);
        if (!d) return requireTombstoneOrDeleted(tx, id);
        const now = nowIso();
        let stored: StoredResource;
        try {
          stored = await tx.users.insert(id, d.doc, now, { source: d.source, created: d.created, version: d.version + 1 });
        } catch (e) {
          if (e instanceof UniqueConflict) {
            throw new ServiceError('conflict', `Cannot restore ${d.userName}: another user now has the userName "${d.userName}". Rename or remove that user, then restore again.`);
          }
          throw e;
        }
        const changes: ResourceChange[] = [{ kind: 'restored', resourceType: 'User', before: tombstoneView(d), after: stored }];
        for (const g of await tx.groups.existingIds(d.groupIds)) {
          const added = await tx.members.add(g, [{ value: id, type: 'User' }], now);
          const group = added.length ? await tx.groups.touch(g, now) : undefined;
          if (group) changes.push({ kind: 'members', group, added, removed: [] });
        }
        await tx.lifecycle.forgetDeleted(id);
        await recordChange(tx, entry(by, 200, id, { lifecycle: ['restored'], groups: changes.length - 1 }), changes, now);
        return stored;
      });
    },

    /** "Erase now" (a data-subject request) for a live or soft-deleted user. */
    async eraseNow(store: TenantStore, by: LifecycleActor, id: string): Promise<ErasureReport> {
      const report = await erase(store, by, id);
      if (!report) return requireTombstoneOrDeleted(store, id);
      return report;
    },

    /** The retention job: erases every soft-deleted user whose retention has ended, on one instance at a time. */
    async runPurge(holder: string = randomUUID()): Promise<PurgeResult> {
      const start = clock.now();
      const leaseUntil = new Date(start.getTime() + 10 * 60_000).toISOString();
      if (!(await jobs.acquireLease(PURGE_LEASE, holder, start.toISOString(), leaseUntil))) return { ran: false, erased: [] };
      const erased: Array<ErasureReport & { tenantId: TenantId }> = [];
      try {
        for (;;) {
          const due = await jobs.duePurges(nowIso(), PURGE_BATCH);
          if (due.length === 0) break;
          let progressed = false;
          for (const d of due) {
            const store = platform.forTenant(d.tenantId);
            const report = await store.transaction((tx) => eraseIn(tx, RETENTION_JOB, d.id));
            if (report) {
              erased.push({ ...report, tenantId: d.tenantId });
              progressed = true;
            }
          }
          if (!progressed) break;
        }
        if (erased.length > 0) await jobs.compact();
      } finally {
        await jobs.releaseLease(PURGE_LEASE, holder);
      }
      return { ran: true, erased };
    },

    /** Everything WiggleDesk holds about a person, for an access request. */
    async exportUser(store: TenantStore, id: string): Promise<JsonObject> {
      const live = await store.users.findById(id);
      const deleted = live ? undefined : await store.lifecycle.findDeleted(id);
      if (!live && !deleted) return requireTombstoneOrDeleted(store, id);
      const history: JsonObject[] = [];
      let before: number | undefined;
      for (;;) {
        // Reads of the record too: they are processing of the person's data as much as writes.
        const page = await store.activity.list({ errorsOnly: false, resourceId: id, withReads: true, beforeSeq: before, limit: 500 });
        for (const h of page) history.push({ at: h.at, method: h.method, path: h.path, status: h.status, actor: h.actor, keyId: h.keyId, summary: h.summary });
        if (page.length < 500) break;
        before = page[page.length - 1]!.seq;
      }
      const groups = live
        ? (await store.members.ancestorsOf(id, 'User')).map((g) => ({ id: g.id, displayName: g.displayName, direct: g.direct }))
        : deleted!.groupIds.map((g) => ({ id: g, direct: true }));
      const claim = live ? await store.lifecycle.findClaim(id) : undefined;
      return {
        exportedAt: nowIso(),
        organization: store.tenantId,
        id,
        state: live ? (isActive(live.doc) ? 'active' : 'suspended') : 'deleted',
        source: (live ? live.source : deleted!.source) ?? 'scim',
        created: live ? live.created : deleted!.created,
        ...(live ? { lastModified: live.lastModified } : { deletedAt: deleted!.deletedAt, deletedBy: deleted!.deletedBy, purgeAfter: deleted!.purgeAfter }),
        record: live ? live.doc : deleted!.doc,
        groups,
        ...(claim ? { claim: { status: claim.status, requestedAt: claim.requestedAt, decidedAt: claim.decidedAt, decidedBy: claim.decidedBy } } : {}),
        history,
      };
    },

    addManual,

    /** Edits a manual user's name, email, department and title (provisioned users belong to the identity provider). */
    async editManual(store: TenantStore, by: LifecycleActor, id: string, input: ManualUserInput): Promise<StoredResource> {
      try {
        return await store.transaction(async (tx) => {
          const current = await tx.users.findForUpdate(id);
          if (!current) throw new ServiceError('not_found', `No user ${id} in this organisation`);
          if (current.source !== 'manual') throw new ServiceError('conflict', 'This user is provisioned by your identity provider: change it there');
          const doc = manualDoc(input, current.doc);
          const now = nowIso();
          const next = await tx.users.update(id, doc, now, current.version, current.doc);
          if (!next) throw new ServiceError('conflict', 'The user changed meanwhile; reload and try again');
          await recordChange(tx, entry(by, 200, id, { lifecycle: ['edited manually'] }), [{ kind: 'updated', resourceType: 'User', before: current, after: next }], now);
          return next;
        });
      } catch (e) {
        if (e instanceof UniqueConflict) throw new ServiceError('conflict', `A user with the email ${JSON.stringify(input.email.trim())} already exists in this organisation`);
        throw e;
      }
    },

    previewImport: (store: TenantStore, text: string) => previewRows(store, text),

    /** Imports the valid rows of a CSV (the preview's errors are skipped); one transaction. */
    async importCsv(store: TenantStore, by: LifecycleActor, text: string): Promise<{ created: number; skipped: ImportRowPreview[]; fileError: string | undefined }> {
      const preview = await previewRows(store, text);
      if (preview.fileError) return { created: 0, skipped: [], fileError: preview.fileError };
      const valid = preview.rows.filter((r) => r.error === undefined);
      const docs = valid.map((r) => manualDoc(r));
      try {
        await store.transaction(async (tx) => {
          const now = nowIso();
          const users = docs.map((doc) => ({ id: newResourceId(), doc }));
          await tx.lifecycle.insertManualUsers(users, now);
          // One activity entry per user (its history), and per chunk one entry that the chunk's user.created events point at.
          for (let i = 0; i < users.length; i += 400) {
            const chunk = users.slice(i, i + 400);
            await tx.activity.append(chunk.map((u) => entry(by, 201, u.id, { lifecycle: ['imported'] })));
            const created: ResourceChange[] = chunk.map((u) => ({ kind: 'created', resourceType: 'User', after: { id: u.id, version: 1, created: now, lastModified: now, doc: u.doc, source: 'manual' } }));
            await recordChange(tx, { ...entry(by, 201, null, { lifecycle: ['imported'], users: chunk.length }), resourceType: 'User' }, created, now);
          }
        });
      } catch (e) {
        if (e instanceof UniqueConflict) throw new ServiceError('conflict', 'A user with one of these emails was added meanwhile; nothing was imported. Preview the file again.');
        throw e;
      }
      return { created: docs.length, skipped: preview.rows.filter((r) => r.error !== undefined), fileError: undefined };
    },

    async pendingClaims(store: TenantStore): Promise<PendingClaimView[]> {
      const claims = await store.lifecycle.claims('pending');
      return Promise.all(claims.map(async (claim) => ({ claim, manual: await store.users.findById(claim.userId) })));
    },

    /** Approves or rejects one pending claim (`userId`) or all of them. Returns how many were decided. */
    async decideClaims(store: TenantStore, by: LifecycleActor, userId: string | 'all', decision: 'approved' | 'rejected'): Promise<number> {
      return store.transaction(async (tx) => {
        const ids = userId === 'all' ? (await tx.lifecycle.claims('pending')).map((c) => c.userId) : [userId];
        let n = 0;
        const entries: ActivityEntry[] = [];
        for (const id of ids) {
          if (await tx.lifecycle.decideClaim(id, decision, nowIso(), actorLabel(by))) {
            n++;
            entries.push(entry(by, 200, id, { lifecycle: [decision === 'approved' ? 'claim approved' : 'claim rejected'] }));
          }
        }
        if (userId !== 'all' && n === 0) throw new ServiceError('not_found', 'No pending claim for this user (it may have been decided already)');
        await tx.activity.append(entries);
        return n;
      });
    },
  };
}

export type UserLifecycle = ReturnType<typeof createUserLifecycle>;
