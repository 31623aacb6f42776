// Sign-in policy (admins): Enforce SSO, and the break-glass admins who may still use a password.
import type { JSX } from 'preact';
import type { SignInPolicyView } from '../../../services/sign-in/sign-in-policy.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, CsrfField, Notice, PageHeader, PostButton, Time } from './components.js';

export interface SignInPolicyPageView extends SignInPolicyView {
  readonly done?: string;
  readonly error?: string;
}

export const POLICY_DONE: Readonly<Record<string, string>> = {
  'enforce-on': 'Single sign-on is now enforced. Password sign-in is refused except for break-glass admins.',
  'enforce-off': 'Single sign-on is no longer enforced. Everyone with a password can use it again.',
  'break-glass-added': 'Break-glass admin added.',
  'break-glass-removed': 'Break-glass admin removed.',
};

export function SignInPolicyPage({ chrome, vm }: { chrome: Chrome; vm: SignInPolicyPageView }): JSX.Element {
  const named = new Set(vm.breakGlass);
  const breakGlass = vm.admins.filter((a) => named.has(a.id));
  const candidates = vm.admins.filter((a) => !named.has(a.id) && a.hasPassword);
  return (
    <Layout title="Sign-in policy" chrome={chrome}>
      <PageHeader title="Sign-in policy" breadcrumb={{ href: '/console/sign-in-settings', label: 'Sign-in settings' }} description="Require everyone to sign in through your identity provider." />
      <div class="stack">
        {vm.done && POLICY_DONE[vm.done] ? (
          <Notice tone="success" role="status">
            <p>{POLICY_DONE[vm.done]}</p>
          </Notice>
        ) : null}
        {vm.error ? (
          <Notice tone="error" role="alert">
            <p>{vm.error}</p>
          </Notice>
        ) : null}
        <section class="card stack" aria-labelledby="enforce-title">
          <h2 id="enforce-title">
            Enforce SSO {vm.enforceSso ? <Badge tone="green">On</Badge> : <Badge tone="gray">Off</Badge>}
          </h2>
          <p class="muted">
            When on, console password sign-in is refused for everyone except the break-glass admins below; people sign in with Microsoft (or your other identity provider) instead. Every refused attempt and every break-glass sign-in appears in the Activity log.
          </p>
          {vm.updatedAt ? (
            <p class="small muted">
              Last changed <Time iso={vm.updatedAt} exact /> {vm.updatedBy ? `by ${vm.updatedBy}` : ''}
            </p>
          ) : null}
          {!vm.enforceSso && breakGlass.length === 0 ? (
            <Notice tone="warning">
              <p>Name at least one break-glass admin first, so that someone can still sign in if your identity provider is unavailable.</p>
            </Notice>
          ) : null}
          <PostButton action="/console/sign-in-policy/enforce" csrf={chrome.csrfToken} fields={{ enforce: vm.enforceSso ? 'off' : 'on' }} class={vm.enforceSso ? 'btn danger-outline' : 'btn'}>
            {vm.enforceSso ? 'Stop enforcing SSO' : 'Enforce SSO'}
          </PostButton>
        </section>
        <section class="card stack" aria-labelledby="bg-title">
          <h2 id="bg-title">Break-glass admins</h2>
          <p class="muted">Emergency-access accounts: admins with a password who may sign in with it while SSO is enforced. Keep them few, with strong passwords.</p>
          {breakGlass.length === 0 ? (
            <p class="muted">None named.</p>
          ) : (
            <ul class="plain-list">
              {breakGlass.map((a) => (
                <li key={a.id}>
                  {a.displayName} <span class="muted">({a.email})</span>{' '}
                  <PostButton action="/console/sign-in-policy/break-glass/remove" csrf={chrome.csrfToken} fields={{ account_id: a.id }} class="btn danger-outline small" label={`Remove ${a.email} from break-glass admins`}>
                    Remove
                  </PostButton>
                </li>
              ))}
            </ul>
          )}
          {candidates.length > 0 ? (
            <form method="post" action="/console/sign-in-policy/break-glass" class="inline-form">
              <CsrfField token={chrome.csrfToken} />
              <div class="field">
                <label for="bg-email">Admin</label>
                <select id="bg-email" name="email">
                  {candidates.map((a) => (
                    <option key={a.id} value={a.email}>
                      {a.displayName} ({a.email})
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" class="btn secondary">
                Add break-glass admin
              </button>
            </form>
          ) : null}
        </section>
      </div>
    </Layout>
  );
}
