// Groups: a searchable, paged list and a group's page with its members, one page at a time
// (a 100,000-member group is never loaded whole).
import type { ConsoleStore, DirectoryGroupRow, DirectoryMemberRow } from '../../storage/ports.js';
import type { JsonObject } from '../../domain/json.js';
import { parseFilter } from '../../scim/filter/parser.js';
import type { ScimResourceService } from '../scim/scim-resources.js';
import { consoleScimContext, requireAdmin, type ConsoleActor } from './console-auth.js';
import { cleanSearch, positiveInt, sortSpec, type SortOrder } from './console-users.js';

export const GROUP_SORT = ['name', 'updated'] as const;
export type GroupSortKey = (typeof GROUP_SORT)[number];

export interface GroupListParams {
  readonly q: string;
  readonly sort: GroupSortKey;
  readonly order: SortOrder;
  readonly page: number;
  readonly pageSize: number;
}

export interface GroupListResult {
  readonly params: GroupListParams;
  readonly total: number;
  readonly pageCount: number;
  readonly rows: readonly DirectoryGroupRow[];
}

export interface GroupDetail {
  /** The SCIM resource without its members (they are paged separately). */
  readonly resource: JsonObject;
  readonly members: readonly DirectoryMemberRow[];
  readonly memberTotal: number;
  readonly page: number;
  readonly pageCount: number;
}

const PAGE_SIZE = 25;
export const MEMBERS_PAGE_SIZE = 50;

export function parseGroupListQuery(raw: Readonly<Record<string, unknown>>): GroupListParams {
  return {
    q: cleanSearch(raw.q),
    sort: raw.sort === 'updated' ? 'updated' : 'name',
    order: raw.order === 'desc' ? 'desc' : 'asc',
    page: positiveInt(raw.page, 1),
    pageSize: PAGE_SIZE,
  };
}

export function groupFilterText(q: string): string | undefined {
  if (q === '') return undefined;
  const v = JSON.stringify(q);
  return `displayName co ${v} or externalId eq ${v}`;
}

export function createConsoleGroups(deps: { store: ConsoleStore; groups: ScimResourceService }) {
  const { store, groups } = deps;
  return {
    async list(actor: ConsoleActor, params: GroupListParams): Promise<GroupListResult> {
      requireAdmin(actor);
      const text = groupFilterText(params.q);
      const query = {
        filter: text === undefined ? undefined : parseFilter(text),
        sort: sortSpec('Group', params.sort === 'updated' ? 'meta.lastModified' : 'displayName', params.order),
        limit: params.pageSize,
      };
      const reads = store.reads(actor.org.id);
      let result = await reads.listGroups({ ...query, offset: (params.page - 1) * params.pageSize });
      const pageCount = Math.max(1, Math.ceil(result.total / params.pageSize));
      if (params.page > pageCount && result.total > 0) {
        params = { ...params, page: pageCount };
        result = await reads.listGroups({ ...query, offset: (pageCount - 1) * params.pageSize });
      }
      return { params, total: result.total, pageCount, rows: result.rows };
    },

    async detail(actor: ConsoleActor, id: string, page: number, scimBase: string): Promise<GroupDetail> {
      requireAdmin(actor);
      const rendered = await groups.get(consoleScimContext(actor, 'GET', `/console/groups/${id}`, scimBase), id, { excludedAttributes: 'members' });
      const reads = store.reads(actor.org.id);
      let members = await reads.groupMembers(id, (page - 1) * MEMBERS_PAGE_SIZE, MEMBERS_PAGE_SIZE);
      const pageCount = Math.max(1, Math.ceil(members.total / MEMBERS_PAGE_SIZE));
      if (page > pageCount) {
        page = pageCount;
        members = await reads.groupMembers(id, (page - 1) * MEMBERS_PAGE_SIZE, MEMBERS_PAGE_SIZE);
      }
      return { resource: rendered.resource, members: members.rows, memberTotal: members.total, page, pageCount };
    },
  };
}

export type ConsoleGroups = ReturnType<typeof createConsoleGroups>;
