// Dashboard: is provisioning healthy? The last call from the identity provider, 24-hour success
// and error counts, the latest errors with their detail, and a setup checklist until connected.
import type { JSX } from 'preact';
import type { Dashboard, ActivityRow, SyncHealth } from '../../../services/console/console-activity.js';
import { Layout, type Chrome } from './layout.js';
import { HttpStatus, Notice, PageHeader, RequestPath, Time, EmptyState } from './components.js';
import { plural, relativeTime } from './format.js';
import { RefusedList } from './refused.js';
import { ConflictNote } from './activity-page.js';
import { IdpStatus } from './idp-status.js';
import { BindingBanner } from './sign-in-settings-page.js';
import type { BindingsOverview } from '../../../services/sign-in/bindings/bindings.js';
import type { IdpProfileView } from '../../../services/console/idp-profile.js';

export interface DashboardView extends Dashboard {
  readonly orgName: string;
  readonly idp: IdpProfileView | undefined;
  /** The Tenant URL to paste into Entra (with its flag). */
  readonly entraUrl: string;
  /** Sign-in bindings made without proof or lost to another organisation (issue #18). */
  readonly bindingBanner?: Pick<BindingsOverview, 'unverified' | 'conflicts'> | undefined;
}

const HEALTH: Record<SyncHealth, { tone: 'good' | 'warn' | 'bad' | 'none'; title: string }> = {
  not_connected: { tone: 'none', title: 'Not connected yet' },
  refused: { tone: 'bad', title: 'Your identity provider cannot connect' },
  healthy: { tone: 'good', title: 'Provisioning is healthy' },
  degraded: { tone: 'warn', title: 'Provisioning has errors' },
  failing: { tone: 'bad', title: 'Provisioning is failing' },
  idle: { tone: 'warn', title: 'No recent provisioning' },
};

function healthSentence(vm: DashboardView): string {
  const last = vm.lastRequest;
  if (vm.health === 'refused') return 'It reaches WiggleDesk, but every request is refused at sign-in: see below for why and how to fix it.';
  if (!last) return 'Your identity provider has not sent any request yet. Follow the steps below to connect it.';
  const who = last.keyName ? `with the key “${last.keyName}”` : 'with an API key';
  const when = `Last request from your identity provider ${relativeTime(last.at)} ${who}.`;
  switch (vm.health) {
    case 'failing':
      return `${when} Every request in the last 24 hours failed: check the errors below.`;
    case 'degraded':
      return `${when} ${plural(vm.errors24h, 'request')} failed in the last 24 hours: check the errors below.`;
    case 'idle':
      return `${when} Nothing in the last 24 hours — identity providers usually sync every 40 minutes or so.`;
    default:
      return when;
  }
}

function Checklist(vm: DashboardView): JSX.Element {
  const hasKey = vm.activeKeys > 0;
  return (
    <section class="card" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect your identity provider</h2>
      <ol class="steps">
        <li class={hasKey ? 'done' : undefined}>
          <strong>Generate an API key</strong> on your <a href="/console/profile">Profile</a>.{hasKey ? <span class="muted"> Done.</span> : null}
        </li>
        <li>
          <strong>Enter the SCIM endpoint and the key</strong> in Microsoft Entra ID, Okta or another SCIM client — see <a href="/console/scim-setup">SCIM setup</a>.
        </li>
        <li>
          <strong>Start provisioning.</strong> Users appear on <a href="/console/users">Manage Users</a> as your identity provider sends them.
        </li>
      </ol>
    </section>
  );
}

function LatestErrors({ rows }: { rows: readonly ActivityRow[] }): JSX.Element {
  return (
    <section class="card flush" aria-labelledby="errors-title">
      <div class="card-head">
        <h2 id="errors-title">Latest errors</h2>
        <a href="/console/activity?errors=1">All errors</a>
      </div>
      {rows.length === 0 ? (
        <EmptyState title="No errors">
          <p>Failed provisioning requests will be listed here with what went wrong.</p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">The five most recent failed requests</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.seq}>
                  <td class="nowrap">
                    <a href={`/console/activity/${r.seq}`}>
                      <Time iso={r.at} />
                    </a>
                  </td>
                  <td>
                    <RequestPath method={r.method} path={r.path} />
                  </td>
                  <td>
                    <HttpStatus status={r.status} scimType={r.scimType} />
                  </td>
                  <td class="break">
                    {r.detail ?? <span class="muted">—</span>}
                    <ConflictNote row={r} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function DashboardPage({ chrome, vm }: { chrome: Chrome; vm: DashboardView }): JSX.Element {
  const h = HEALTH[vm.health];
  return (
    <Layout title="Dashboard" chrome={chrome}>
      <PageHeader title="Dashboard" description={`Provisioning health for ${vm.orgName}.`} />
      <div class="stack">
        {!vm.apiAccessApproved ? (
          <Notice tone="warning" title="Your organisation is not approved for API access">
            <p>Reach out to your WiggleDesk account manager to enable it. Until then, identity providers cannot connect.</p>
          </Notice>
        ) : null}
        {vm.bindingBanner ? <BindingBanner proof={vm.bindingBanner} /> : null}
        <section class={`card health ${h.tone}`} aria-labelledby="health-title">
          <span class="health-dot" aria-hidden="true"></span>
          <div>
            <h2 id="health-title">{h.title}</h2>
            <p>{healthSentence(vm)}</p>
          </div>
        </section>
        <IdpStatus vm={vm.idp} entraUrl={vm.entraUrl} />
        <div class="stats">
          <div class="stat">
            <span class="stat-label">Successful requests (24 h)</span>
            <span class="stat-value">{vm.successes24h.toLocaleString('en')}</span>
          </div>
          <div class="stat">
            <span class="stat-label">Failed requests (24 h)</span>
            <span class="stat-value">{vm.errors24h.toLocaleString('en')}</span>
          </div>
          <div class="stat">
            <span class="stat-label">Users</span>
            <span class="stat-value">{vm.users.toLocaleString('en')}</span>
            <span class="stat-note">{vm.activeUsers.toLocaleString('en')} active</span>
          </div>
          <div class="stat">
            <span class="stat-label">Groups</span>
            <span class="stat-value">{vm.groups.toLocaleString('en')}</span>
          </div>
        </div>
        {vm.refused.length > 0 ? (
          <section class="card" aria-labelledby="refused-title">
            <div class="card-head">
              <h2 id="refused-title">Refused connections</h2>
              <a href="/console/activity?view=refused">Details</a>
            </div>
            <RefusedList rows={vm.refused} />
          </section>
        ) : null}
        {vm.health === 'not_connected' || vm.health === 'refused' ? <Checklist {...vm} /> : null}
        <LatestErrors rows={vm.latestErrors} />
        {vm.lastRequest ? (
          <p class="muted small">
            Last request: <Time iso={vm.lastRequest.at} exact /> · <a href="/console/activity">See all activity</a>
          </p>
        ) : null}
      </div>
    </Layout>
  );
}
