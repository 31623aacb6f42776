// Enforce SSO (issue #20; Microsoft's SSO gallery guidance recommends "a way to enforce SSO for
// the whole tenant, with bypass for admins and emergency access"). When an organisation turns it
// on, console password sign-in is refused for everyone except the admins it names as break-glass
// accounts; SSO sign-in is unaffected. Every refusal, every break-glass sign-in and every change
// of the setting is written to the organisation's activity log.
import type { ActivityEntry, PlatformStore, SignInPolicy, SignInPolicyStore, TenantStore } from '../../storage/ports.js';
import type { ConsoleAccount } from '../../domain/organization.js';
import { isoNow } from '../../domain/clock.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { ServiceError } from '../organizations/organizations.js';
import { requireAdmin, type ConsoleActor, type ConsoleAuth, type SignInResult } from '../console/console-auth.js';
import type { ActivityRecorder } from '../activity/activity.js';

export const SSO_REQUIRED_MESSAGE = 'Your organisation requires single sign-on: use “Sign in with Microsoft” (or your organisation’s sign-in button) instead of a password. Break-glass admins named by your organisation can still use their password.';

export interface SignInPolicyView extends SignInPolicy {
  readonly admins: readonly Pick<ConsoleAccount, 'id' | 'email' | 'displayName' | 'hasPassword'>[];
}

function logEntry(path: string, status: number, actor: string, event: string, detail?: string): ActivityEntry {
  return {
    at: isoNow(),
    keyId: null,
    actor,
    method: 'POST',
    path,
    status,
    scimType: status >= 400 ? 'sso_required' : null,
    durationMs: 0,
    resourceType: null,
    resourceId: null,
    summary: JSON.stringify({ event, ...(detail ? { detail } : {}) }),
  };
}

export function createSignInPolicyService(deps: { store: SignInPolicyStore; platform: PlatformStore; activity: ActivityRecorder }) {
  const { store, platform, activity } = deps;

  /** Wraps password sign-in: refused when the organisation enforces SSO and the account is not break-glass. */
  function guard(auth: ConsoleAuth): ConsoleAuth {
    return {
      ...auth,
      async signIn(input): Promise<SignInResult> {
        const result = await auth.signIn(input);
        if (!result.ok) return result;
        const { account } = result;
        const policy = await store.forTenant(account.tenantId).get();
        if (!policy.enforceSso) return result;
        const tenant: TenantStore = platform.forTenant(account.tenantId);
        if (account.role === 'admin' && policy.breakGlass.includes(account.id)) {
          activity.enqueue(tenant, logEntry('/console/login', 200, account.email, 'break_glass_sign_in', 'Password sign-in by a break-glass admin while SSO is enforced'));
          return { ...result, breakGlass: true };
        }
        // The password was right (only then do we say why): end the session just made.
        await auth.signOut(result.token);
        activity.enqueue(tenant, logEntry('/console/login', 403, account.email, 'password_sign_in_refused', 'Password sign-in refused: the organisation enforces SSO'));
        return { ok: false, reason: 'sso_required', account: { tenantId: account.tenantId, email: account.email } };
      },
    };
  }

  async function view(actor: ConsoleActor): Promise<SignInPolicyView> {
    requireAdmin(actor);
    const [policy, accounts] = await Promise.all([store.forTenant(actor.org.id).get(), actor.store.accounts.list()]);
    return { ...policy, admins: accounts.filter((a) => a.role === 'admin').map((a) => ({ id: a.id, email: a.email, displayName: a.displayName, hasPassword: a.hasPassword })) };
  }

  return {
    guard,
    view,
    async setEnforceSso(actor: ConsoleActor, enforce: boolean): Promise<void> {
      requireAdmin(actor);
      await store.forTenant(actor.org.id).setEnforceSso(enforce, isoNow(), actor.account.email);
      activity.enqueue(actor.store, logEntry('/console/sign-in-policy', 200, actor.account.email, enforce ? 'enforce_sso_on' : 'enforce_sso_off'));
    },
    async addBreakGlass(actor: ConsoleActor, email: string): Promise<ConsoleAccount> {
      requireAdmin(actor);
      const folded = foldCase(email.trim());
      const account = (await actor.store.accounts.list()).find((a) => foldCase(a.email) === folded);
      if (!account) throw new ServiceError('invalid', `No console account ${email.trim()} in your organisation`);
      if (account.role !== 'admin') throw new ServiceError('invalid', `${account.email} is not an admin; only admins can be break-glass accounts`);
      if (!account.hasPassword) throw new ServiceError('invalid', `${account.email} has no password (an SSO account); a break-glass account needs one`);
      await store.forTenant(actor.org.id).addBreakGlass(account.id, isoNow(), actor.account.email);
      activity.enqueue(actor.store, logEntry('/console/sign-in-policy', 200, actor.account.email, 'break_glass_added', account.email));
      return account;
    },
    async removeBreakGlass(actor: ConsoleActor, accountId: string): Promise<void> {
      requireAdmin(actor);
      if (!(await store.forTenant(actor.org.id).removeBreakGlass(accountId))) throw new ServiceError('not_found', 'That account is not a break-glass account');
      activity.enqueue(actor.store, logEntry('/console/sign-in-policy', 200, actor.account.email, 'break_glass_removed', accountId));
    },
  };
}

export type SignInPolicyService = ReturnType<typeof createSignInPolicyService>;
