// Sign-in settings: which Microsoft Entra tenants, Google Workspace domains and OpenID issuers may
// sign in to this organisation, and who is an admin (named users, or an identity-provider group).
import type { JSX } from 'preact';
import type { SignInSettingsView } from '../../../services/sign-in/sign-in.js';
import type { SignInBinding, SignInProvider } from '../../../storage/ports.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, CsrfField, EmptyState, Notice, PageHeader, PostButton, StatusBadge, Time } from './components.js';

export interface SignInSettingsPageView extends SignInSettingsView {
  /** What just happened (after a redirect). */
  readonly done?: string | undefined;
  /** A refused form, shown beside it. */
  readonly error?: { readonly form: string; readonly message: string } | undefined;
}

export const DONE_MESSAGES: Readonly<Record<string, string>> = {
  'binding-added': 'Added. People from there can sign in now, if they have been provisioned.',
  'binding-exists': 'That one was already there.',
  'binding-removed': 'Removed. New sign-ins from there are refused; people already signed in stay signed in until they sign out.',
  'group-set': 'Admin group saved. Its members are admins from their next click.',
  'group-cleared': 'Admin group cleared. Only the users listed below are admins through sign-in.',
  'admin-added': 'The user is now an admin.',
  'admin-removed': 'The user is no longer an admin (unless they are in the admin group).',
  'links-forgotten': 'Forgotten. Their next sign-in is matched by user name or email again, and their current sign-in sessions have ended.',
};

const PROVIDERS: ReadonlyArray<{ kind: SignInProvider; title: string; noun: string; field: string; placeholder: string; hint: string }> = [
  {
    kind: 'microsoft',
    title: 'Microsoft Entra ID',
    noun: 'tenant ID',
    field: 'Entra tenant ID',
    placeholder: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    hint: 'Microsoft Entra admin center → Overview → Tenant ID. Only accounts from these tenants can sign in.',
  },
  {
    kind: 'google',
    title: 'Google Workspace',
    noun: 'domain',
    field: 'Workspace domain',
    placeholder: 'example.com',
    hint: 'The primary or a secondary domain of your Google Workspace. Personal Google accounts never sign in.',
  },
  {
    kind: 'oidc',
    title: 'Other identity provider (OpenID Connect)',
    noun: 'issuer',
    field: 'Issuer URL',
    placeholder: 'https://example.okta.com',
    hint: 'The issuer of your Okta, OneLogin, JumpCloud or other OpenID Connect provider.',
  },
];

function FormError({ vm, form }: { vm: SignInSettingsPageView; form: string }): JSX.Element | null {
  if (vm.error?.form !== form) return null;
  return (
    <Notice tone="error" role="alert">
      <p>{vm.error.message}</p>
    </Notice>
  );
}

function BindingList({ kind, noun, rows, csrf }: { kind: SignInProvider; noun: string; rows: readonly SignInBinding[]; csrf: string }): JSX.Element {
  if (rows.length === 0) return <EmptyState title={`No ${noun} yet`} />;
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Bound {noun}s</caption>
        <thead>
          <tr>
            <th scope="col">{noun[0]!.toUpperCase() + noun.slice(1)}</th>
            <th scope="col">Added</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <tr key={b.value}>
              <td class="mono break">{b.value}</td>
              <td class="nowrap">
                <Time iso={b.createdAt} />
                {b.createdBy ? <span class="cell-sub">by {b.createdBy}</span> : null}
              </td>
              <td class="nowrap">
                <PostButton action="/console/sign-in-settings/bindings/remove" csrf={csrf} fields={{ provider: kind, value: b.value }} class="btn danger-outline small" label={`Remove ${noun} ${b.value}`}>
                  Remove
                </PostButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SignInSettingsPage({ chrome, vm }: { chrome: Chrome; vm: SignInSettingsPageView }): JSX.Element {
  const csrf = chrome.csrfToken;
  const configured = new Map(vm.providers.map((p) => [p.kind, p.label]));
  const done = vm.done ? DONE_MESSAGES[vm.done] : undefined;
  return (
    <Layout title="Sign-in settings" chrome={chrome}>
      <PageHeader title="Sign-in settings" description={`Who may sign in to ${vm.org.name} with single sign-on, and who is an admin.`} actions={<><a class="btn secondary" href="/console/sign-in-settings/org-provider">Your own identity provider…</a><a class="btn secondary" href="/console/sign-in-policy">Enforce SSO…</a></>} />
      <div class="stack">
        {done ? (
          <Notice tone="success" role="status">
            <p>{done}</p>
          </Notice>
        ) : null}
        <Notice tone="info">
          <p>
            People sign in with their work account only if your identity provider has provisioned them (Manage Users) and their account comes from a tenant or domain listed here. Signing in never creates a user; a deactivated or deleted user is signed out on their next click.
          </p>
        </Notice>
        {vm.providers.length === 0 ? (
          <Notice tone="warning" title="Single sign-on is not enabled on this server">
            <p>Ask your WiggleDesk operator to configure Microsoft, Google or an OpenID Connect provider. What you set here takes effect once they do.</p>
          </Notice>
        ) : null}

        {PROVIDERS.map((p) => (
          <section key={p.kind} class="card flush" aria-labelledby={`${p.kind}-title`}>
            <div class="card-head">
              <h2 id={`${p.kind}-title`}>{p.kind === 'oidc' && configured.get('oidc') ? `${configured.get('oidc')} (OpenID Connect)` : p.title}</h2>
              {configured.has(p.kind) ? <Badge tone="green">Enabled on this server</Badge> : <Badge tone="gray">Not enabled on this server</Badge>}
            </div>
            <div class="card-body stack">
              <FormError vm={vm} form={`binding-${p.kind}`} />
              <form method="post" action="/console/sign-in-settings/bindings">
                <CsrfField token={csrf} />
                <input type="hidden" name="provider" value={p.kind} />
                <div class="inline-form">
                  <div class="field">
                    <label for={`${p.kind}-value`}>{p.field}</label>
                    <input type="text" id={`${p.kind}-value`} name="value" maxLength={300} placeholder={p.placeholder} aria-describedby={`${p.kind}-hint`} spellcheck={false} autocomplete="off" required />
                  </div>
                  <button type="submit" class="btn">
                    Add {p.noun}
                  </button>
                </div>
                <p class="hint" id={`${p.kind}-hint`}>
                  {p.hint}
                </p>
              </form>
            </div>
            <BindingList kind={p.kind} noun={p.noun} rows={vm.bindings[p.kind]} csrf={csrf} />
          </section>
        ))}

        <section class="card flush" aria-labelledby="admins-title">
          <div class="card-head">
            <h2 id="admins-title">Admins through sign-in</h2>
          </div>
          <div class="card-body stack">
            <p class="muted">
              A provisioned user who signs in is a regular user, who sees their own home page. Make them an admin here by name, or name a group from your identity provider whose members are admins. Both are checked on every click.
            </p>
            <FormError vm={vm} form="admin-group" />
            <form method="post" action="/console/sign-in-settings/admin-group">
              <CsrfField token={csrf} />
              <div class="inline-form">
                <div class="field">
                  <label for="admin-group">Admin group</label>
                  <input
                    type="text"
                    id="admin-group"
                    name="group"
                    maxLength={300}
                    value={vm.adminGroup && 'displayName' in vm.adminGroup ? vm.adminGroup.displayName : ''}
                    placeholder="e.g. WiggleDesk Admins"
                    aria-describedby="admin-group-hint"
                    autocomplete="off"
                  />
                </div>
                <button type="submit" class="btn">
                  Save admin group
                </button>
              </div>
              <p class="hint" id="admin-group-hint">
                The display name of a group your identity provider sends over SCIM (see Groups). Leave empty and save to have no admin group.
              </p>
            </form>
            {vm.adminGroup && 'missing' in vm.adminGroup ? (
              <Notice tone="warning">
                <p>The admin group was deleted by your identity provider; nobody is an admin through it. Choose another group or clear it.</p>
              </Notice>
            ) : null}
            <FormError vm={vm} form="admin-add" />
            <form method="post" action="/console/sign-in-settings/admins">
              <CsrfField token={csrf} />
              <div class="inline-form">
                <div class="field">
                  <label for="admin-user">Make a user an admin</label>
                  <input type="text" id="admin-user" name="user" maxLength={320} placeholder="User name or work email" autocomplete="off" required />
                </div>
                <button type="submit" class="btn">
                  Make admin
                </button>
              </div>
            </form>
          </div>
          {vm.admins.length === 0 ? (
            <EmptyState title="No users made admin by name" />
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Users made admin by name</caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {vm.admins.map((a) => (
                    <tr key={a.scimUserId}>
                      <td class="break">
                        {a.user ? (
                          <a class="cell-main" href={`/console/users/${encodeURIComponent(a.user.id)}`}>
                            {a.user.displayName ?? a.user.userName}
                          </a>
                        ) : (
                          <span class="muted">Deleted user</span>
                        )}
                        {a.user ? <span class="cell-sub">{a.user.userName}</span> : null}
                      </td>
                      <td>{a.user ? <StatusBadge active={a.user.active} /> : <Badge tone="gray">Deleted</Badge>}</td>
                      <td class="nowrap">
                        <PostButton action="/console/sign-in-settings/admins/remove" csrf={csrf} fields={{ id: a.scimUserId }} class="btn danger-outline small" label={`Remove admin ${a.user?.userName ?? a.scimUserId}`}>
                          Remove admin
                        </PostButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section class="card" aria-labelledby="forget-title">
          <h2 id="forget-title">Reset a user’s sign-in</h2>
          <p class="muted">
            WiggleDesk remembers which Microsoft, Google or other account a user signed in with, and from then on accepts only that account. If a user’s work account was recreated, forget it here; their next sign-in is matched by user name or email again.
          </p>
          <FormError vm={vm} form="forget" />
          <form method="post" action="/console/sign-in-settings/forget">
            <CsrfField token={csrf} />
            <div class="inline-form">
              <div class="field">
                <label for="forget-user">User</label>
                <input type="text" id="forget-user" name="user" maxLength={320} placeholder="User name or work email" autocomplete="off" required />
              </div>
              <button type="submit" class="btn secondary">
                Forget linked sign-in
              </button>
            </div>
          </form>
        </section>
      </div>
    </Layout>
  );
}
