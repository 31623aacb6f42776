// The encapsulated /console context: its own body parser (HTML forms only), cookies, security
// headers, HTML error pages and session hook, then three nested scopes — public (assets,
// sign-in), signed in (home, profile, sign-out), admin only (users, groups, activity, setup).
import type { FastifyPluginAsync } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { Config } from '../../config/config.js';
import type { AppServices } from '../../services/app-services.js';
import { scimBaseUrl } from '../scim/index.js';
import type { ConsoleDeps } from './context.js';
import { createHooks } from './hooks.js';
import { addSecurityHeaders } from './security-headers.js';
import { installErrorHandlers } from './errors.js';
import { assetRoutes } from './assets/index.js';
import { authRoutes } from './routes/auth-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { profileRoutes } from './routes/profile-routes.js';
import { directoryRoutes } from './routes/directory-routes.js';
import { activityRoutes } from './routes/activity-routes.js';
import { homeRoutes } from './routes/home-routes.js';
import { signInSettingsRoutes } from './routes/sign-in-settings-routes.js';
import { webhooksRoutes } from './routes/webhooks-routes.js';
import { lifecycleRoutes } from './routes/lifecycle-routes.js';
import { provisioningCredentialsRoutes } from './routes/provisioning-credentials-routes.js';
import { setStreamsRoutes } from './routes/set-streams-routes.js';
import { signInPolicyRoutes } from './routes/sign-in-policy-routes.js';
import { signInLogRoutes } from './routes/sign-in-log-routes.js';
import { accountsRoutes, changePasswordRoutes, resetPasswordRoutes } from './routes/password-routes.js';
import { orgProviderRoutes } from './routes/org-provider-routes.js';

const FORM_BODY_LIMIT = 16 * 1024;

export const consoleRoutes = (config: Config, services: AppServices): FastifyPluginAsync => async (app) => {
  const deps: ConsoleDeps = { config, services: services.console, scimBase: (request) => scimBaseUrl(config, request) };
  const hooks = createHooks(deps);

  // Forms only: JSON and text bodies are refused here (415), which also shuts out
  // cross-site "simple" requests that a form-less attacker could send.
  app.removeAllContentTypeParsers();
  await app.register(fastifyFormbody, { bodyLimit: FORM_BODY_LIMIT });
  await app.register(fastifyCookie);

  addSecurityHeaders(app);
  installErrorHandlers(app);
  app.decorateRequest('consoleActor', null);
  app.addHook('onRequest', hooks.loadActor);
  app.addHook('preHandler', hooks.checkCsrf);

  await app.register(assetRoutes);
  await app.register(authRoutes(deps, services.orgProvider));
  await app.register(resetPasswordRoutes(deps, services.passwords));

  await app.register(async (signedIn) => {
    signedIn.addHook('preHandler', hooks.requireSignedIn);
    await signedIn.register(dashboardRoutes(deps, services.bindings));
    await signedIn.register(profileRoutes(deps));
    await signedIn.register(changePasswordRoutes(deps, services.passwords));
    await signedIn.register(homeRoutes(deps, services.signIn));

    await signedIn.register(async (admin) => {
      admin.addHook('preHandler', hooks.requireAdmin);
      await admin.register(directoryRoutes(deps));
      await admin.register(activityRoutes(deps));
      await admin.register(signInSettingsRoutes(deps, services.signIn, services.bindings));
      await admin.register(lifecycleRoutes(deps));
      await admin.register(webhooksRoutes(deps, services.events.webhooks));
      await admin.register(provisioningCredentialsRoutes(deps, services.oauth));
      await admin.register(setStreamsRoutes(deps, services.sets));
      await admin.register(signInPolicyRoutes(deps, services.signInPolicy));
      await admin.register(signInLogRoutes(deps, services.signInLog));
      await admin.register(accountsRoutes(deps, services.passwords));
      await admin.register(orgProviderRoutes(deps, services.orgProvider));
    });
  });
};
