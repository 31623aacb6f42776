// One user: overview, every SCIM attribute (read-only: the identity provider owns them), groups,
// the provisioning requests that touched the user, and manual deactivate/reactivate.
import type { JSX } from 'preact';
import type { UserDetail } from '../../../services/console/console-users.js';
import type { JsonObject } from '../../../domain/json.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, EmptyState, HttpStatus, Notice, PageHeader, PostButton, RequestPath, SourceBadge, StatusBadge, Time } from './components.js';
import { flattenAttributes } from './attributes.js';
import { Changes, ConflictNote } from './activity-page.js';

export const USER_DONE = ['deactivated', 'reactivated', 'added', 'edited', 'restored'] as const;
export type UserDone = (typeof USER_DONE)[number];

const PROVIDER_LABEL: Record<string, string> = { microsoft: 'Microsoft', google: 'Google', oidc: 'OpenID Connect' };

export interface UserPageView extends UserDetail {
  readonly done: UserDone | undefined;
}

const DONE_TEXT: Record<UserDone, string> = {
  deactivated: 'was deactivated (suspended): sign-in is refused and their sessions have ended. Groups and data are kept.',
  reactivated: 'was reactivated.',
  added: 'was added as a manual user.',
  edited: 'was saved.',
  restored: 'was restored under the same id, with the groups that still exist.',
};

const metaOf = (r: JsonObject): { created?: string; lastModified?: string; version?: string } => {
  const m = r.meta;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return {};
  const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const out: { created?: string; lastModified?: string; version?: string } = {};
  const created = s(m.created);
  const lastModified = s(m.lastModified);
  const version = s(m.version);
  if (created) out.created = created;
  if (lastModified) out.lastModified = lastModified;
  if (version) out.version = version;
  return out;
};

function StatusAction({ vm, csrfToken }: { vm: UserPageView; csrfToken: string }): JSX.Element {
  const id = encodeURIComponent(vm.row.id);
  return (
    <>
      {vm.row.source === 'manual' ? (
        <a class="btn secondary" href={`/console/users/${id}/edit`}>
          Edit
        </a>
      ) : null}{' '}
      {vm.row.active ? (
        // Deactivation asks first (DeactivateUserPage); reactivation is harmless and immediate.
        <a class="btn danger-outline" href={`/console/users/${id}/deactivate`}>
          Deactivate user
        </a>
      ) : (
        <PostButton action={`/console/users/${id}/reactivate`} csrf={csrfToken} class="btn secondary">
          Reactivate user
        </PostButton>
      )}{' '}
      <a class="btn secondary" href={`/console/users/${id}/export`}>
        Export user
      </a>{' '}
      <PostButton action={`/console/users/${id}/delete`} csrf={csrfToken} class="btn danger-outline">
        Delete user
      </PostButton>{' '}
      <PostButton action={`/console/users/${id}/erase`} csrf={csrfToken} class="btn danger-outline">
        Erase now
      </PostButton>
    </>
  );
}

/** The user's outbound events (webhooks, Events API): its own changes and its group memberships. */
function UserEvents({ vm }: { vm: UserPageView }): JSX.Element {
  return (
    <section class="card flush" aria-labelledby="events-title">
      <div class="card-head">
        <h2 id="events-title">Events</h2>
        <span class="muted small">Sent to webhooks and the Events API</span>
      </div>
      {vm.events.length === 0 ? (
        <EmptyState title="No events for this user" />
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {vm.events.map((e) => (
              <tr>
                <td>
                  <Time iso={e.occurredAt} />
                </td>
                <td>
                  <code>{e.type}</code>
                  <div class="muted small">
                    <code>{e.id}</code>
                  </div>
                </td>
                <td>{e.group !== null ? `Group: ${e.group}` : e.changedAttributes.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function History({ vm }: { vm: UserPageView }): JSX.Element {
  return (
    <section class="card flush" aria-labelledby="history-title">
      <div class="card-head">
        <h2 id="history-title">Provisioning history</h2>
        <span class="muted small">
          {vm.history.length === 1 ? 'The latest change or failed request' : `The latest ${vm.history.length} changes and failed requests`}; reads are on the{' '}
          <a href="/console/activity">Activity</a> page
        </span>
      </div>
      {vm.history.length === 0 ? (
        <EmptyState title="No changes or failed requests recorded for this user" />
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Requests that changed this user or failed, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">By</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {vm.history.map((h) => (
                <tr key={h.seq}>
                  <td class="nowrap">
                    <a href={`/console/activity/${h.seq}`}>
                      <Time iso={h.at} />
                    </a>
                  </td>
                  <td class="break">{h.keyId ? (h.keyName ?? 'Deleted key') : `Console · ${h.actor ?? 'admin'}`}</td>
                  <td>
                    <RequestPath method={h.method} path={h.path} />
                  </td>
                  <td>
                    <HttpStatus status={h.status} scimType={h.scimType} />
                  </td>
                  <td class="break">
                    <Changes row={h} />
                    {h.detail ? <span class="cell-sub">{h.detail}</span> : null}
                    <ConflictNote row={h} />
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

export function UserPage({ chrome, vm }: { chrome: Chrome; vm: UserPageView }): JSX.Element {
  const u = vm.row;
  const meta = metaOf(vm.resource);
  const attributes = flattenAttributes(vm.resource);
  return (
    <Layout title={u.displayName ?? u.userName} chrome={chrome}>
      <PageHeader
        breadcrumb={{ href: '/console/users', label: 'Manage Users' }}
        title={u.displayName ?? u.userName}
        description={
          <>
            <StatusBadge active={u.active} /> <SourceBadge source={u.source} />
          </>
        }
        actions={<StatusAction vm={vm} csrfToken={chrome.csrfToken} />}
      />
      <div class="stack">
        {vm.done ? (
          <Notice tone="success" role="status">
            <p>
              {u.userName} {DONE_TEXT[vm.done]} The change is in the activity log under your name.
            </p>
          </Notice>
        ) : null}
        {u.source === 'scim' ? (
          <Notice tone="info" title="Managed by your identity provider">
            <p>
              These attributes are read-only here: your identity provider owns them, and its next sync would overwrite any change. Change them there. Deactivating by hand takes effect at once, but your
              identity provider may reactivate the user on its next sync if they are still assigned there — unassign them to remove access for good.
            </p>
          </Notice>
        ) : null}
        <div class="grid-2">
          <section class="card" aria-labelledby="overview-title">
            <h2 id="overview-title">Overview</h2>
            <dl class="dl">
              <dt>User name</dt>
              <dd>{u.userName}</dd>
              <dt>Display name</dt>
              <dd>{u.displayName ?? '—'}</dd>
              <dt>Work email</dt>
              <dd>{u.email ?? '—'}</dd>
              <dt>Last change</dt>
              <dd>
                <Time iso={meta.lastModified ?? u.lastModified} exact />
              </dd>
              <dt>Created</dt>
              <dd>
                <Time iso={meta.created} exact />
              </dd>
              <dt>Version</dt>
              <dd class="mono">{meta.version ?? '—'}</dd>
              <dt>WiggleDesk id</dt>
              <dd class="mono">{u.id}</dd>
              <dt>Last sign-in</dt>
              <dd>
                {vm.signIn.lastSignInAt ? <Time iso={vm.signIn.lastSignInAt} exact /> : 'Never signed in with SSO'}{' '}
                <a class="small" href={`/console/sign-ins?user_id=${encodeURIComponent(u.id)}`}>
                  Sign-in history
                </a>
              </dd>
              <dt>Linked sign-in account</dt>
              <dd>
                {vm.signIn.identities.length === 0
                  ? 'None yet (linked at the first SSO sign-in)'
                  : vm.signIn.identities.map((i, n) => (
                      <span key={i.provider}>
                        {n > 0 ? ', ' : ''}
                        {PROVIDER_LABEL[i.provider] ?? i.provider} since <Time iso={i.linkedAt} />
                      </span>
                    ))}
              </dd>
            </dl>
          </section>
          <section class="card" aria-labelledby="groups-title">
            <h2 id="groups-title">Groups</h2>
            {vm.groups.length === 0 ? (
              <p class="muted">Not a member of any group.</p>
            ) : (
              <ul class="plain-list">
                {vm.groups.map((g) => (
                  <li key={g.id}>
                    <a href={`/console/groups/${encodeURIComponent(g.id)}`}>{g.displayName}</a>{' '}
                    {g.direct ? null : (
                      <Badge tone="gray" plain>
                        indirect
                      </Badge>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        <section class="card flush" aria-labelledby="attrs-title">
          <div class="card-head">
            <h2 id="attrs-title">SCIM attributes</h2>
            <span class="muted small">Read-only</span>
          </div>
          <div class="table-wrap">
            <table>
              <caption class="sr-only">All SCIM attributes of this user</caption>
              <thead>
                <tr>
                  <th scope="col">Attribute</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {attributes.map((a) => (
                  <tr key={a.path}>
                    <th scope="row" class="mono attr-name">
                      {a.path}
                    </th>
                    <td class="break">{a.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details class="raw">
            <summary>Show the raw SCIM resource (JSON)</summary>
            <pre>
              <code>{JSON.stringify(vm.resource, null, 2)}</code>
            </pre>
          </details>
        </section>
        <History vm={vm} />
        <UserEvents vm={vm} />
      </div>
    </Layout>
  );
}

/** "Deactivate Ann Lee?": what happens, then the one POST. */
export function DeactivateUserPage({ chrome, vm }: { chrome: Chrome; vm: UserDetail }): JSX.Element {
  const u = vm.row;
  const name = u.displayName ?? u.userName;
  const id = encodeURIComponent(u.id);
  return (
    <Layout title={`Deactivate ${name}`} chrome={chrome}>
      <PageHeader title={`Deactivate ${name}?`} breadcrumb={{ href: `/console/users/${id}`, label: name }} />
      <div class="card stack">
        <dl class="dl">
          <dt>User name</dt>
          <dd>{u.userName}</dd>
          <dt>Work email</dt>
          <dd>{u.email ?? '—'}</dd>
        </dl>
        <Notice tone="warning">
          <p>
            {name} loses access to WiggleDesk at once and is signed out. {u.source === 'scim' ? 'Your identity provider may reactivate them on its next sync if they are still assigned there; unassign them there to remove access for good.' : ''}
          </p>
        </Notice>
        {u.active ? (
          <div class="actions">
            <PostButton action={`/console/users/${id}/deactivate`} csrf={chrome.csrfToken} class="btn danger">
              Deactivate user
            </PostButton>{' '}
            <a class="btn secondary" href={`/console/users/${id}`}>
              Cancel
            </a>
          </div>
        ) : (
          <Notice tone="info">
            <p>This user is already inactive.</p>
          </Notice>
        )}
      </div>
    </Layout>
  );
}
