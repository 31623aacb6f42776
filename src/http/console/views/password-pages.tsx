// Passwords (issue #17): set a password through a one-time link (signed out), change your own
// password (Profile), and an admin's reset links for the organisation's password accounts.
import type { JSX } from 'preact';
import type { ConsoleAccount } from '../../../domain/organization.js';
import { AuthLayout, Layout, type Chrome } from './layout.js';
import { CsrfField, CopyField, Notice, PageHeader, PostButton, Time } from './components.js';
import { MIN_PASSWORD_LENGTH, RESET_LINK_HOURS } from '../../../services/passwords/passwords.js';

const HINT = `At least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words make a good one.`;

function NewPasswordFields(): JSX.Element {
  return (
    <>
      <div class="field">
        <label for="next">New password</label>
        <input type="password" id="next" name="next" autocomplete="new-password" minLength={MIN_PASSWORD_LENGTH} required aria-describedby="next-hint" />
        <p class="muted small" id="next-hint">
          {HINT}
        </p>
      </div>
      <div class="field">
        <label for="confirm">Repeat the new password</label>
        <input type="password" id="confirm" name="confirm" autocomplete="new-password" required />
      </div>
    </>
  );
}

export function ResetPasswordPage({ csrfToken, email, expiresAt, error }: { csrfToken: string; email: string | undefined; expiresAt?: string | undefined; error?: string | undefined }): JSX.Element {
  return (
    <AuthLayout title="Set your password">
      <h1>Set your password</h1>
      <div class="card">
        <div class="stack">
          {error ? (
            <Notice tone="error" role="alert">
              <p>{error}</p>
            </Notice>
          ) : null}
          {email === undefined ? (
            <p>
              This link has been used, replaced by a newer one or has expired. Ask an admin of your organisation for a new one. <a href="/console/login">Back to sign-in</a>
            </p>
          ) : (
            <form method="post" action="/console/reset-password" novalidate>
              <input type="hidden" name="_csrf" value={csrfToken} />
              <p>
                For <strong>{email}</strong>. The link works once{expiresAt ? <> and until <Time iso={expiresAt} exact /></> : null}; your other sessions end.
              </p>
              <input type="hidden" name="username" value={email} autocomplete="username" />
              <NewPasswordFields />
              <button type="submit" class="btn block">
                Set password
              </button>
            </form>
          )}
        </div>
      </div>
    </AuthLayout>
  );
}

export function ChangePasswordPage({ chrome, hasPassword, error, done }: { chrome: Chrome; hasPassword: boolean; error?: string | undefined; done?: boolean }): JSX.Element {
  return (
    <Layout title="Change password" chrome={chrome}>
      <PageHeader breadcrumb={{ href: '/console/profile', label: 'Profile' }} title="Change password" />
      <section class="card stack" aria-label="Change password">
        {done ? (
          <Notice tone="success" role="status">
            <p>Your password was changed. Your other sessions have ended.</p>
          </Notice>
        ) : null}
        {error ? (
          <Notice tone="error" role="alert">
            <p>{error}</p>
          </Notice>
        ) : null}
        {hasPassword ? (
          <form method="post" action="/console/profile/password" novalidate>
            <CsrfField token={chrome.csrfToken} />
            <input type="hidden" name="username" value={chrome.account.email} autocomplete="username" />
            <div class="field">
              <label for="current">Current password</label>
              <input type="password" id="current" name="current" autocomplete="current-password" required />
            </div>
            <NewPasswordFields />
            <button type="submit" class="btn">
              Change password
            </button>
          </form>
        ) : (
          <p>You sign in with your organisation’s identity provider (SSO); change your password there.</p>
        )}
      </section>
    </Layout>
  );
}

export function AccountsPage({ chrome, accounts, created, error, alreadyShown }: { chrome: Chrome; accounts: readonly ConsoleAccount[]; created?: { link: string; email: string; expiresAt: string } | undefined; error?: string | undefined; alreadyShown?: boolean }): JSX.Element {
  return (
    <Layout title="Console accounts" chrome={chrome}>
      <PageHeader
        breadcrumb={{ href: '/console/profile', label: 'Profile' }}
        title="Console accounts"
        description={`Accounts that sign in with a password. “Create reset link” makes a one-time link (valid ${RESET_LINK_HOURS} hours) to set a new password. WiggleDesk sends no email: the link is shown to you once — pass it on yourself, over a channel you trust. A newer link replaces the older one.`}
      />
      <div class="stack">
        {created ? (
          <section class="card stack" aria-label="New reset link">
            <Notice tone="success" role="status" title={`Reset link for ${created.email}`}>
              <p>
                Shown once: copy it now and give it to {created.email}. It works once, until <Time iso={created.expiresAt} exact />.
              </p>
            </Notice>
            <CopyField id="reset-link" label="One-time reset link" value={created.link} />
          </section>
        ) : null}
        {alreadyShown ? (
          <Notice tone="info" role="status">
            <p>That reset link was already shown and is not shown again. If it was not passed on, create a new one: it replaces the old link.</p>
          </Notice>
        ) : null}
        {error ? (
          <Notice tone="error" role="alert">
            <p>{error}</p>
          </Notice>
        ) : null}
        <section class="card flush" aria-label="Password accounts">
          <div class="table-wrap">
            <table>
              <caption class="sr-only">Console accounts with a password</caption>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Role</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {accounts.map((a) => (
                  <tr key={a.id}>
                    <td class="break-any">
                      <span class="cell-main">{a.displayName}</span>
                      <span class="cell-sub">{a.email}</span>
                    </td>
                    <td>{a.role === 'admin' ? 'Admin' : 'User'}</td>
                    <td>{a.lastLoginAt ? <Time iso={a.lastLoginAt} /> : 'Never'}</td>
                    <td class="row-actions">
                      <PostButton action={`/console/accounts/${encodeURIComponent(a.id)}/reset-link`} csrf={chrome.csrfToken} class="btn secondary small" label={`Create reset link for ${a.email}`}>
                        Create reset link
                      </PostButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </Layout>
  );
}
