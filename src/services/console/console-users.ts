// Manage Users: a server-side paginated, searchable, filterable and sortable list, a user's page
// (all SCIM attributes, groups, provisioning history) and manual deactivate/reactivate.
// Searches are SCIM filters (values JSON-escaped) compiled by the same filter → SQL compiler as
// /scim/v2, and the manual status change is a SCIM PATCH through the resource service, so it
// bumps meta.version/lastModified and logs an activity row with the admin as actor.
import type { ConsoleStore, DirectoryUserRow, SortSpec } from '../../storage/ports.js';
import type { JsonObject } from '../../domain/json.js';
import { randomUUID } from 'node:crypto';
import { parseAttrPath, parseFilter } from '../../scim/filter/parser.js';
import { getResourceSchema, resolveAttrPath } from '../../scim/schema/registry.js';
import type { ScimResourceService } from '../scim/scim-resources.js';
import { ServiceError } from '../organizations/organizations.js';
import { consoleScimContext, requireAdmin, type ConsoleActor } from './console-auth.js';
import { keyNamesOf, withNames, type ActivityRow } from './console-activity.js';

export const USER_STATUS = ['all', 'active', 'inactive'] as const;
export const USER_SOURCE = ['all', 'provisioned', 'manual'] as const;
export const USER_SORT = ['name', 'userName', 'email', 'status', 'updated'] as const;
export type UserStatusFilter = (typeof USER_STATUS)[number];
export type UserSourceFilter = (typeof USER_SOURCE)[number];
export type UserSortKey = (typeof USER_SORT)[number];
export type SortOrder = 'asc' | 'desc';

export interface UserListParams {
  readonly q: string;
  readonly status: UserStatusFilter;
  readonly source: UserSourceFilter;
  readonly sort: UserSortKey;
  readonly order: SortOrder;
  readonly page: number;
  readonly pageSize: number;
}

export interface UserListResult {
  readonly params: UserListParams;
  readonly total: number;
  readonly pageCount: number;
  readonly rows: readonly DirectoryUserRow[];
}

export interface UserDetail {
  readonly row: DirectoryUserRow;
  /** The full SCIM resource as GET /Users/{id} returns it. */
  readonly resource: JsonObject;
  readonly groups: ReadonlyArray<{ id: string; displayName: string; direct: boolean }>;
  readonly history: readonly ActivityRow[];
  /** The user's outbound events (its own and its memberships'), newest first. */
  readonly events: ReadonlyArray<{ id: string; type: string; occurredAt: string; changedAttributes: readonly string[]; group: string | null }>;
  /** Last SSO sign-in and linked sign-in identities (provider, since when). */
  readonly signIn: { readonly lastSignInAt: string | null; readonly identities: ReadonlyArray<{ provider: string; linkedAt: string }> };
}

/** scim_users.source values behind the console's words. */
const SOURCE_COLUMN: Record<Exclude<UserSourceFilter, 'all'>, string> = { provisioned: 'scim', manual: 'manual' };
const SORT_PATH: Record<UserSortKey, string> = {
  name: 'displayName',
  userName: 'userName',
  email: 'emails.value',
  status: 'active',
  updated: 'meta.lastModified',
};

export const PAGE_SIZES = [10, 25, 50, 100] as const;
const CSV_BATCH = 1000;
/** The most rows one CSV export holds. */
export const CSV_MAX_ROWS = 100_000;
const MAX_SEARCH = 200;
const HISTORY_LIMIT = 50;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const pick = <T extends string>(allowed: readonly T[], raw: unknown, fallback: T): T =>
  typeof raw === 'string' && (allowed as readonly string[]).includes(raw) ? (raw as T) : fallback;

export function positiveInt(raw: unknown, fallback: number, max = 1_000_000): number {
  const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

export const cleanSearch = (raw: unknown): string => (typeof raw === 'string' ? raw.trim().slice(0, MAX_SEARCH) : '');

/** Query-string values → checked parameters; anything unexpected falls back to the default. */
export function parseUserListQuery(raw: Readonly<Record<string, unknown>>): UserListParams {
  const size = positiveInt(raw.size, 25);
  return {
    q: cleanSearch(raw.q),
    status: pick(USER_STATUS, raw.status, 'all'),
    source: pick(USER_SOURCE, raw.source, 'all'),
    sort: pick(USER_SORT, raw.sort, 'name'),
    order: pick(['asc', 'desc'] as const, raw.order, 'asc'),
    page: positiveInt(raw.page, 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : 25,
  };
}

/** The SCIM filter for a search box and a status choice; values are JSON-escaped strings. */
export function userFilterText(q: string, status: UserStatusFilter): string | undefined {
  const clauses: string[] = [];
  if (q !== '') {
    const v = JSON.stringify(q);
    clauses.push(`(userName co ${v} or displayName co ${v} or emails.value co ${v} or externalId eq ${v})`);
  }
  if (status !== 'all') clauses.push(`active eq ${status === 'active'}`);
  return clauses.length ? clauses.join(' and ') : undefined;
}

export function sortSpec(resourceType: 'User' | 'Group', path: string, order: SortOrder): SortSpec {
  const attr = resolveAttrPath(getResourceSchema(resourceType), parseAttrPath(path));
  if (!attr) throw new Error(`unknown sort attribute ${path}`);
  return { attr, descending: order === 'desc' };
}

export function createConsoleUsers(deps: { store: ConsoleStore; users: ScimResourceService }) {
  const { store, users } = deps;

  return {
    async list(actor: ConsoleActor, params: UserListParams): Promise<UserListResult> {
      requireAdmin(actor);
      const text = userFilterText(params.q, params.status);
      const query = {
        filter: text === undefined ? undefined : parseFilter(text),
        source: params.source === 'all' ? undefined : SOURCE_COLUMN[params.source],
        sort: sortSpec('User', SORT_PATH[params.sort], params.order),
        limit: params.pageSize,
      };
      const reads = store.reads(actor.org.id);
      let result = await reads.listUsers({ ...query, offset: (params.page - 1) * params.pageSize });
      const pageCount = Math.max(1, Math.ceil(result.total / params.pageSize));
      // A page past the end (a bookmark after users left) shows the last page instead of nothing.
      if (params.page > pageCount && result.total > 0) {
        params = { ...params, page: pageCount };
        result = await reads.listUsers({ ...query, offset: (pageCount - 1) * params.pageSize });
      }
      return { params, total: result.total, pageCount, rows: result.rows };
    },

    /**
     * Every user matching the list's search, filters and sort (not just one page), in batches, for
     * the CSV export. Capped at CSV_MAX_ROWS so one click cannot tie up the database.
     */
    async *exportRows(actor: ConsoleActor, params: UserListParams): AsyncGenerator<DirectoryUserRow[]> {
      requireAdmin(actor);
      const text = userFilterText(params.q, params.status);
      const query = {
        filter: text === undefined ? undefined : parseFilter(text),
        source: params.source === 'all' ? undefined : SOURCE_COLUMN[params.source],
        sort: sortSpec('User', SORT_PATH[params.sort], params.order),
        limit: CSV_BATCH,
      };
      const reads = store.reads(actor.org.id);
      for (let offset = 0; offset < CSV_MAX_ROWS; offset += CSV_BATCH) {
        const { rows } = await reads.listUsers({ ...query, offset });
        if (rows.length > 0) yield rows;
        if (rows.length < CSV_BATCH) return;
      }
    },

    async detail(actor: ConsoleActor, id: string, scimBase: string): Promise<UserDetail> {
      requireAdmin(actor);
      const row = await store.reads(actor.org.id).findUser(id);
      if (!row) throw new ServiceError('not_found', 'No such user in your organisation');
      const rendered = await users.get(consoleScimContext(actor, 'GET', `/console/users/${id}`, scimBase), id, {});
      const [groups, history, keyNames, signIn, stored] = await Promise.all([
        actor.store.members.ancestorsOf(id, 'User'),
        actor.store.activity.list({ errorsOnly: false, resourceId: id, beforeSeq: undefined, limit: HISTORY_LIMIT }),
        keyNamesOf(actor),
        store.reads(actor.org.id).signInOf(id),
        actor.store.outbox.forResource(id, HISTORY_LIMIT),
      ]);
      const events = stored.map((e) => {
        const data = JSON.parse(e.data) as { changedAttributes?: string[]; group?: { displayName?: string | null } };
        return { id: e.id, type: e.type, occurredAt: e.occurredAt, changedAttributes: data.changedAttributes ?? [], group: data.group?.displayName ?? null };
      });
      return { row, resource: rendered.resource, groups, history: history.map(withNames(keyNames)), signIn, events };
    },

    /**
     * What WiggleDesk answers Entra's Test Connection (R-ENTRA-02): `GET /Users?filter=userName eq
     * "<random GUID>"`, run as the organisation through the same resource service as /scim/v2.
     */
    async testConnection(actor: ConsoleActor, scimBase: string): Promise<{ path: string; status: number; body: Record<string, unknown> }> {
      requireAdmin(actor);
      const filter = `userName eq "${randomUUID()}"`;
      const path = `/Users?filter=${encodeURIComponent(filter)}`;
      const listed = await users.list(consoleScimContext(actor, 'GET', `/scim/v2${path}`, scimBase), { filter });
      return {
        path,
        status: 200,
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: listed.totalResults, startIndex: listed.startIndex, itemsPerPage: listed.itemsPerPage, Resources: listed.resources },
      };
    },

    /** Deactivates or reactivates a user by hand, as a SCIM PATCH `replace active`. */
    async setActive(actor: ConsoleActor, id: string, active: boolean, scimBase: string): Promise<void> {
      requireAdmin(actor);
      const body = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: active }] };
      await users.patch(consoleScimContext(actor, 'PATCH', `/console/users/${id}`, scimBase), id, body, {}, {});
    },
  };
}

export type ConsoleUsers = ReturnType<typeof createConsoleUsers>;
