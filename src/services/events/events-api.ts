// GET /api/v1/events: a tenant's events in stream order with an opaque cursor (issue #13).
// The cursor is the outbox position of the last event returned (or the read horizon when the page
// was not full), so it never skips an event (storage/kysely/events-repo.ts explains the PostgreSQL
// side) and a quiet tenant's cursor keeps moving. A cursor below the retention purge's mark is
// refused (410 cursor_expired) instead of silently returning fewer events.
import type { EventPosition, TenantStore } from '../../storage/ports.js';
import { EVENT_TYPES, isEventType, type OutboundEvent } from '../../domain/events.js';

export const EVENTS_DEFAULT_LIMIT = 50;
export const EVENTS_MAX_LIMIT = 100;

export class EventsApiError extends Error {
  constructor(
    readonly status: 400 | 410,
    readonly code: 'invalid_cursor' | 'invalid_types' | 'invalid_limit' | 'cursor_expired',
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'EventsApiError';
  }
}

export interface EventsPage {
  readonly data: OutboundEvent[];
  /** Pass as `after` on the next call (store it after processing the page). */
  readonly after: string;
}

export function encodeEventCursor(p: EventPosition): string {
  return Buffer.from(`e1:${p.txid}:${p.seq}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(raw: string): EventPosition {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(raw) ? Buffer.from(raw, 'base64url').toString('utf8') : '';
  const m = /^e1:(\d{1,20}):(\d{1,18})$/.exec(text);
  if (!m) throw new EventsApiError(400, 'invalid_cursor', 'The "after" cursor is not one this API returned: pass the "after" value of a previous response unchanged, or omit it to start from the oldest retained event.');
  return { txid: m[1]!, seq: Number(m[2]) };
}

export function parseTypes(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const types = [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const unknown = types.find((t) => !isEventType(t));
  if (unknown !== undefined) throw new EventsApiError(400, 'invalid_types', `Unknown event type ${JSON.stringify(unknown.slice(0, 100))}; types are ${EVENT_TYPES.join(', ')}`);
  return types;
}

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return EVENTS_DEFAULT_LIMIT;
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > EVENTS_MAX_LIMIT) throw new EventsApiError(400, 'invalid_limit', `limit must be a whole number from 1 to ${EVENTS_MAX_LIMIT} (default ${EVENTS_DEFAULT_LIMIT}); got ${JSON.stringify(raw.slice(0, 20))}`);
  return n;
}

export function createEventsApi(options: { retentionDays: number }) {
  return {
    async list(store: TenantStore, query: { after?: string | undefined; types?: string | undefined; limit?: string | undefined }): Promise<EventsPage> {
      const after = query.after === undefined || query.after === '' ? undefined : decodeEventCursor(query.after);
      const types = parseTypes(query.types);
      const limit = parseLimit(query.limit);
      if (after) {
        const mark = await store.outbox.purgeMark();
        if (mark && (BigInt(after.txid) < BigInt(mark.txid) || (after.txid === mark.txid && after.seq < mark.seq))) {
          throw new EventsApiError(
            410,
            'cursor_expired',
            `This cursor is older than the event retention (${options.retentionDays} days): events after it have been deleted. Start again without "after" (oldest retained event) and reconcile from the SCIM API.`,
          );
        }
      }
      const page = await store.outbox.read({ after, types, limit });
      return {
        data: page.events.map((e) => ({ id: e.id, type: e.type as OutboundEvent['type'], timestamp: e.occurredAt, data: JSON.parse(e.data) as OutboundEvent['data'] })),
        after: encodeEventCursor(page.next),
      };
    },
  };
}

export type EventsApi = ReturnType<typeof createEventsApi>;
