// Your organisation's own OpenID Connect provider (issue #17): register WiggleDesk at the provider
// (the redirect URI), enter issuer / client id / secret (discovery is checked on save), "Try
// sign-in", then enable it and give users the sign-in link. The secret is never shown back.
import type { JSX } from 'preact';
import type { OrgProviderView, TryReport } from '../../../services/sign-in/org-provider/org-provider.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, CopyField, CsrfField, Notice, PageHeader, PostButton, Time } from './components.js';

export interface OrgProviderPageView extends OrgProviderView {
  readonly done?: string | undefined;
  /** A refused form: which one, and why. */
  readonly error?:
    | {
        readonly form: 'settings' | 'try' | 'enable' | 'remove';
        readonly message: string;
      }
    | undefined;
  /** What the admin typed, re-shown after a refused save (never the secret). */
  readonly draft?:
    | {
        readonly label: string;
        readonly issuer: string;
        readonly clientId: string;
      }
    | undefined;
}

export const ORG_PROVIDER_DONE: Readonly<Record<string, string>> = {
  saved: 'Saved. The discovery document and key set were checked. Now run “Try sign-in” to test a real sign-in.',
  'saved-label': 'Saved. The button name changed; the connection settings are as before.',
  'try-ok': 'The try succeeded. Check below which user it would sign in as, then enable the provider.',
  'try-failed': 'The try failed. The reason and how to fix it are below.',
  'try-stale': 'The settings were changed or removed while that try was under way, so its result was not kept. Try again.',
  enabled: 'Enabled. Your users can sign in with the link below.',
  disabled: 'Disabled. New sign-ins with this provider are refused; people already signed in stay signed in until they sign out.',
  removed: 'Removed. The settings, the stored secret and the remembered sign-ins of this provider are gone.',
};

function FormError({ vm, form }: { vm: OrgProviderPageView; form: NonNullable<OrgProviderPageView['error']>['form'] }): JSX.Element | null {
  if (vm.error?.form !== form) return null;
  return (
    <Notice tone="error" role="alert">
      <p>{vm.error.message}</p>
    </Notice>
  );
}

function TryResult({ report }: { report: TryReport }): JSX.Element {
  const claims = Object.entries(report.claims ?? {});
  return (
    <div class="stack" id="try-result" data-try={report.ok ? 'ok' : 'failed'}>
      <p>
        {report.ok ? <Badge tone="green">Try succeeded</Badge> : <Badge tone="red">Try failed</Badge>}{' '}
        <span class="muted small">
          <Time iso={report.at} />
        </span>
      </p>
      {report.error ? (
        <Notice tone={report.ok ? 'warning' : 'error'}>
          <p data-try-error={report.error.reason}>{report.error.message}</p>
        </Notice>
      ) : null}
      {report.match ? (
        <div>
          <h3>Who this account would be</h3>
          <p data-try-match={report.match.outcome}>
            {report.match.userId ? (
              <>
                <a href={`/console/users/${encodeURIComponent(report.match.userId)}`}>{report.match.displayName ?? report.match.userName}</a>
                {report.match.displayName ? <span class="muted"> ({report.match.userName})</span> : null}
                {' — '}
              </>
            ) : null}
            {report.match.message}
          </p>
          {report.names && report.names.length > 0 ? (
            <p class="muted small">
              Matched on: <span class="mono break">{report.names.join(', ')}</span>
            </p>
          ) : null}
        </div>
      ) : null}
      {claims.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption>Claims in the ID token</caption>
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {claims.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row" class="mono">
                    {k}
                  </th>
                  <td class="mono break">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

export function OrgProviderPage({ chrome, vm }: { chrome: Chrome; vm: OrgProviderPageView }): JSX.Element {
  const csrf = chrome.csrfToken;
  const p = vm.provider;
  const done = vm.done ? ORG_PROVIDER_DONE[vm.done] : undefined;
  const draft = vm.draft ?? (p ? { label: p.label, issuer: p.issuer, clientId: p.clientId } : { label: '', issuer: '', clientId: '' });
  const status = !p ? (
    <Badge tone="gray">Not set up</Badge>
  ) : p.enabled ? (
    <Badge tone="green">Enabled</Badge>
  ) : p.tested ? (
    <Badge tone="blue">Tested, not enabled</Badge>
  ) : (
    <Badge tone="amber">Needs a successful try</Badge>
  );
  return (
    <Layout title="Your identity provider" chrome={chrome}>
      <PageHeader
        title="Your organisation’s identity provider"
        breadcrumb={{
          href: '/console/sign-in-settings',
          label: 'Sign-in settings',
        }}
        description={`Let ${vm.org.name}’s users sign in with your own OpenID Connect provider — Okta, OneLogin, JumpCloud, Ping, Keycloak or any other.`}
      />
      <div class="stack">
        {done ? (
          <Notice tone={vm.done === 'try-failed' || vm.done === 'try-stale' ? 'warning' : 'success'} role="status">
            <p>{done}</p>
          </Notice>
        ) : null}

        <section class="card" aria-labelledby="register-title">
          <h2 id="register-title">1. Register WiggleDesk at your provider</h2>
          <p class="muted">
            Create an OpenID Connect <strong>web application</strong> (authorization code flow, with a client secret) and allow this redirect URI. WiggleDesk asks for the scopes{' '}
            <span class="mono">openid email profile</span> and uses PKCE.
          </p>
          <CopyField id="org-redirect-uri" label="Redirect URI (sign-in redirect / callback URL)" value={vm.redirectUri} hint="Enter it exactly, including https and the path." />
        </section>

        <section class="card" aria-labelledby="settings-title">
          <h2 id="settings-title">2. Connection settings</h2>
          <FormError vm={vm} form="settings" />
          <form method="post" action="/console/sign-in-settings/org-provider" class="stack">
            <CsrfField token={csrf} />
            <div class="field">
              <label for="org-issuer">Issuer URL</label>
              <input
                type="text"
                inputMode="url"
                id="org-issuer"
                name="issuer"
                maxLength={500}
                value={draft.issuer}
                placeholder="https://example.okta.com"
                aria-describedby="org-issuer-hint"
                spellcheck={false}
                autocomplete="off"
                required
              />
              <span class="hint" id="org-issuer-hint">
                WiggleDesk reads <span class="mono">/.well-known/openid-configuration</span> under it when you save. Okta: <span class="mono">https://your-org.okta.com</span>; Keycloak:{' '}
                <span class="mono">https://host/realms/name</span>.
              </span>
            </div>
            <div class="field">
              <label for="org-client-id">Client ID</label>
              <input type="text" id="org-client-id" name="client_id" maxLength={255} value={draft.clientId} spellcheck={false} autocomplete="off" required />
            </div>
            <div class="field">
              <label for="org-client-secret">Client secret</label>
              <input type="password" id="org-client-secret" name="client_secret" maxLength={1024} autocomplete="new-password" aria-describedby="org-client-secret-hint" required={!p} />
              <span class="hint" id="org-client-secret-hint">
                {p ? 'A secret is stored and never shown. Leave empty to keep it; enter a new one to replace it.' : 'Stored encrypted and never shown again.'}
                {vm.secretsEncrypted ? '' : ' (This server stores secrets unencrypted: ask your operator to set WEBHOOK_SECRET_KEY.)'}
              </span>
            </div>
            <div class="field">
              <label for="org-label">Display name</label>
              <input type="text" id="org-label" name="label" maxLength={60} value={draft.label} placeholder="e.g. Okta" aria-describedby="org-label-hint" autocomplete="off" />
              <span class="hint" id="org-label-hint">
                The name your users see when WiggleDesk talks about this provider, e.g. on a refused sign-in.
              </span>
            </div>
            <div>
              <button type="submit" class="btn">
                {p ? 'Save and check' : 'Add and check'}
              </button>
            </div>
            {p ? <p class="hint">Changing the issuer, client ID or secret disables sign-in until a new try succeeds.</p> : null}
          </form>
        </section>

        <section class="card" aria-labelledby="try-title">
          <div class="card-head">
            <h2 id="try-title">3. Try sign-in</h2>
            {status}
          </div>
          <p class="muted">Signs you in at your provider and back, without signing anyone in to WiggleDesk: you see the claims WiggleDesk receives and which user they would reach.</p>
          <FormError vm={vm} form="try" />
          {p ? (
            <p>
              <a class="btn secondary" href="/console/sign-in-settings/org-provider/try" id="org-try">
                Try sign-in with {p.label}
              </a>
            </p>
          ) : (
            <p class="muted">Save the connection settings first.</p>
          )}
          {p?.lastTry ? <TryResult report={p.lastTry} /> : null}
          {p && p.lastTry && !p.tested && p.lastTry.ok ? <p class="hint">The settings changed since this try; try again.</p> : null}
        </section>

        {p ? (
          <section class="card" aria-labelledby="enable-title">
            <h2 id="enable-title">4. Turn it on for your users</h2>
            <FormError vm={vm} form="enable" />
            {p.enabled ? (
              <div class="stack">
                <CopyField
                  id="org-sign-in-url"
                  label="Sign-in link for your users"
                  value={vm.signInUrl}
                  hint="Goes straight to your provider: add it as a tile in your provider’s app dashboard. Users must have been provisioned (Manage Users)."
                />
                <CopyField id="org-login-page-url" label="WiggleDesk sign-in page with your button" value={vm.loginPageUrl} hint={`The sign-in page offering “Sign in with ${p.label}” beside the password form.`} />
                <PostButton action="/console/sign-in-settings/org-provider/disable" csrf={csrf} class="btn secondary">
                  Disable
                </PostButton>
              </div>
            ) : p.tested ? (
              <PostButton action="/console/sign-in-settings/org-provider/enable" csrf={csrf} class="btn">
                Enable sign-in with {p.label}
              </PostButton>
            ) : (
              <p class="muted">Available after a successful try of the current settings.</p>
            )}
          </section>
        ) : null}

        {p ? (
          <section class="card" aria-labelledby="remove-title">
            <h2 id="remove-title">Remove</h2>
            <p class="muted">
              Last changed <Time iso={p.updatedAt} />
              {p.updatedBy ? <> by {p.updatedBy}</> : null}. Removing deletes the settings and the stored secret and forgets which accounts users signed in with.
            </p>
            <FormError vm={vm} form="remove" />
            <PostButton action="/console/sign-in-settings/org-provider/remove" csrf={csrf} class="btn danger-outline">
              Remove this identity provider
            </PostButton>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}
