// Groups: search by name (or exact external id), sortable, paged.
import type { JSX } from 'preact';
import type { GroupListParams, GroupListResult, GroupSortKey } from '../../../services/console/console-groups.js';
import { Layout, type Chrome } from './layout.js';
import { EmptyState, PageHeader, Pagination, SortHeader, Time, hrefWith } from './components.js';

export function groupsHref(p: GroupListParams, change: Partial<GroupListParams> = {}): string {
  const n = { ...p, ...change };
  return hrefWith('/console/groups', {
    q: n.q,
    sort: n.sort === 'name' ? undefined : n.sort,
    order: n.order === 'asc' ? undefined : n.order,
    page: n.page === 1 ? undefined : n.page,
  });
}

export function GroupsPage({ chrome, vm }: { chrome: Chrome; vm: GroupListResult }): JSX.Element {
  const p = vm.params;
  const sortHref = (sort: GroupSortKey, order: 'asc' | 'desc') => groupsHref(p, { sort, order, page: 1 });
  return (
    <Layout title="Groups" chrome={chrome}>
      <PageHeader title="Groups" description="Groups your identity provider has pushed to WiggleDesk, with their members." />
      <section class="card flush" aria-label="Groups">
        <form method="get" action="/console/groups" class="toolbar" role="search" aria-label="Find groups">
          <div class="field grow">
            <label for="q">Search</label>
            <input type="search" id="q" name="q" value={p.q} placeholder="Group name" maxLength={200} />
          </div>
          <button type="submit" class="btn">
            Search
          </button>
          {p.q ? (
            <a class="btn secondary" href="/console/groups">
              Clear
            </a>
          ) : null}
        </form>
        {vm.rows.length === 0 ? (
          p.q ? (
            <EmptyState title="No groups match">
              <p>
                Try another name, or <a href="/console/groups">show all groups</a>.
              </p>
            </EmptyState>
          ) : (
            <EmptyState title="No groups yet">
              <p>Enable group provisioning in your identity provider to see groups here.</p>
            </EmptyState>
          )
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Groups, {vm.total} in total</caption>
              <thead>
                <tr>
                  <SortHeader label="Name" column="name" sort={p.sort} order={p.order} hrefFor={sortHref} />
                  <th scope="col">External id</th>
                  <th scope="col" class="num">
                    Members
                  </th>
                  <SortHeader label="Last change" column="updated" sort={p.sort} order={p.order} hrefFor={sortHref} />
                </tr>
              </thead>
              <tbody>
                {vm.rows.map((g) => (
                  <tr key={g.id}>
                    <td>
                      <a class="cell-main break" href={`/console/groups/${encodeURIComponent(g.id)}`}>
                        {g.displayName}
                      </a>
                    </td>
                    <td class="mono break">{g.externalId ?? <span class="muted">—</span>}</td>
                    <td class="num">{g.memberCount.toLocaleString('en')}</td>
                    <td class="nowrap">
                      <Time iso={g.lastModified} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pagination page={p.page} pageCount={vm.pageCount} total={vm.total} noun={['group', 'groups']} hrefFor={(page) => groupsHref(p, { page })} />
      </section>
    </Layout>
  );
}
