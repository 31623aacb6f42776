// Console passwords (issue #17): an account changes its own password (current one required, the
// other sessions end), an admin creates a one-time reset link for another password account of the
// organisation, the CLI does the same (`wiggledesk admin reset-password`), and the first admin gets
// a one-time link instead of a password in the terminal. WiggleDesk sends no email: the link is
// shown once to whoever created it, to pass on. Only the SHA-256 of a link's token is stored; a
// link works once, is replaced by a newer one for the same account, and expires after 24 hours.
// Every change and every link created is in the activity log, never the secret.
// Policy (NIST SP 800-63B §5.1.1.2): at least 12 characters, no composition rules, not the email,
// not a well-known password, not one character repeated.
import { createHash } from 'node:crypto';
import type { ActivityEntry, PasswordStore, PlatformStore, TenantStore } from '../../storage/ports.js';
import type { TenantId } from '../../domain/ids.js';
import type { ConsoleAccount } from '../../domain/organization.js';
import { hashPassword, verifyPassword } from '../../auth/password.js';
import { randomToken } from '../../auth/session.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { ServiceError } from '../organizations/organizations.js';
import { requireAdmin, type ConsoleActor } from '../console/console-auth.js';
import type { ActivityRecorder } from '../activity/activity.js';

export const RESET_LINK_HOURS = 24;
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;
const TOKEN_PREFIX = 'wdr_';
const COMMON = new Set(['password1234', 'password12345', 'password123456', '123456789012', 'qwertyuiopas', 'iloveyou1234', 'letmein12345', 'welcome12345', 'administrator', 'wiggledesk123', 'changeme1234']);

export const resetIdOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
export const RESET_PATH = '/console/reset-password';

function entry(actor: string, event: string, account: string): ActivityEntry {
  return {
    at: new Date().toISOString(),
    keyId: null,
    actor,
    method: 'POST',
    path: event === 'password_changed' ? '/console/profile/password' : RESET_PATH,
    status: 200,
    scimType: null,
    durationMs: 0,
    resourceType: null,
    resourceId: null,
    summary: JSON.stringify({ event, account }),
  };
}

/** Why a new password is refused, in words for the form; undefined when it is fine. */
export function passwordProblem(password: string, email: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good password).`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  const folded = foldCase(password);
  const mail = foldCase(email);
  if (folded === mail || folded === mail.split('@')[0]) return 'Do not use your email address as your password.';
  if (COMMON.has(folded)) return 'That password is too well known; choose another.';
  if (new Set(folded).size < 4) return 'Use more different characters.';
  return undefined;
}

export function createPasswordService(deps: { store: PasswordStore; platform: PlatformStore; activity: ActivityRecorder; now?: () => number }) {
  const { store, platform, activity } = deps;
  const now = deps.now ?? Date.now;
  const log = (tenantId: TenantId, actor: string, event: string, account: string) => activity.enqueue(platform.forTenant(tenantId) as TenantStore, entry(actor, event, account));

  async function issueLink(account: ConsoleAccount, createdBy: string, baseUrl: string): Promise<{ link: string; expiresAt: string; token: string }> {
    if (account.scimUserId !== null && !account.hasPassword) throw new ServiceError('invalid', `${account.email} signs in with your identity provider (SSO) and has no password to reset.`);
    const token = `${TOKEN_PREFIX}${randomToken()}`;
    const t = now();
    const expiresAt = new Date(t + RESET_LINK_HOURS * 3600_000).toISOString();
    await store.createReset({ id: resetIdOf(token), tenantId: account.tenantId, accountId: account.id, createdBy, createdAt: new Date(t).toISOString(), expiresAt });
    log(account.tenantId, createdBy, 'password_link_created', account.email);
    return { link: `${baseUrl}${RESET_PATH}?token=${token}`, expiresAt, token };
  }

  return {
    /** The signed-in account changes its own password; every other session of it ends. */
    async changeOwn(actor: ConsoleActor, input: { current: string; next: string; confirm: string }): Promise<{ endedSessions: number }> {
      const account = await store.account(actor.org.id, actor.account.id);
      if (!account?.passwordHash) throw new ServiceError('invalid', 'Your account signs in with your identity provider (SSO); change your password there.');
      if (!(await verifyPassword(input.current.slice(0, 1024), account.passwordHash))) throw new ServiceError('invalid', 'The current password is not right.');
      if (input.next !== input.confirm) throw new ServiceError('invalid', 'The new password and its confirmation differ.');
      if (input.next === input.current) throw new ServiceError('invalid', 'The new password must differ from the current one.');
      const problem = passwordProblem(input.next, account.email);
      if (problem) throw new ServiceError('invalid', problem);
      await store.setPassword(actor.org.id, account.id, await hashPassword(input.next));
      const endedSessions = await store.endSessions(actor.org.id, account.id, actor.session.id);
      log(actor.org.id, account.email, 'password_changed', account.email);
      return { endedSessions };
    },

    /** The organisation's password accounts (for an admin's "Create reset link"). */
    async accounts(actor: ConsoleActor): Promise<ConsoleAccount[]> {
      requireAdmin(actor);
      return (await actor.store.accounts.list()).filter((a) => a.hasPassword);
    },

    /** An admin's one-time reset link for another account of the organisation (shown once; WiggleDesk sends no email). */
    async createLink(actor: ConsoleActor, accountId: string, baseUrl: string): Promise<{ link: string; expiresAt: string; email: string }> {
      requireAdmin(actor);
      const account = await store.account(actor.org.id, accountId);
      if (!account) throw new ServiceError('not_found', 'There is no such account in your organisation.');
      const { link, expiresAt } = await issueLink(account, actor.account.email, baseUrl);
      return { link, expiresAt, email: account.email };
    },

    /** `wiggledesk admin reset-password ORG EMAIL` and the first start: a link for the account with this email. */
    async createLinkFor(orgIdOrName: string, email: string, baseUrl: string, by: string): Promise<{ link: string; expiresAt: string; email: string }> {
      const org = await platform.findOrganization(orgIdOrName);
      if (!org) throw new ServiceError('not_found', `No organisation "${orgIdOrName}"`);
      const found = await platform.findAccountByEmail(foldCase(email.trim()));
      if (!found || found.tenantId !== org.id) throw new ServiceError('not_found', `No console account ${email.trim()} in "${org.name}"`);
      const { link, expiresAt } = await issueLink(found, by, baseUrl);
      return { link, expiresAt, email: found.email };
    },

    /** What the reset page shows for a token, or undefined when it is unknown, used or expired. */
    async linkInfo(token: string): Promise<{ email: string; expiresAt: string } | undefined> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
      const r = await store.findReset(resetIdOf(token));
      if (!r || Date.parse(r.expiresAt) <= now()) return undefined;
      const account = await store.account(r.tenantId, r.accountId);
      return account ? { email: account.email, expiresAt: r.expiresAt } : undefined;
    },

    /** Sets the password through a link (once); every session of the account ends. */
    async completeLink(token: string, input: { next: string; confirm: string }): Promise<{ email: string }> {
      const expired = new ServiceError('not_found', 'This link has been used, replaced by a newer one or has expired. Ask your admin for a new one.');
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) throw expired;
      const r = await store.findReset(resetIdOf(token));
      const account = r ? await store.account(r.tenantId, r.accountId) : undefined;
      if (!r || !account) throw expired;
      if (input.next !== input.confirm) throw new ServiceError('invalid', 'The new password and its confirmation differ.');
      const problem = passwordProblem(input.next, account.email);
      if (problem) throw new ServiceError('invalid', problem);
      const hash = await hashPassword(input.next);
      if (!(await store.consumeReset(r.id, new Date(now()).toISOString()))) throw expired;
      await store.setPassword(r.tenantId, account.id, hash);
      await store.endSessions(r.tenantId, account.id);
      log(r.tenantId, account.email, 'password_set_by_link', account.email);
      return { email: account.email };
    },
  };
}

export type PasswordService = ReturnType<typeof createPasswordService>;
