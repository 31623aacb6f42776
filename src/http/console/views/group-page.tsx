// One group: its SCIM attributes and its members, one page at a time.
import type { JSX } from 'preact';
import type { GroupDetail } from '../../../services/console/console-groups.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, EmptyState, PageHeader, Pagination, StatusBadge, Time, hrefWith } from './components.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function GroupPage({ chrome, vm }: { chrome: Chrome; vm: GroupDetail }): JSX.Element {
  const r = vm.resource;
  const id = str(r.id) ?? '';
  const name = str(r.displayName) ?? id;
  const meta = typeof r.meta === 'object' && r.meta !== null && !Array.isArray(r.meta) ? r.meta : {};
  return (
    <Layout title={name} chrome={chrome}>
      <PageHeader breadcrumb={{ href: '/console/groups', label: 'Groups' }} title={name} description={`${vm.memberTotal.toLocaleString('en')} ${vm.memberTotal === 1 ? 'member' : 'members'}`} />
      <div class="stack">
        <section class="card" aria-labelledby="overview-title">
          <h2 id="overview-title">Overview</h2>
          <dl class="dl">
            <dt>Display name</dt>
            <dd>{name}</dd>
            <dt>External id</dt>
            <dd class="mono">{str(r.externalId) ?? '—'}</dd>
            <dt>Last change</dt>
            <dd>
              <Time iso={str(meta.lastModified)} exact />
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={str(meta.created)} exact />
            </dd>
            <dt>WiggleDesk id</dt>
            <dd class="mono">{id}</dd>
          </dl>
        </section>
        <section class="card flush" aria-labelledby="members-title">
          <div class="card-head">
            <h2 id="members-title">Members</h2>
          </div>
          {vm.members.length === 0 ? (
            <EmptyState title="No members" />
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Members of {name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">User name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {vm.members.map((m) => (
                    <tr key={m.id}>
                      <td>
                        <a class="cell-main break" href={`/console/${m.type === 'Group' ? 'groups' : 'users'}/${encodeURIComponent(m.id)}`}>
                          {m.displayName ?? m.userName ?? m.id}
                        </a>
                      </td>
                      <td class="break">{m.userName ?? <span class="muted">—</span>}</td>
                      <td>
                        <Badge tone={m.type === 'Group' ? 'blue' : 'gray'} plain>
                          {m.type === 'Group' ? 'Group' : 'User'}
                        </Badge>
                      </td>
                      <td>{m.active === null ? <span class="muted">—</span> : <StatusBadge active={m.active} />}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={vm.page} pageCount={vm.pageCount} total={vm.memberTotal} noun={['member', 'members']} hrefFor={(page) => hrefWith(`/console/groups/${encodeURIComponent(id)}`, { page: page === 1 ? undefined : page })} />
        </section>
      </div>
    </Layout>
  );
}
