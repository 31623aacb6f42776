// Sign-in with Microsoft, Google and generic OpenID Connect for users the organisation's identity
// provider created in WiggleDesk (SCIM), and the rules that end their access (issue #7).
//
// A flow: startFlow() keeps state, nonce and PKCE verifier server-side (sign_in_flows, keyed by
// the SHA-256 of a random cookie), so any instance can finish it; completeFlow() takes the row
// exactly once, refuses it after 10 minutes, and has auth/oidc verify the provider's answer.
//
// Matching, in this order — and never creating a user:
//  1. Binding: the organisations that trust the token's Entra tenant id / Google Workspace domain /
//     issuer. Nothing else is looked at inside an organisation that does not trust it, so the
//     same email from another tenant or domain never gets in.
//  2. Subject: in each such organisation, the user this identity signed in as before (tid+oid,
//     Google sub, issuer+sub), if that user still exists.
//  3. Name: a user whose userName, or a primary or work email, equals (Unicode case-folded) the
//     token's preferred_username / verified email; a userName match beats an email match. The
//     subject is then remembered on the user; a user already linked to another subject of the same
//     provider is refused until an admin forgets that link.
// If no organisation accepts, a cross-organisation look-up by name (no user data leaves it) only
// picks the clearest refusal: organisation has no binding, wrong tenant/domain, or not set up.
//
// Deprovisioning: guard() wraps the console's session resolution. On every console request of an
// SSO account it reads the linked SCIM user (one indexed read): deleted or active:false — by SCIM
// in any accepted shape, or by "Deactivate" in the console, which is a SCIM PATCH — ends that
// session there and then, so the very next request is signed out. The same read gives the role:
// admin when an org admin made the user one, or when the user is (directly or through nested
// groups) a member of the organisation's admin group — so SCIM membership changes apply on the
// next request too.
import type { SignInAdminRow, SignInBinding, SignInCandidate, SignInProvider, SignInStore, SignInUserView, TenantSignInStore } from '../../storage/ports.js';
import type { TenantId } from '../../domain/ids.js';
import type { AccountRole, Organization } from '../../domain/organization.js';
import { randomToken, sessionIdOf, tokensMatch, type SessionManager } from '../../auth/session.js';
import { OidcError, type OidcClient, type OidcIdentity } from '../../auth/oidc.js';
import { foldCase } from '../../scim/filter/fold-case.js';
import { ServiceError } from '../organizations/organizations.js';
import { requireAdmin, type ConsoleActor, type ConsoleAuth } from '../console/console-auth.js';

export const FLOW_TTL_MS = 10 * 60 * 1000;

export type SignInRefusalReason =
  | 'unknown_provider'
  | 'flow_missing'
  | 'flow_expired'
  | 'state'
  | 'nonce'
  | 'denied'
  | 'invalid'
  | 'unverified_email'
  | 'unavailable'
  /** No organisation trusts this tenant/domain/issuer, and no organisation has this user. */
  | 'not_bound'
  /** The user's organisation has not bound any tenant/domain of this provider. */
  | 'org_not_configured'
  /** The user's organisation trusts other tenants/domains of this provider. */
  | 'wrong_tenant'
  /** An organisation trusts the tenant, but none of its users matches. */
  | 'not_provisioned'
  | 'inactive'
  | 'deleted'
  | 'linked_elsewhere'
  | 'ambiguous';

export interface SignInRefusal {
  readonly reason: SignInRefusalReason;
  /** Technical detail for the log line, never for the page. */
  readonly detail: string;
  readonly provider: SignInProvider | undefined;
  /** The tenant id / domain / issuer of the token, when known: the page shows it so the person can tell their admin. */
  readonly bindingValue?: string | undefined;
  /** The name they signed in with, when known. */
  readonly loginName?: string | undefined;
  /** The organisations whose sign-in log records this refusal (the user's, or those trusting the tenant); none for protocol errors. */
  readonly tenantIds?: readonly TenantId[] | undefined;
  /** The provisioned user it was refused for, when exactly one is known. */
  readonly scimUserId?: string | undefined;
}

export type CompleteResult =
  | { readonly ok: true; readonly sessionToken: string; readonly landing: string; readonly role: AccountRole; readonly tenantId: TenantId; readonly scimUserId: string; readonly userLabel: string }
  | { readonly ok: false; readonly refusal: SignInRefusal };

export interface SignInSettingsView {
  readonly org: Organization;
  readonly providers: ReadonlyArray<{ readonly kind: SignInProvider; readonly label: string }>;
  readonly bindings: Readonly<Record<SignInProvider, readonly SignInBinding[]>>;
  /** The admin group; `missing` when the group was deleted since it was chosen. */
  readonly adminGroup: { readonly id: string; readonly displayName: string } | { readonly id: string; readonly missing: true } | undefined;
  readonly admins: readonly SignInAdminRow[];
}

export interface HomeView {
  readonly displayName: string;
  readonly email: string;
  readonly org: Organization;
  readonly role: AccountRole;
  /** The provisioned record, when the account belongs to one. */
  readonly user: (SignInUserView & { readonly title: string | undefined; readonly department: string | undefined }) | undefined;
  readonly groups: ReadonlyArray<{ readonly id: string; readonly displayName: string; readonly direct: boolean }>;
}

export interface SignInServiceDeps {
  readonly store: SignInStore;
  /** Sessions in the same table and with the same policy as password sign-in. */
  readonly sessions: SessionManager;
  readonly providers: readonly OidcClient[];
  /** Whether http:// issuers may be bound (SSO_ALLOW_INSECURE_HTTP, loopback only). */
  readonly allowInsecureHttp?: boolean;
  readonly now?: () => number;
  /**
   * Issue #18: how long bindings made before proofs existed (unverified) keep routing sign-ins,
   * counted from when they were marked; undefined: until an admin proves or removes them.
   */
  readonly unverifiedGraceMs?: number | undefined;
}

type OrgOutcome =
  | { readonly kind: 'match'; readonly tenantId: TenantId; readonly user: SignInUserView; readonly linked: boolean }
  | { readonly kind: 'inactive' | 'linked_elsewhere' | 'ambiguous' | 'deleted' | 'none'; readonly tenantId: TenantId; readonly userId?: string };

const NO_MATCH_PRIORITY: ReadonlyArray<Exclude<OrgOutcome['kind'], 'match'>> = ['inactive', 'linked_elsewhere', 'ambiguous', 'deleted', 'none'];


export function createSignInService(deps: SignInServiceDeps) {
  const { store, sessions } = deps;
  const now = deps.now ?? Date.now;
  const iso = (ms = now()) => new Date(ms).toISOString();
  const providers = new Map(deps.providers.map((p) => [p.kind as SignInProvider, p]));

  const refuse = (
    reason: SignInRefusalReason,
    detail: string,
    provider: SignInProvider | undefined,
    extra: { bindingValue?: string | undefined; loginName?: string | undefined; tenantIds?: readonly TenantId[]; scimUserId?: string | undefined } = {},
  ): CompleteResult => ({
    ok: false,
    refusal: { reason, detail, provider, ...extra },
  });

  /** One organisation that trusts the token: subject first, then name. */
  async function resolveIn(tenantId: TenantId, identity: OidcIdentity): Promise<OrgOutcome> {
    const ts = store.forTenant(tenantId);
    let deleted = false;
    const known = await ts.identityBySubject(identity.provider, identity.subject);
    if (known) {
      const user = await ts.findUser(known.scimUserId);
      if (user) return user.active ? { kind: 'match', tenantId, user, linked: true } : { kind: 'inactive', tenantId, userId: user.id };
      deleted = true;
    }
    const candidates: SignInCandidate[] = await ts.matchUsers(identity.names);
    const byUserName = candidates.filter((c) => c.matchedBy === 'userName');
    const pool = byUserName.length > 0 ? byUserName : candidates;
    const ids = new Set(pool.map((c) => c.id));
    if (ids.size === 0) return deleted ? { kind: 'deleted', tenantId, userId: known!.scimUserId } : { kind: 'none', tenantId };
    if (ids.size > 1) return { kind: 'ambiguous', tenantId };
    const user = pool[0]!;
    const existing = await ts.identityOfUser(user.id, identity.provider);
    if (existing && existing.subject !== identity.subject) return { kind: 'linked_elsewhere', tenantId, userId: user.id };
    if (!user.active) return { kind: 'inactive', tenantId, userId: user.id };
    return { kind: 'match', tenantId, user, linked: existing !== undefined };
  }

  async function roleOf(ts: TenantSignInStore, accountId: string): Promise<AccountRole> {
    const access = await ts.access(accountId);
    return access && (access.isAdmin || access.inAdminGroup) ? 'admin' : 'user';
  }

  async function userByReference(ts: TenantSignInStore, ref: string): Promise<SignInUserView> {
    const folded = foldCase(ref.trim()).slice(0, 320);
    if (folded === '') throw new ServiceError('invalid', 'Enter the user name or work email of a provisioned user.');
    const found = await ts.matchUsers([folded]);
    const byUserName = found.filter((c) => c.matchedBy === 'userName');
    const pool = byUserName.length > 0 ? byUserName : found;
    if (pool.length === 0) throw new ServiceError('not_found', `No provisioned user “${ref.trim()}” in your organisation.`);
    if (pool.length > 1) throw new ServiceError('invalid', `More than one user has the email “${ref.trim()}”; enter the user name instead.`);
    return pool[0]!;
  }

  return {
    /** The configured providers, in button order. */
    providers: (): ReadonlyArray<{ kind: SignInProvider; label: string }> => [...providers.values()].map((p) => ({ kind: p.kind, label: p.label })),

    /** Starts a flow; the cookie binds it to this browser (no login CSRF). */
    async startFlow(kind: string, redirectUri: string, returnTo: string | undefined): Promise<{ ok: true; cookie: string; url: string } | { ok: false; refusal: SignInRefusal }> {
      const provider = providers.get(kind as SignInProvider);
      if (!provider) return { ok: false, refusal: { reason: 'unknown_provider', detail: `no provider ${kind}`, provider: undefined } };
      let request;
      try {
        request = await provider.begin(redirectUri);
      } catch (e) {
        const err = e instanceof OidcError ? e : new OidcError('unavailable', e instanceof Error ? e.message : String(e));
        return { ok: false, refusal: { reason: 'unavailable', detail: err.message, provider: provider.kind } };
      }
      const cookie = randomToken();
      const t = now();
      await store.deleteExpiredFlows(iso(t));
      await store.saveFlow({
        id: sessionIdOf(cookie),
        provider: provider.kind,
        state: request.state,
        nonce: request.nonce,
        codeVerifier: request.codeVerifier,
        redirectUri,
        returnTo: returnTo ?? null,
        createdAt: iso(t),
        expiresAt: iso(t + FLOW_TTL_MS),
      });
      return { ok: true, cookie, url: request.url };
    },

    /**
     * Finishes a flow: `query` is the raw query string the provider sent back. On success a new
     * console session (the previous one, if any, ends).
     */
    // `_reference` (the request id shown on a refusal page) is for the sign-in log, which wraps this (services/sign-in-log).
    async completeFlow(kind: string, cookie: string | undefined, query: string, previousSession: string | undefined, _reference?: string): Promise<CompleteResult> {
      const provider = providers.get(kind as SignInProvider);
      if (!provider) return refuse('unknown_provider', `no provider ${kind}`, undefined);
      const pk = provider.kind;
      if (!cookie || cookie.length > 200) return refuse('flow_missing', 'no flow cookie', pk);
      const flow = await store.takeFlow(sessionIdOf(cookie));
      if (!flow || flow.provider !== pk) return refuse('flow_missing', flow ? `flow is for ${flow.provider}` : 'no such flow (used, expired or never started)', pk);
      if (Date.parse(flow.expiresAt) <= now()) return refuse('flow_expired', `flow started ${flow.createdAt}`, pk);

      const params = new URLSearchParams(query);
      if (!tokensMatch(params.get('state'), flow.state)) return refuse('state', 'state parameter does not match the flow', pk);
      const callback = new URL(flow.redirectUri);
      callback.search = params.toString();

      let identity: OidcIdentity;
      try {
        identity = await provider.complete(callback, { state: flow.state, nonce: flow.nonce, codeVerifier: flow.codeVerifier });
      } catch (e) {
        const err = e instanceof OidcError ? e : new OidcError('invalid', e instanceof Error ? e.message : String(e));
        return refuse(err.reason, err.message, pk);
      }
      const extra = { bindingValue: identity.bindingValue, loginName: identity.loginName };

      const grace = deps.unverifiedGraceMs;
      const routing = { unverifiedAfter: grace === undefined ? undefined : iso(now() - grace) };
      const bound = identity.bindingValue ? await store.boundTenants(pk, identity.bindingValue, routing) : [];
      const outcomes = await Promise.all(bound.map((t) => resolveIn(t, identity)));
      const all = outcomes.filter((o): o is Extract<OrgOutcome, { kind: 'match' }> => o.kind === 'match');
      // Several organisations trust the tenant and have a matching user: the one this identity
      // already signed in to wins; otherwise refuse rather than guess.
      const linked = all.filter((m) => m.linked);
      const matches = linked.length === 1 ? linked : all;
      if (matches.length > 1) return refuse('ambiguous', `identity matches users in ${matches.length} organisations`, pk, { ...extra, tenantIds: matches.map((m) => m.tenantId) });
      const match = matches[0];
      if (!match) {
        const worst = NO_MATCH_PRIORITY.find((k) => outcomes.some((o) => o.kind === k)) ?? 'none';
        if (worst !== 'none') {
          const hit = outcomes.filter((o) => o.kind === worst);
          const userIds = [...new Set(hit.map((o) => (o.kind === 'match' ? o.user.id : o.userId)).filter((id): id is string => id !== undefined))];
          return refuse(worst, `matched in a trusting organisation, refused: ${worst}`, pk, { ...extra, tenantIds: hit.map((o) => o.tenantId), scimUserId: userIds.length === 1 ? userIds[0] : undefined });
        }
        const boundSet = new Set<string>(bound);
        const elsewhere = (await store.tenantsWithUserNamed(pk, identity.names, routing)).filter((t) => !boundSet.has(t.tenantId));
        // The user's own organisation sees these two in its sign-in log: its admin fixes the binding.
        const trusting = elsewhere.filter((t) => t.hasBinding).map((t) => t.tenantId);
        if (trusting.length > 0) return refuse('wrong_tenant', `user's organisation trusts other ${pk} values than ${identity.bindingValue ?? '(none)'}`, pk, { ...extra, tenantIds: trusting });
        if (elsewhere.length > 0) return refuse('org_not_configured', `user's organisation has no ${pk} binding`, pk, { ...extra, tenantIds: elsewhere.map((t) => t.tenantId) });
        if (bound.length === 0) return refuse('not_bound', `no organisation trusts ${identity.bindingValue ?? '(no tenant/domain)'}`, pk, extra);
        return refuse('not_provisioned', `no provisioned user matches the token's ${identity.names.length} name(s)`, pk, { ...extra, tenantIds: bound });
      }

      const ts = store.forTenant(match.tenantId);
      const at = iso();
      // The link records the binding it came through, so it ends with that binding (issue #18).
      if (!match.linked) await ts.linkIdentity(pk, identity.subject, match.user.id, at, identity.bindingValue);
      const accountId = await ts.ensureAccount(match.user.id, { email: match.user.email ?? match.user.userName, displayName: match.user.displayName ?? match.user.userName }, at);
      if (previousSession) await sessions.revoke(previousSession);
      const { token } = await sessions.create(match.tenantId, accountId);
      const role = await roleOf(ts, accountId);
      const landing = role === 'admin' ? (flow.returnTo ?? '/console') : '/console/home';
      return { ok: true, sessionToken: token, landing, role, tenantId: match.tenantId, scimUserId: match.user.id, userLabel: identity.loginName ?? match.user.email ?? match.user.userName };
    },

    /**
     * Wraps the console's session resolution: an SSO account whose SCIM user is gone or inactive
     * loses the session on this very request; its role is recomputed on every request.
     */
    guard(auth: ConsoleAuth): ConsoleAuth {
      return {
        ...auth,
        async resolve(token) {
          const actor = await auth.resolve(token);
          if (!actor) return undefined;
          const access = await store.forTenant(actor.org.id).access(actor.account.id);
          if (!access) return actor; // a password account: its role is its own
          if (access.active !== true) {
            await sessions.revokeById(actor.session.id);
            return undefined;
          }
          const role: AccountRole = access.isAdmin || access.inAdminGroup ? 'admin' : 'user';
          return role === actor.account.role ? actor : { ...actor, account: { ...actor.account, role } };
        },
      };
    },

    // ------------------------------------------------------------ Sign-in settings (org admins)

    async settings(actor: ConsoleActor): Promise<SignInSettingsView> {
      requireAdmin(actor);
      const ts = store.forTenant(actor.org.id);
      const all = await ts.bindings();
      const bindings: Record<SignInProvider, SignInBinding[]> = { microsoft: [], google: [], oidc: [] };
      for (const b of all) bindings[b.provider]?.push(b);
      const groupId = await ts.adminGroupId();
      const group = groupId ? await ts.findGroup(groupId) : undefined;
      return {
        org: actor.org,
        providers: [...providers.values()].map((p) => ({ kind: p.kind, label: p.label })),
        bindings,
        adminGroup: groupId ? (group ?? { id: groupId, missing: true }) : undefined,
        admins: await ts.admins(),
      };
    },

    /** Names the identity-provider group whose members are admins; an empty name clears it. */
    async setAdminGroup(actor: ConsoleActor, name: string): Promise<{ displayName: string } | undefined> {
      requireAdmin(actor);
      const ts = store.forTenant(actor.org.id);
      const trimmed = name.trim();
      if (trimmed === '') {
        await ts.setAdminGroup(null, iso());
        return undefined;
      }
      const group = await ts.findGroupByName(foldCase(trimmed));
      if (!group) throw new ServiceError('not_found', `No group named “${trimmed}” in your organisation. Groups come from your identity provider (SCIM).`);
      await ts.setAdminGroup(group.id, iso());
      return { displayName: group.displayName };
    },

    async setUserAdmin(actor: ConsoleActor, reference: string, isAdmin: boolean): Promise<SignInUserView> {
      requireAdmin(actor);
      const ts = store.forTenant(actor.org.id);
      const user = await userByReference(ts, reference);
      await ts.setAdmin(user.id, isAdmin, iso());
      return user;
    },

    /** Removes the admin flag by SCIM user id (also for a user deleted since). */
    async removeAdminById(actor: ConsoleActor, scimUserId: string): Promise<void> {
      requireAdmin(actor);
      await store.forTenant(actor.org.id).setAdmin(scimUserId, false, iso());
    },

    /** Forgets the user's remembered sign-ins (the next sign-in matches by name again) and ends their SSO sessions. */
    async forgetLinks(actor: ConsoleActor, reference: string): Promise<{ user: SignInUserView; forgotten: number }> {
      requireAdmin(actor);
      const ts = store.forTenant(actor.org.id);
      const user = await userByReference(ts, reference);
      const forgotten = await ts.unlinkUser(user.id);
      await ts.deleteSessionsOf(user.id);
      return { user, forgotten };
    },

    // ------------------------------------------------------------ Home (every signed-in person)

    async home(actor: ConsoleActor): Promise<HomeView> {
      const scimUserId = actor.account.scimUserId;
      let user: HomeView['user'];
      let groups: HomeView['groups'] = [];
      if (scimUserId) {
        const stored = await actor.store.users.findById(scimUserId);
        const view = stored ? await store.forTenant(actor.org.id).findUser(scimUserId) : undefined;
        if (stored && view) {
          const enterprise = stored.doc['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'];
          const department = typeof enterprise === 'object' && enterprise !== null && !Array.isArray(enterprise) && typeof enterprise.department === 'string' ? enterprise.department : undefined;
          user = { ...view, title: typeof stored.doc.title === 'string' ? stored.doc.title : undefined, department };
          groups = await actor.store.members.ancestorsOf(scimUserId, 'User');
        }
      }
      return { displayName: actor.account.displayName, email: actor.account.email, org: actor.org, role: actor.account.role, user, groups };
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
