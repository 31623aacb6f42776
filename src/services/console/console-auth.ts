// Console sign-in and the per-request actor. Sign-in answers one generic failure for an unknown
// email, a wrong password and an account without a password, and spends the same scrypt time on
// each. A session resolves to its account on every request, so a role change or a deleted
// account takes effect at once; an account linked to a SCIM user that has been deactivated or
// deleted loses its session on the next request (design.md: deprovisioning is immediate).
import type { PlatformStore, SessionRecord, TenantStore } from '../../storage/ports.js';
import type { ConsoleAccount, Organization } from '../../domain/organization.js';
import type { TenantId } from '../../domain/ids.js';
import type { SessionManager } from '../../auth/session.js';
import { hashPassword, verifyPassword } from '../../auth/password.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { isoNow } from '../../domain/clock.js';
import { ServiceError } from '../organizations/organizations.js';
import type { LoginThrottle } from './console-throttle.js';
import type { RequestContext } from '../scim/scim-resources.js';

/** Who is asking, resolved from a session: everything a console use case needs. */
export interface ConsoleActor {
  readonly session: SessionRecord;
  readonly account: ConsoleAccount;
  readonly org: Organization;
  readonly store: TenantStore;
}

/** Which account an attempt named, when one exists: for the organisation's sign-in log, never for the page. */
export interface AttemptedAccount {
  readonly tenantId: TenantId;
  readonly email: string;
}

export type SignInResult =
  | { readonly ok: true; readonly token: string; readonly account: ConsoleAccount; readonly breakGlass?: boolean }
  /**
   * One generic answer for the page; `detail` and `account` only feed the sign-in log
   * (services/sign-in-log): unknown_user, wrong_password, or no_password (an SSO-only account).
   */
  | { readonly ok: false; readonly reason: 'invalid'; readonly detail?: 'unknown_user' | 'wrong_password' | 'no_password'; readonly account?: AttemptedAccount }
  /** The password was right but the organisation enforces SSO (services/sign-in/sign-in-policy.ts). */
  | { readonly ok: false; readonly reason: 'sso_required'; readonly account?: AttemptedAccount }
  /** The password was right but the account's provisioned user is deactivated or deleted (design.md: deprovisioning is immediate). */
  | { readonly ok: false; readonly reason: 'deprovisioned'; readonly detail: 'deactivated' | 'deleted'; readonly account: AttemptedAccount }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number };

export interface SignInInput {
  readonly email: string;
  readonly password: string;
  /** The client address, for the per-address throttle. */
  readonly address: string;
  /** The reference of this attempt (the request id), for the sign-in log. */
  readonly reference?: string;
}

const MAX_PASSWORD_LENGTH = 1024;

export function requireAdmin(actor: ConsoleActor): void {
  if (actor.account.role !== 'admin') {
    throw new ServiceError('forbidden', 'This page is for organisation admins. Ask an admin of your organisation if you need access.');
  }
}

export function createConsoleAuth(deps: { platform: PlatformStore; sessions: SessionManager; throttle: LoginThrottle }) {
  const { platform, sessions, throttle } = deps;
  // Verified against when there is no account, so both paths cost one scrypt.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => (dummyHash ??= hashPassword('not a password of anyone'));

  return {
    async signIn(input: SignInInput): Promise<SignInResult> {
      const email = foldCase(input.email.trim()).slice(0, 320);
      const wait = throttle.retryAfter(email, input.address);
      if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };

      const found = email === '' ? undefined : await platform.findAccountByEmail(email);
      const password = input.password.slice(0, MAX_PASSWORD_LENGTH);
      const stored = found?.passwordHash ?? null;
      const matches = await verifyPassword(password, stored ?? (await dummy()));
      if (!found || stored === null || !matches || password === '') {
        throttle.recordFailure(email, input.address);
        if (!found) return { ok: false, reason: 'invalid', detail: 'unknown_user' };
        const account = { tenantId: found.tenantId, email: found.email };
        return { ok: false, reason: 'invalid', detail: stored === null ? 'no_password' : 'wrong_password', account };
      }
      throttle.recordSuccess(email);
      if (found.scimUserId !== null) {
        // Only said once the password was right: no one learns an account's state by guessing.
        const user = await platform.forTenant(found.tenantId).users.findById(found.scimUserId);
        if (!user || user.doc.active === false) return { ok: false, reason: 'deprovisioned', detail: user ? 'deactivated' : 'deleted', account: { tenantId: found.tenantId, email: found.email } };
      }
      const { token } = await sessions.create(found.tenantId, found.id);
      await platform.forTenant(found.tenantId).accounts.recordLogin(found.id, isoNow());
      const { passwordHash: _omit, ...account } = found;
      return { ok: true, token, account };
    },

    /** The actor behind a session cookie, or undefined (no, expired or revoked session). */
    async resolve(token: string | undefined): Promise<ConsoleActor | undefined> {
      const session = await sessions.validate(token);
      if (!session) return undefined;
      const store = platform.forTenant(session.tenantId);
      const account = await store.accounts.find(session.accountId);
      if (!account) {
        await sessions.revokeById(session.id);
        return undefined;
      }
      if (account.scimUserId !== null) {
        const user = await store.users.findById(account.scimUserId);
        if (!user || user.doc.active === false) {
          await sessions.revokeById(session.id);
          return undefined;
        }
      }
      return { session, account, org: await store.organization(), store };
    },

    async signOut(token: string | undefined): Promise<void> {
      if (token) await sessions.revoke(token);
    },
  };
}

export type ConsoleAuth = ReturnType<typeof createConsoleAuth>;

/**
 * A SCIM request context for a console action: no API key, the admin's email as the actor (so
 * the activity log says who did it), and the console path that triggered it.
 */
export function consoleScimContext(actor: ConsoleActor, method: string, path: string, baseUrl: string): RequestContext {
  return { store: actor.store, keyId: null, actor: actor.account.email, method, path, baseUrl, startedAt: performance.now() };
}
