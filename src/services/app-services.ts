// What the HTTP layer receives from the composition root: services, never storage internals.
import type { CredentialWatch, PlatformStore } from '../storage/ports.js';
import type { ScimLimits } from '../scim/limits.js';
import type { createOrganizationService, createApiKeyService } from './organizations/organizations.js';
import type { ActivityRecorder } from './activity/activity.js';
import type { ScimResourceService } from './scim/scim-resources.js';
import type { BulkService } from './scim/bulk.js';
import type { ConsoleServices } from './console/console.js';
import type { SignInService } from './sign-in/sign-in.js';
import type { BindingService } from './sign-in/bindings/bindings.js';
import type { UserLifecycle } from './lifecycle/lifecycle.js';
import type { SetStreamService } from './sets/set-streams.js';
import type { OAuthService } from './oauth/oauth-service.js';
import type { EventsServices } from './events/events.js';
import type { SignInPolicyService } from './sign-in/sign-in-policy.js';
import type { SignInLog } from './sign-in-log/sign-in-log.js';
import type { PasswordService } from './passwords/passwords.js';
import type { OrgProviderService } from './sign-in/org-provider/org-provider.js';

export interface AppServices {
  readonly platform: PlatformStore;
  /** Credential changes on any instance, for the bearer-credential cache (services/credentials/credential-cache.ts). */
  readonly credentials: CredentialWatch;
  readonly limits: ScimLimits;
  readonly organizations: ReturnType<typeof createOrganizationService>;
  readonly apiKeys: ReturnType<typeof createApiKeyService>;
  readonly activity: ActivityRecorder;
  readonly users: ScimResourceService;
  readonly groups: ScimResourceService;
  readonly bulk: BulkService;
  /** The admin console's use cases (sessions, profile and keys, users, groups, activity). */
  readonly console: ConsoleServices;
  /** Sign-in with Microsoft, Google and generic OIDC; settings; the signed-in home. */
  readonly signIn: SignInService;
  /** Every console sign-in attempt and refusal, per organisation (issue #17). */
  readonly signInLog: SignInLog;
  /** Password change, one-time reset links (issue #17). */
  readonly passwords: PasswordService;
  /** Proven, exclusive sign-in bindings; users' SSO links (issue #18). */
  readonly bindings: BindingService;
  /** Manual users, claims, deprovisioning policy, soft delete, restore, erasure (issue #14). */
  readonly lifecycle: UserLifecycle;
  /** SCIM security event tokens (RFC 9967): SET streams, their keys, push and poll. */
  readonly sets: SetStreamService;
  /** OAuth clients and the token endpoint for SCIM (client credentials, workload identity federation). */
  readonly oauth: OAuthService;
  /** Outbound events: the Events API, webhooks, retention (docs/events.md). */
  readonly events: EventsServices;
  /** Enforce SSO with named break-glass admins. */
  readonly signInPolicy: SignInPolicyService;
  /** An organisation's own OpenID Connect provider: settings, "Try sign-in", sign-in at /auth/org/<id>. */
  readonly orgProvider: OrgProviderService;
}
