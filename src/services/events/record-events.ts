// THE outbox API (issue #13). Every change to a User, a Group or a membership — SCIM, Bulk, the
// console, background jobs alike — ends its transaction with ONE call:
//
//   await recordChange(tx, activityEntry, [
//     { kind: 'created', after },                        // user.created / group.created
//     { kind: 'updated', before, after },                // user.updated | user.deactivated | user.reactivated / group.updated
//     { kind: 'deleted', before },                       // user.deleted / group.deleted
//     { kind: 'members', group, added, removed },        // group.user_added / group.user_removed, one per user member
//     { kind: 'restored', before, after }, { kind: 'purged', before },   // reserved for the user lifecycle (#14)
//   ]);
//
// `tx` is the TenantStore handed to `store.transaction(async (tx) => …)`. The call writes the
// activity-log row (its seq is the events' activityId) and all the events in one multi-row INSERT,
// in that transaction: a rolled-back change leaves no event. The storage layer's change journal
// (storage/kysely/change-journal.ts) refuses to commit a transaction whose resource or membership
// writes are not covered by events, so a change without its event cannot be committed.
// Readers: the Events API (services/events/events-api.ts), the webhook fan-out (workers/) and the
// RFC 9967 SET streams all read the same rows through `store.outbox`.
import type { ActivityEntry, MemberChangeRow, StoredResource, TenantStore, OutboxEventRow } from '../../storage/ports.js';
import type { EventData, EventGroup, EventType, EventUser } from '../../domain/events.js';
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { isJsonObject, jsonEqual } from '../../domain/json.js';

export type ResourceType = 'User' | 'Group';

export type ResourceChange =
  | { readonly kind: 'created'; readonly resourceType: ResourceType; readonly after: StoredResource }
  /** `source`: a manual user claimed by the identity provider (#14). */
  | { readonly kind: 'updated'; readonly resourceType: ResourceType; readonly before: StoredResource; readonly after: StoredResource; readonly source?: { readonly from: string; readonly to: string } }
  | { readonly kind: 'deleted'; readonly resourceType: ResourceType; readonly before: StoredResource }
  /** Membership rows a write actually added or removed; `group` is the group after the change. */
  | { readonly kind: 'members'; readonly group: StoredResource; readonly added: readonly MemberChangeRow[]; readonly removed: readonly MemberChangeRow[] }
  /** Reserved for the user lifecycle (#14): a soft-deleted user restored, a tombstone purged. */
  | { readonly kind: 'restored'; readonly resourceType: 'User'; readonly before: StoredResource; readonly after: StoredResource }
  | { readonly kind: 'purged'; readonly resourceType: 'User'; readonly before: StoredResource };

export const etag = (version: number): string => `W/"${version}"`;

/**
 * Writes the activity-log row and the events of `changes`, inside `tx`'s transaction. Returns the
 * activity seq. Call it once per operation, after the writes, before the transaction returns.
 */
export async function recordChange(tx: TenantStore, activity: ActivityEntry, changes: readonly ResourceChange[], occurredAt: string = new Date().toISOString()): Promise<number> {
  const activityId = await tx.activity.record(activity);
  const rows: OutboxEventRow[] = [];
  const base = { tenantId: tx.tenantId, activityId: String(activityId) };
  const push = (type: EventType, resourceType: ResourceType, resourceId: string, memberId: string | null, data: EventData) =>
    rows.push({ type, occurredAt, resourceType, resourceId, memberId, data: JSON.stringify(data) });

  for (const c of changes) {
    switch (c.kind) {
      case 'created': {
        const d = describe(c.resourceType, c.after, c.after.version);
        push(c.resourceType === 'User' ? 'user.created' : 'group.created', c.resourceType, c.after.id, null, {
          ...base,
          resource: d.resource,
          changedAttributes: attributePaths(c.after.doc),
          ...d.view,
        });
        break;
      }
      case 'updated': {
        const changed = changedPaths(c.before.doc, c.after.doc);
        const d = describe(c.resourceType, c.after, c.after.version);
        let type: EventType = c.resourceType === 'User' ? 'user.updated' : 'group.updated';
        if (c.resourceType === 'User') {
          const was = c.before.doc.active !== false;
          const is = c.after.doc.active !== false;
          if (was && !is) type = 'user.deactivated';
          else if (!was && is) type = 'user.reactivated';
        }
        push(type, c.resourceType, c.after.id, null, { ...base, resource: d.resource, changedAttributes: changed, ...d.view, ...(c.source ? { source: c.source } : {}) });
        break;
      }
      case 'deleted': {
        // No "after": the version is the one after the last (a receiver that compares versions applies it).
        const d = describe(c.resourceType, c.before, c.before.version + 1);
        push(c.resourceType === 'User' ? 'user.deleted' : 'group.deleted', c.resourceType, c.before.id, null, { ...base, resource: d.resource, changedAttributes: [], ...d.view });
        break;
      }
      case 'restored': {
        const d = describe('User', c.after, c.after.version);
        push('user.restored', 'User', c.after.id, null, { ...base, resource: d.resource, changedAttributes: changedPaths(c.before.doc, c.after.doc), ...d.view });
        break;
      }
      case 'purged': {
        const d = describe('User', c.before, c.before.version + 1);
        push('user.purged', 'User', c.before.id, null, { ...base, resource: d.resource, changedAttributes: [], ...d.view });
        break;
      }
      case 'members': {
        const g = describe('Group', c.group, c.group.version);
        const userIds = [...c.added, ...c.removed].filter((m) => m.type === 'User').map((m) => m.value);
        const users = new Map((userIds.length ? await tx.users.findByIds(userIds) : []).map((u) => [u.id, u]));
        const memberEvent = (type: 'group.user_added' | 'group.user_removed', m: MemberChangeRow) => {
          const u = users.get(m.value);
          push(type, 'Group', c.group.id, m.value, {
            ...base,
            resource: g.resource,
            changedAttributes: ['members'],
            group: g.view.group!,
            user: u ? userView(u) : { id: m.value, externalId: null, userName: null, displayName: null, active: false, emails: [] },
          });
        };
        for (const m of c.added) if (m.type === 'User') memberEvent('group.user_added', m);
        for (const m of c.removed) if (m.type === 'User') memberEvent('group.user_removed', m);
        // Nested groups are not users: their membership changes are a group.updated of "members".
        if ([...c.added, ...c.removed].some((m) => m.type === 'Group')) {
          push('group.updated', 'Group', c.group.id, null, { ...base, resource: g.resource, changedAttributes: ['members'], ...g.view });
        }
        break;
      }
    }
  }
  await tx.outbox.append(rows);
  return activityId;
}

function describe(resourceType: ResourceType, r: StoredResource, version: number): { resource: EventData['resource']; view: { user?: EventUser; group?: EventGroup } } {
  const externalId = typeof r.doc.externalId === 'string' ? r.doc.externalId : null;
  return {
    resource: { type: resourceType, id: r.id, externalId, version: etag(version) },
    view: resourceType === 'User' ? { user: userView(r) } : { group: groupView(r) },
  };
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);

/** The thin user view: ids, userName, displayName, active, emails — never the full record. */
export function userView(r: StoredResource): EventUser {
  const emails = Array.isArray(r.doc.emails)
    ? r.doc.emails.filter(isJsonObject).flatMap((e) =>
        typeof e.value === 'string'
          ? [{ value: e.value, ...(typeof e.type === 'string' ? { type: e.type } : {}), ...(e.primary === true ? { primary: true } : {}) }]
          : [],
      )
    : [];
  return { id: r.id, externalId: str(r.doc.externalId), userName: str(r.doc.userName), displayName: str(r.doc.displayName), active: r.doc.active !== false, emails };
}

export function groupView(r: StoredResource): EventGroup {
  return { id: r.id, externalId: str(r.doc.externalId), displayName: str(r.doc.displayName) };
}

/** Attribute paths present in a document: top-level names, sub-attributes of complex values, extension attributes as `urn:…:name`. */
export function attributePaths(doc: JsonObject): string[] {
  return changedPaths({}, doc);
}

/**
 * The attribute paths whose values differ: `displayName`, `name.givenName`, `emails` (multi-valued
 * attributes as a whole), `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
 */
export function changedPaths(before: JsonObject, after: JsonObject): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (key === 'schemas' || key === 'id' || key === 'meta') continue;
    const a = before[key];
    const b = after[key];
    if (same(a, b)) continue;
    const isExtension = key.startsWith('urn:');
    if ((isJsonObject(a) || a === undefined) && (isJsonObject(b) || b === undefined) && (isJsonObject(a) || isJsonObject(b))) {
      const ao = isJsonObject(a) ? a : {};
      const bo = isJsonObject(b) ? b : {};
      for (const sub of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
        if (!same(ao[sub], bo[sub])) out.push(isExtension ? `${key}:${sub}` : `${key}.${sub}`);
      }
      continue;
    }
    out.push(key);
  }
  return out.sort();
}

const same = jsonEqual;
