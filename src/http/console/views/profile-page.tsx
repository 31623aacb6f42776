// Profile: the signed-in account; for admins the organisation's API keys — generate (shown
// once), list, revoke. An organisation not approved for API access gets no generate form.
import type { JSX } from 'preact';
import type { ProfileView, ApiKeyView } from '../../../services/console/console-profile.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, CopyField, CsrfField, EmptyState, Notice, PageHeader, SourceBadge, StatusBadge, Time } from './components.js';

export interface ProfilePageView extends ProfileView {
  /** Just generated: the full key, shown this once. */
  readonly newKey?: { readonly key: string; readonly name: string };
  /** A key was just revoked. */
  readonly revoked?: string;
  /** The one-time page of a new key was opened again: the key is not shown twice. */
  readonly keyAlreadyShown?: boolean;
  /** Generating a key was refused (duplicate or invalid name). */
  readonly keyError?: { readonly message: string; readonly name: string };
}

function Details({ vm }: { vm: ProfilePageView }): JSX.Element {
  const a = vm.account;
  return (
    <section class="card" aria-labelledby="details-title">
      <h2 id="details-title">Your details</h2>
      <dl class="dl">
        <dt>Name</dt>
        <dd>{a.displayName}</dd>
        <dt>Email</dt>
        <dd>{a.email}</dd>
        <dt>Role</dt>
        <dd>{a.role === 'admin' ? <Badge tone="blue" plain>Organisation admin</Badge> : <Badge tone="gray" plain>User</Badge>}</dd>
        <dt>Organisation</dt>
        <dd>{vm.org.name}</dd>
        <dt>Last sign-in</dt>
        <dd>
          <Time iso={a.lastLoginAt} exact />
        </dd>
      </dl>
      <p class="links">
        {a.hasPassword ? <a href="/console/profile/password">Change password</a> : null}
        {a.role === 'admin' ? (
          <>
            {a.hasPassword ? ' · ' : null}
            <a href="/console/accounts">Console accounts and password resets</a>
          </>
        ) : null}
      </p>
      {vm.linkedUser ? (
        <>
          <h3 class="subhead">Your directory record</h3>
          <p class="muted small">Managed by your organisation's identity provider; ask your IT team to change it.</p>
          <dl class="dl">
            <dt>User name</dt>
            <dd>{vm.linkedUser.userName}</dd>
            <dt>Display name</dt>
            <dd>{vm.linkedUser.displayName ?? '—'}</dd>
            <dt>Work email</dt>
            <dd>{vm.linkedUser.email ?? '—'}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge active={vm.linkedUser.active} /> <SourceBadge source={vm.linkedUser.source} />
            </dd>
          </dl>
        </>
      ) : null}
    </section>
  );
}

function KeyTable({ keys }: { keys: readonly ApiKeyView[] }): JSX.Element {
  if (keys.length === 0) {
    return (
      <EmptyState title="No API keys yet">
        <p>Generate a key above, then paste it into your identity provider's provisioning settings.</p>
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table class="fits-sm">
        <caption class="sr-only">API keys of your organisation</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" class="hide-sm">
              Key
            </th>
            <th scope="col" class="hide-sm">
              Created by
            </th>
            <th scope="col" class="hide-sm">
              Created
            </th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="sr-only">Status and actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td class="cell-main break">{k.name}</td>
              <td class="mono nowrap hide-sm">{k.prefix}</td>
              <td class="break hide-sm">{k.createdBy ?? <span class="muted">Command line</span>}</td>
              <td class="nowrap hide-sm">
                <Time iso={k.createdAt} />
              </td>
              <td class="nowrap">{k.lastUsedAt ? <Time iso={k.lastUsedAt} /> : <span class="muted">Never</span>}</td>
              <td class="nowrap">
                {k.revokedAt ? (
                  <Badge tone="gray">
                    Revoked <Time iso={k.revokedAt} />
                  </Badge>
                ) : (
                  <a class="btn danger-outline small" href={`/console/profile/keys/${encodeURIComponent(k.id)}/revoke`} aria-label={`Revoke key ${k.name}`}>
                    Revoke
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ApiKeys({ vm, csrfToken }: { vm: ProfilePageView; csrfToken: string }): JSX.Element {
  return (
    <section class="card flush" aria-labelledby="keys-title">
      <div class="card-head">
        <h2 id="keys-title">API keys</h2>
        <a href="/console/scim-setup">How to connect your identity provider</a>
      </div>
      <div class="card-body">
        <p class="muted">
          Your identity provider uses an API key to send users to WiggleDesk over SCIM. Keys belong to {vm.org.name}, not to you, so provisioning keeps working if you leave.
        </p>
        {vm.newKey ? (
          <Notice tone="success" title={`API key “${vm.newKey.name}” generated`} role="status">
            <p>
              <strong>Copy it now — you will not see this key again.</strong> WiggleDesk keeps only a hash of it. Paste it into your identity provider as the secret token (sometimes called “Bearer token”).
            </p>
            <CopyField id="new-api-key" label="Your new API key" value={vm.newKey.key} />
          </Notice>
        ) : null}
        {vm.keyAlreadyShown ? (
          <Notice tone="info" role="status">
            <p>A new key is shown only once, right after you generate it. If you did not copy it, revoke it below and generate another.</p>
          </Notice>
        ) : null}
        {vm.revoked ? (
          <Notice tone="info" role="status">
            <p>The key “{vm.revoked}” was revoked. Requests that use it are now refused.</p>
          </Notice>
        ) : null}
        {vm.org.apiAccessApproved ? (
          <form method="post" action="/console/profile/keys">
            <CsrfField token={csrfToken} />
            <div class="inline-form">
              <div class="field">
                <label for="key-name">Key name</label>
                <input
                  type="text"
                  id="key-name"
                  name="name"
                  maxLength={100}
                  placeholder="e.g. Microsoft Entra ID"
                  aria-describedby={vm.keyError ? 'key-name-error key-name-hint' : 'key-name-hint'}
                  aria-invalid={vm.keyError ? 'true' : undefined}
                  value={vm.keyError?.name}
                  required
                />
              </div>
              <fieldset class="field">
                <legend>Scopes</legend>
                <label class="check">
                  <input type="checkbox" name="scopes" value="scim" checked /> scim — provision users and groups (/scim/v2)
                </label>
                <label class="check">
                  <input type="checkbox" name="scopes" value="events:read" /> events:read — read the Events API (/api/v1/events)
                </label>
              </fieldset>
              <button type="submit" class="btn">
                Generate API key
              </button>
            </div>
            {vm.keyError ? (
              <p class="field-error" id="key-name-error" role="alert">
                {vm.keyError.message}
              </p>
            ) : null}
            <p class="hint" id="key-name-hint">
              Name it after where you will use it, so you know which key to revoke later. Each key of your organisation has its own name.
            </p>
          </form>
        ) : (
          <Notice tone="warning" title="Your organisation is not approved for API access yet">
            <p>Reach out to your WiggleDesk account manager to enable API access. Once approved, you can generate API keys here.</p>
          </Notice>
        )}
      </div>
      <KeyTable keys={vm.keys ?? []} />
    </section>
  );
}

export function ProfilePage({ chrome, vm }: { chrome: Chrome; vm: ProfilePageView }): JSX.Element {
  return (
    <Layout title="Profile" chrome={chrome}>
      <PageHeader title="Profile" description={vm.isAdmin ? 'Your account and your organisation’s API keys.' : 'Your account.'} />
      <div class="stack">
        <Details vm={vm} />
        {vm.isAdmin ? <ApiKeys vm={vm} csrfToken={chrome.csrfToken} /> : null}
      </div>
    </Layout>
  );
}

export function RevokeKeyPage({ chrome, vm }: { chrome: Chrome; vm: ApiKeyView }): JSX.Element {
  return (
    <Layout title="Revoke API key" chrome={chrome}>
      <PageHeader title={`Revoke “${vm.name}”?`} breadcrumb={{ href: '/console/profile', label: 'Profile' }} />
      <div class="card stack">
        <dl class="dl">
          <dt>Key</dt>
          <dd class="mono">{vm.prefix}</dd>
          <dt>Created</dt>
          <dd>
            <Time iso={vm.createdAt} exact /> {vm.createdBy ? `by ${vm.createdBy}` : ''}
          </dd>
          <dt>Last used</dt>
          <dd>{vm.lastUsedAt ? <Time iso={vm.lastUsedAt} exact /> : 'Never'}</dd>
        </dl>
        {vm.revokedAt ? (
          <Notice tone="info">
            <p>This key is already revoked.</p>
          </Notice>
        ) : (
          <>
            <Notice tone="warning">
              <p>Any identity provider using this key gets “401 Unauthorized” on its next request, and provisioning stops until you give it a new key. This cannot be undone.</p>
            </Notice>
            <form method="post" action={`/console/profile/keys/${encodeURIComponent(vm.id)}/revoke`} class="actions">
              <CsrfField token={chrome.csrfToken} />
              <button type="submit" class="btn danger">
                Revoke key
              </button>{' '}
              <a class="btn secondary" href="/console/profile">
                Cancel
              </a>
            </form>
          </>
        )}
      </div>
    </Layout>
  );
}
