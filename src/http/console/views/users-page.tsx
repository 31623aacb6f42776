// Manage Users: search, status and source filters, sortable columns, server-side pages.
import type { JSX } from 'preact';
import { PAGE_SIZES, type UserListResult, type UserListParams, type UserSortKey } from '../../../services/console/console-users.js';
import { Layout, type Chrome } from './layout.js';
import { EmptyState, Notice, PageHeader, Pagination, SortHeader, SourceBadge, StatusBadge, Time, Wrap, hrefWith } from './components.js';

/** The list URL for these parameters, leaving out defaults so links stay short. */
export function usersHref(p: UserListParams, change: Partial<UserListParams> = {}): string {
  const n = { ...p, ...change };
  return hrefWith('/console/users', {
    q: n.q,
    status: n.status === 'all' ? undefined : n.status,
    source: n.source === 'all' ? undefined : n.source,
    sort: n.sort === 'name' ? undefined : n.sort,
    order: n.order === 'asc' ? undefined : n.order,
    size: n.pageSize === 25 ? undefined : n.pageSize,
    page: n.page === 1 ? undefined : n.page,
  });
}

function Filters({ p }: { p: UserListParams }): JSX.Element {
  return (
    <form method="get" action="/console/users" class="toolbar" role="search" aria-label="Find users">
      <div class="field grow">
        <label for="q">Search</label>
        <input type="search" id="q" name="q" value={p.q} placeholder="Name, email or user name" maxLength={200} />
      </div>
      <div class="field">
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="all" selected={p.status === 'all'}>All</option>
          <option value="active" selected={p.status === 'active'}>Active</option>
          <option value="inactive" selected={p.status === 'inactive'}>Suspended</option>
        </select>
      </div>
      <div class="field">
        <label for="source">Source</label>
        <select id="source" name="source">
          <option value="all" selected={p.source === 'all'}>All</option>
          <option value="provisioned" selected={p.source === 'provisioned'}>Provisioned</option>
          <option value="manual" selected={p.source === 'manual'}>Manual</option>
        </select>
      </div>
      <div class="field">
        <label for="size">Per page</label>
        <select id="size" name="size">
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)} selected={p.pageSize === n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      {p.sort !== 'name' ? <input type="hidden" name="sort" value={p.sort} /> : null}
      {p.order !== 'asc' ? <input type="hidden" name="order" value={p.order} /> : null}
      <button type="submit" class="btn">
        Apply
      </button>
      {p.q || p.status !== 'all' || p.source !== 'all' ? (
        <a class="btn secondary" href="/console/users">
          Clear
        </a>
      ) : null}
    </form>
  );
}

/** The CSV export of everything the current search and filters match. */
export function usersCsvHref(p: UserListParams): string {
  return usersHref(p, { page: 1, pageSize: 25 }).replace('/console/users', '/console/users.csv');
}

export interface UsersPageExtra {
  readonly done?: string | undefined;
  readonly imported?: number | undefined;
  readonly pendingClaims?: number | undefined;
}

const USERS_DONE: Record<string, (x: UsersPageExtra) => string> = {
  imported: (x) => `Imported ${x.imported ?? 0} user${x.imported === 1 ? '' : 's'}. They are listed below as manual users.`,
  erased: () => 'The user was erased at once (your organisation’s policy). Only a tombstone remains.',
};

export function UsersPage({ chrome, vm, extra = {} }: { chrome: Chrome; vm: UserListResult; extra?: UsersPageExtra }): JSX.Element {
  const p = vm.params;
  const sortHref = (sort: UserSortKey, order: 'asc' | 'desc') => usersHref(p, { sort, order, page: 1 });
  const filtered = p.q !== '' || p.status !== 'all' || p.source !== 'all';
  return (
    <Layout title="Manage Users" chrome={chrome}>
      <PageHeader
        title="Manage Users"
        description="People your identity provider has provisioned to WiggleDesk, and people added here by hand. Provisioned users are managed by your identity provider and synced automatically."
        actions={
          <>
            <a class="btn" href="/console/users/new">
              Add user
            </a>{' '}
            <a class="btn secondary" href="/console/users/import">
              Import CSV
            </a>{' '}
            <a class="btn secondary" href="/console/deleted-users">
              Deleted users
            </a>{' '}
            {vm.total > 0 ? (
              <a class="btn secondary" href={usersCsvHref(p)} download>
                Export CSV
              </a>
            ) : null}{' '}
            {extra.pendingClaims ? (
              <a class="btn secondary" href="/console/claims">
                Pending claims ({extra.pendingClaims})
              </a>
            ) : null}
          </>
        }
      />
      {extra.done && USERS_DONE[extra.done] ? (
        <Notice tone="success" role="status">
          <p>{USERS_DONE[extra.done]!(extra)}</p>
        </Notice>
      ) : null}
      <section class="card flush" aria-label="Users">
        <Filters p={p} />
        {vm.rows.length === 0 ? (
          filtered ? (
            <EmptyState title="No users match">
              <p>Try another search, or <a href="/console/users">clear the filters</a>.</p>
            </EmptyState>
          ) : (
            <EmptyState title="No users yet">
              <p>
                Connect your identity provider on <a href="/console/scim-setup">SCIM setup</a>; provisioned users appear here.
              </p>
            </EmptyState>
          )
        ) : (
          <div class="table-wrap">
            <table class="fits-sm">
              <caption class="sr-only">
                Users, {vm.total} in total{filtered ? ' matching the filters' : ''}
              </caption>
              <thead>
                <tr>
                  <SortHeader label="Name" column="name" sort={p.sort} order={p.order} hrefFor={sortHref} />
                  <SortHeader label="Email" column="email" sort={p.sort} order={p.order} hrefFor={sortHref} class="hide-sm" />
                  <SortHeader label="Status" column="status" sort={p.sort} order={p.order} hrefFor={sortHref} />
                  <th scope="col" class="hide-sm">
                    Source
                  </th>
                  <SortHeader label="Last change" column="updated" sort={p.sort} order={p.order} hrefFor={sortHref} class="hide-sm" />
                </tr>
              </thead>
              <tbody>
                {vm.rows.map((u) => (
                  <tr key={u.id}>
                    <td class="col-name">
                      <a class="cell-main break" href={`/console/users/${encodeURIComponent(u.id)}`}>
                        {u.displayName ?? u.userName}
                      </a>
                      {/* The user name when it says something the name and email do not. */}
                      {u.displayName !== null && u.userName !== u.displayName && u.userName !== u.email ? (
                        <span class="cell-sub">
                          <Wrap text={u.userName} />
                        </span>
                      ) : null}
                    </td>
                    <td class="hide-sm">{u.email ? <Wrap text={u.email} /> : <span class="muted">—</span>}</td>
                    <td>
                      <StatusBadge active={u.active} />
                    </td>
                    <td class="hide-sm">
                      <SourceBadge source={u.source} />
                    </td>
                    <td class="nowrap hide-sm">
                      <Time iso={u.lastModified} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pagination page={p.page} pageCount={vm.pageCount} total={vm.total} noun={['user', 'users']} hrefFor={(page) => usersHref(p, { page })} />
      </section>
    </Layout>
  );
}
