// Storage ports: what services may ask of storage. A TenantStore is obtained for one tenant and
// every method is already bound to it: there is no way to pass (or forget) a tenant id.
// Cross-tenant operations (organisations, key lookup before the tenant is known) live in the
// deliberately small PlatformStore.
import type { JsonObject } from '../domain/json.js';
import type { TenantId } from '../domain/ids.js';
import type { AccountRole, ApiKeyRecord, ApiKeyScope, ConsoleAccount, Organization } from '../domain/organization.js';
import type { Filter } from '../scim/filter/ast.js';
import type { ResourceTypeName } from '../scim/schema/types.js';
import type { ResolvedAttr } from '../scim/schema/registry.js';

export interface ApiKeyLookup {
  readonly tenantId: TenantId;
  readonly keyId: string;
  readonly secretHash: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  readonly orgApproved: boolean;
  readonly scopes: readonly ApiKeyScope[];
}

/**
 * Tells an in-memory credential cache (services/credentials/credential-cache.ts) when any API key,
 * access token or organisation's API access may have changed — on this instance or any other
 * sharing the database. Database triggers announce the changes (migration 0023).
 */
export interface CredentialWatch {
  /**
   * A value that changes whenever a credential may have stopped being valid since the last call;
   * undefined while changes cannot be observed (then nothing may be served from a cache).
   * Synchronous and cheap: it is called on every authenticated request.
   */
  epoch(): number | undefined;
  /**
   * Resolves once every watch of this process has seen each change committed before the call
   * (after a revocation, before its caller is told it is done). Never rejects.
   */
  settle(): Promise<void>;
}

export interface PlatformStore {
  createOrganization(input: { id: TenantId; name: string; apiAccessApproved: boolean; now: string }): Promise<Organization>;
  listOrganizations(): Promise<Organization[]>;
  findOrganization(idOrName: string): Promise<Organization | undefined>;
  setApiAccess(id: TenantId, approved: boolean): Promise<void>;
  countOrganizations(): Promise<number>;
  /** Key lookup by its public id, before the tenant is known (bearer authentication). */
  findApiKey(keyId: string): Promise<ApiKeyLookup | undefined>;
  touchApiKey(keyId: string, now: string, notAfter: string): Promise<void>;
  findAccountByEmail(emailFolded: string): Promise<(ConsoleAccount & { passwordHash: string | null }) | undefined>;
  /** Readiness probe: a trivial query. */
  /**
   * Counts one refused SCIM request against the organisation and key it named (aggregated: one
   * row per organisation, key and reason). Never given the presented secret.
   */
  recordAuthFailure(input: AuthFailureInput): Promise<void>;
  ping(): Promise<void>;
  forTenant(tenantId: TenantId): TenantStore;
  /** Webhook delivery work across tenants (workers only). */
  readonly deliveries: DeliveryQueue;
}

export interface ApiKeysStore {
  create(input: { id: string; name: string; secretHash: string; createdBy: string | null; now: string; scopes: readonly ApiKeyScope[] }): Promise<ApiKeyRecord>;
  list(): Promise<ApiKeyRecord[]>;
  find(id: string): Promise<ApiKeyRecord | undefined>;
  revoke(id: string, now: string): Promise<boolean>;
}

export interface AccountsStore {
  create(input: { id: string; email: string; displayName: string; passwordHash: string | null; role: AccountRole; scimUserId: string | null; now: string }): Promise<ConsoleAccount>;
  find(id: string): Promise<ConsoleAccount | undefined>;
  list(): Promise<ConsoleAccount[]>;
  recordLogin(id: string, now: string): Promise<void>;
}

/** One stored SCIM resource: the canonical document plus the server-owned fields. */
export interface StoredResource {
  readonly id: string;
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  readonly doc: JsonObject;
  /** Users only: 'scim' (provisioned) or 'manual' (added in the console or by the CLI). */
  readonly source?: string;
}

/**
 * A resource as read for a response (ResourceStore.findView, listViews): its document as the stored
 * JSON text where storage keeps text (SQLite), for the response to splice without parsing
 * (scim/resources/stored-view.ts), else parsed (PostgreSQL jsonb). A StoredResource is one too.
 */
export type StoredView = Omit<StoredResource, 'doc'> &
  ({ readonly doc: JsonObject; readonly docText?: undefined } | { readonly doc?: undefined; readonly docText: string });

/** The document of a view, parsed if it is text. */
export const docOf = (v: StoredView): JsonObject => v.doc ?? (JSON.parse(v.docText) as JsonObject);

/** Server-owned fields an insert may carry over (a restore keeps the id, creation time and version). */
export interface InsertOptions {
  readonly source?: string;
  readonly created?: string;
  readonly version?: number;
}

export interface SortSpec {
  readonly attr: ResolvedAttr;
  readonly descending: boolean;
}

export type Page =
  | { readonly kind: 'index'; readonly startIndex: number; readonly count: number }
  /** Keyset page: rows after (or before) the given seq in the requested order. */
  | { readonly kind: 'cursor'; readonly afterSeq: number | undefined; readonly beforeSeq: number | undefined; readonly count: number };

export interface ListQuery {
  readonly filter: Filter | undefined;
  readonly sort: SortSpec | undefined;
  readonly page: Page;
  /** Skip the total count (cursor pages may omit totalResults). */
  readonly withTotal: boolean;
}

export interface ListResult<R extends StoredView = StoredResource> {
  readonly total: number | undefined;
  readonly resources: ReadonlyArray<R & { readonly seq: number }>;
  /** Cursor pages: whether rows remain beyond this page in the direction read. */
  readonly hasMore?: boolean;
}

export interface MemberRow {
  readonly value: string;
  readonly type: 'User' | 'Group';
  readonly display: string | undefined;
}

export interface ResourceStore {
  readonly resourceType: ResourceTypeName;
  /** Inserts a new resource; throws UniqueConflict on a duplicate unique attribute. */
  insert(id: string, doc: JsonObject, now: string, options?: InsertOptions): Promise<StoredResource>;
  findById(id: string): Promise<StoredResource | undefined>;
  /** findById for a response: the document as stored (StoredView). */
  findView(id: string): Promise<StoredView | undefined>;
  /** findById inside a write transaction, holding the row until it ends (PostgreSQL `FOR NO KEY UPDATE`),
   *  so concurrent unconditional writes of one resource serialise instead of conflicting. */
  findForUpdate(id: string): Promise<StoredResource | undefined>;
  /** Replaces the document and bumps the version; undefined when the id does not exist. `previous` (the
   *  document read in the same transaction) lets the store skip side rows that did not change. */
  update(id: string, doc: JsonObject, now: string, expectedVersion: number, previous?: JsonObject): Promise<StoredResource | undefined>;
  /** Bumps version and lastModified without touching the document (membership changes). */
  touch(id: string, now: string): Promise<StoredResource | undefined>;
  delete(id: string): Promise<boolean>;
  list(query: ListQuery): Promise<ListResult>;
  /** list for a response: each document as stored (StoredView). */
  listViews(query: ListQuery): Promise<ListResult<StoredView>>;
  /** The resources with these ids (missing ones are left out), for event data of many members. */
  findByIds(ids: readonly string[]): Promise<StoredResource[]>;
  /** Which of these ids exist in this tenant (for member references). */
  existingIds(ids: readonly string[]): Promise<Set<string>>;
}

/** A member a write actually added or removed (for its `group.user_added` / `group.user_removed` event). */
export interface MemberChangeRow {
  readonly value: string;
  readonly type: 'User' | 'Group';
}

export interface MembershipStore {
  /** The writes return the members they actually added or removed (already-members and non-members are skipped). */
  add(groupId: string, members: readonly { value: string; type: 'User' | 'Group' }[], now: string): Promise<MemberChangeRow[]>;
  remove(groupId: string, memberIds: readonly string[]): Promise<MemberChangeRow[]>;
  removeAll(groupId: string): Promise<MemberChangeRow[]>;
  removeWhere(groupId: string, filter: Filter): Promise<MemberChangeRow[]>;
  /** Members of a group, in pages of `pageSize`, so a 100,000-member group is never held at once. */
  iterateMembers(groupId: string, pageSize: number): AsyncIterable<MemberRow[]>;
  memberIds(groupId: string): Promise<Set<string>>;
  /** All groups reachable upward from the member (direct and indirect), starting from its membership rows as a `memberType`. */
  ancestorsOf(memberId: string, memberType: 'User' | 'Group'): Promise<Array<{ id: string; displayName: string; direct: boolean }>>;
  /** ancestorsOf for many members of one type in a few queries (a page of a list). */
  ancestorsOfMany(memberIds: readonly string[], memberType: 'User' | 'Group'): Promise<Map<string, Array<{ id: string; displayName: string; direct: boolean }>>>;
}

/** Why a request that named one of an organisation's keys was refused. */
export type AuthFailureReason =
  | 'revoked_key'
  | 'wrong_secret'
  | 'api_access_withdrawn'
  /** Token endpoint (issue #20): a known OAuth client's secret has expired. */
  | 'oauth_secret_expired'
  /** Token endpoint: a known OAuth client failed to authenticate (wrong secret, invalid or replayed assertion). */
  | 'oauth_client_refused';

export interface AuthFailureInput {
  readonly tenantId: TenantId;
  readonly keyId: string;
  readonly reason: AuthFailureReason;
  readonly at: string;
  readonly userAgent: string | null;
}

export interface AuthFailureRecord {
  readonly keyId: string;
  readonly reason: AuthFailureReason;
  readonly firstAt: string;
  readonly lastAt: string;
  readonly attempts: number;
  readonly userAgent: string | null;
}

/** What the organisation's identity provider looks like from its traffic (idp_profiles). */
export interface IdpProfileRecord {
  readonly client: string;
  readonly userAgent: string | null;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

export interface IdpProfileStore {
  get(): Promise<IdpProfileRecord | undefined>;
  /** Records that `client` called at `at` (first_seen_at kept; a new client restarts it). */
  observe(input: { client: string; userAgent: string | null; at: string }): Promise<void>;
}

export interface AuthFailuresStore {
  /** The organisation's refused-connection rows whose last attempt is at or after `sinceIso`, latest first. */
  list(sinceIso: string): Promise<AuthFailureRecord[]>;
}

export interface ActivityEntry {
  readonly at: string;
  readonly keyId: string | null;
  readonly actor: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly scimType: string | null;
  readonly durationMs: number;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly summary: string | null;
}

export interface ActivityRecord extends ActivityEntry {
  readonly seq: number;
}

export interface ActivityQuery {
  readonly errorsOnly: boolean;
  /**
   * A resource's provisioning history: the requests that changed it (any method but GET) or failed.
   * Its successful reads are in the full log only (migration 0025: they are not indexed by resource).
   */
  readonly resourceId: string | undefined;
  /**
   * With resourceId: every request about the resource, its reads included — an access request's
   * export. Not indexed: one walk of the tenant's log, newest first, until `limit` rows are found.
   */
  readonly withReads?: true;
  readonly beforeSeq: number | undefined;
  readonly limit: number;
}

export interface ActivityStore {
  append(entries: readonly ActivityEntry[]): Promise<void>;
  /** Appends one entry and returns its seq (the activity id events point at). */
  record(entry: ActivityEntry): Promise<number>;
  list(query: ActivityQuery): Promise<ActivityRecord[]>;
  find(seq: number): Promise<ActivityRecord | undefined>;
  stats(sinceIso: string): Promise<{ successes: number; errors: number; lastAt: string | null }>;
}

// ---------------------------------------------------------------- events (outbox, issue #13)

/**
 * A position in a tenant's event stream: rows are read in (txid, seq) order. txid is the writing
 * transaction's xid8 on PostgreSQL (decimal text) and "0" on SQLite.
 */
export interface EventPosition {
  readonly txid: string;
  readonly seq: number;
}

/** One outbox row as services/events/record-events.ts writes it. */
export interface OutboxEventRow {
  readonly type: string;
  readonly occurredAt: string;
  readonly resourceType: 'User' | 'Group';
  readonly resourceId: string;
  /** Membership events: the member (covers that membership change in the change journal). */
  readonly memberId: string | null;
  /** The event's `data`, JSON text. */
  readonly data: string;
}

export interface StoredEvent {
  readonly position: EventPosition;
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly data: string;
}

export interface EventPage {
  readonly events: StoredEvent[];
  /** Where the next read continues: after the last event, or the read horizon when the page was not full. */
  readonly next: EventPosition;
}

export interface OutboxStore {
  /** One multi-row INSERT; must run in the transaction of the change. */
  append(rows: readonly OutboxEventRow[]): Promise<void>;
  /**
   * Events after `after` (undefined: from the start), ascending, committed and below the read
   * horizon (PostgreSQL: txid < pg_snapshot_xmin of a fresh snapshot), so no later commit can
   * land behind the returned position.
   */
  read(query: { after: EventPosition | undefined; types: readonly string[] | undefined; limit: number }): Promise<EventPage>;
  /** The newest position the retention purge deleted for this tenant (cursors below it are expired). */
  purgeMark(): Promise<EventPosition | undefined>;
  /** Events about one resource (console: a user's page), newest first. */
  forResource(resourceId: string, limit: number): Promise<StoredEvent[]>;
}

// ---------------------------------------------------------------- webhooks (issue #13)

export interface WebhookEndpointRecord {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  /** null: every event type. */
  readonly eventTypes: readonly string[] | null;
  /** Sealed signing secrets (services/webhooks/secrets.ts opens them). */
  readonly secret: string;
  readonly previousSecret: string | null;
  readonly previousSecretExpiresAt: string | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly disabledAt: string | null;
  readonly failingSince: string | null;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type DeliveryStatus = 'pending' | 'delivering' | 'succeeded' | 'failed';

export interface DeliveryRecord {
  readonly seq: number;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: string;
  readonly resourceKey: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly lastDurationMs: number | null;
  readonly lastAttemptAt: string | null;
  readonly deliveredAt: string | null;
}

export interface WebhooksStore {
  /** `from`: the endpoint receives events after this position (the read horizon at creation). */
  create(input: { id: string; url: string; description: string | null; eventTypes: readonly string[] | null; secret: string; createdBy: string | null; now: string }): Promise<WebhookEndpointRecord>;
  list(): Promise<WebhookEndpointRecord[]>;
  find(id: string): Promise<WebhookEndpointRecord | undefined>;
  update(
    id: string,
    patch: Partial<Pick<WebhookEndpointRecord, 'url' | 'description' | 'eventTypes' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt' | 'enabled' | 'disabledReason' | 'disabledAt' | 'failingSince'>>,
    now: string,
  ): Promise<WebhookEndpointRecord | undefined>;
  remove(id: string): Promise<boolean>;
  /** The endpoint's deliveries, newest first (keyset on seq). */
  deliveries(endpointId: string, query: { beforeSeq: number | undefined; limit: number }): Promise<DeliveryRecord[]>;
  /**
   * Queues these events (matching the endpoint's filter) for delivery again, now: an existing
   * delivery row is reset to pending with its attempts cleared; a missing one is created.
   * Returns how many were queued.
   */
  replay(endpointId: string, select: { eventId: string } | { from: string; to: string }, now: string, limit: number): Promise<number>;
}

/** A claimed delivery: everything the worker needs to send it. */
export interface ClaimedDelivery {
  readonly seq: number;
  readonly tenantId: TenantId;
  readonly endpointId: string;
  /** Fencing token: completion only applies while this is still the current attempt. */
  readonly attempt: number;
  readonly url: string;
  readonly secret: string;
  readonly previousSecret: string | null;
  readonly previousSecretExpiresAt: string | null;
  readonly failingSince: string | null;
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: string;
  readonly data: string;
}

export interface DeliveryOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  /** Failure: when to try again; undefined = retries exhausted (status failed). */
  readonly retryAt: string | undefined;
  /** Set to disable the endpoint (410, or failing for 5 days). */
  readonly disableEndpoint: string | undefined;
}

/** Cross-tenant work for the webhook workers: fan-out of new events into deliveries, claiming, completion. */
/**
 * Receivers (webhook endpoints or SET streams) and organisations that an instance already has enough
 * requests in flight for: claims skip them (workers/request-dispatcher.ts).
 */
export interface BusyReceivers {
  readonly endpoints: readonly string[];
  readonly tenants: readonly string[];
}

export interface DeliveryQueue {
  /** Whether any endpoint is enabled: one indexed read, so an idle round writes nothing and locks nothing. */
  anyEnabledEndpoint(): Promise<boolean>;
  /**
   * For up to `endpoints` enabled endpoints (claimed: FOR UPDATE SKIP LOCKED on PostgreSQL, the
   * write lock on SQLite), turns new events (after the endpoint's cursor, below the read horizon)
   * into pending deliveries. Returns how many deliveries were created.
   */
  fanOut(now: string, options: { endpoints: number; eventsPerEndpoint: number }): Promise<number>;
  /**
   * Claims up to `limit` due deliveries — pending and due, or delivering with an expired lease — that
   * have no earlier undelivered delivery of the same resource to the same endpoint; marks them
   * delivering until `leaseUntil` and counts the attempt.
   */
  /** `busy`: endpoints and organisations this instance already has enough requests in flight for; skipped (a slow receiver cannot take every slot). */
  claim(now: string, leaseUntil: string, limit: number, busy?: BusyReceivers): Promise<ClaimedDelivery[]>;
  complete(d: ClaimedDelivery, outcome: DeliveryOutcome, now: string): Promise<void>;
  /** Retention: deletes events older than `cutoff` (their deliveries go with them), records per-tenant purge marks. */
  purgeEvents(cutoff: string, batch: number): Promise<number>;
}

/** A transaction changed a resource or a membership without writing its event (see change-journal.ts). */
export class UnrecordedChange extends Error {
  constructor(readonly keys: readonly string[]) {
    super(`change without its event: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}`);
    this.name = 'UnrecordedChange';
  }
}

export interface TenantStore {
  readonly tenantId: TenantId;
  readonly users: ResourceStore;
  readonly groups: ResourceStore;
  readonly members: MembershipStore;
  /** The transactional outbox (write it through services/events/record-events.ts, not directly). */
  readonly outbox: OutboxStore;
  readonly webhooks: WebhooksStore;
  readonly apiKeys: ApiKeysStore;
  readonly accounts: AccountsStore;
  readonly activity: ActivityStore;
  readonly lifecycle: LifecycleStore;
  readonly authFailures: AuthFailuresStore;
  readonly idpProfile: IdpProfileStore;
  /** OAuth clients for SCIM (client credentials, workload identity federation). */
  readonly oauth: TenantOAuthStore;
  organization(): Promise<Organization>;
  /** Runs `fn` in one database transaction; everything it does through `tx` commits or rolls back together. */
  transaction<T>(fn: (tx: TenantStore) => Promise<T>): Promise<T>;
}

// ---------------------------------------------------------------- user lifecycle (issue #14)

export type ClaimPolicy = 'match' | 'approve' | 'never';
export type OnDeletePolicy = 'retain' | 'erase';

export interface LifecyclePolicy {
  readonly claim: ClaimPolicy;
  readonly onDelete: OnDeletePolicy;
  readonly retentionDays: number;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export interface DeletedUserRecord {
  readonly id: string;
  readonly userName: string;
  readonly externalId: string | null;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly source: string;
  readonly version: number;
  readonly created: string;
  readonly doc: JsonObject;
  readonly groupIds: readonly string[];
  readonly deletedAt: string;
  readonly deletedBy: string | null;
  readonly purgeAfter: string;
}

export interface UserTombstone {
  readonly id: string;
  readonly externalId: string | null;
  readonly deletedAt: string;
  readonly purgedAt: string;
}

export type ClaimStatus = 'pending' | 'approved' | 'rejected';

export interface UserClaimRecord {
  readonly userId: string;
  readonly status: ClaimStatus;
  /** The identity provider's version of the user (what the claim would write). */
  readonly doc: JsonObject;
  readonly keyId: string | null;
  readonly requestedAt: string;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
}

/** What an erasure removed (counts only: never the person's data). */
export interface ErasureReport {
  readonly id: string;
  readonly externalId: string | null;
  readonly deletedAt: string;
  readonly purgedAt: string;
  readonly activityRedacted: number;
  readonly sessionsEnded: number;
  readonly accountsRemoved: number;
  readonly identitiesRemoved: number;
  readonly eventsRedacted: number;
}

export interface LifecycleStore {
  policy(): Promise<LifecyclePolicy>;
  setPolicy(policy: Omit<LifecyclePolicy, 'updatedAt' | 'updatedBy'>, now: string, by: string | null): Promise<LifecyclePolicy>;
  /** Unclaimed manual users whose folded userName is `userNameFolded` or who have an email folding to `emailFolded`. */
  findManualMatches(userNameFolded: string, emailFolded: string | null): Promise<string[]>;
  setSource(id: string, source: string): Promise<void>;
  /** Inserts many manual users in a few multi-row statements (CSV import); throws UniqueConflict like insert. */
  insertManualUsers(users: ReadonlyArray<{ id: string; doc: JsonObject }>, now: string): Promise<void>;
  /** Which of these folded userNames are taken by a user of this organisation. */
  existingUserNames(folded: readonly string[]): Promise<Set<string>>;
  /** Moves the user out of scim_users into deleted_users (memberships remembered as group ids). */
  softDelete(user: StoredResource, now: string, by: string | null, purgeAfter: string): Promise<DeletedUserRecord>;
  listDeleted(offset: number, limit: number): Promise<{ total: number; rows: DeletedUserRecord[] }>;
  findDeleted(id: string): Promise<DeletedUserRecord | undefined>;
  /** Drops the deleted_users row (after a restore). */
  forgetDeleted(id: string): Promise<void>;
  /** Erases a soft-deleted user for good and leaves a tombstone; undefined when there is no such deleted user. */
  erase(id: string, now: string): Promise<ErasureReport | undefined>;
  tombstone(id: string): Promise<UserTombstone | undefined>;
  /** Ends every console session of the accounts linked to the user; returns how many. */
  endSessionsOf(userId: string): Promise<number>;
  claims(status: ClaimStatus | undefined): Promise<UserClaimRecord[]>;
  findClaim(userId: string): Promise<UserClaimRecord | undefined>;
  /** Records (or refreshes) a pending claim; an existing decision is kept. */
  requestClaim(userId: string, doc: JsonObject, keyId: string | null, now: string): Promise<UserClaimRecord>;
  decideClaim(userId: string, status: 'approved' | 'rejected', now: string, by: string | null): Promise<boolean>;
  deleteClaim(userId: string): Promise<void>;
}

/** Cross-organisation pieces of the purge job. */
export interface LifecycleJobStore {
  /** Soft-deleted users whose retention ended at `now`, oldest first. */
  duePurges(now: string, limit: number): Promise<Array<{ tenantId: TenantId; id: string }>>;
  /** Takes (or renews) the named lease until `until` when it is free or expired or already ours. */
  acquireLease(name: string, holder: string, now: string, until: string): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** After an erasure: no copy of erased pages left in the database's side files (SQLite WAL checkpoint). */
  compact(): Promise<void>;
}

/** A unique constraint refused the write; `attribute` is the SCIM attribute at fault. */
export class UniqueConflict extends Error {
  constructor(
    readonly attribute: string,
    /** The value that clashed, when the store knows it (to find and name the existing record). */
    readonly value?: string,
  ) {
    super(`unique conflict on ${attribute}`);
    this.name = 'UniqueConflict';
  }
}

/** The row changed since it was read (optimistic concurrency on meta.version). */
export class VersionConflict extends Error {
  constructor() {
    super('version conflict');
    this.name = 'VersionConflict';
  }
}

// ---------------------------------------------------------------- console (admin web UI)

/** A console session. `id` is the SHA-256 of the token held in the browser's cookie, never the token. */
export interface SessionRecord {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly accountId: string;
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastSeenAt: string;
}

/** Sessions live in the database so that every instance sees them and they can be revoked. */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  /** Looked up by id before the tenant is known (like an API key). */
  find(id: string): Promise<SessionRecord | undefined>;
  touch(id: string, lastSeenAt: string, expiresAt: string): Promise<void>;
  delete(id: string): Promise<void>;
  deleteExpired(now: string): Promise<number>;
}

/** A Manage Users row, read from the hot columns (no JSON parsing for a list page). */
export interface DirectoryUserRow {
  readonly id: string;
  readonly userName: string;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly active: boolean;
  /** scim_users.source: 'scim' (provisioned) or 'manual'. */
  readonly source: string;
  readonly lastModified: string;
}

export interface DirectoryUserQuery {
  /** Compiled with the same filter → SQL compiler as SCIM list requests. */
  readonly filter: Filter | undefined;
  readonly source: string | undefined;
  readonly sort: SortSpec | undefined;
  readonly offset: number;
  readonly limit: number;
}

export interface DirectoryGroupRow {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly memberCount: number;
  readonly lastModified: string;
}

export interface DirectoryGroupQuery {
  readonly filter: Filter | undefined;
  readonly sort: SortSpec | undefined;
  readonly offset: number;
  readonly limit: number;
}

export interface DirectoryMemberRow {
  readonly id: string;
  readonly type: 'User' | 'Group';
  readonly displayName: string | null;
  readonly userName: string | null;
  /** Users only. */
  readonly active: boolean | null;
}

export interface ProvisioningStats {
  /** Requests made with an API key (the identity provider), not console actions. */
  readonly successes: number;
  readonly errors: number;
  readonly last: { readonly at: string; readonly keyId: string; readonly status: number } | undefined;
}

/** Read models for console pages, bound to one tenant like every TenantStore repository. */
export interface ConsoleReads {
  listUsers(query: DirectoryUserQuery): Promise<{ total: number; rows: DirectoryUserRow[] }>;
  findUser(id: string): Promise<DirectoryUserRow | undefined>;
  listGroups(query: DirectoryGroupQuery): Promise<{ total: number; rows: DirectoryGroupRow[] }>;
  /** Members of one group ordered by name, one page at a time. */
  groupMembers(groupId: string, offset: number, limit: number): Promise<{ total: number; rows: DirectoryMemberRow[] }>;
  counts(): Promise<{ users: number; activeUsers: number; groups: number }>;
  /** The user's last SSO sign-in and the sign-in identities linked to them. */
  signInOf(scimUserId: string): Promise<{ lastSignInAt: string | null; identities: Array<{ provider: string; linkedAt: string }> }>;
  /** Counts behind the identity-provider hints: users without an email, user names that are not emails, groups without members. */
  directoryHints(): Promise<{ usersWithoutEmail: number; nonEmailUserNames: number; emptyGroups: number }>;
  /** Display names (else user names) of the given user and group ids that still exist. */
  resourceNames(ids: readonly string[]): Promise<Map<string, string>>;
  provisioningStats(sinceIso: string): Promise<ProvisioningStats>;
}

export interface ConsoleStore {
  readonly sessions: SessionStore;
  reads(tenantId: TenantId): ConsoleReads;
}

// ---------------------------------------------------------------- sign-in (SSO, issue #7)

export type SignInProvider = 'microsoft' | 'google' | 'oidc';

/** A pending authorization-code flow. `id` is the SHA-256 of the browser's flow cookie, never the cookie. */
export interface SignInFlowRecord {
  readonly id: string;
  readonly provider: SignInProvider;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  /** A console path to return to after sign-in (admins only). */
  readonly returnTo: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** An organisation trusts this Entra tenant id, Google Workspace domain or issuer for sign-in. */
export interface SignInBinding {
  readonly provider: SignInProvider;
  /** Lower-case tenant GUID, folded domain, or the exact issuer URL. */
  readonly value: string;
  readonly createdAt: string;
  readonly createdBy: string | null;
  /** Issue #18: proven, unproven (made before proofs existed) or lost to another organisation's binding. */
  readonly status: BindingStatus;
  /** How it was proven: `entra_admin`, `dns_txt`, `issuer_sign_in` or `operator`. */
  readonly method?: string | null;
  readonly verifiedAt?: string | null;
  readonly verifiedBy?: string | null;
  /** Unverified bindings: since when (the operator's grace period counts from here). */
  readonly unverifiedSince?: string | null;
}

/** A provisioned user as sign-in sees it: hot columns only. */
export interface SignInUserView {
  readonly id: string;
  readonly userName: string;
  readonly displayName: string | null;
  readonly email: string | null;
  readonly active: boolean;
}

export interface SignInCandidate extends SignInUserView {
  /** How the name matched: the userName, or a primary or work email. */
  readonly matchedBy: 'userName' | 'email';
}

/** The remembered subject of a provider for a user (Entra tid/oid, Google sub, issuer + sub). */
export interface SignInIdentityRecord {
  readonly provider: SignInProvider;
  readonly subject: string;
  readonly scimUserId: string;
  readonly linkedAt: string;
}

/** What every console request of an SSO account needs: one indexed read (plus a membership walk when an admin group is set). */
export interface SignInAccess {
  readonly scimUserId: string;
  /** null: the SCIM user no longer exists. */
  readonly active: boolean | null;
  readonly isAdmin: boolean;
  readonly inAdminGroup: boolean;
}

export interface SignInAdminRow {
  readonly scimUserId: string;
  /** undefined when the user has been deleted since. */
  readonly user: SignInUserView | undefined;
}

export interface TenantSignInStore {
  readonly tenantId: TenantId;
  bindings(): Promise<SignInBinding[]>;
  // Bindings are claimed, moved and removed through BindingStore (proof, exclusivity, links: issue #18).
  adminGroupId(): Promise<string | null>;
  setAdminGroup(groupId: string | null, now: string): Promise<void>;
  findGroup(id: string): Promise<{ id: string; displayName: string } | undefined>;
  findGroupByName(displayNameFolded: string): Promise<{ id: string; displayName: string } | undefined>;
  identityBySubject(provider: SignInProvider, subject: string): Promise<SignInIdentityRecord | undefined>;
  identityOfUser(scimUserId: string, provider: SignInProvider): Promise<SignInIdentityRecord | undefined>;
  /** Points (provider, subject) at the user, replacing an earlier link of either; `bindingValue`: the binding the link came through. */
  linkIdentity(provider: SignInProvider, subject: string, scimUserId: string, now: string, bindingValue?: string): Promise<void>;
  /** Forgets every remembered subject of the user; returns how many. */
  unlinkUser(scimUserId: string): Promise<number>;
  /** Users whose folded userName, or a primary or work email, is one of `namesFolded`. */
  matchUsers(namesFolded: readonly string[]): Promise<SignInCandidate[]>;
  findUser(scimUserId: string): Promise<SignInUserView | undefined>;
  /** The console account SSO signs this user in to, created on first use; its name and email follow the directory. */
  ensureAccount(scimUserId: string, profile: { email: string; displayName: string }, now: string): Promise<string>;
  setAdmin(scimUserId: string, isAdmin: boolean, now: string): Promise<void>;
  admins(): Promise<SignInAdminRow[]>;
  /** undefined: the account is not an SSO account. */
  access(accountId: string): Promise<SignInAccess | undefined>;
  /** Ends every console session of the user's SSO account (used when an admin forgets a link). */
  deleteSessionsOf(scimUserId: string): Promise<number>;
}

export interface SignInStore {
  saveFlow(flow: SignInFlowRecord): Promise<void>;
  /** Reads and deletes in one statement, so a flow completes at most once. */
  takeFlow(id: string): Promise<SignInFlowRecord | undefined>;
  deleteExpiredFlows(now: string): Promise<number>;
  /**
   * Organisations that trust this tenant id / domain / issuer (cross-organisation, before any tenant
   * is known): the one verified binding, or an unverified one made after `unverifiedAfter` (the
   * operator's grace period; omitted: every unverified binding). Conflicting bindings never route.
   */
  boundTenants(provider: SignInProvider, value: string, options?: { readonly unverifiedAfter?: string | undefined }): Promise<TenantId[]>;
  /**
   * Refusal diagnostics only: other organisations with a user whose userName or an email folds to
   * one of `namesFolded`, and whether each trusts any value of this provider. Never user data.
   */
  tenantsWithUserNamed(provider: SignInProvider, namesFolded: readonly string[], options?: { readonly unverifiedAfter?: string | undefined }): Promise<Array<{ tenantId: TenantId; hasBinding: boolean }>>;
  forTenant(tenantId: TenantId): TenantSignInStore;
}

// ---- Passwords (issue #17): change, one-time reset links ----

export interface PasswordResetRecord {
  /** SHA-256 of the token; the token itself is never stored. */
  readonly id: string;
  readonly tenantId: TenantId;
  readonly accountId: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** Console passwords and reset links. Links are looked up by hash before the tenant is known (like sessions). */
export interface PasswordStore {
  account(tenantId: TenantId, accountId: string): Promise<(ConsoleAccount & { passwordHash: string | null }) | undefined>;
  setPassword(tenantId: TenantId, accountId: string, hash: string): Promise<void>;
  /** Ends the account's console sessions except `keepSessionId`; returns how many. */
  endSessions(tenantId: TenantId, accountId: string, keepSessionId?: string): Promise<number>;
  /** Stores a link, replacing every earlier link of the account. */
  createReset(record: PasswordResetRecord): Promise<void>;
  findReset(id: string): Promise<PasswordResetRecord | undefined>;
  /** Deletes the link if it is still valid at `nowIso`; true for exactly one caller (single use). */
  consumeReset(id: string, nowIso: string): Promise<boolean>;
}

// ---- Sign-in log (issue #17): every console sign-in and refusal, password and SSO ----

/** One sign-in attempt as stored for an organisation (migration 0010, table sign_in_events). */
export interface SignInEventInput {
  readonly tenantId: TenantId;
  readonly at: string;
  readonly outcome: 'success' | 'refused';
  /** `password`, `microsoft`, `google`, `oidc` (or an organisation's own provider kind). */
  readonly provider: string;
  /** The email or name the person signed in with, when known. */
  readonly userLabel: string | null;
  readonly scimUserId: string | null;
  /** The stable code: `password/wrong_password`, `sso/inactive`, `sso/signed_in`, … */
  readonly reason: string;
  /** The reference shown to the person (the request id). */
  readonly reference: string;
}

export interface SignInEventRecord extends Omit<SignInEventInput, 'tenantId'> {
  readonly seq: number;
}

export interface SignInEventQuery {
  readonly outcome?: 'success' | 'refused' | undefined;
  /** Exact stable code. */
  readonly reason?: string | undefined;
  /** Exact reference. */
  readonly reference?: string | undefined;
  /** Case-folded text the user label must contain. */
  readonly userContains?: string | undefined;
  readonly scimUserId?: string | undefined;
  /** Keyset pagination: rows older than this seq. */
  readonly beforeSeq?: number | undefined;
  readonly limit: number;
}

/** Reads of one organisation's sign-in log, newest first. */
export interface TenantSignInLogStore {
  list(query: SignInEventQuery): Promise<SignInEventRecord[]>;
}

export interface SignInLogStore {
  /** Writes attempts already attributed to an organisation (sign-in resolves the tenant first). */
  record(events: readonly SignInEventInput[]): Promise<void>;
  /** Retention: deletes up to `limit` rows older than `beforeIso`; returns how many. */
  purgeBefore(beforeIso: string, limit: number): Promise<number>;
  forTenant(tenantId: TenantId): TenantSignInLogStore;
}

// ---- SCIM security event tokens (RFC 9967): keys, streams, per-stream SET deliveries ----

export interface SetSigningKeyRecord {
  readonly kid: string;
  readonly alg: string;
  readonly privateJwk: string;
  readonly publicJwk: string;
  readonly createdAt: string;
  readonly retiredAt: string | null;
}

export type SetDeliveryMethod = 'push' | 'poll';

export interface SetStreamRecord {
  readonly tenantId: TenantId;
  readonly id: string;
  readonly name: string;
  readonly delivery: SetDeliveryMethod;
  /** Push: the receiver's endpoint (RFC 8935 §2). */
  readonly endpointUrl: string | null;
  /** Push: the Authorization header value sent with each request (a credential the receiver issued). */
  readonly authorization: string | null;
  /** Poll: SHA-256 of the bearer token the receiver polls with. */
  readonly pollTokenHash: string | null;
  readonly audience: string;
  /** The event URIs the receiver wants; null = every URI we emit. */
  readonly eventUris: readonly string[] | null;
  readonly enabled: boolean;
  readonly sourceCursor: string | null;
  readonly createdAt: string;
  /** Push: the first failed attempt since the last success (null while healthy). */
  readonly failingSince: string | null;
  /** Why and when the stream was disabled (5 days of failed pushes, or an admin); null while enabled. */
  readonly disabledReason: string | null;
  readonly disabledAt: string | null;
}

export interface SetStreamStats {
  readonly pending: number;
  readonly delivered: number;
  readonly failed: number;
}

export interface NewSetDelivery {
  readonly jti: string;
  readonly sourceEventId: string;
  readonly subject: string;
  readonly txn: string;
  /** The SET's claims as JSON; signed when sent (push) or handed out (poll). */
  readonly claims: string;
}

export interface SetDeliveryRecord extends NewSetDelivery {
  readonly seq: number;
  readonly tenantId: TenantId;
  readonly streamId: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly lastDescription: string | null;
  readonly createdAt: string;
  readonly completedAt: string | null;
}

/** A push delivery claimed by one worker, with what it needs to send it. */
export interface ClaimedSetDelivery extends SetDeliveryRecord {
  readonly endpointUrl: string;
  readonly authorization: string | null;
}

export type SetAttemptOutcome =
  | { readonly kind: 'delivered'; readonly status: number; readonly at: string }
  /** Terminal: a 400 with an RFC 8935 §2.3 `err`, or retries exhausted. */
  | { readonly kind: 'failed'; readonly status: number | null; readonly error: string; readonly description: string | null; readonly at: string }
  | { readonly kind: 'retry'; readonly status: number | null; readonly error: string; readonly description: string | null; readonly nextAttemptAt: string };

/** Cross-tenant by necessity (the delivery worker and the poll endpoint start without a tenant); every write names the tenant. */
export interface SetStore {
  activeKey(tenantId: TenantId): Promise<SetSigningKeyRecord | undefined>;
  /** Retires the active key(s) and stores `key` as the active one, in one transaction. */
  rotateKey(tenantId: TenantId, key: Omit<SetSigningKeyRecord, 'retiredAt'>): Promise<void>;
  /** The keys to publish: active, or retired after `retiredAfter`. */
  publishedKeys(tenantId: TenantId, retiredAfter: string): Promise<SetSigningKeyRecord[]>;

  createStream(stream: SetStreamRecord): Promise<void>;
  listStreams(tenantId: TenantId): Promise<SetStreamRecord[]>;
  findStream(tenantId: TenantId, id: string): Promise<SetStreamRecord | undefined>;
  /** By id alone (the poll endpoint); the caller then proves it holds the stream's token. */
  findStreamById(id: string): Promise<SetStreamRecord | undefined>;
  deleteStream(tenantId: TenantId, id: string): Promise<boolean>;
  /** Enabling clears the failure state and the disabled reason; disabling records `reason` at `now`. */
  setStreamEnabled(tenantId: TenantId, id: string, enabled: boolean, now?: string, reason?: string | null): Promise<boolean>;
  /**
   * After a push attempt: a healthy answer clears failing_since; a failure sets it (if unset), and
   * when it is at or before `disableIfFailingSince` the stream is disabled with `reason`. Returns
   * whether this call disabled the stream.
   */
  notePushHealth(tenantId: TenantId, id: string, healthy: boolean, now: string, disableIfFailingSince: string, reason: string): Promise<boolean>;
  streamStats(tenantId: TenantId, id: string): Promise<SetStreamStats>;
  /** Enabled streams of every organisation (the worker's round). */
  enabledStreams(): Promise<Array<{ tenantId: TenantId; id: string; delivery: SetDeliveryMethod }>>;

  /** The outbox's read horizon now: a new stream starts there (every event below it has committed). */
  outboxHead(): Promise<EventPosition>;
  /** Takes the stream's lease when it is free or expired; false when another instance holds it. */
  leaseStream(tenantId: TenantId, id: string, owner: string, now: string, until: string): Promise<boolean>;
  releaseStream(tenantId: TenantId, id: string, owner: string): Promise<void>;
  /**
   * Appends SETs and moves the stream's outbox cursor from `from` to `to`, in one transaction, only
   * while `owner` holds the lease and the cursor is still `from`; false (nothing written) otherwise.
   * A SET whose source event is already in the stream is skipped.
   */
  appendDeliveries(tenantId: TenantId, streamId: string, owner: string, from: string | null, to: string | null, rows: readonly NewSetDelivery[], now: string): Promise<boolean>;

  /**
   * Claims up to `limit` due push deliveries of enabled streams: pending, next attempt due, lease
   * free or expired, and no earlier pending SET about the same subject in the same stream.
   * PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: one UPDATE … RETURNING (writers are serialised).
   */
  /** `busy`: streams and organisations this instance already has enough pushes in flight for; skipped (a slow receiver cannot take every slot). */
  claimDuePush(owner: string, now: string, leaseUntil: string, limit: number, busy?: BusyReceivers): Promise<ClaimedSetDelivery[]>;
  /** Records one attempt's outcome and drops the lease; only while `owner` still holds it. */
  recordAttempt(seq: number, owner: string, outcome: SetAttemptOutcome): Promise<boolean>;

  /** Poll: the oldest `limit` pending SETs of the stream, and whether there are more. */
  pendingForPoll(tenantId: TenantId, streamId: string, limit: number): Promise<{ rows: SetDeliveryRecord[]; more: boolean }>;
  /** Poll: marks pending SETs delivered (ack) or failed (setErrs); unknown jtis are ignored. */
  acknowledge(tenantId: TenantId, streamId: string, acks: readonly string[], errors: ReadonlyMap<string, { err: string; description: string | null }>, now: string): Promise<number>;
  listDeliveries(tenantId: TenantId, streamId: string, limit: number): Promise<SetDeliveryRecord[]>;
  /** Deletes delivered/failed SETs completed before `before`; returns how many. */
  purgeCompleted(before: string): Promise<number>;
}

// ---------------------------------------------------------------- OAuth clients for SCIM (issue #20)

/** 'secret': client_secret_basic / client_secret_post. 'federated': RFC 7523 §2.2 client assertions (workload identity federation). */
export type OAuthClientKind = 'secret' | 'federated';

export interface OAuthClientRecord {
  readonly tenantId: TenantId;
  /** The public client_id. */
  readonly id: string;
  readonly name: string;
  readonly kind: OAuthClientKind;
  /** Federated clients: what the admin copied from Entra. */
  readonly issuer: string | null;
  readonly jwksUrl: string | null;
  readonly subject: string | null;
  readonly audience: string | null;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

export interface OAuthSecretRecord {
  readonly id: string;
  readonly clientId: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
}

export interface OAuthClientLookup {
  readonly client: OAuthClientRecord;
  readonly orgApproved: boolean;
}

export interface AccessTokenLookup {
  readonly tenantId: TenantId;
  readonly clientId: string;
  readonly tokenHash: string;
  readonly expiresAt: string;
  readonly orgApproved: boolean;
}

/** One organisation's OAuth clients, bound to it like every tenant repository. */
export interface TenantOAuthStore {
  readonly tenantId: TenantId;
  createClient(input: Omit<OAuthClientRecord, 'tenantId' | 'lastUsedAt'>): Promise<OAuthClientRecord>;
  listClients(): Promise<OAuthClientRecord[]>;
  findClient(id: string): Promise<OAuthClientRecord | undefined>;
  /** Deletes the client with its secrets, live tokens and remembered jtis (one statement; foreign keys cascade). */
  deleteClient(id: string): Promise<boolean>;
  /** Secrets with their hashes (token endpoint) — never leave the services layer. */
  secretsWithHashes(clientId: string): Promise<Array<OAuthSecretRecord & { readonly secretHash: string }>>;
  listSecrets(): Promise<OAuthSecretRecord[]>;
  addSecret(input: { id: string; clientId: string; secretHash: string; createdBy: string | null; now: string; expiresAt: string }): Promise<OAuthSecretRecord>;
  /** Deletes the secret and every live token issued with it. */
  removeSecret(clientId: string, secretId: string): Promise<boolean>;
  saveToken(input: { id: string; clientId: string; secretId: string | null; tokenHash: string; scope: string; now: string; expiresAt: string }): Promise<void>;
  /** Records an assertion's jti until `expiresAt`; false when it was already seen (a replay). */
  rememberJti(clientId: string, jti: string, expiresAt: string): Promise<boolean>;
  touchClient(clientId: string, secretId: string | null, now: string): Promise<void>;
}

export interface OAuthStore {
  /** Before the tenant is known (the token endpoint): the client by its public id. */
  findClient(clientId: string): Promise<OAuthClientLookup | undefined>;
  /** Before the tenant is known (bearer authentication on /scim/v2). */
  findAccessToken(tokenId: string): Promise<AccessTokenLookup | undefined>;
  /** Sweeps expired access tokens and jtis; returns how many rows went. */
  deleteExpired(now: string): Promise<number>;
  forTenant(tenantId: TenantId): TenantOAuthStore;
}

// ---------------------------------------------------------------- sign-in policy (Enforce SSO)

export interface SignInPolicy {
  readonly enforceSso: boolean;
  /** Console account ids that may still sign in with a password while SSO is enforced. */
  readonly breakGlass: readonly string[];
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

export interface TenantSignInPolicyStore {
  get(): Promise<SignInPolicy>;
  setEnforceSso(enforce: boolean, now: string, by: string | null): Promise<void>;
  /** false when already named. */
  addBreakGlass(accountId: string, now: string, by: string | null): Promise<boolean>;
  removeBreakGlass(accountId: string): Promise<boolean>;
}

export interface SignInPolicyStore {
  forTenant(tenantId: TenantId): TenantSignInPolicyStore;
}

// ---- An organisation's own OpenID Connect provider (issue #17, self-service sign-in) ----

export interface OrgOidcProviderRecord {
  readonly label: string;
  readonly issuer: string;
  readonly clientId: string;
  /** Sealed (services/webhooks/secrets.ts); never shown. */
  readonly clientSecretSealed: string;
  /** Counts changes of issuer, client id or secret. */
  readonly configVersion: number;
  /** The configVersion of the last successful try, or null. */
  readonly testedVersion: number | null;
  readonly enabled: boolean;
  readonly lastTryAt: string | null;
  /** JSON of the last try's result (services/sign-in/org-provider). */
  readonly lastTry: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

export type OrgOidcFlowPurpose = 'try' | 'sign_in';

export interface OrgOidcFlowRecord {
  readonly id: string;
  readonly purpose: OrgOidcFlowPurpose;
  readonly configVersion: number;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly returnTo: string | null;
  /** The console account that started a try. */
  readonly startedBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface TenantOrgOidcStore {
  readonly tenantId: TenantId;
  get(): Promise<OrgOidcProviderRecord | undefined>;
  /** Creates or replaces the settings; a change of issuer, client id or secret bumps configVersion and disables the provider. Returns the stored record. */
  save(input: { label: string; issuer: string; clientId: string; clientSecretSealed: string | undefined; now: string; by: string }): Promise<OrgOidcProviderRecord>;
  /** Records a try's result (only if configVersion is still current); success marks that version tested, failure withdraws it. */
  recordTry(configVersion: number, succeeded: boolean, result: string, now: string): Promise<boolean>;
  /** Enables (only when the current version was tested) or disables; false when refused or absent. */
  setEnabled(enabled: boolean, now: string, by: string): Promise<boolean>;
  remove(): Promise<boolean>;
  saveFlow(flow: OrgOidcFlowRecord): Promise<void>;
  /** Reads and deletes in one statement, so a flow completes at most once. */
  takeFlow(id: string): Promise<OrgOidcFlowRecord | undefined>;
  deleteExpiredFlows(now: string): Promise<number>;
  /** The user this provider's subject signed in as before (sign_in_identities, provider `org_oidc`). */
  userOfSubject(subject: string): Promise<string | undefined>;
  /** The subject of this provider the user is linked to, if any. */
  subjectOfUser(scimUserId: string): Promise<string | undefined>;
  /** Points the subject at the user, replacing an earlier link of either. */
  linkSubject(subject: string, scimUserId: string, now: string): Promise<void>;
  /** Forgets every remembered subject of this provider (after the issuer changed or the provider was removed). */
  forgetSubjects(): Promise<number>;
}

export interface OrgOidcStore {
  forTenant(tenantId: TenantId): TenantOrgOidcStore;
}

// ---------------------------------------------------------------- proven sign-in bindings (issue #18)

export type BindingStatus = 'verified' | 'unverified' | 'conflict';

export interface BindingRecord extends SignInBinding {
  readonly tenantId: TenantId;
  readonly status: BindingStatus;
}

/** A pending DNS TXT challenge: publish `token` at `_wiggledesk-challenge.<value>`. */
export interface BindingChallengeRecord {
  readonly tenantId: TenantId;
  readonly provider: SignInProvider;
  readonly value: string;
  readonly token: string;
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly checkedAt: string | null;
  readonly lastResult: string | null;
}

/** A pending admin sign-in that proves a binding; `id` is the SHA-256 of the browser's cookie. */
export interface BindingProofFlowRecord {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly accountId: string;
  readonly provider: SignInProvider;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A user's remembered sign-in (SSO link), as the organisation's admins see it. */
export interface SignInLinkRow {
  /** A configured provider, or `org_oidc` (the organisation's own OpenID provider). */
  readonly provider: string;
  readonly subject: string;
  readonly bindingValue: string | null;
  readonly linkedAt: string;
  readonly scimUserId: string;
  readonly userName: string | null;
  readonly displayName: string | null;
}

export type ClaimOutcome =
  /** `already`: the organisation held the value before (unverified or verified). */
  | { readonly ok: true; readonly displaced: TenantId | undefined; readonly already: boolean }
  | { readonly ok: false; readonly heldBy: TenantId };

/**
 * Bindings across organisations (a value belongs to one organisation at a time, so claims, moves
 * and the ownership check are cross-tenant by nature, like SignInStore.boundTenants); links and
 * challenges are read and changed for one named organisation.
 */
export interface BindingStore {
  /** The organisation holding the value (verified or unverified), if any. */
  holder(provider: SignInProvider, value: string): Promise<BindingRecord | undefined>;
  /** Every binding of one organisation, conflicts included. */
  listForTenant(tenantId: TenantId): Promise<BindingRecord[]>;
  /** Every binding (operator CLI), at most `limit`. */
  listAll(limit: number): Promise<BindingRecord[]>;
  /**
   * Makes the value the organisation's verified binding in one transaction. Refused when another
   * organisation holds it verified; an unverified holder is displaced (its binding becomes a
   * conflict and its links through the value end). The UNIQUE index decides a race.
   */
  claim(tenantId: TenantId, provider: SignInProvider, value: string, proof: { method: string; verifiedBy: string | null; at: string }): Promise<ClaimOutcome>;
  /** Operator: the value now belongs to `to` (verified, method `operator`); returns the previous holder and how many links ended. */
  move(provider: SignInProvider, value: string, to: TenantId, at: string, by: string): Promise<{ from: TenantId | undefined; linksEnded: number }>;
  /** Removes the organisation's binding and the links that came through it; false when there was none. */
  remove(tenantId: TenantId, provider: SignInProvider, value: string): Promise<{ removed: boolean; linksEnded: number }>;
  saveChallenge(c: BindingChallengeRecord): Promise<void>;
  challenge(tenantId: TenantId, provider: SignInProvider, value: string): Promise<BindingChallengeRecord | undefined>;
  challenges(tenantId: TenantId): Promise<BindingChallengeRecord[]>;
  noteChallengeCheck(tenantId: TenantId, provider: SignInProvider, value: string, at: string, result: string): Promise<void>;
  deleteChallenge(tenantId: TenantId, provider: SignInProvider, value: string): Promise<boolean>;
  saveProofFlow(f: BindingProofFlowRecord): Promise<void>;
  /** Reads and deletes, so a proof completes at most once; also drops expired flows. */
  takeProofFlow(id: string, now: string): Promise<BindingProofFlowRecord | undefined>;
  links(tenantId: TenantId, options: { readonly limit: number; readonly offset: number }): Promise<{ total: number; rows: SignInLinkRow[] }>;
  /** Removes one link of the organisation (any provider, also an organisation's own `org_oidc`) and ends that user's SSO sessions. */
  removeLink(tenantId: TenantId, provider: string, subject: string): Promise<boolean>;
  /** Writes an activity-log row for the organisation (binding changes are logged on both sides). */
  log(tenantId: TenantId, entry: ActivityEntry): Promise<void>;
}
