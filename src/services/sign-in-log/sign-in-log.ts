// The sign-in log (issue #17): every console sign-in attempt — password and SSO (Microsoft, Google,
// OpenID Connect) — with time, user, provider, outcome, a stable code and the reference the person
// saw on the page, so the code a refused user reads out can be looked up by their admin.
//
// Recording wraps the sign-in use cases (wrapPassword, wrapSso) rather than living inside them, so
// the outcome recorded is the final one (after Enforce SSO, say). An attempt is stored for the
// organisation(s) it can be tied to: the account's, the provisioned user's, or those that trust
// the token's tenant/domain/issuer. What cannot be tied to any (an unknown email, a tampered or
// expired flow, a token no organisation trusts) stays in the service log only: an anonymous
// client could otherwise fill the table at will. Throttled attempts are not stored either (the
// failures before the throttle are). Storage is bounded by the retention purge (workers).
import type { SignInEventInput, SignInEventRecord, SignInLogStore } from '../../storage/ports.js';
import type { TenantId } from '../../domain/ids.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { requireAdmin, type ConsoleActor, type ConsoleAuth, type SignInResult } from '../console/console-auth.js';
import type { SignInService } from '../sign-in/sign-in.js';
import type { OrgProviderService } from '../sign-in/org-provider/org-provider.js';

/** Sign-in log rows are kept as long as the other logs' default (events, SETs): 30 days. */
export const SIGN_IN_LOG_RETENTION_DAYS = 30;
export const SIGN_IN_LOG_PAGE_SIZES = [25, 50, 100, 200] as const;
const DEFAULT_PAGE_SIZE = 50;
const PURGE_BATCH = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Every stable code, with what it means for the admin reading the log. */
export const SIGN_IN_CODES: Readonly<Record<string, string>> = {
  'password/signed_in': 'Signed in with a password',
  'password/break_glass': 'Signed in with a password as a break-glass admin while SSO is enforced',
  'password/wrong_password': 'Wrong password for an existing account',
  'password/no_password': 'The account has no password (it signs in with SSO)',
  'password/sso_required': 'Right password, but the organisation enforces SSO',
  'password/deactivated': 'Right password, but the user is deactivated (active: false)',
  'password/deleted': 'Right password, but the user was deleted',
  'sso/signed_in': 'Signed in with single sign-on',
  'sso/inactive': 'The user is deactivated (active: false)',
  'sso/deleted': 'The user this account signed in as before was deleted',
  'sso/not_provisioned': 'A trusted tenant/domain, but no provisioned user has this name or email',
  'sso/wrong_tenant': 'The user exists, but their sign-in came from a tenant/domain the organisation does not trust',
  'sso/org_not_configured': 'The user exists, but the organisation has no binding for this provider (Sign-in settings)',
  'sso/linked_elsewhere': 'The user is linked to another account of this provider (Reset a user’s sign-in)',
  'sso/ambiguous': 'More than one user matches this sign-in',
};

export interface SignInLogRow extends SignInEventRecord {
  /** What the code means. */
  readonly meaning: string;
}

export interface SignInLogQuery {
  /** Text the user's name or email contains. */
  readonly user?: string | undefined;
  /** A stable code (`sso/inactive`) or a reference (request id). */
  readonly code?: string | undefined;
  readonly outcome?: string | undefined;
  /** A provisioned user's id (from their page). */
  readonly scimUserId?: string | undefined;
  readonly before?: number | undefined;
  readonly pageSize?: number | undefined;
}

export interface SignInLogPage {
  readonly user: string;
  readonly code: string;
  readonly outcome: 'success' | 'refused' | undefined;
  readonly scimUserId: string | undefined;
  readonly pageSize: number;
  readonly rows: readonly SignInLogRow[];
  readonly before: number | undefined;
  readonly nextBefore: number | undefined;
}

export interface SignInAttempt {
  readonly tenantIds: readonly TenantId[];
  readonly outcome: 'success' | 'refused';
  readonly provider: string;
  readonly code: string;
  readonly userLabel: string | null;
  readonly scimUserId: string | null;
  readonly reference: string;
}

const CODE = /^(?:password|sso)\/[a-z_]{1,40}$/;

export function createSignInLog(deps: { store: SignInLogStore; now?: () => number; onError?: (e: unknown) => void }) {
  const { store } = deps;
  const now = deps.now ?? Date.now;

  async function record(attempt: SignInAttempt): Promise<void> {
    const tenants = [...new Set(attempt.tenantIds)];
    if (tenants.length === 0) return;
    const at = new Date(now()).toISOString();
    const rows: SignInEventInput[] = tenants.map((tenantId) => ({
      tenantId,
      at,
      outcome: attempt.outcome,
      provider: attempt.provider,
      userLabel: attempt.userLabel,
      // A user id belongs to one organisation: only its own row carries it.
      scimUserId: tenants.length === 1 ? attempt.scimUserId : null,
      reason: attempt.code,
      reference: attempt.reference,
    }));
    try {
      await store.record(rows);
    } catch (e) {
      // The log must not turn a sign-in into an error page; the failure is reported to the operator.
      if (deps.onError) deps.onError(e);
      else throw e;
    }
  }

  function passwordAttempt(result: SignInResult, email: string, reference: string): SignInAttempt | undefined {
    const base = { provider: 'password', scimUserId: null, reference } as const;
    if (result.ok) {
      return { ...base, tenantIds: [result.account.tenantId], outcome: 'success', code: result.breakGlass ? 'password/break_glass' : 'password/signed_in', userLabel: result.account.email, scimUserId: result.account.scimUserId };
    }
    if (result.reason === 'throttled' || !result.account) return undefined;
    const code = result.reason === 'sso_required' ? 'password/sso_required' : `password/${result.detail ?? 'wrong_password'}`;

    return { ...base, tenantIds: [result.account.tenantId], outcome: 'refused', code, userLabel: result.account.email || email };
  }

  return {
    record,

    /** Password sign-in, recorded with its final outcome (wrap the outermost guard). */
    wrapPassword(auth: ConsoleAuth): ConsoleAuth {
      return {
        ...auth,
        async signIn(input) {
          const result = await auth.signIn(input);
          const attempt = passwordAttempt(result, input.email.trim(), input.reference ?? '');
          if (attempt) await record(attempt);
          return result;
        },
      };
    },

    /** SSO callbacks: every completed flow, signed in or refused. */
    wrapSso(signIn: SignInService): SignInService {
      return {
        ...signIn,
        async completeFlow(kind, cookie, query, previousSession, reference) {
          const result = await signIn.completeFlow(kind, cookie, query, previousSession, reference);
          const ref = reference ?? '';
          if (result.ok) {
            await record({ tenantIds: [result.tenantId], outcome: 'success', provider: kind, code: 'sso/signed_in', userLabel: result.userLabel, scimUserId: result.scimUserId, reference: ref });
          } else {
            const r = result.refusal;
            await record({
              tenantIds: r.tenantIds ?? [],
              outcome: 'refused',
              provider: r.provider ?? kind,
              code: `sso/${r.reason}`,
              userLabel: r.loginName ?? null,
              scimUserId: r.scimUserId ?? null,
              reference: ref,
            });
          }
          return result;
        },
      };
    },

    /** Sign-in with an organisation's own OpenID Connect provider (an admin's "Try sign-in" is not a sign-in). */
    wrapOrgProvider(orgProvider: OrgProviderService): OrgProviderService {
      return {
        ...orgProvider,
        async complete(rawOrgId, cookie, query, previousSession, reference) {
          const result = await orgProvider.complete(rawOrgId, cookie, query, previousSession, reference);
          const ref = reference ?? '';
          if (result.kind === 'sign_in' && result.ok) {
            await record({ tenantIds: [result.tenantId], outcome: 'success', provider: 'org_oidc', code: 'sso/signed_in', userLabel: result.userLabel, scimUserId: result.scimUserId, reference: ref });
          } else if (result.kind !== 'tried') {
            const r = result.refusal;
            await record({ tenantIds: r.tenantIds ?? [], outcome: 'refused', provider: 'org_oidc', code: `sso/${r.reason}`, userLabel: r.loginName ?? null, scimUserId: r.scimUserId ?? null, reference: ref });
          }
          return result;
        },
      };
    },

    /** The organisation's log, newest first, searchable by user and by code or reference. */
    async list(actor: ConsoleActor, q: SignInLogQuery): Promise<SignInLogPage> {
      requireAdmin(actor);
      const pageSize = (SIGN_IN_LOG_PAGE_SIZES as readonly number[]).includes(q.pageSize ?? 0) ? q.pageSize! : DEFAULT_PAGE_SIZE;
      const user = (q.user ?? '').trim().slice(0, 200);
      const code = (q.code ?? '').trim().slice(0, 100);
      const outcome = q.outcome === 'success' || q.outcome === 'refused' ? q.outcome : undefined;
      const scimUserId = q.scimUserId && q.scimUserId.length <= 100 ? q.scimUserId : undefined;
      // A code names the reason (`sso/inactive`); anything else is a reference (the request id on the page).
      const lower = code.toLowerCase();
      const rows = await store.forTenant(actor.org.id).list({
        outcome,
        reason: CODE.test(lower) ? lower : undefined,
        reference: code !== '' && !CODE.test(lower) ? code : undefined,
        userContains: user === '' ? undefined : foldCase(user),
        scimUserId,
        beforeSeq: q.before,
        limit: pageSize + 1,
      });
      const page = rows.slice(0, pageSize);
      return {
        user,
        code,
        outcome,
        scimUserId,
        pageSize,
        rows: page.map((r) => ({ ...r, meaning: SIGN_IN_CODES[r.reason] ?? 'Refused by the identity provider or the sign-in flow' })),
        before: q.before,
        nextBefore: rows.length > pageSize ? page[page.length - 1]!.seq : undefined,
      };
    },

    /** Retention: deletes rows older than SIGN_IN_LOG_RETENTION_DAYS; returns how many. */
    async purgeExpired(): Promise<number> {
      const before = new Date(now() - SIGN_IN_LOG_RETENTION_DAYS * DAY_MS).toISOString();
      let total = 0;
      for (;;) {
        const n = await store.purgeBefore(before, PURGE_BATCH);
        total += n;
        if (n < PURGE_BATCH) return total;
      }
    },
  };
}

export type SignInLog = ReturnType<typeof createSignInLog>;
