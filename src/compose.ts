// The composition root's wiring, shared by `serve`, the CLI and the tests: config → database →
// migrations → stores → services. Only this file (and test/support) builds concrete storage.
import type { Config } from './config/config.js';
import { createDb, type DbHandle } from './storage/dialects/create-db.js';
import { migrateToLatest } from './storage/migrations/migrate.js';
import { createPlatformStore } from './storage/kysely/platform-store.js';
import { createOrganizationService, createApiKeyService } from './services/organizations/organizations.js';
import { createActivityRecorder } from './services/activity/activity.js';
import { createScimResourceService } from './services/scim/scim-resources.js';
import { createBulkService } from './services/scim/bulk.js';
import { DEFAULT_SCIM_LIMITS, type ScimLimits } from './scim/limits.js';
import { createConsoleStore } from './storage/kysely/console-store.js';
import { createConsoleServices } from './services/console/console.js';
import type { AppServices } from './services/app-services.js';
import type { CredentialWatch } from './storage/ports.js';
import { createSignInStore } from './storage/kysely/sign-in-store.js';
import { createSignInService } from './services/sign-in/sign-in.js';
import { createSignInLog } from './services/sign-in-log/sign-in-log.js';
import { createPasswordService } from './services/passwords/passwords.js';
import { createPasswordStore } from './storage/kysely/password-store.js';
import { createSignInLogRepo } from './storage/kysely/sign-in-log-repo.js';
import { createBindingService } from './services/sign-in/bindings/bindings.js';
import { createBindingStore } from './storage/kysely/binding-proof-repo.js';
import { createDnsTxtResolver, type TxtResolver } from './outbound/dns-txt.js';
import type { SqlWorkLimits } from './storage/kysely/sql-work.js';
import { createSessionManager } from './auth/session.js';
import { createOidcClient } from './auth/oidc.js';
import { createUserLifecycle } from './services/lifecycle/lifecycle.js';
import { createLifecycleJobStore } from './storage/kysely/lifecycle-repo.js';
import { systemClock, type Clock } from './domain/clock.js';
import { createSetStreamsRepo } from './storage/kysely/set-streams-repo.js';
import { createSetStreamService, type SetEventSource } from './services/sets/set-streams.js';
import { createOutboxSetSource } from './services/sets/outbox-source.js';
import { createOAuthStore, createSignInPolicyStore } from './storage/kysely/oauth-repo.js';
import { createSignInPolicyService } from './services/sign-in/sign-in-policy.js';
import { createOAuthService } from './services/oauth/oauth-service.js';
import { createJwksCache } from './services/oauth/jwks-cache.js';
import { createEventsServices } from './services/events/events.js';
import { DEFAULT_OUTBOUND_POLICY } from './outbound/outbound-request.js';
import { createOrgOidcStore } from './storage/kysely/org-oidc-repo.js';
import { createOrgProviderService } from './services/sign-in/org-provider/org-provider.js';
import { createSecretSealer } from './services/webhooks/secrets.js';

export interface Composition {
  readonly db: DbHandle;
  readonly services: AppServices;
  close(): Promise<void>;
}

export interface ComposeOptions {
  readonly migrate?: boolean;
  readonly limits?: ScimLimits;
  readonly onBackgroundError?: (e: unknown) => void;
  /** The clock of time-dependent credentials (OAuth secrets, tokens, assertions), SET and webhook delivery retries; tests inject one. */
  readonly now?: () => number;
  /** Webhook retry jitter; tests make it predictable. */
  readonly random?: () => number;
  /** The clock of the user lifecycle (retention, purge); tests inject one. */
  readonly clock?: Clock;
  /** Tests: feed SET streams from a controlled outbox. */
  readonly setEventSource?: SetEventSource;
  /** DNS TXT look-ups of binding challenges; tests inject one (never real DNS). */
  readonly txtResolver?: TxtResolver;
  /** The work bound of console searches (tests lower it); default DEFAULT_SQL_WORK, as for SCIM filters. */
  readonly consoleSqlWork?: SqlWorkLimits;
  /** `serve`: SQLite WAL checkpoints in a worker thread (storage/dialects/wal-checkpointer.ts). */
  readonly backgroundCheckpoints?: boolean;
}

export async function compose(config: Config, options: ComposeOptions = {}): Promise<Composition> {
  const db = createDb(config.database, { backgroundCheckpoints: options.backgroundCheckpoints, onBackgroundError: options.onBackgroundError });
  try {
    if (options.migrate !== false) await migrateToLatest(db.db as never, db.dialect);
  } catch (e) {
    await db.close();
    throw e;
  }
  // Planner statistics (SQLite): now, and every minute while the data grows.
  db.optimize();
  const optimizer = setInterval(() => {
    try {
      db.optimize();
    } catch (e) {
      options.onBackgroundError?.(e);
    }
  }, 60_000);
  optimizer.unref();
  const platform = createPlatformStore(db.db, db.dialect);
  // Credential changes on any instance (bearer-key cache). Opened on first use: the CLI never listens.
  let watch: CredentialWatch | undefined;
  const credentials: CredentialWatch = {
    epoch: () => (watch ??= db.credentials()).epoch(),
    settle: () => watch?.settle() ?? Promise.resolve(),
  };
  const limits = options.limits ?? DEFAULT_SCIM_LIMITS;
  const activity = createActivityRecorder({ onError: options.onBackgroundError ?? (() => {}) });
  const apiKeys = createApiKeyService(credentials);
  const lifecycle = createUserLifecycle({ clock: options.clock ?? systemClock, jobs: createLifecycleJobStore(db.db, db.compact), platform, limits });
  const users = createScimResourceService('User', limits, lifecycle.hooks);
  const groups = createScimResourceService('Group', limits);
  const consoleStore = createConsoleStore(db.db, db.dialect, options.consoleSqlWork);
  const consoleServices = createConsoleServices({ platform, store: consoleStore, apiKeys, users, groups, lifecycle });
  const signInLog = createSignInLog({ store: createSignInLogRepo(db.db), ...(options.now ? { now: options.now } : {}), ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}) });
  const oidcClients = config.sso.providers.map((p) => createOidcClient({ ...p, allowInsecureHttp: config.sso.allowInsecureHttp }));
  const graceDays = config.sso.unverifiedBindingGraceDays;
  const unverifiedGraceMs = graceDays === undefined ? undefined : graceDays * 86_400_000;
  const signInStore = createSignInStore(db.db, db.dialect);
  const ssoSessions = createSessionManager(consoleStore.sessions, consoleServices.sessionPolicy);
  const signIn = createSignInService({
    store: signInStore,
    sessions: ssoSessions,
    providers: oidcClients,
    allowInsecureHttp: config.sso.allowInsecureHttp,
    unverifiedGraceMs,
    ...(options.now ? { now: options.now } : {}),
  });
  const bindings = createBindingService({
    store: createBindingStore(db.db, db.dialect),
    platform,
    providers: oidcClients,
    resolver: options.txtResolver ?? createDnsTxtResolver({ servers: config.sso.bindingDnsServers }),
    allowInsecureHttp: config.sso.allowInsecureHttp,
    unverifiedGraceMs,
    ...(options.now ? { now: options.now } : {}),
  });
  const now = options.now ?? Date.now;
  const oauth = createOAuthService({
    platform,
    store: createOAuthStore(db.db, db.dialect),
    activity,
    jwks: createJwksCache({ policy: { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: config.allowPrivateTargets }, now, onRefreshError: (_url, e) => options.onBackgroundError?.(e) }),
    now,
    tokenMinutes: config.oauth.accessTokenMinutes,
    credentials,
    allowHttpJwks: config.allowPrivateTargets,
    ...(options.onBackgroundError ? { onBackgroundError: options.onBackgroundError } : {}),
  });
  const signInPolicy = createSignInPolicyService({ store: createSignInPolicyStore(db.db), platform, activity });
  const setStore = createSetStreamsRepo(db.db, db.dialect);
  const services: AppServices = {
    platform,
    limits,
    organizations: createOrganizationService(platform, credentials),
    credentials,
    apiKeys,
    activity,
    users,
    groups,
    bulk: createBulkService({ users, groups, limits, activity }),
    // SSO sessions are console sessions: guard() ends them once the SCIM user is gone or inactive
    // and gives SSO accounts their role (admin flag or admin group) on every request.
    // Enforce SSO: password sign-in refused for all but break-glass admins of an organisation that enforces it.
    // The sign-in log wraps the outermost guard, so it records each attempt's final outcome.
    console: { ...consoleServices, auth: signIn.guard(signInLog.wrapPassword(signInPolicy.guard(consoleServices.auth))) },
    signIn: signInLog.wrapSso(signIn),
    signInLog,
    passwords: createPasswordService({ store: createPasswordStore(db.db), platform, activity, ...(options.now ? { now: options.now } : {}) }),
    bindings,
    lifecycle,
    oauth,
    events: createEventsServices({
      platform,
      retentionDays: config.events.retentionDays,
      webhookSecretKey: config.events.webhookSecretKey?.reveal(),
      policy: { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: config.allowPrivateTargets },
      now,
      ...(options.random ? { random: options.random } : {}),
      ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}),
    }),
    signInPolicy,
    orgProvider: signInLog.wrapOrgProvider(createOrgProviderService({
      store: createOrgOidcStore(db.db, db.dialect),
      signInStore,
      platform,
      sessions: ssoSessions,
      // The client secret is needed for the code exchange: sealed like webhook secrets, not hashed.
      sealer: createSecretSealer(config.events.webhookSecretKey?.reveal()),
      activity,
      policy: { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: config.allowPrivateTargets },
    })),
    sets: createSetStreamService({
      store: setStore,
      // SET streams read the same outbox as the Events API and webhooks.
      source: options.setEventSource ?? createOutboxSetSource(platform, setStore),
      baseUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
      outbound: { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: config.allowPrivateTargets },
      ...(options.now ? { now: ((clock: () => number) => () => new Date(clock()))(options.now) } : {}),
    }),
  };
  return {
    db,
    services,
    async close() {
      clearInterval(optimizer);
      await activity.close();
      await db.close();
    },
  };
}
