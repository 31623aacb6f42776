// /auth/org/:org/start and /auth/org/:org/callback: sign-in with an organisation's own OpenID
// Connect provider (services/sign-in/org-provider). The callback also ends an admin's "Try
// sign-in", which goes back to the console page with its report instead of signing anyone in.
// Registered inside the /auth context (its error pages, security headers and no-store).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from 'preact';
import type { Config } from '../../config/config.js';
import type { OrgProviderService } from '../../services/sign-in/org-provider/org-provider.js';
import type { SignInRefusal } from '../../services/sign-in/sign-in.js';
import { requestBaseUrl } from '../public-url.js';
import { cookieNames, cookieOptions, safeNext } from '../console/context.js';
import { sendPage } from '../console/render.js';
import { RefusalPage, refusalStatus } from './views/refusal-page.js';

/** The flow lives as long as a flow may (10 minutes). */
export const ORG_FLOW_COOKIE_SECONDS = 10 * 60;
/** One cookie for the organisation provider's flows (a try or a sign-in). */
export const orgFlowCookieName = (secure: boolean): string => `${secure ? '__Host-' : ''}wd_sso_org`;
/** Where a finished try sends the admin. */
export const ORG_PROVIDER_PAGE = '/console/sign-in-settings/org-provider';

export function registerOrgProviderRoutes(app: FastifyInstance, config: Config, orgProvider: OrgProviderService): void {
  const secure = config.secureCookies;
  const sessionCookie = cookieNames(secure).session;
  const flowCookie = orgFlowCookieName(secure);

  const refused = (request: FastifyRequest, reply: FastifyReply, refusal: SignInRefusal, label: string | undefined) => {
    request.log.info(
      {
        sso: {
          provider: 'org_oidc',
          reason: refusal.reason,
          detail: refusal.detail,
        },
      },
      'sign-in refused',
    );
    return sendPage(
      reply,
      h(RefusalPage, {
        refusal,
        providerLabel: label ?? 'your organisation’s identity provider',
        providerKind: 'oidc',
        requestId: request.id,
      }),
      refusalStatus(refusal.reason),
    );
  };

  app.get<{ Params: { org: string } }>('/org/:org/start', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown> | undefined)?.next);
    const result = await orgProvider.startSignIn(request.params.org, requestBaseUrl(config, request), next);
    if (!result.ok) return refused(request, reply, result.refusal, result.label);
    reply.setCookie(flowCookie, result.cookie, {
      ...cookieOptions(secure),
      maxAge: ORG_FLOW_COOKIE_SECONDS,
    });
    return reply.redirect(result.url, 303);
  });

  app.get<{ Params: { org: string } }>('/org/:org/callback', async (request, reply) => {
    const raw = request.raw.url ?? '';
    const q = raw.indexOf('?');
    const result = await orgProvider.complete(request.params.org, request.cookies[flowCookie], q < 0 ? '' : raw.slice(q + 1), request.cookies[sessionCookie], request.id);
    // A flow is single-use whatever happened.
    reply.clearCookie(flowCookie, cookieOptions(secure));
    if (result.kind === 'refused') return refused(request, reply, result.refusal, result.label);
    if (result.kind === 'tried') return reply.redirect(`${ORG_PROVIDER_PAGE}?done=${result.stale ? 'try-stale' : result.ok ? 'try-ok' : 'try-failed'}#try-result`, 303);
    if (!result.ok) return refused(request, reply, result.refusal, undefined);
    request.log.info(
      {
        sso: {
          provider: 'org_oidc',
          tenant: result.tenantId,
          user: result.scimUserId,
          role: result.role,
        },
      },
      'signed in with SSO',
    );
    reply.setCookie(sessionCookie, result.sessionToken, cookieOptions(secure));
    return reply.redirect(result.landing, 303);
  });
}
