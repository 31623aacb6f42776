// Home for a signed-in person: who they are, their organisation and their groups — the start of
// WiggleDesk's hybrid-working pages. Everything comes from the identity provider (SCIM).
import type { JSX } from 'preact';
import type { HomeView } from '../../../services/sign-in/sign-in.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, EmptyState, PageHeader, StatusBadge } from './components.js';

export function HomePage({ chrome, vm }: { chrome: Chrome; vm: HomeView }): JSX.Element {
  const name = vm.user?.displayName ?? vm.displayName;
  return (
    <Layout title="Home" chrome={chrome}>
      <PageHeader title={`Welcome, ${name}`} description={`You are signed in to ${vm.org.name}.`} />
      <div class="stack">
        <section class="card" aria-labelledby="you-title">
          <h2 id="you-title">You</h2>
          <dl class="dl">
            <dt>Name</dt>
            <dd>{name}</dd>
            {vm.user ? (
              <>
                <dt>User name</dt>
                <dd class="break">{vm.user.userName}</dd>
              </>
            ) : null}
            <dt>Email</dt>
            <dd class="break">{vm.user?.email ?? vm.email}</dd>
            {vm.user?.title ? (
              <>
                <dt>Job title</dt>
                <dd>{vm.user.title}</dd>
              </>
            ) : null}
            {vm.user?.department ? (
              <>
                <dt>Department</dt>
                <dd>{vm.user.department}</dd>
              </>
            ) : null}
            <dt>Organisation</dt>
            <dd>{vm.org.name}</dd>
            <dt>Role</dt>
            <dd>{vm.role === 'admin' ? <Badge tone="blue" plain>Organisation admin</Badge> : <Badge tone="gray" plain>Member</Badge>}</dd>
            {vm.user ? (
              <>
                <dt>Status</dt>
                <dd>
                  <StatusBadge active={vm.user.active} />
                </dd>
              </>
            ) : null}
          </dl>
          <p class="muted small">Your details come from your organisation’s identity provider; ask your IT team to change them.</p>
        </section>
        <section class="card" aria-labelledby="groups-title">
          <h2 id="groups-title">Your groups</h2>
          {vm.groups.length === 0 ? (
            <EmptyState title="No groups">
              <p>Your organisation has not put you in any group yet.</p>
            </EmptyState>
          ) : (
            <ul class="plain-list" aria-labelledby="groups-title">
              {vm.groups.map((g) => (
                <li key={g.id}>
                  {g.displayName}
                  {g.direct ? null : <span class="muted small"> (through another group)</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </Layout>
  );
}
