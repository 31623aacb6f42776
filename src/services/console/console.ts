// The console's use cases, wired once by the composition root and handed to the HTTP layer.
import type { ConsoleStore, PlatformStore } from '../../storage/ports.js';
import { createSessionManager, DEFAULT_SESSION_POLICY, type SessionPolicy } from '../../auth/session.js';
import type { createApiKeyService } from '../organizations/organizations.js';
import type { ScimResourceService } from '../scim/scim-resources.js';
import { createConsoleAuth } from './console-auth.js';
import { createLoginThrottle, DEFAULT_THROTTLE_POLICY, type ThrottlePolicy } from './console-throttle.js';
import { createConsoleProfile } from './console-profile.js';
import { createConsoleUsers } from './console-users.js';
import { createConsoleGroups } from './console-groups.js';
import { createConsoleActivity } from './console-activity.js';
import { createIdpProfiles } from './idp-profile.js';
import { createConsoleLifecycle } from './console-lifecycle.js';
import type { UserLifecycle } from '../lifecycle/lifecycle.js';

export interface ConsoleServiceDeps {
  readonly platform: PlatformStore;
  readonly store: ConsoleStore;
  readonly apiKeys: ReturnType<typeof createApiKeyService>;
  readonly users: ScimResourceService;
  readonly groups: ScimResourceService;
  readonly lifecycle: UserLifecycle;
  readonly sessionPolicy?: SessionPolicy;
  readonly throttlePolicy?: ThrottlePolicy;
}

export function createConsoleServices(deps: ConsoleServiceDeps) {
  const sessions = createSessionManager(deps.store.sessions, deps.sessionPolicy ?? DEFAULT_SESSION_POLICY);
  return {
    sessionPolicy: deps.sessionPolicy ?? DEFAULT_SESSION_POLICY,
    auth: createConsoleAuth({ platform: deps.platform, sessions, throttle: createLoginThrottle(deps.throttlePolicy ?? DEFAULT_THROTTLE_POLICY) }),
    profile: createConsoleProfile({ store: deps.store, apiKeys: deps.apiKeys }),
    users: createConsoleUsers({ store: deps.store, users: deps.users }),
    groups: createConsoleGroups({ store: deps.store, groups: deps.groups }),
    activity: createConsoleActivity({ store: deps.store }),
    /** The connected identity provider, learned from its traffic, and its configuration hints. */
    idp: createIdpProfiles({ store: deps.store }),
    lifecycle: createConsoleLifecycle({ store: deps.store, users: deps.users, lifecycle: deps.lifecycle }),
  };
}

export type ConsoleServices = ReturnType<typeof createConsoleServices>;
