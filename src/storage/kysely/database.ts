// Table types for Kysely. Booleans are stored as 0/1 integers and timestamps as ISO-8601 UTC text
// (millisecond precision, so text order is time order) in both dialects: one code path, no driver
// differences. Every tenant-owned table carries tenant_id and is keyed (tenant_id, id).
import type { ColumnType, Generated } from 'kysely';

/** JSON document column: TEXT in SQLite, jsonb in PostgreSQL. Written as a JSON string. */
export type DocColumn = ColumnType<unknown, string, string>;

export interface OrganizationsTable {
  id: string;
  name: string;
  name_folded: string;
  api_access_approved: number;
  created_at: string;
}

export interface ConsoleAccountsTable {
  tenant_id: string;
  id: string;
  email: string;
  email_folded: string;
  display_name: string;
  password_hash: string | null;
  role: string;
  scim_user_id: string | null;
  created_at: string;
  last_login_at: string | null;
}

export interface ApiKeysTable {
  tenant_id: string;
  id: string;
  name: string;
  secret_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Space-separated scopes: `scim`, `events:read` (0008). */
  scopes: Generated<string>;
}

export interface ScimUsersTable {
  seq: Generated<number>;
  tenant_id: string;
  id: string;
  user_name: string;
  user_name_folded: string;
  external_id: string | null;
  display_name: string | null;
  display_name_folded: string | null;
  email: string | null;
  email_folded: string | null;
  active: number;
  source: string;
  created_at: string;
  updated_at: string;
  version: number;
  doc: DocColumn;
}

export interface ScimUserEmailsTable {
  tenant_id: string;
  user_id: string;
  value_folded: string;
  type_folded: string;
}

export interface ScimGroupsTable {
  seq: Generated<number>;
  tenant_id: string;
  id: string;
  display_name: string;
  display_name_folded: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  doc: DocColumn;
}

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  member_id: string;
  /** Exactly one of user_id / child_group_id is set, equal to member_id: each has a composite FK. */
  user_id: string | null;
  child_group_id: string | null;
  member_type: string;
  created_at: string;
}

export interface ResourceCountsTable {
  tenant_id: string;
  resource_type: string;
  count: number;
}

export interface ActivityLogTable {
  seq: Generated<number>;
  tenant_id: string;
  at: string;
  key_id: string | null;
  actor: string | null;
  method: string;
  path: string;
  status: number;
  scim_type: string | null;
  duration_ms: number;
  resource_type: string | null;
  resource_id: string | null;
  summary: string | null;
}

export interface SessionsTable {
  id: string;
  tenant_id: string;
  account_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface LifecyclePoliciesTable {
  tenant_id: string;
  claim_policy: string;
  on_delete: string;
  retention_days: number;
  updated_at: string;
  updated_by: string | null;
}

export interface DeletedUsersTable {
  tenant_id: string;
  id: string;
  user_name: string;
  user_name_folded: string;
  external_id: string | null;
  display_name: string | null;
  email: string | null;
  source: string;
  version: number;
  created_at: string;
  doc: DocColumn;
  /** JSON array of the group ids the user was a direct member of. */
  group_ids: string;
  deleted_at: string;
  deleted_by: string | null;
  purge_after: string;
}

export interface UserTombstonesTable {
  tenant_id: string;
  id: string;
  external_id: string | null;
  deleted_at: string;
  purged_at: string;
}

export interface UserClaimsTable {
  tenant_id: string;
  user_id: string;
  status: string;
  doc: DocColumn;
  key_id: string | null;
  requested_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface LifecycleLeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface AuthFailuresTable {
  tenant_id: string;
  key_id: string;
  reason: string;
  first_at: string;
  last_at: string;
  attempts: number;
  user_agent: string | null;
}

export interface IdpProfilesTable {
  tenant_id: string;
  client: string;
  first_seen_at: string;
  last_seen_at: string;
  state: string;
}

export interface SignInEventsTable {
  seq: Generated<number>;
  tenant_id: string | null;
  at: string;
  outcome: string;
  provider: string;
  user_label: string | null;
  user_label_folded: string | null;
  scim_user_id: string | null;
  reason: string;
  reference: string;
}

/** Outbox positions: txid is an xid8 on PostgreSQL (text in JS), 0 on SQLite. */
export interface EventsTable {
  seq: Generated<number>;
  txid: Generated<string | number>;
  tenant_id: string;
  /** Rows before 0024 only: newer rows' ids are derived from seq and occurred_at (domain/event-ids.ts). */
  id: string | null;
  type: string;
  occurred_at: string;
  resource_type: string;
  resource_id: string;
  member_id: string | null;
  data: string;
}

export interface EventPurgeMarksTable {
  tenant_id: string;
  txid: string | number;
  seq: number;
  purged_at: string;
}

export interface WebhookEndpointsTable {
  tenant_id: string;
  id: string;
  url: string;
  description: string | null;
  event_types: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: string | null;
  failing_since: string | null;
  cursor_txid: string | number;
  cursor_seq: number;
  lease_until: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  seq: Generated<number>;
  tenant_id: string;
  endpoint_id: string;
  event_seq: number;
  event_id: string;
  resource_key: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface Database {
  organizations: OrganizationsTable;
  console_accounts: ConsoleAccountsTable;
  api_keys: ApiKeysTable;
  scim_users: ScimUsersTable;
  scim_user_emails: ScimUserEmailsTable;
  scim_groups: ScimGroupsTable;
  group_members: GroupMembersTable;
  resource_counts: ResourceCountsTable;
  activity_log: ActivityLogTable;
  sessions: SessionsTable;
  lifecycle_policies: LifecyclePoliciesTable;
  deleted_users: DeletedUsersTable;
  user_tombstones: UserTombstonesTable;
  user_claims: UserClaimsTable;
  lifecycle_leases: LifecycleLeasesTable;
  auth_failures: AuthFailuresTable;
  idp_profiles: IdpProfilesTable;
  sign_in_events: SignInEventsTable;
  events: EventsTable;
  event_purge_marks: EventPurgeMarksTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  set_signing_keys: SetSigningKeysTable;
  set_streams: SetStreamsTable;
  set_deliveries: SetDeliveriesTable;
}

// SCIM security event tokens (migration 0012).
export interface SetSigningKeysTable {
  tenant_id: string;
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
  retired_at: string | null;
}

export interface SetStreamsTable {
  tenant_id: string;
  id: string;
  name: string;
  delivery: string;
  endpoint_url: string | null;
  authorization: string | null;
  poll_token_hash: string | null;
  audience: string;
  event_uris: string | null;
  enabled: Generated<number>;
  source_cursor: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  /** 0014: push health (a stream failing for 5 days is disabled). */
  failing_since: string | null;
  disabled_reason: string | null;
  disabled_at: string | null;
}

export interface SetDeliveriesTable {
  seq: Generated<number>;
  tenant_id: string;
  stream_id: string;
  jti: string;
  source_event_id: string;
  subject: string;
  txn: string;
  claims: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  last_description: string | null;
  created_at: string;
  completed_at: string | null;
}
