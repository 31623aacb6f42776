// Proven, exclusive sign-in bindings (issue #18; docs/security.md "Sign-in bindings").
//
// A binding says "sign-ins from this Microsoft Entra tenant / Google Workspace domain / OpenID
// issuer belong to this organisation". Because whoever holds it decides where those people sign
// in, a binding is made only after proof of control, and one value belongs to one organisation
// at a time (a UNIQUE index, see storage/kysely/binding-proof-repo.ts):
//
//  - Microsoft tenant: an admin of the organisation signs in, during the binding, with a
//    Microsoft account of that tenant whose ID token lists an admin directory role in `wids`
//    (Global, Privileged Role, Application or Cloud Application Administrator). The tenant bound
//    is the token's `tid`: nothing typed, so nothing to mistype or to lie about.
//  - Google Workspace domain: a DNS TXT record `wiggledesk-verification=<token>` at
//    `_wiggledesk-challenge.<domain>` (the token is random per organisation and domain; only
//    someone who controls the domain's DNS can publish it).
//  - OpenID issuer: an admin signs in through that issuer during the binding (an issuer such as
//    https://example.okta.com is one customer's own tenant of the provider).
//  - The operator: `wiggledesk binding move`, after checking ownership out of band (support).
//
// A proof beats an unproven binding (one made before proofs existed, or lost in migration 0015's
// duplicate resolution): that binding becomes a conflict and its links end. A proven binding is
// never displaced by an organisation; the refusal says how to reach support.
//
// Links follow the binding: a user's remembered sign-in records the binding it came through and
// ends when that binding is removed or moves (and that user's SSO sessions with it). The link
// never decides which organisation a sign-in goes to.
import { randomBytes } from 'node:crypto';
import type { ActivityEntry, BindingChallengeRecord, BindingRecord, BindingStore, PlatformStore, SignInLinkRow, SignInProvider } from '../../../storage/ports.js';
import type { TenantId } from '../../../domain/ids.js';
import { randomToken, sessionIdOf, tokensMatch } from '../../../auth/session.js';
import { OidcError, type OidcClient, type OidcIdentity } from '../../../auth/oidc.js';
import { ServiceError } from '../../organizations/organizations.js';
import { requireAdmin, type ConsoleActor } from '../../console/console-auth.js';
import { normaliseBinding, providerOf } from './binding-values.js';

/** The TXT record's owner name: `_wiggledesk-challenge.<domain>`. */
export const CHALLENGE_LABEL = '_wiggledesk-challenge';
/** The TXT record's value prefix: `wiggledesk-verification=<token>`. */
export const CHALLENGE_PREFIX = 'wiggledesk-verification=';
export const PROOF_TTL_MS = 10 * 60 * 1000;
const MAX_BINDINGS_PER_PROVIDER = 50;

/**
 * Entra built-in roles that can administer the tenant's enterprise applications (role template
 * ids, the values of the `wids` claim). Any one proves the signer may bind the tenant.
 */
export const ENTRA_ADMIN_ROLES: Readonly<Record<string, string>> = Object.freeze({
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
});

export const SUPPORT_MESSAGE = (value: string) =>
  `${value} is already bound to another WiggleDesk organisation, which proved it controls it. If it belongs to your organisation, write to support@wiggledesk.com from an address of that domain or tenant, with your organisation name and this value; support can move the binding after checking who owns it.`;

export interface TxtResolverPort {
  resolveTxt(name: string): Promise<string[][]>;
}

export interface BindingServiceDeps {
  readonly store: BindingStore;
  readonly platform: PlatformStore;
  readonly providers: readonly OidcClient[];
  readonly resolver: TxtResolverPort;
  readonly allowInsecureHttp?: boolean;
  /** How long unverified bindings keep routing sign-ins; undefined: until proven or removed. */
  readonly unverifiedGraceMs?: number | undefined;
  readonly now?: () => number;
}

export interface BindingChallengeView extends BindingChallengeRecord {
  /** Publish this TXT record… */
  readonly recordName: string;
  /** …with this value. */
  readonly recordValue: string;
}

export interface BindingsOverview {
  readonly bindings: readonly BindingRecord[];
  readonly challenges: readonly BindingChallengeView[];
  /** Unverified bindings, and when they stop routing sign-ins (undefined: no grace period set). */
  readonly unverified: { readonly count: number; readonly disabledAt: string | undefined; readonly disabled: boolean };
  readonly conflicts: number;
  /** Providers an admin can prove by signing in (configured on this server). */
  readonly signInProof: readonly SignInProvider[];
}

export type ProofResult =
  | { readonly ok: true; readonly provider: SignInProvider; readonly value: string; readonly already: boolean; readonly displaced: boolean }
  | { readonly ok: false; readonly reason: 'flow' | 'not_admin' | 'held' | 'invalid' | 'denied' | 'unavailable'; readonly message: string };

const entry = (path: string, status: number, actor: string, event: string, detail: Record<string, unknown>): ActivityEntry => ({
  at: new Date().toISOString(),
  keyId: null,
  actor,
  method: path.startsWith('wiggledesk ') ? 'CLI' : 'POST',
  path,
  status,
  scimType: null,
  durationMs: 0,
  resourceType: null,
  resourceId: null,
  summary: JSON.stringify({ event, ...detail }),
});

export function createBindingService(deps: BindingServiceDeps) {
  const { store, platform, resolver } = deps;
  const now = deps.now ?? Date.now;
  const iso = (ms = now()) => new Date(ms).toISOString();
  const providers = new Map(deps.providers.map((p) => [p.kind as SignInProvider, p]));
  const normalise = (provider: SignInProvider, raw: string) => normaliseBinding(provider, raw, { allowInsecureHttp: deps.allowInsecureHttp });

  const recordName = (value: string) => `${CHALLENGE_LABEL}.${value}`;
  const view = (c: BindingChallengeRecord): BindingChallengeView => ({ ...c, recordName: recordName(c.value), recordValue: `${CHALLENGE_PREFIX}${c.token}` });

  async function logBoth(path: string, actor: string, event: string, detail: Record<string, unknown>, tenants: ReadonlyArray<TenantId | undefined>) {
    for (const t of new Set(tenants.filter((x): x is TenantId => x !== undefined))) await store.log(t, entry(path, 200, actor, event, detail));
  }

  async function ensureRoom(tenantId: TenantId, provider: SignInProvider, value: string) {
    const mine = (await store.listForTenant(tenantId)).filter((b) => b.provider === provider);
    if (mine.length >= MAX_BINDINGS_PER_PROVIDER && !mine.some((b) => b.value === value)) throw new ServiceError('invalid', `At most ${MAX_BINDINGS_PER_PROVIDER} values per provider.`);
  }

  /** Claims a proven value for the organisation; refusal when another one holds it proven. */
  async function claim(tenantId: TenantId, provider: SignInProvider, value: string, method: string, verifiedBy: string, actor: string, path: string) {
    const outcome = await store.claim(tenantId, provider, value, { method, verifiedBy, at: iso() });
    if (!outcome.ok) {
      await store.log(tenantId, entry(path, 409, actor, 'binding_refused', { provider, value, method, reason: 'held_by_another_organisation' }));
      return outcome;
    }
    await store.log(tenantId, entry(path, 200, actor, outcome.already ? 'binding_reverified' : 'binding_verified', { provider, value, method, verifiedBy }));
    if (outcome.displaced) await store.log(outcome.displaced, entry(path, 200, 'system', 'binding_displaced', { provider, value, reason: 'another organisation proved control; this binding was never proven' }));
    return outcome;
  }

  /** What the console banner says: unproven bindings, their grace period, conflicts. */
  function bannerOf(bindings: readonly BindingRecord[]): Pick<BindingsOverview, 'unverified' | 'conflicts'> {
    const unverified = bindings.filter((b) => b.status === 'unverified');
    const grace = deps.unverifiedGraceMs;
    const since = unverified.map((b) => Date.parse(b.unverifiedSince ?? b.createdAt)).filter((n) => Number.isFinite(n));
    const disabledAtMs = grace === undefined || since.length === 0 ? undefined : Math.min(...since) + grace;
    return {
      unverified: { count: unverified.length, disabledAt: disabledAtMs === undefined ? undefined : iso(disabledAtMs), disabled: disabledAtMs !== undefined && disabledAtMs <= now() },
      conflicts: bindings.filter((b) => b.status === 'conflict').length,
    };
  }

  return {
    /** Bindings, pending challenges and the banner state for the Sign-in settings page. */
    async overview(actor: ConsoleActor): Promise<BindingsOverview> {
      requireAdmin(actor);
      const [bindings, challenges] = await Promise.all([store.listForTenant(actor.org.id), store.challenges(actor.org.id)]);
      return { bindings, challenges: challenges.map(view), ...bannerOf(bindings), signInProof: [...providers.keys()].filter((k) => k !== 'google') };
    },

    /** The banner for any admin page: undefined when every binding is proven. */
    async banner(actor: ConsoleActor): Promise<Pick<BindingsOverview, 'unverified' | 'conflicts'> | undefined> {
      if (actor.account.role !== 'admin') return undefined;
      const b = bannerOf(await store.listForTenant(actor.org.id));
      return b.unverified.count > 0 || b.conflicts > 0 ? b : undefined;
    },

    // ------------------------------------------------------------ DNS TXT challenge (domains)

    /** Starts (or shows again) the DNS challenge for a domain. */
    async requestChallenge(actor: ConsoleActor, rawProvider: string, rawValue: string): Promise<BindingChallengeView> {
      requireAdmin(actor);
      const provider = providerOf(rawProvider);
      if (provider !== 'google') throw new ServiceError('invalid', provider === 'microsoft' ? 'A Microsoft tenant is bound by signing in with Microsoft as an admin of that tenant: use “Bind with Microsoft”.' : 'An issuer is bound by signing in through it: use “Bind by signing in”.');
      const value = normalise(provider, rawValue);
      await ensureRoom(actor.org.id, provider, value);
      const holder = await store.holder(provider, value);
      if (holder?.status === 'verified' && holder.tenantId !== actor.org.id) throw new ServiceError('conflict', SUPPORT_MESSAGE(value));
      if (holder?.status === 'verified') throw new ServiceError('invalid', `${value} is already bound to your organisation and verified.`);
      await store.saveChallenge({ tenantId: actor.org.id, provider, value, token: randomBytes(24).toString('base64url'), createdAt: iso(), createdBy: actor.account.email, checkedAt: null, lastResult: null });
      const saved = await store.challenge(actor.org.id, provider, value);
      if (!saved) throw new Error('challenge not saved');
      return view(saved);
    },

    /** Looks the TXT record up; verified → the binding is the organisation's. */
    async checkChallenge(actor: ConsoleActor, rawProvider: string, rawValue: string): Promise<{ verified: true; value: string; displaced: boolean } | { verified: false; value: string; message: string }> {
      requireAdmin(actor);
      const provider = providerOf(rawProvider);
      const value = normalise(provider, rawValue);
      const challenge = await store.challenge(actor.org.id, provider, value);
      if (!challenge) throw new ServiceError('not_found', `No pending check for ${value}; add the domain again to get a record to publish.`);
      const name = recordName(value);
      const expected = `${CHALLENGE_PREFIX}${challenge.token}`;
      let records: string[][];
      try {
        records = await resolver.resolveTxt(name);
      } catch (e) {
        const message = `The DNS look-up of ${name} failed (${(e as { code?: unknown }).code ?? (e instanceof Error ? e.message : 'error')}). Try again in a few minutes.`;
        await store.noteChallengeCheck(actor.org.id, provider, value, iso(), message);
        return { verified: false, value, message };
      }
      // A TXT record may be split into several character strings (RFC 7208 §3.3 joins them the same way).
      const found = records.map((parts) => parts.join('').trim());
      if (!found.includes(expected)) {
        const message = found.length === 0 ? `No TXT record at ${name} yet. DNS changes can take a while to appear; check again later.` : `The TXT records at ${name} do not include ${expected} (found ${found.length} other record${found.length === 1 ? '' : 's'}).`;
        await store.noteChallengeCheck(actor.org.id, provider, value, iso(), message);
        return { verified: false, value, message };
      }
      const outcome = await claim(actor.org.id, provider, value, 'dns_txt', name, actor.account.email, '/console/sign-in-settings/bindings/check');
      if (!outcome.ok) throw new ServiceError('conflict', SUPPORT_MESSAGE(value));
      return { verified: true, value, displaced: outcome.displaced !== undefined };
    },

    async cancelChallenge(actor: ConsoleActor, rawProvider: string, rawValue: string): Promise<void> {
      requireAdmin(actor);
      const provider = providerOf(rawProvider);
      if (!(await store.deleteChallenge(actor.org.id, provider, rawValue.trim()))) throw new ServiceError('not_found', 'That check does not exist (any more).');
    },

    // ------------------------------------------------------------ admin sign-in proof (Microsoft, issuers)

    /** Starts the admin sign-in that proves a tenant / issuer; the cookie ties it to this browser. */
    async startProof(actor: ConsoleActor, rawProvider: string, redirectUri: string): Promise<{ cookie: string; url: string }> {
      requireAdmin(actor);
      const provider = providerOf(rawProvider);
      const client = providers.get(provider);
      if (!client || provider === 'google') throw new ServiceError('invalid', provider === 'google' ? 'A Google Workspace domain is bound with a DNS record: enter the domain.' : 'That sign-in provider is not enabled on this server.');
      let request;
      try {
        request = await client.begin(redirectUri);
      } catch (e) {
        throw new ServiceError('invalid', `${client.label} could not be reached (${e instanceof Error ? e.message : String(e)}). Try again in a moment.`);
      }
      const cookie = randomToken();
      const t = now();
      await store.saveProofFlow({
        id: sessionIdOf(cookie),
        tenantId: actor.org.id,
        accountId: actor.account.id,
        provider,
        state: request.state,
        nonce: request.nonce,
        codeVerifier: request.codeVerifier,
        redirectUri,
        createdAt: iso(t),
        expiresAt: iso(t + PROOF_TTL_MS),
      });
      return { cookie, url: request.url };
    },

    /** Finishes the proof: the same admin, in the same browser, within 10 minutes, with an admin role (Microsoft). */
    async completeProof(actor: ConsoleActor, rawProvider: string, cookie: string | undefined, query: string): Promise<ProofResult> {
      requireAdmin(actor);
      const provider = providerOf(rawProvider);
      const client = providers.get(provider);
      const path = `/console/sign-in-settings/verify/${provider}/callback`;
      if (!client || !cookie || cookie.length > 200) return { ok: false, reason: 'flow', message: 'This verification was not started in this browser (or has been used). Start it again.' };
      const flow = await store.takeProofFlow(sessionIdOf(cookie), iso());
      if (!flow || flow.provider !== provider || flow.tenantId !== actor.org.id || flow.accountId !== actor.account.id) {
        return { ok: false, reason: 'flow', message: 'This verification was not started in this browser by you (or has expired or been used). Start it again.' };
      }
      if (Date.parse(flow.expiresAt) <= now()) return { ok: false, reason: 'flow', message: 'This verification took more than 10 minutes. Start it again.' };
      const params = new URLSearchParams(query);
      if (!tokensMatch(params.get('state'), flow.state)) return { ok: false, reason: 'flow', message: 'The answer from the sign-in provider does not belong to this verification. Start it again.' };
      const callback = new URL(flow.redirectUri);
      callback.search = params.toString();
      let identity: OidcIdentity;
      try {
        identity = await client.complete(callback, { state: flow.state, nonce: flow.nonce, codeVerifier: flow.codeVerifier });
      } catch (e) {
        const err = e instanceof OidcError ? e : new OidcError('invalid', e instanceof Error ? e.message : String(e));
        const reason = err.reason === 'denied' ? 'denied' : err.reason === 'unavailable' ? 'unavailable' : 'invalid';
        return { ok: false, reason, message: reason === 'denied' ? 'The sign-in was cancelled or refused by the provider.' : reason === 'unavailable' ? `${client.label} could not be reached. Try again in a moment.` : 'The sign-in provider’s answer failed validation. Start again.' };
      }
      const value = identity.bindingValue;
      if (!value) return { ok: false, reason: 'invalid', message: 'That account does not belong to an organisation’s tenant.' };
      let method: string;
      if (provider === 'microsoft') {
        const roles = (identity.directoryRoles ?? []).filter((r) => r in ENTRA_ADMIN_ROLES);
        if (roles.length === 0) {
          await store.log(actor.org.id, entry(path, 403, actor.account.email, 'binding_refused', { provider, value, reason: 'not_an_entra_admin', signedInAs: identity.loginName ?? null }));
          return {
            ok: false,
            reason: 'not_admin',
            message: `${identity.loginName ?? 'That account'} holds none of the Entra roles that prove control of tenant ${value} (${Object.values(ENTRA_ADMIN_ROLES).join(', ')}). Sign in with an admin of that tenant; if the roles are assigned, ask your operator whether the app registration emits directory roles (groupMembershipClaims).`,
          };
        }
        method = 'entra_admin';
      } else {
        method = 'issuer_sign_in';
      }
      await ensureRoom(actor.org.id, provider, value);
      const outcome = await claim(actor.org.id, provider, value, method, identity.loginName ?? identity.subject, actor.account.email, path);
      if (!outcome.ok) return { ok: false, reason: 'held', message: SUPPORT_MESSAGE(value) };
      return { ok: true, provider, value, already: outcome.already, displaced: outcome.displaced !== undefined };
    },

    // ------------------------------------------------------------ removal and links (org admins)

    async remove(actor: ConsoleActor, rawProvider: string, rawValue: string): Promise<{ linksEnded: number }> {
      requireAdmin(actor);
      const provider = providerOf(rawProvider);
      const r = await store.remove(actor.org.id, provider, rawValue.trim());
      if (!r.removed) throw new ServiceError('not_found', 'That binding does not exist (any more).');
      await store.log(actor.org.id, entry('/console/sign-in-settings/bindings/remove', 200, actor.account.email, 'binding_removed', { provider, value: rawValue.trim(), linksEnded: r.linksEnded }));
      return r;
    },

    async links(actor: ConsoleActor, page: number, pageSize = 50): Promise<{ total: number; rows: SignInLinkRow[]; page: number; pageCount: number }> {
      requireAdmin(actor);
      const p = Number.isInteger(page) && page > 0 ? Math.min(page, 10_000) : 1;
      const r = await store.links(actor.org.id, { limit: pageSize, offset: (p - 1) * pageSize });
      return { ...r, page: p, pageCount: Math.max(1, Math.ceil(r.total / pageSize)) };
    },

    async removeLink(actor: ConsoleActor, rawProvider: string, subject: string): Promise<void> {
      requireAdmin(actor);
      // The organisation's own OpenID provider (issue #17) links its users under `org_oidc`.
      const provider = rawProvider === 'org_oidc' ? rawProvider : providerOf(rawProvider);
      if (!(await store.removeLink(actor.org.id, provider, subject.slice(0, 1000)))) throw new ServiceError('not_found', 'That linked sign-in does not exist (any more).');
      await store.log(actor.org.id, entry('/console/sign-in-settings/links/remove', 200, actor.account.email, 'sign_in_link_removed', { provider }));
    },

    // ------------------------------------------------------------ operator (CLI)

    /** `wiggledesk binding move <provider> <value> --to <org>`: logged in both organisations. */
    async move(rawProvider: string, rawValue: string, toOrg: string, operator: string, reason: string | undefined): Promise<{ provider: SignInProvider; value: string; from: TenantId | undefined; to: TenantId; linksEnded: number }> {
      const provider = providerOf(rawProvider);
      const value = normalise(provider, rawValue);
      const org = await platform.findOrganization(toOrg);
      if (!org) throw new ServiceError('not_found', `No organisation with id or name "${toOrg}"`);
      const r = await store.move(provider, value, org.id, iso(), operator);
      await store.deleteChallenge(org.id, provider, value);
      await logBoth(`wiggledesk binding move`, operator, 'binding_moved', { provider, value, from: r.from ?? null, to: org.id, linksEnded: r.linksEnded, ...(reason ? { reason: reason.slice(0, 300) } : {}) }, [r.from, org.id]);
      return { provider, value, from: r.from, to: org.id, linksEnded: r.linksEnded };
    },

    async list(): Promise<BindingRecord[]> {
      return store.listAll(10_000);
    },
  };
}

export type BindingService = ReturnType<typeof createBindingService>;
