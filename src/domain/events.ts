// Outbound events (issue #13): the catalogue and the shape every consumer sees (Events API items,
// webhook bodies; RFC 9967 SETs are built from the same rows). Plain types, no imports of ours.

/** The event catalogue. Exactly these types are emitted; `user.restored` and `user.purged` are reserved for
 *  the user lifecycle (issue #14: a soft-deleted user restored, a tombstone purged after retention). */
export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'user.restored',
  'user.purged',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.user_added',
  'group.user_removed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (s: string): s is EventType => (EVENT_TYPES as readonly string[]).includes(s);

/** Thin view of a user in event data: ids and the attributes receivers route on, never the full record. */
export interface EventUser {
  readonly id: string;
  readonly externalId: string | null;
  readonly userName: string | null;
  readonly displayName: string | null;
  readonly active: boolean;
  readonly emails: ReadonlyArray<{ readonly value: string; readonly type?: string; readonly primary?: boolean }>;
}

export interface EventGroup {
  readonly id: string;
  readonly externalId: string | null;
  readonly displayName: string | null;
}

/** The resource an event is about and its ETag after the change (`W/"n"`). Membership events are about the group. */
export interface EventResource {
  readonly type: 'User' | 'Group';
  readonly id: string;
  readonly externalId: string | null;
  readonly version: string;
}

/** `data` of every event: the same object in the Events API and in a webhook body. */
export interface EventData {
  readonly tenantId: string;
  readonly resource: EventResource;
  /** Attribute paths the change touched (`displayName`, `name.givenName`, `urn:…:User:department`, `members`). */
  readonly changedAttributes: readonly string[];
  /** The activity-log entry of the request that caused the event (console: Activity). */
  readonly activityId: string;
  readonly user?: EventUser;
  readonly group?: EventGroup;
  /** user.updated of a claim (issue #14): a manual user taken over by the identity provider. */
  readonly source?: { readonly from: string; readonly to: string };
}

/** One event as the Events API lists it; a webhook body is the same without `id` (that is the webhook-id header). */
export interface OutboundEvent {
  readonly id: string;
  readonly type: EventType;
  /** When the change happened (ISO-8601 UTC, milliseconds). */
  readonly timestamp: string;
  readonly data: EventData;
}
