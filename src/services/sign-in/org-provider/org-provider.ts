// An organisation's own OpenID Connect provider (issue #17, "self-service sign-in"): an org admin
// enters the issuer, client id and client secret in the console; WiggleDesk validates discovery and
// the key set (through the outbound guard), shows the redirect URI to register, and lets the admin
// run a real "Try sign-in" round trip. Only a successful try of the current settings lets the admin
// enable it; changing the issuer, the client id or the secret disables it until a new try succeeds.
// Then the organisation's users sign in at /auth/org/<organisation id>/start.
//
// Flows (a try or a sign-in) are stored per organisation, keyed by the SHA-256 of a browser cookie,
// taken exactly once, valid 10 minutes, and bound to the configuration version they started with.
//
// Matching is the rule of the Microsoft/Google/generic flows (services/sign-in/sign-in.ts), inside
// this one organisation only: the remembered subject (issuer + sub) first, then a user whose
// userName or primary/work email equals the token's preferred_username or verified email
// (a userName match beats an email match); never creating a user; deactivated and deleted users
// refused; a user already linked to another subject of this provider is refused until an admin
// forgets the link. The remembered subjects are forgotten when the issuer changes or the provider
// is removed (the same person then has a new subject).
import type { ActivityEntry, OrgOidcFlowRecord, OrgOidcProviderRecord, OrgOidcStore, PlatformStore, SignInCandidate, SignInStore, SignInUserView, TenantOrgOidcStore } from '../../../storage/ports.js';
import type { TenantId } from '../../../domain/ids.js';
import type { AccountRole, Organization } from '../../../domain/organization.js';
import type { OutboundPolicy } from '../../../outbound/outbound-request.js';
import { randomToken, sessionIdOf, tokensMatch, type SessionManager } from '../../../auth/session.js';
import { OidcError, normaliseIssuer, type OidcIdentity } from '../../../auth/oidc.js';
import { OrgOidcSetupError, connectOrgOidc, discoverOrgProvider, type OrgDiscovery, type OrgOidcClient } from '../../../auth/org-oidc.js';
import type { SecretSealer } from '../../webhooks/secrets.js';
import type { ActivityRecorder } from '../../activity/activity.js';
import { ServiceError } from '../../organizations/organizations.js';
import { requireAdmin, type ConsoleActor } from '../../console/console-auth.js';
import type { CompleteResult, SignInRefusal, SignInRefusalReason } from '../sign-in.js';

export const ORG_FLOW_TTL_MS = 10 * 60 * 1000;
/** Discovered clients are reused this long per organisation and configuration version (key rotation is picked up after it). */
const CLIENT_TTL_MS = 10 * 60 * 1000;
const MAX_CACHED_CLIENTS = 500;
const MAX_LABEL = 60;
const MAX_CLIENT_ID = 255;
const MAX_SECRET = 1024;
const MAX_ISSUER = 500;
/** Claims shown in a try's report: at most this many, each value cut to 200 characters. */
const MAX_CLAIMS = 30;

/** What the admin sees about the last try. */
export interface TryReport {
  readonly ok: boolean;
  readonly at: string;
  readonly configVersion: number;
  /** On failure: a reason code and a message the admin can act on. */
  readonly error?: { readonly reason: string; readonly message: string };
  readonly claims?: Readonly<Record<string, string>>;
  readonly loginName?: string | undefined;
  readonly names?: readonly string[];
  /** Which user a sign-in with this account would reach (or why none). */
  readonly match?: {
    readonly outcome: 'match' | SignInRefusalReason;
    readonly userName?: string;
    readonly displayName?: string | null;
    readonly userId?: string;
    readonly message: string;
  };
}

export interface OrgProviderView {
  readonly org: Organization;
  /** Register this at the identity provider. */
  readonly redirectUri: string;
  /** Give this to the organisation's users. */
  readonly signInUrl: string;
  /** WiggleDesk's sign-in page with this organisation's button on it. */
  readonly loginPageUrl: string;
  /** Whether stored secrets are encrypted (WEBHOOK_SECRET_KEY set). */
  readonly secretsEncrypted: boolean;
  readonly provider:
    | {
        readonly label: string;
        readonly issuer: string;
        readonly clientId: string;
        readonly enabled: boolean;
        /** A successful try of exactly the current settings. */
        readonly tested: boolean;
        readonly lastTry: TryReport | undefined;
        readonly updatedAt: string;
        readonly updatedBy: string | null;
      }
    | undefined;
}

export type OrgCompleteResult =
  | {
      readonly kind: 'tried';
      readonly tenantId: TenantId;
      readonly ok: boolean;
      /** The settings changed during the try: nothing was recorded. */
      readonly stale: boolean;
    }
  | ({ readonly kind: 'sign_in' } & CompleteResult);

export interface OrgProviderDeps {
  readonly store: OrgOidcStore;
  readonly signInStore: SignInStore;
  readonly platform: PlatformStore;
  readonly sessions: SessionManager;
  readonly sealer: SecretSealer;
  readonly activity: ActivityRecorder;
  /** The outbound guard's policy (allowPrivate only in development and tests). */
  readonly policy: OutboundPolicy;
  readonly now?: () => number;
}

type Outcome =
  | {
      readonly kind: 'match';
      readonly user: SignInUserView;
      readonly linked: boolean;
    }
  | {
      readonly kind: 'inactive' | 'linked_elsewhere' | 'ambiguous' | 'deleted' | 'not_provisioned';
      readonly user?: SignInUserView;
    };

const MATCH_MESSAGES: Readonly<Record<Outcome['kind'], string>> = {
  match: 'Would sign in as this user.',
  inactive: 'Matches a deactivated user: a sign-in would be refused.',
  deleted: 'This account signed in before as a user who has since been deleted: a sign-in would be refused.',
  linked_elsewhere: 'Matches a user who already signs in with another account of this provider: a sign-in would be refused until you use “Forget sign-in” for that user on Sign-in settings.',
  ambiguous: 'Matches more than one user (by email): a sign-in would be refused. Make the userName or the work email unique.',
  not_provisioned:
    'Matches no provisioned user: the token’s preferred_username and verified email are compared with each user’s userName and primary or work email. The settings work; this account is just not a WiggleDesk user.',
};

export interface OrgProviderInput {
  readonly label?: string | undefined;
  readonly issuer?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
}

/** C0 controls and DEL: nothing an admin means to type into a one-line field. */
const hasControl = (s: string): boolean => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

function activityEntry(actor: string, path: string, status: number, event: string, detail?: string): ActivityEntry {
  return {
    at: new Date().toISOString(),
    keyId: null,
    actor,
    method: 'POST',
    path,
    status,
    scimType: null,
    durationMs: 0,
    resourceType: null,
    resourceId: null,
    summary: JSON.stringify({ event, ...(detail ? { detail } : {}) }),
  };
}

/** Claims for the report: strings, numbers and booleans (arrays of strings joined), cut to length; never the raw token. */
function reportClaims(claims: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims).slice(0, MAX_CLAIMS)) {
    let text: string | undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') text = String(v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) text = v.join(', ');
    else if (v !== null && v !== undefined) text = '(structured value)';
    if (text !== undefined) out[k.slice(0, 100)] = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  }
  return out;
}

/** What went wrong in a try, in words for the admin (the sign-in page shows users the generic refusal). */
function tryErrorMessage(e: OidcError): string {
  switch (e.reason) {
    case 'denied':
      return `The identity provider refused the sign-in (${e.providerError ?? 'error'}). ${e.providerError === 'invalid_client' || e.providerError === 'unauthorized_client' ? 'Check the client id.' : 'If it says the redirect URI is not allowed, register the redirect URI shown on this page exactly; otherwise check that your account is assigned to the application.'}`;
    case 'invalid':
      if (e.providerError === 'invalid_client')
        return 'The token endpoint refused the client id or secret (invalid_client). Enter the client secret again, and check that the application uses a client secret (client_secret_basic or client_secret_post).';
      if (e.providerError === 'invalid_grant')
        return 'The token endpoint refused the code (invalid_grant): usually the redirect URI registered at the provider differs from the one shown here, or the code was already used. Start the try again.';
      return `The provider’s answer failed verification: ${e.message}. Check that the application issues ID tokens signed with a key from its key set (RS256 or ES256).`;
    case 'unavailable':
      return `The provider could not be reached during the sign-in: ${e.message}.`;
    case 'state':
    case 'nonce':
      return 'The answer did not belong to this try (state or nonce mismatch). Start the try again in this browser.';
    default:
      return e.message;
  }
}

export function createOrgProviderService(deps: OrgProviderDeps) {
  const { store, signInStore, platform, sessions, sealer, activity, policy } = deps;
  const now = deps.now ?? Date.now;
  const iso = (ms = now()) => new Date(ms).toISOString();

  // Per-process cache of discovered clients, keyed by organisation and configuration version, so an
  // edit (which bumps the version in the database) is seen by every instance at once.
  const clients = new Map<string, { at: number; client: Promise<OrgOidcClient> }>();
  function clientFor(tenantId: TenantId, p: OrgOidcProviderRecord): Promise<OrgOidcClient> {
    // Everything the client is made of: a provider removed and added again restarts at version 1.
    const key = [tenantId, p.createdAt, p.configVersion, p.issuer, p.clientId, p.clientSecretSealed].join('\n');
    const hit = clients.get(key);
    if (hit && now() - hit.at < CLIENT_TTL_MS) return hit.client;
    if (clients.size >= MAX_CACHED_CLIENTS) clients.delete(clients.keys().next().value!);
    let clientSecret: string;
    try {
      clientSecret = sealer.open(p.clientSecretSealed);
    } catch (e) {
      // Sealed under a WEBHOOK_SECRET_KEY this server no longer has: not retried, not cached.
      return Promise.reject(
        new OrgOidcSetupError('The stored client secret cannot be read on this server (its WEBHOOK_SECRET_KEY changed or is not set). Enter the client secret again and save, then try again.', 'secret', { cause: e }),
      );
    }
    const made = connectOrgOidc({ issuer: p.issuer, clientId: p.clientId, clientSecret, policy });
    clients.set(key, { at: now(), client: made });
    made.catch(() => clients.delete(key));
    return made;
  }

  const redirectUriOf = (base: string, tenantId: TenantId) => `${base}/auth/org/${encodeURIComponent(tenantId)}/callback`;

  /** Subject first, then name — the rule of services/sign-in/sign-in.ts, in this organisation only. */
  async function resolve(tenantId: TenantId, ots: TenantOrgOidcStore, identity: OidcIdentity): Promise<Outcome> {
    const ts = signInStore.forTenant(tenantId);
    let deleted = false;
    const knownUser = await ots.userOfSubject(identity.subject);
    if (knownUser) {
      const user = await ts.findUser(knownUser);
      if (user) return user.active ? { kind: 'match', user, linked: true } : { kind: 'inactive', user };
      deleted = true;
    }
    const candidates: SignInCandidate[] = await ts.matchUsers(identity.names);
    const byUserName = candidates.filter((c) => c.matchedBy === 'userName');
    const pool = byUserName.length > 0 ? byUserName : candidates;
    const ids = new Set(pool.map((c) => c.id));
    if (ids.size === 0) return { kind: deleted ? 'deleted' : 'not_provisioned' };
    if (ids.size > 1) return { kind: 'ambiguous' };
    const user = pool[0]!;
    const existing = await ots.subjectOfUser(user.id);
    if (existing !== undefined && existing !== identity.subject) return { kind: 'linked_elsewhere', user };
    if (!user.active) return { kind: 'inactive', user };
    return { kind: 'match', user, linked: existing !== undefined };
  }

  async function roleOf(tenantId: TenantId, accountId: string): Promise<AccountRole> {
    const access = await signInStore.forTenant(tenantId).access(accountId);
    return access && (access.isAdmin || access.inAdminGroup) ? 'admin' : 'user';
  }

  function validateInput(raw: OrgProviderInput, existing: OrgOidcProviderRecord | undefined) {
    const label = (raw.label ?? '').trim() || 'your organisation’s sign-in';
    if (label.length > MAX_LABEL || hasControl(label)) throw new ServiceError('invalid', `The display name is at most ${MAX_LABEL} characters, on one line.`);
    const rawIssuer = (raw.issuer ?? '').trim();
    const issuer = rawIssuer.length <= MAX_ISSUER ? normaliseIssuer(rawIssuer) : undefined;
    const u = issuer ? new URL(issuer) : undefined;
    if (!issuer || !u || !(u.protocol === 'https:' || (policy.allowPrivate && u.protocol === 'http:'))) {
      throw new ServiceError('invalid', 'The issuer is the https URL of your identity provider, without a query, such as https://example.okta.com or https://sso.example.com/realms/staff (Keycloak).');
    }
    const clientId = (raw.clientId ?? '').trim();
    if (clientId === '' || clientId.length > MAX_CLIENT_ID || hasControl(clientId))
      throw new ServiceError('invalid', 'Enter the client id (also called application id) of the application you created at your identity provider.');
    const secret = raw.clientSecret ?? '';
    if (secret.length > MAX_SECRET || hasControl(secret)) throw new ServiceError('invalid', `The client secret is at most ${MAX_SECRET} characters, on one line.`);
    if (secret === '' && !existing) throw new ServiceError('invalid', 'Enter the client secret of the application (WiggleDesk signs in with a confidential client).');
    return {
      label,
      issuer,
      clientId,
      secret: secret === '' ? undefined : secret,
    };
  }

  function parseTry(p: OrgOidcProviderRecord): TryReport | undefined {
    if (!p.lastTry) return undefined;
    try {
      return JSON.parse(p.lastTry) as TryReport;
    } catch {
      return undefined;
    }
  }

  async function startFlow(
    tenantId: TenantId,
    ots: TenantOrgOidcStore,
    p: OrgOidcProviderRecord,
    purpose: OrgOidcFlowRecord['purpose'],
    redirectUri: string,
    returnTo: string | null,
    startedBy: string | null,
  ) {
    const c = await clientFor(tenantId, p);
    const request = await c.begin(redirectUri);
    const cookie = randomToken();
    const t = now();
    await ots.deleteExpiredFlows(iso(t));
    await ots.saveFlow({
      id: sessionIdOf(cookie),
      purpose,
      configVersion: p.configVersion,
      state: request.state,
      nonce: request.nonce,
      codeVerifier: request.codeVerifier,
      redirectUri,
      returnTo,
      startedBy,
      createdAt: iso(t),
      expiresAt: iso(t + ORG_FLOW_TTL_MS),
    });
    return { cookie, url: request.url };
  }

  async function orgById(raw: string): Promise<Organization | undefined> {
    if (raw.length === 0 || raw.length > 100) return undefined;
    const org = await platform.findOrganization(raw);
    return org && org.id === raw ? org : undefined;
  }

  const refusal = (reason: SignInRefusalReason, detail: string, extra: Partial<SignInRefusal> = {}): SignInRefusal => ({ reason, detail, provider: 'oidc', ...extra });

  return {
    redirectUri: redirectUriOf,

    // ------------------------------------------------------------ Console (org admins)

    async view(actor: ConsoleActor, base: string): Promise<OrgProviderView> {
      requireAdmin(actor);
      const p = await store.forTenant(actor.org.id).get();
      return {
        org: actor.org,
        redirectUri: redirectUriOf(base, actor.org.id),
        signInUrl: `${base}/auth/org/${encodeURIComponent(actor.org.id)}/start`,
        loginPageUrl: `${base}/console/login?org=${encodeURIComponent(actor.org.id)}`,
        secretsEncrypted: sealer.encrypted,
        provider: p && {
          label: p.label,
          issuer: p.issuer,
          clientId: p.clientId,
          enabled: p.enabled,
          tested: p.testedVersion === p.configVersion,
          lastTry: parseTry(p),
          updatedAt: p.updatedAt,
          updatedBy: p.updatedBy,
        },
      };
    },

    /**
     * Saves the settings after checking discovery and the key set. A new issuer, client id or
     * secret needs a new successful try (and disables the provider until then).
     */
    async save(actor: ConsoleActor, raw: OrgProviderInput): Promise<{ discovery: OrgDiscovery; needsTry: boolean }> {
      requireAdmin(actor);
      const ots = store.forTenant(actor.org.id);
      const existing = await ots.get();
      const input = validateInput(raw, existing);
      let discovery: OrgDiscovery;
      try {
        ({ discovery } = await discoverOrgProvider({
          issuer: input.issuer,
          clientId: input.clientId,
          clientSecret: input.secret ?? '',
          policy,
        }));
      } catch (e) {
        if (e instanceof OrgOidcSetupError) throw new ServiceError('invalid', e.message);
        throw e;
      }
      // The issuer exactly as the provider names it (it may end in "/"): ID tokens carry that value.
      const issuerChanged = existing !== undefined && existing.issuer !== discovery.issuer;
      const saved = await ots.save({
        label: input.label,
        issuer: discovery.issuer,
        clientId: input.clientId,
        clientSecretSealed: input.secret === undefined ? undefined : sealer.seal(input.secret),
        now: iso(),
        by: actor.account.email,
      });
      if (issuerChanged) await ots.forgetSubjects();
      const needsTry = saved.testedVersion !== saved.configVersion;
      activity.enqueue(
        actor.store,
        activityEntry(
          actor.account.email,
          '/console/sign-in-settings/org-provider',
          200,
          existing ? 'org_oidc_updated' : 'org_oidc_added',
          `${discovery.issuer} · client ${input.clientId}${input.secret ? ' · new secret' : ''}`,
        ),
      );
      return { discovery, needsTry };
    },

    /** Starts a "Try sign-in" of the current settings in the admin's browser. */
    async startTry(actor: ConsoleActor, base: string): Promise<{ cookie: string; url: string }> {
      requireAdmin(actor);
      const ots = store.forTenant(actor.org.id);
      const p = await ots.get();
      if (!p) throw new ServiceError('not_found', 'Save your identity provider’s settings first.');
      try {
        return await startFlow(actor.org.id, ots, p, 'try', redirectUriOf(base, actor.org.id), null, actor.account.id);
      } catch (e) {
        const message = e instanceof OrgOidcSetupError ? e.message : e instanceof OidcError ? tryErrorMessage(e) : undefined;
        if (!message) throw e;
        const report: TryReport = {
          ok: false,
          at: iso(),
          configVersion: p.configVersion,
          error: { reason: 'unavailable', message },
        };
        await ots.recordTry(p.configVersion, false, JSON.stringify(report), iso());
        throw new ServiceError('invalid', message);
      }
    },

    async setEnabled(actor: ConsoleActor, enabled: boolean): Promise<void> {
      requireAdmin(actor);
      const ots = store.forTenant(actor.org.id);
      const p = await ots.get();
      if (!p) throw new ServiceError('not_found', 'There is no identity provider to enable; add one first.');
      if (!(await ots.setEnabled(enabled, iso(), actor.account.email))) {
        throw new ServiceError('invalid', 'Run “Try sign-in” successfully with the current settings before enabling: the settings changed since the last successful try, or no try has succeeded yet.');
      }
      activity.enqueue(actor.store, activityEntry(actor.account.email, '/console/sign-in-settings/org-provider', 200, enabled ? 'org_oidc_enabled' : 'org_oidc_disabled', p.issuer));
    },

    async remove(actor: ConsoleActor): Promise<void> {
      requireAdmin(actor);
      const ots = store.forTenant(actor.org.id);
      const p = await ots.get();
      if (!p || !(await ots.remove())) throw new ServiceError('not_found', 'There is no identity provider to remove.');
      await ots.forgetSubjects();
      activity.enqueue(actor.store, activityEntry(actor.account.email, '/console/sign-in-settings/org-provider', 200, 'org_oidc_removed', p.issuer));
    },

    // ------------------------------------------------------------ /auth/org/:org (browsers)

    /** The sign-in page's button for /console/login?org=<id>: only while that organisation's provider is enabled. */
    async loginButton(rawOrgId: string, next: string | undefined): Promise<{ kind: string; label: string; href: string } | undefined> {
      const org = await orgById(rawOrgId);
      if (!org) return undefined;
      const p = await store.forTenant(org.id).get();
      if (!p?.enabled) return undefined;
      return { kind: 'org', label: p.label, href: `/auth/org/${encodeURIComponent(org.id)}/start${next ? `?next=${encodeURIComponent(next)}` : ''}` };
    },

    /** A user of the organisation starts signing in; refused unless the provider is enabled. */
    async startSignIn(
      rawOrgId: string,
      base: string,
      returnTo: string | undefined,
    ): Promise<{ ok: true; cookie: string; url: string; label: string } | { ok: false; refusal: SignInRefusal; label: string | undefined }> {
      const org = await orgById(rawOrgId);
      if (!org)
        return {
          ok: false,
          refusal: refusal('unknown_provider', `no organisation ${rawOrgId.slice(0, 100)}`, { provider: undefined }),
          label: undefined,
        };
      const ots = store.forTenant(org.id);
      const p = await ots.get();
      if (!p || !p.enabled)
        return {
          ok: false,
          refusal: refusal('org_not_configured', p ? 'organisation provider disabled' : 'no organisation provider'),
          label: p?.label,
        };
      try {
        const flow = await startFlow(org.id, ots, p, 'sign_in', redirectUriOf(base, org.id), returnTo ?? null, null);
        return { ok: true, ...flow, label: p.label };
      } catch (e) {
        const detail = e instanceof Error ? e.message : String(e);
        if (e instanceof OrgOidcSetupError || e instanceof OidcError)
          return {
            ok: false,
            refusal: refusal('unavailable', detail),
            label: p.label,
          };
        throw e;
      }
    },

    /** The provider's redirect back: a try (recorded for the admin) or a user's sign-in (a session). */
    async complete(
      rawOrgId: string,
      cookie: string | undefined,
      query: string,
      previousSession: string | undefined,
      // The request id on a refusal page, for the sign-in log, which wraps this (services/sign-in-log).
      _reference?: string,
    ): Promise<OrgCompleteResult | { kind: 'refused'; refusal: SignInRefusal; label: string | undefined }> {
      const refused = (r: SignInRefusal, label?: string) => ({
        kind: 'refused' as const,
        refusal: r,
        label,
      });
      const org = await orgById(rawOrgId);
      if (!org)
        return refused(
          refusal('unknown_provider', 'no such organisation', {
            provider: undefined,
          }),
        );
      const ots = store.forTenant(org.id);
      if (!cookie || cookie.length > 200) return refused(refusal('flow_missing', 'no flow cookie'));
      const flow = await ots.takeFlow(sessionIdOf(cookie));
      if (!flow) return refused(refusal('flow_missing', 'no such flow (used, expired or never started)'));
      const p = await ots.get();
      const label = p?.label;
      const t = now();

      // A try always ends on the console page with its report; a sign-in on a refusal page or a session.
      const fail = async (reason: SignInRefusalReason, message: string, detail: string): Promise<OrgCompleteResult | ReturnType<typeof refused>> => {
        if (flow.purpose === 'try') {
          const report: TryReport = {
            ok: false,
            at: iso(t),
            configVersion: flow.configVersion,
            error: { reason, message },
          };
          // Not recorded when the settings changed meanwhile: the report would describe other settings.
          const recorded = await ots.recordTry(flow.configVersion, false, JSON.stringify(report), iso(t));
          return { kind: 'tried', tenantId: org.id, ok: false, stale: !recorded };
        }
        return refused(refusal(reason, detail), label);
      };

      if (Date.parse(flow.expiresAt) <= t) return fail('flow_expired', 'More than 10 minutes passed between starting the try and coming back. Try again.', `flow started ${flow.createdAt}`);
      if (!p || p.configVersion !== flow.configVersion)
        return fail('org_not_configured', 'The settings were changed or removed while this try was under way. Try again.', 'provider changed during the flow');
      if (flow.purpose === 'sign_in' && !p.enabled) return fail('org_not_configured', '', 'provider disabled during the flow');
      const params = new URLSearchParams(query);
      if (!tokensMatch(params.get('state'), flow.state))
        return fail('state', 'The answer did not belong to this try (state mismatch). Start the try again in this browser.', 'state parameter does not match the flow');

      const callback = new URL(flow.redirectUri);
      callback.search = params.toString();
      let result;
      try {
        const c = await clientFor(org.id, p);
        result = await c.complete(callback, {
          state: flow.state,
          nonce: flow.nonce,
          codeVerifier: flow.codeVerifier,
        });
      } catch (e) {
        const err = e instanceof OidcError ? e : e instanceof OrgOidcSetupError ? new OidcError('unavailable', e.message) : new OidcError('invalid', e instanceof Error ? e.message : String(e));
        return fail(err.reason, tryErrorMessage(err), err.message);
      }
      const { identity, claims } = result;
      const outcome = await resolve(org.id, ots, identity);

      if (flow.purpose === 'try') {
        const usable = identity.names.length > 0;
        const report: TryReport = {
          ok: usable,
          at: iso(t),
          configVersion: flow.configVersion,
          claims: reportClaims(claims),
          loginName: identity.loginName,
          names: identity.names,
          ...(usable
            ? {}
            : {
                error: {
                  reason: 'no_names',
                  message:
                    'The ID token has neither preferred_username nor a verified email (email with email_verified: true), so no user could ever be matched. Release those claims to the application (the “profile” and “email” scopes).',
                },
              }),
          match: {
            outcome: outcome.kind,
            ...(outcome.user
              ? {
                  userName: outcome.user.userName,
                  displayName: outcome.user.displayName,
                  userId: outcome.user.id,
                }
              : {}),
            message: MATCH_MESSAGES[outcome.kind],
          },
        };
        const recorded = await ots.recordTry(flow.configVersion, usable, JSON.stringify(report), iso(t));
        return { kind: 'tried', tenantId: org.id, ok: usable, stale: !recorded };
      }

      const extra = {
        bindingValue: identity.bindingValue,
        loginName: identity.loginName,
      };
      // The organisation's sign-in log records matching refusals (a valid token from its provider).
      if (outcome.kind !== 'match')
        return refused(refusal(outcome.kind, `organisation provider: ${outcome.kind}`, { ...extra, tenantIds: [org.id], scimUserId: 'user' in outcome ? outcome.user?.id : undefined }), label);
      const ts = signInStore.forTenant(org.id);
      const at = iso();
      if (!outcome.linked) await ots.linkSubject(identity.subject, outcome.user.id, at);
      const accountId = await ts.ensureAccount(
        outcome.user.id,
        {
          email: outcome.user.email ?? outcome.user.userName,
          displayName: outcome.user.displayName ?? outcome.user.userName,
        },
        at,
      );
      if (previousSession) await sessions.revoke(previousSession);
      const { token } = await sessions.create(org.id, accountId);
      const role = await roleOf(org.id, accountId);
      const landing = role === 'admin' ? (flow.returnTo ?? '/console') : '/console/home';
      return {
        kind: 'sign_in',
        ok: true,
        sessionToken: token,
        landing,
        role,
        tenantId: org.id,
        scimUserId: outcome.user.id,
        userLabel: identity.loginName ?? outcome.user.email ?? outcome.user.userName,
      };
    },
  };
}

export type OrgProviderService = ReturnType<typeof createOrgProviderService>;
