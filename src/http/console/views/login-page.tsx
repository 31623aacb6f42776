// Sign in with a console account (email and password), or with Microsoft / Google / a generic
// OpenID provider when configured (buttons from src/http/auth/views/sso-buttons.tsx).
import type { JSX } from 'preact';
import { AuthLayout } from './layout.js';
import { Notice } from './components.js';
import { SsoButtons, type SsoButton } from '../../auth/views/sso-buttons.js';

export interface LoginView {
  readonly csrfToken: string;
  readonly email: string;
  /** Where to go after signing in (a console path). */
  readonly next: string;
  readonly error: string | undefined;
  readonly notice: string | undefined;
  /** The configured single sign-on providers. */
  readonly sso?: readonly SsoButton[];
}

export function LoginPage(vm: LoginView): JSX.Element {
  return (
    <AuthLayout title="Sign in">
      <h1>Sign in to the admin console</h1>
      <p class="lead">Manage users, API keys and provisioning for your organisation.</p>
      <div class="card">
        <div class="stack">
          {vm.error ? (
            <Notice tone="error" role="alert">
              <p>{vm.error}</p>
            </Notice>
          ) : null}
          {vm.notice && !vm.error ? (
            <Notice tone="success" role="status">
              <p>{vm.notice}</p>
            </Notice>
          ) : null}
          <SsoButtons providers={vm.sso ?? []} next={vm.next} />
          <form method="post" action="/console/login" novalidate>
            <input type="hidden" name="_csrf" value={vm.csrfToken} />
            <input type="hidden" name="next" value={vm.next} />
            <div class="field">
              <label for="email">Email</label>
              <input type="email" id="email" name="email" value={vm.email} autocomplete="username" required autoFocus={!vm.email} />
            </div>
            <div class="field">
              <label for="password">Password</label>
              <input type="password" id="password" name="password" autocomplete="current-password" required autoFocus={Boolean(vm.email)} />
            </div>
            <button type="submit" class="btn block">
              Sign in
            </button>
          </form>
        </div>
      </div>
      <p class="auth-foot">Trouble signing in? Ask an admin of your organisation, or contact your WiggleDesk account manager.</p>
    </AuthLayout>
  );
}
