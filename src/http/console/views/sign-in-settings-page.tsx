// Sign-in settings: which Microsoft Entra tenants, Google Workspace domains and OpenID issuers may
// sign in to this organisation, and who is an admin (named users, or an identity-provider group).
import type { JSX } from 'preact';
import type { SignInSettingsView } from '../../../services/sign-in/sign-in.js';
import type { BindingsOverview } from '../../../services/sign-in/bindings/bindings.js';
import type { SignInBinding, SignInLinkRow, SignInProvider } from '../../../storage/ports.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, CopyField, CsrfField, EmptyState, Notice, PageHeader, Pagination, PostButton, StatusBadge, Time } from './components.js';

export interface SignInSettingsPageView extends SignInSettingsView {
  /** Proofs, pending DNS checks and the unverified-bindings banner (issue #18). */
  readonly proof: BindingsOverview;
  /** What just happened (after a redirect). */
  readonly done?: string | undefined;
  /** A refused form, shown beside it. */
  readonly error?: { readonly form: string; readonly message: string } | undefined;
}

export const DONE_MESSAGES: Readonly<Record<string, string>> = {
  'challenge-created': 'Publish the DNS record shown below, then press “Check DNS record”. The domain is bound once the record is found.',
  'challenge-cancelled': 'The pending check was cancelled.',
  'binding-verified': 'Verified and bound. People from there can sign in now, if they have been provisioned.',
  'binding-reverified': 'Verified. This binding was already yours; it is now proven.',
  'binding-verified-displaced': 'Verified and bound. Another organisation had bound it without proof; its binding no longer routes sign-ins.',
  'binding-removed': 'Removed. New sign-ins from there are refused, and the sign-ins your users had linked through it have ended.',
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
    hint: 'Sign in with a Microsoft account of your tenant that is a Global, Privileged Role, Application or Cloud Application Administrator; the tenant you sign in to is bound. Only accounts from bound tenants can sign in.',
  },
  {
    kind: 'google',
    title: 'Google Workspace',
    noun: 'domain',
    field: 'Workspace domain',
    placeholder: 'example.com',
    hint: 'The primary or a secondary domain of your Google Workspace. You will publish a DNS TXT record to prove the domain is yours. Personal Google accounts never sign in.',
  },
  {
    kind: 'oidc',
    title: 'Other identity provider (OpenID Connect)',
    noun: 'issuer',
    field: 'Issuer URL',
    placeholder: 'https://example.okta.com',
    hint: 'Sign in through your Okta, OneLogin, JumpCloud or other OpenID Connect provider; its issuer is bound.',
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

const METHOD_LABELS: Readonly<Record<string, string>> = {
  entra_admin: 'Microsoft admin sign-in',
  dns_txt: 'DNS record',
  issuer_sign_in: 'sign-in through the issuer',
  operator: 'WiggleDesk support',
};

function BindingStatusCell({ b }: { b: SignInBinding }): JSX.Element {
  if (b.status === 'verified') {
    return (
      <>
        <Badge tone="green">Verified</Badge>
        <span class="cell-sub">
          {METHOD_LABELS[b.method ?? ''] ?? b.method}
          {b.verifiedBy ? ` (${b.verifiedBy})` : ''}
        </span>
      </>
    );
  }
  if (b.status === 'conflict') {
    return (
      <>
        <Badge tone="red">Conflict</Badge>
        <span class="cell-sub">Another organisation holds this value; it routes no sign-ins here. Verify it to take it over if it is yours.</span>
      </>
    );
  }
  return (
    <>
      <Badge tone="amber">Unverified</Badge>
      <span class="cell-sub">Made before proof was required. Verify it.</span>
    </>
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
            <th scope="col">Proof</th>
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
              <td>
                <BindingStatusCell b={b} />
              </td>
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
        <BindingBanner proof={vm.proof} />
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
              <BindForm p={p} vm={vm} csrf={csrf} enabled={configured.has(p.kind)} />
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

type ProviderCopy = (typeof PROVIDERS)[number];

/** Microsoft and issuers: an admin sign-in; Google domains: a DNS challenge, then its checks. */
function BindForm({ p, vm, csrf, enabled }: { p: ProviderCopy; vm: SignInSettingsPageView; csrf: string; enabled: boolean }): JSX.Element {
  if (p.kind !== 'google') {
    const can = enabled && vm.proof.signInProof.includes(p.kind);
    const label = p.kind === 'microsoft' ? 'Bind with Microsoft (admin sign-in)' : 'Bind by signing in';
    // A link, not a form: it leads to the identity provider (form-action 'self'); it carries the CSRF token.
    return (
      <div>
        {can ? (
          <a class="btn" href={`/console/sign-in-settings/verify/${p.kind}?_csrf=${encodeURIComponent(csrf)}`} aria-describedby={`${p.kind}-hint`}>
            {label}
          </a>
        ) : (
          <button type="button" class="btn" disabled aria-describedby={`${p.kind}-hint`}>
            {label}
          </button>
        )}
        <p class="hint" id={`${p.kind}-hint`}>
          {p.hint}
        </p>
      </div>
    );
  }
  const pending = vm.proof.challenges.filter((c) => c.provider === p.kind);
  return (
    <>
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
      {pending.map((c) => (
        <div class="stack" key={c.value} data-challenge={c.value}>
          <h3>Prove you control {c.value}</h3>
          <p class="muted">In your DNS provider, add this TXT record, then check it. Other TXT records at that name may stay.</p>
          <CopyField id={`txt-name-${c.value}`} label="Name (host)" value={c.recordName} />
          <CopyField id={`txt-value-${c.value}`} label="TXT value" value={c.recordValue} />
          {c.lastResult ? (
            <p class="hint">
              Last check <Time iso={c.checkedAt} />: {c.lastResult}
            </p>
          ) : null}
          <div class="inline-form">
            <PostButton action="/console/sign-in-settings/bindings/check" csrf={csrf} fields={{ provider: c.provider, value: c.value }} class="btn" label={`Check DNS record for ${c.value}`}>
              Check DNS record
            </PostButton>
            <PostButton action="/console/sign-in-settings/bindings/cancel" csrf={csrf} fields={{ provider: c.provider, value: c.value }} class="btn secondary" label={`Cancel the check for ${c.value}`}>
              Cancel
            </PostButton>
          </div>
        </div>
      ))}
    </>
  );
}

/** The banner for bindings made before proof was required, or lost to another organisation. */
export function BindingBanner({ proof }: { proof: Pick<BindingsOverview, 'unverified' | 'conflicts'> }): JSX.Element | null {
  const { unverified, conflicts } = proof;
  if (unverified.count === 0 && conflicts === 0) return null;
  return (
    <Notice tone="warning" title="Verify your sign-in bindings" role="status">
      {unverified.count > 0 ? (
        <p data-banner="unverified">
          {unverified.count === 1 ? 'One binding was' : `${unverified.count} bindings were`} made before WiggleDesk required proof that your organisation controls the tenant or domain.{' '}
          {unverified.disabled
            ? 'Its grace period has ended: it no longer lets anyone sign in. '
            : unverified.disabledAt
              ? <>It keeps working until <Time iso={unverified.disabledAt} exact />, then stops letting people sign in. </>
              : 'It keeps working until you verify it. '}
          Verify it on <a href="/console/sign-in-settings">Sign-in settings</a>: sign in with Microsoft as a tenant admin, publish a DNS record for a Google domain, or sign in through your issuer.
        </p>
      ) : null}
      {conflicts > 0 ? (
        <p data-banner="conflict">
          {conflicts === 1 ? 'One binding is' : `${conflicts} bindings are`} also held by another organisation and route no sign-ins here. If the value is yours, verify it to take it over, or write to support@wiggledesk.com.
        </p>
      ) : null}
    </Notice>
  );
}

export function SignInLinksPage({ chrome, links, done }: { chrome: Chrome; links: { total: number; rows: readonly SignInLinkRow[]; page: number; pageCount: number }; done: string | undefined }): JSX.Element {
  const csrf = chrome.csrfToken;
  return (
    <Layout title="Linked sign-ins" chrome={chrome}>
      <PageHeader
        title="Linked sign-ins"
        breadcrumb={{ href: '/console/sign-in-settings', label: 'Sign-in settings' }}
        description="The Microsoft, Google or other account each of your users signed in with. From then on only that account signs in as the user. A link ends when the binding it came through is removed or moves to another organisation."
      />
      <div class="stack">
        {done ? (
          <Notice tone="success" role="status">
            <p>Removed. The user’s sign-in sessions have ended; their next sign-in is matched by user name or email again.</p>
          </Notice>
        ) : null}
        <section class="card flush" aria-labelledby="links-title">
          <div class="card-head">
            <h2 id="links-title">
              {links.total} linked sign-in{links.total === 1 ? '' : 's'}
            </h2>
          </div>
          {links.rows.length === 0 ? (
            <EmptyState title="No linked sign-ins yet" />
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Linked sign-ins</caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Through</th>
                    <th scope="col">Linked</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {links.rows.map((l) => (
                    <tr key={`${l.provider} ${l.subject}`} data-link={l.scimUserId}>
                      <td class="break">
                        {l.userName ? (
                          <a class="cell-main" href={`/console/users/${encodeURIComponent(l.scimUserId)}`}>
                            {l.displayName ?? l.userName}
                          </a>
                        ) : (
                          <span class="muted">Deleted user</span>
                        )}
                        {l.userName ? <span class="cell-sub">{l.userName}</span> : null}
                      </td>
                      <td>{l.provider === 'microsoft' ? 'Microsoft' : l.provider === 'google' ? 'Google' : l.provider === 'org_oidc' ? 'Your organisation’s provider' : 'OpenID Connect'}</td>
                      <td class="mono break">{l.bindingValue ?? '—'}</td>
                      <td class="nowrap">
                        <Time iso={l.linkedAt} />
                      </td>
                      <td class="nowrap">
                        <PostButton action="/console/sign-in-settings/links/remove" csrf={csrf} fields={{ provider: l.provider, subject: l.subject }} class="btn danger-outline small" label={`Remove the linked sign-in of ${l.userName ?? l.scimUserId}`}>
                          Remove
                        </PostButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <Pagination page={links.page} pageCount={links.pageCount} total={links.total} noun={['linked sign-in', 'linked sign-ins']} hrefFor={(n) => `/console/sign-in-settings/links?page=${n}`} />
      </div>
    </Layout>
  );
}
