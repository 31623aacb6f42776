// Your organisation's own OpenID Connect provider (admins only; services/sign-in/org-provider).
// Writes are CSRF-checked forms that redirect back with a `done` code; a refused form re-renders
// the page with the message beside it. "Try sign-in" is a link (a GET), because a form's redirect
// to the identity provider would be blocked by the console's CSP `form-action 'self'`; it is
// refused when the browser says the navigation came from another site (Sec-Fetch-Site).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { OrgProviderService } from '../../../services/sign-in/org-provider/org-provider.js';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { requestBaseUrl } from '../../public-url.js';
import { ORG_FLOW_COOKIE_SECONDS, ORG_PROVIDER_PAGE, orgFlowCookieName } from '../../auth/org-provider-routes.js';
import { ConsoleHttpError, chromeOf, cookieOptions, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { ORG_PROVIDER_DONE, OrgProviderPage, type OrgProviderPageView } from '../views/org-provider-page.js';

export const orgProviderRoutes =
  (deps: ConsoleDeps, orgProvider: OrgProviderService): FastifyPluginAsync =>
  async (app) => {
    const { config } = deps;
    const base = (request: FastifyRequest) => requestBaseUrl(config, request);
    const render = async (request: FastifyRequest, reply: FastifyReply, extra: Pick<OrgProviderPageView, 'done' | 'error' | 'draft'>, status = 200) => {
      const actor = request.consoleActor!;
      const vm = await orgProvider.view(actor, base(request));
      return sendPage(reply, <OrgProviderPage chrome={chromeOf(actor, 'sign-in')} vm={{ ...vm, ...extra }} />, status);
    };
    const write = (form: NonNullable<OrgProviderPageView['error']>['form'], action: (request: FastifyRequest) => Promise<string>) => async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return reply.redirect(`${ORG_PROVIDER_PAGE}?done=${await action(request)}`, 303);
      } catch (e) {
        if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'not_found')) {
          const f = formOf(request);
          const draft =
            form === 'settings'
              ? {
                  label: (f.label ?? '').slice(0, 60),
                  issuer: (f.issuer ?? '').slice(0, 500),
                  clientId: (f.client_id ?? '').slice(0, 255),
                }
              : undefined;
          return render(request, reply, { error: { form, message: e.message }, draft }, e.code === 'invalid' ? 400 : 404);
        }
        throw e;
      }
    };

    app.get('/sign-in-settings/org-provider', async (request, reply) => {
      const done = queryOf(request).done;
      return render(request, reply, typeof done === 'string' && done in ORG_PROVIDER_DONE ? { done } : {});
    });

    app.post(
      '/sign-in-settings/org-provider',
      write('settings', async (request) => {
        const f = formOf(request);
        const { needsTry } = await orgProvider.save(request.consoleActor!, {
          label: f.label,
          issuer: f.issuer,
          clientId: f.client_id,
          clientSecret: f.client_secret,
        });
        return needsTry ? 'saved' : 'saved-label';
      }),
    );

    app.get('/sign-in-settings/org-provider/try', async (request, reply) => {
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        throw new ConsoleHttpError(403, 'Start the try from the console', 'A try can only be started from your identity provider page in the WiggleDesk console.');
      }
      try {
        const { cookie, url } = await orgProvider.startTry(request.consoleActor!, base(request));
        reply.setCookie(orgFlowCookieName(config.secureCookies), cookie, {
          ...cookieOptions(config.secureCookies),
          maxAge: ORG_FLOW_COOKIE_SECONDS,
        });
        return reply.redirect(url, 303);
      } catch (e) {
        if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'not_found'))
          return render(request, reply, { error: { form: 'try', message: e.message } }, e.code === 'invalid' ? 502 : 404);
        throw e;
      }
    });

    app.post(
      '/sign-in-settings/org-provider/enable',
      write('enable', async (request) => {
        await orgProvider.setEnabled(request.consoleActor!, true);
        return 'enabled';
      }),
    );
    app.post(
      '/sign-in-settings/org-provider/disable',
      write('enable', async (request) => {
        await orgProvider.setEnabled(request.consoleActor!, false);
        return 'disabled';
      }),
    );
    app.post(
      '/sign-in-settings/org-provider/remove',
      write('remove', async (request) => {
        await orgProvider.remove(request.consoleActor!);
        return 'removed';
      }),
    );
  };
