// The sign-in log (issue #17): every console sign-in and refusal of the organisation, newest
// first, searchable by user and by code or reference (the one a refused person reads out).
import type { JSX } from 'preact';
import { SIGN_IN_LOG_PAGE_SIZES, type SignInLogPage as SignInLogPageModel } from '../../../services/sign-in-log/sign-in-log.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, EmptyState, PageHeader, Time, hrefWith } from './components.js';

const PROVIDER_LABEL: Readonly<Record<string, string>> = { password: 'Password', microsoft: 'Microsoft', google: 'Google', oidc: 'OpenID Connect', org_oidc: 'Your OpenID Connect provider' };

export function SignInLogPage({ chrome, vm }: { chrome: Chrome; vm: SignInLogPageModel }): JSX.Element {
  const params = { user: vm.user || undefined, code: vm.code || undefined, outcome: vm.outcome, user_id: vm.scimUserId, size: vm.pageSize === 50 ? undefined : vm.pageSize };
  const filtered = vm.user !== '' || vm.code !== '' || vm.outcome !== undefined || vm.scimUserId !== undefined;
  return (
    <Layout title="Sign-in log" chrome={chrome}>
      <PageHeader
        title="Sign-in log"
        description="Every sign-in to this console — with a password or with your identity provider — and every refusal, with the code and reference the person saw. Kept for 30 days."
      />
      <section class="card flush" aria-label="Sign-ins">
        <form method="get" action="/console/sign-ins" class="toolbar" role="search" aria-label="Find sign-ins">
          <div class="field grow">
            <label for="user">User</label>
            <input type="search" id="user" name="user" value={vm.user} placeholder="Name or email" maxLength={200} />
          </div>
          <div class="field grow">
            <label for="code">Code or reference</label>
            <input type="search" id="code" name="code" value={vm.code} placeholder="sso/inactive or the reference" maxLength={100} />
          </div>
          <div class="field">
            <label for="outcome">Outcome</label>
            <select id="outcome" name="outcome">
              <option value="" selected={vm.outcome === undefined}>
                All
              </option>
              <option value="refused" selected={vm.outcome === 'refused'}>
                Refused
              </option>
              <option value="success" selected={vm.outcome === 'success'}>
                Signed in
              </option>
            </select>
          </div>
          <div class="field">
            <label for="size">Per page</label>
            <select id="size" name="size">
              {SIGN_IN_LOG_PAGE_SIZES.map((n) => (
                <option key={n} value={String(n)} selected={vm.pageSize === n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          {vm.scimUserId ? <input type="hidden" name="user_id" value={vm.scimUserId} /> : null}
          <button type="submit" class="btn">
            Search
          </button>
          {filtered ? (
            <a class="btn secondary" href="/console/sign-ins">
              Clear
            </a>
          ) : null}
        </form>
        {vm.rows.length === 0 ? (
          <EmptyState title={filtered ? 'No sign-ins match' : 'No sign-ins yet'}>
            <p>{filtered ? 'Try another name, code or reference, or clear the search.' : 'Sign-ins and refused sign-ins of your organisation appear here.'}</p>
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="fits-sm">
              <caption class="sr-only">Sign-ins, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">User</th>
                  <th scope="col" class="hide-sm">
                    Method
                  </th>
                  <th scope="col">Outcome</th>
                  <th scope="col" class="hide-sm">
                    Reference
                  </th>
                </tr>
              </thead>
              <tbody>
                {vm.rows.map((r) => (
                  <tr key={r.seq} data-testid="sign-in-row">
                    <td class="nowrap">
                      <Time iso={r.at} exact />
                    </td>
                    <td class="break">
                      {r.scimUserId ? <a href={`/console/users/${encodeURIComponent(r.scimUserId)}`}>{r.userLabel ?? r.scimUserId}</a> : (r.userLabel ?? <span class="muted">Unknown</span>)}
                    </td>
                    <td class="hide-sm">{PROVIDER_LABEL[r.provider] ?? r.provider}</td>
                    <td class="break">
                      {r.outcome === 'success' ? <Badge tone="green">Signed in</Badge> : <Badge tone="red">Refused</Badge>} <span class="mono small">{r.reason}</span>
                      <span class="cell-sub">{r.meaning}</span>
                    </td>
                    <td class="mono small break hide-sm">{r.reference || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {vm.before !== undefined || vm.nextBefore !== undefined ? (
          <nav class="pager" aria-label="Pagination">
            {vm.before !== undefined ? (
              <a class="btn secondary small" href={hrefWith('/console/sign-ins', params)}>
                Back to newest
              </a>
            ) : (
              <span class="muted">Showing the newest {vm.rows.length}</span>
            )}
            {vm.nextBefore !== undefined ? (
              <a class="btn secondary small" href={hrefWith('/console/sign-ins', { ...params, before: vm.nextBefore })} rel="next">
                Older →
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}
