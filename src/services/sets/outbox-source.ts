// The outbox as SET streams read it: adapts the events service's rows (storage OutboxStore, written by
// services/events/record-events.ts) to the SET profile's input. A stream's cursor is an outbox
// position `<txid>.<seq>`, read in the same commit-safe order as the Events API and webhooks.
import type { PlatformStore, SetStore, StoredEvent, EventPosition } from '../../storage/ports.js';
import type { TenantId } from '../../domain/ids.js';
import type { SetSourceEvent } from '../../scim/events/set-profile.js';
import type { EventData } from '../../domain/events.js';
import type { SetEventSource } from './set-streams.js';

/** The outbox types a SET stream maps (user.purged has no SET: its prov:delete went out with user.deleted). */
const MAPPED_TYPES = [
  'user.created', 'user.updated', 'user.deactivated', 'user.reactivated', 'user.deleted', 'user.restored',
  'group.created', 'group.updated', 'group.deleted', 'group.user_added', 'group.user_removed',
];

export const encodePosition = (p: EventPosition): string => `${p.txid}.${p.seq}`;
export function decodePosition(s: string | null): EventPosition | undefined {
  if (s === null) return undefined;
  const m = /^(\d+)\.(\d+)$/.exec(s);
  if (!m) throw new Error(`not an outbox position: ${s}`);
  return { txid: m[1]!, seq: Number(m[2]) };
}

export function createOutboxSetSource(platform: PlatformStore, sets: SetStore): SetEventSource {
  return {
    async read(tenantId: TenantId, cursor, limit) {
      const store = platform.forTenant(tenantId);
      const page = await store.outbox.read({ after: decodePosition(cursor), types: MAPPED_TYPES, limit });
      // The HTTP method of the request behind each transaction: PUT → prov:put:notice (RFC 9967 §2.4.3).
      const methods = new Map<string, string | null>();
      for (const e of page.events) {
        const activityId = (JSON.parse(e.data) as EventData).activityId;
        if (!methods.has(activityId)) methods.set(activityId, (await store.activity.find(Number(activityId)))?.method ?? null);
      }
      return { events: page.events.map((e) => toSource(e, methods)), cursor: encodePosition(page.next) };
    },
    head: async () => encodePosition(await sets.outboxHead()),
  };
}

function toSource(e: StoredEvent, methods: Map<string, string | null>): SetSourceEvent {
  const d = JSON.parse(e.data) as EventData;
  return {
    id: e.id,
    type: e.type === 'user.restored' ? 'user.created' : e.type,
    resourceType: d.resource.type,
    resourceId: d.resource.id,
    externalId: d.resource.externalId,
    version: e.type.endsWith('.deleted') ? null : d.resource.version,
    attributes: [...d.changedAttributes],
    method: methods.get(d.activityId) ?? null,
    txn: d.activityId,
    occurredAt: e.occurredAt,
  };
}
