// The /auth context's own pages: why a sign-in was refused, in words a person can act on, with
// a stable reason code (for support and tests). No page names another organisation or user.
import type { JSX } from 'preact';
import { AuthLayout } from '../../console/views/layout.js';
import type { SignInRefusal, SignInRefusalReason } from '../../../services/sign-in/sign-in.js';

export interface RefusalView {
  readonly refusal: Pick<SignInRefusal, 'reason' | 'bindingValue' | 'loginName'>;
  /** "Microsoft", "Google", or the generic provider's name; undefined when the provider is unknown. */
  readonly providerLabel: string | undefined;
  readonly providerKind: string | undefined;
  readonly requestId: string;
}

interface Copy {
  readonly status: number;
  readonly title: string;
  readonly body: JSX.Element;
}

/** "tenant ID 1234…", "the Google Workspace domain example.com", "a personal Google account". */
function origin(kind: string | undefined, value: string | undefined): JSX.Element {
  if (kind === 'microsoft') return value ? <>the Microsoft Entra tenant <span class="mono">{value}</span></> : <>a Microsoft account without a tenant</>;
  if (kind === 'google') return value ? <>the Google Workspace domain <strong>{value}</strong></> : <>a personal Google account (not part of a Google Workspace)</>;
  return value ? <>the identity provider <span class="mono">{value}</span></> : <>an unknown identity provider</>;
}

function whatToBind(kind: string | undefined, value: string | undefined): JSX.Element {
  if (!value) return <>your organisation’s work accounts</>;
  if (kind === 'microsoft') return <>the tenant ID <span class="mono">{value}</span></>;
  if (kind === 'google') return <>the domain <strong>{value}</strong></>;
  return <>the issuer <span class="mono">{value}</span></>;
}

function copyFor(reason: SignInRefusalReason, p: string, kind: string | undefined, value: string | undefined, login: string | undefined): Copy {
  const restart = <p>Nothing was signed in. Go back to the sign-in page and start again.</p>;
  const admin = 'the Sign-in settings page of the WiggleDesk console';
  switch (reason) {
    case 'unknown_provider':
      return { status: 404, title: 'Sign-in method not available', body: <p>This WiggleDesk does not offer that way of signing in.</p> };
    case 'flow_missing':
      return { status: 400, title: 'This sign-in has expired', body: <><p>This answer from {p} does not belong to a sign-in started in this browser: it was already used, or it was started in another browser or too long ago.</p>{restart}</> };
    case 'flow_expired':
      return { status: 400, title: 'This sign-in has expired', body: <><p>More than 10 minutes passed between starting to sign in and coming back from {p}.</p>{restart}</> };
    case 'state':
      return { status: 400, title: 'Sign-in could not be verified', body: <><p>The answer from {p} does not match the sign-in this browser started (its <em>state</em> was changed or belongs to another sign-in).</p>{restart}</> };
    case 'nonce':
      return { status: 400, title: 'Sign-in could not be verified', body: <><p>The ID token from {p} was not issued for this sign-in (its <em>nonce</em> does not match), so it may have been replayed.</p>{restart}</> };
    case 'denied':
      return { status: 403, title: 'Sign-in was cancelled', body: <><p>{p} did not sign you in — it was cancelled, or your account is not allowed to use WiggleDesk.</p>{restart}</> };
    case 'invalid':
      return { status: 400, title: 'Sign-in could not be verified', body: <><p>The answer from {p} failed verification.</p>{restart}</> };
    case 'unverified_email':
      return { status: 403, title: 'Your email address is not verified', body: <p>{p} reports that the email address of this account has not been verified, so WiggleDesk cannot tell that it is yours. Verify it with {p}, or use your work account.</p> };
    case 'unavailable':
      return { status: 503, title: `${p} could not be reached`, body: <p>WiggleDesk could not talk to {p} just now. Try again in a moment.</p> };
    case 'not_bound':
      return {
        status: 403,
        title: `Your organisation has not set up sign-in with ${p}`,
        body: <><p>No WiggleDesk organisation accepts accounts from {origin(kind, value)}.</p><p>If your organisation uses WiggleDesk, ask its administrator to add {whatToBind(kind, value)} on {admin}.</p></>,
      };
    case 'org_not_configured':
      return {
        status: 403,
        title: `Sign-in with ${p} is not set up for your organisation`,
        body: <><p>Your WiggleDesk organisation has not connected {kind === 'google' ? 'a Google Workspace domain' : kind === 'microsoft' ? 'a Microsoft Entra tenant' : 'this identity provider'} yet.</p><p>Ask your administrator to add {whatToBind(kind, value)} on {admin}.</p></>,
      };
    case 'wrong_tenant':
      return {
        status: 403,
        title: `This ${p} account is not from your organisation`,
        body: <><p>You signed in with an account from {origin(kind, value)}, but your WiggleDesk organisation only accepts accounts from its own {kind === 'google' ? 'Google Workspace domain' : kind === 'microsoft' ? 'Microsoft tenant' : 'identity provider'}.</p><p>Sign out of {p}, then sign in again with your work account.</p></>,
      };
    case 'not_provisioned':
      return {
        status: 403,
        title: 'Your account has not been set up in WiggleDesk',
        body: <><p>Your account{login ? <> (<strong>{login}</strong>)</> : null} has not been set up in WiggleDesk — ask your administrator.</p><p class="muted">Accounts are created by your organisation’s identity provider, never by signing in.</p></>,
      };
    case 'inactive':
      return { status: 403, title: 'Your WiggleDesk account is deactivated', body: <p>Your organisation has deactivated your WiggleDesk account, so you cannot sign in. Ask your administrator if you think this is a mistake.</p> };
    case 'deleted':
      return { status: 403, title: 'Your WiggleDesk account has been removed', body: <p>Your organisation has removed your account from WiggleDesk, so you cannot sign in. Ask your administrator if you think this is a mistake.</p> };
    case 'linked_elsewhere':
      return {
        status: 403,
        title: `Your account is linked to another ${p} account`,
        body: <p>Your WiggleDesk account already signs in with a different {p} account. Use that account, or ask your administrator to reset your sign-in on {admin}.</p>,
      };
    case 'ambiguous':
      return { status: 409, title: 'More than one account matches', body: <p>Your sign-in matches more than one WiggleDesk account, so WiggleDesk cannot tell which one is yours. Ask your administrator.</p> };
  }
}

/** Status and page title of a refusal (the published SSO troubleshooting table, /docs/sso). */
export function refusalSummary(reason: SignInRefusalReason, providerLabel = 'Microsoft'): { status: number; title: string } {
  const { status, title } = copyFor(reason, providerLabel, 'microsoft', undefined, undefined);
  return { status, title };
}

export function refusalStatus(reason: SignInRefusalReason): number {
  return copyFor(reason, '', undefined, undefined, undefined).status;
}

export function RefusalPage({ refusal, providerLabel, providerKind, requestId }: RefusalView): JSX.Element {
  const copy = copyFor(refusal.reason, providerLabel ?? 'the identity provider', providerKind, refusal.bindingValue, refusal.loginName);
  return (
    <AuthLayout title={copy.title}>
      <h1>{copy.title}</h1>
      <div class="card stack" data-refusal={refusal.reason}>
        {copy.body}
        <p>
          <a class="btn" href="/console/login">
            Back to sign-in
          </a>
        </p>
        <p class="muted small">
          Reference: <span class="mono">sso/{refusal.reason}</span> · <span class="mono">{requestId}</span>
        </p>
      </div>
    </AuthLayout>
  );
}
