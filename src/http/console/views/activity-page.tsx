// Provisioning activity: every SCIM request of the organisation, newest first; errors only on
// demand; each row opens the request's redacted summary.
import type { JSX } from 'preact';
import { ACTIVITY_PAGE_SIZES, type ActivityPage as ActivityPageModel, type ActivityRow, type RefusedConnection } from '../../../services/console/console-activity.js';
import { Layout, type Chrome } from './layout.js';
import { EmptyState, HttpStatus, PageHeader, RequestPath, ShortId, Time, hrefWith } from './components.js';
import { formatDuration, plural } from './format.js';
import { refusedFix, RefusedSentence } from './refused.js';

const REASON_LABEL: Record<RefusedConnection['reason'], string> = {
  revoked_key: 'Revoked key',
  wrong_secret: 'Wrong secret',
  api_access_withdrawn: 'API access withdrawn',
  oauth_secret_expired: 'OAuth secret expired',
  oauth_client_refused: 'OAuth client refused',
};

function ActivityTabs({ current }: { current: 'all' | 'errors' | 'refused' }): JSX.Element {
  return (
    <nav class="segmented" aria-label="Show">
      <a href="/console/activity" aria-current={current === 'all' ? 'page' : undefined}>
        All requests
      </a>
      <a href="/console/activity?errors=1" aria-current={current === 'errors' ? 'page' : undefined}>
        Errors only
      </a>
      <a href="/console/activity?view=refused" aria-current={current === 'refused' ? 'page' : undefined}>
        Refused connections
      </a>
    </nav>
  );
}

/** Activity → "Refused connections": requests turned away at authentication, one row per key and reason. */
export function RefusedConnectionsPage({ chrome, rows, windowDays }: { chrome: Chrome; rows: readonly RefusedConnection[]; windowDays: number }): JSX.Element {
  return (
    <Layout title="Refused connections" chrome={chrome}>
      <PageHeader
        title="Provisioning activity"
        description={`Requests that used one of your keys but were refused before reaching your directory, counted per key and reason over the last ${windowDays} days. The secret a client presented is never stored.`}
      />
      <section class="card flush" aria-label="Refused connections">
        <div class="toolbar">
          <ActivityTabs current="refused" />
        </div>
        {rows.length === 0 ? (
          <EmptyState title="No refused connections">
            <p>When your identity provider calls with a revoked key or a wrong secret, it shows up here with how to fix it.</p>
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Refused connections, latest first</caption>
              <thead>
                <tr>
                  <th scope="col">Last attempt</th>
                  <th scope="col">Key</th>
                  <th scope="col">Reason</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col">What to do</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.keyId}:${r.reason}`} data-testid="refused-row">
                    <td class="nowrap">
                      <Time iso={r.lastAt} exact />
                      <span class="cell-sub">
                        since <Time iso={r.firstAt} />
                      </span>
                    </td>
                    <td class="break">{r.keyName ?? <span class="muted">Deleted key</span>}</td>
                    <td>{REASON_LABEL[r.reason]}</td>
                    <td class="num">{r.attempts.toLocaleString('en')}</td>
                    <td class="break">
                      <RefusedSentence r={r} /> {refusedFix(r)}
                      {r.userAgent ? <span class="cell-sub mono">{r.userAgent}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {rows.length > 0 ? (
          <p class="pager muted">{plural(rows.reduce((n, r) => n + r.attempts, 0), 'refused request')}</p>
        ) : null}
      </section>
    </Layout>
  );
}

export function ActorCell({ row }: { row: ActivityRow }): JSX.Element {
  if (row.keyId) return <>{row.keyName ?? <span class="muted">Deleted key</span>}</>;
  return (
    <>
      Console <span class="cell-sub">{row.actor ?? 'admin'}</span>
    </>
  );
}

export function ResourceCell({ row }: { row: ActivityRow }): JSX.Element {
  if (!row.resourceType) return <span class="muted">—</span>;
  if (!row.resourceId) return <>{row.resourceType}s</>;
  const href = `/console/${row.resourceType === 'Group' ? 'groups' : 'users'}/${encodeURIComponent(row.resourceId)}`;
  return (
    <>
      {row.resourceType}{' '}
      {row.resourceName !== null ? (
        <a class="cell-sub" href={href} title={row.resourceId}>
          {row.resourceName}
        </a>
      ) : (
        <a class="mono cell-sub" href={href} title="No longer exists, or the id in the request was not found">
          <ShortId id={row.resourceId} />
        </a>
      )}
    </>
  );
}

/** "displayName: Ann Lee → Ann Smith", one line per changed attribute. */
export function Changes({ row }: { row: ActivityRow }): JSX.Element | null {
  if (row.changes.length === 0) return null;
  return (
    <ul class="changes">
      {row.changes.map((c) => (
        <li key={c.path}>
          <span class="mono">{c.path}</span>: {c.from === null ? <span class="muted">(not set)</span> : <span class="old">{c.from}</span>} →{' '}
          {c.to === null ? <span class="muted">(removed)</span> : <span class="new">{c.to}</span>}
        </li>
      ))}
      {row.moreChanges > 0 ? <li class="muted">and {plural(row.moreChanges, 'more change')}</li> : null}
    </ul>
  );
}

/** A 409: the record that already holds the value, by name, linked. */
export function ConflictNote({ row }: { row: ActivityRow }): JSX.Element | null {
  const c = row.conflict;
  if (!c) return null;
  const href = `/console/${row.resourceType === 'Group' ? 'groups' : 'users'}/${encodeURIComponent(c.existingId)}`;
  return (
    <p class="small">
      The {c.attribute} “{c.value}” already belongs to <a href={href}>{c.existingName}</a>.
    </p>
  );
}

export function ActivityPage({ chrome, vm }: { chrome: Chrome; vm: ActivityPageModel }): JSX.Element {
  const size = vm.pageSize === 50 ? undefined : vm.pageSize;
  const base = (errors: boolean) => hrefWith('/console/activity', { errors: errors ? 1 : undefined, size });
  return (
    <Layout title="Activity" chrome={chrome}>
      <PageHeader
        title="Provisioning activity"
        description="Every SCIM request your identity provider made, and every change made by hand in this console. Open a row for its details."
        actions={
          <a class="btn secondary" href={hrefWith('/console/activity.csv', { errors: vm.errorsOnly ? 1 : undefined })} download>
            Export CSV
          </a>
        }
      />
      <section class="card flush" aria-label="Requests">
        <div class="toolbar">
          <ActivityTabs current={vm.errorsOnly ? 'errors' : 'all'} />
          <form method="get" action="/console/activity" class="inline-size">
            {vm.errorsOnly ? <input type="hidden" name="errors" value="1" /> : null}
            <label for="size">Per page</label>{' '}
            <select id="size" name="size">
              {ACTIVITY_PAGE_SIZES.map((n) => (
                <option key={n} value={String(n)} selected={vm.pageSize === n}>
                  {n}
                </option>
              ))}
            </select>{' '}
            <button type="submit" class="btn secondary small">
              Show
            </button>
          </form>
          {vm.before !== undefined ? (
            <a class="btn secondary small" href={base(vm.errorsOnly)}>
              Back to newest
            </a>
          ) : null}
        </div>
        {vm.rows.length === 0 ? (
          <EmptyState title={vm.errorsOnly ? 'No errors' : 'No requests yet'}>
            <p>{vm.errorsOnly ? 'Failed requests will be listed here.' : 'Requests from your identity provider will be listed here as they arrive.'}</p>
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="fits-sm">
              <caption class="sr-only">{vm.errorsOnly ? 'Failed requests' : 'Requests'}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col" class="hide-sm">
                    Made by
                  </th>
                  <th scope="col">Request</th>
                  <th scope="col" class="hide-sm">
                    Resource
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num hide-sm">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {vm.rows.map((r) => (
                  <tr key={r.seq}>
                    <td class="nowrap">
                      <a href={`/console/activity/${r.seq}`}>
                        <Time iso={r.at} />
                        <span class="sr-only">{` — details of ${r.method} ${r.path}`}</span>
                      </a>
                    </td>
                    <td class="break hide-sm">
                      <ActorCell row={r} />
                    </td>
                    <td>
                      <RequestPath method={r.method} path={r.path} />
                    </td>
                    <td class="break hide-sm">
                      <ResourceCell row={r} />
                    </td>
                    <td>
                      <HttpStatus status={r.status} scimType={r.scimType} />
                    </td>
                    <td class="num nowrap hide-sm">{formatDuration(r.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {vm.nextBefore !== undefined ? (
          <nav class="pager" aria-label="Pagination">
            <span class="muted">Showing {vm.rows.length} requests</span>
            <a class="btn secondary small" href={hrefWith('/console/activity', { errors: vm.errorsOnly ? 1 : undefined, size, before: vm.nextBefore })} rel="next">
              Older →
            </a>
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}

function prettySummary(summary: string | null): string | null {
  if (summary === null) return null;
  try {
    return JSON.stringify(JSON.parse(summary), null, 2);
  } catch {
    return summary;
  }
}

export function ActivityEntryPage({ chrome, vm }: { chrome: Chrome; vm: ActivityRow }): JSX.Element {
  const summary = prettySummary(vm.summary);
  return (
    <Layout title="Request details" chrome={chrome}>
      <PageHeader breadcrumb={{ href: '/console/activity', label: 'Activity' }} title={`${vm.method} ${vm.path}`} description={<HttpStatus status={vm.status} scimType={vm.scimType} />} />
      <div class="stack">
        <section class="card" aria-labelledby="req-title">
          <h2 id="req-title">Request</h2>
          <dl class="dl">
            <dt>Time</dt>
            <dd>
              <Time iso={vm.at} exact />
            </dd>
            <dt>Made by</dt>
            <dd>
              <ActorCell row={vm} />
            </dd>
            <dt>Method and path</dt>
            <dd class="mono">
              {vm.method} {vm.path}
            </dd>
            <dt>Resource</dt>
            <dd>
              <ResourceCell row={vm} />
            </dd>
            <dt>Status</dt>
            <dd>
              <HttpStatus status={vm.status} scimType={vm.scimType} />
            </dd>
            <dt>Duration</dt>
            <dd>{formatDuration(vm.durationMs)}</dd>
            {vm.detail ? (
              <>
                <dt>Error detail</dt>
                <dd>
                  {vm.detail}
                  <ConflictNote row={vm} />
                </dd>
              </>
            ) : null}
            {vm.changes.length > 0 ? (
              <>
                <dt>Changes</dt>
                <dd>
                  <Changes row={vm} />
                </dd>
              </>
            ) : null}
          </dl>
        </section>
        <section class="card" aria-labelledby="summary-title">
          <h2 id="summary-title">Summary</h2>
          <p class="muted small">A summary: attribute names, operations, query parameters and the old → new values of what a write changed — never passwords or credentials.</p>
          {summary === null ? (
            <p class="muted">No summary for this request.</p>
          ) : (
            <pre>
              <code>{summary}</code>
            </pre>
          )}
        </section>
      </div>
    </Layout>
  );
}
