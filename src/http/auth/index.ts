// The encapsulated /auth context, a sibling of /scim/v2 and /console: OpenID Connect start and
// callback routes for sign-in with Microsoft, Google and a generic provider, with its own HTML
// refusal and error pages. No session is needed here; a successful callback starts a console
// session (the same cookie as password sign-in) and sends the browser on.
import { requestBaseUrl } from '../public-url.js';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { h } from 'preact';
import type { Config } from '../../config/config.js';
import type { AppServices } from '../../services/app-services.js';
import type { SignInRefusal } from '../../services/sign-in/sign-in.js';
import { cookieNames, cookieOptions, safeNext } from '../console/context.js';
import { addSecurityHeaders } from '../console/security-headers.js';
import { sendPage } from '../console/render.js';
import { ErrorPage } from '../console/views/error-page.js';
import { RefusalPage, refusalStatus } from './views/refusal-page.js';
import { registerOrgProviderRoutes } from './org-provider-routes.js';

/** The flow cookie lives as long as a flow may (10 minutes). */
const FLOW_COOKIE_SECONDS = 10 * 60;

/** One flow cookie per provider, so a Microsoft and a Google sign-in started side by side do not end each other. */
export const flowCookieName = (secure: boolean, provider: string): string => `${secure ? '__Host-' : ''}wd_sso_${provider.replace(/[^a-z]/g, '')}`;

export const authRoutes = (config: Config, services: AppServices): FastifyPluginAsync => async (app) => {
  const secure = config.secureCookies;
  const sessionCookie = cookieNames(secure).session;
  const signIn = services.signIn;
  const labels = new Map(signIn.providers().map((p) => [p.kind as string, p.label]));
  const baseUrl = (request: FastifyRequest) => requestBaseUrl(config, request);

  // Only GET routes live here: no body is ever parsed.
  app.removeAllContentTypeParsers();
  await app.register(fastifyCookie);
  addSecurityHeaders(app);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendPage(reply, h(ErrorPage, { status, title: 'Request refused', message: 'The request could not be processed. Go back and try again.', chrome: undefined }), status);
    }
    request.log.error({ err: error }, 'sign-in request failed');
    return sendPage(
      reply,
      h(ErrorPage, { status: 500, title: 'Something went wrong', message: 'WiggleDesk could not complete the sign-in. Try again in a moment; if it keeps happening, contact support with the reference below.', requestId: request.id, chrome: undefined }),
      500,
    );
  });
  app.setNotFoundHandler((_request, reply) => sendPage(reply, h(ErrorPage, { status: 404, title: 'Page not found', message: 'There is no sign-in page at this address.', chrome: undefined }), 404));

  const refused = (request: FastifyRequest, reply: FastifyReply, refusal: SignInRefusal) => {
    request.log.info({ sso: { provider: refusal.provider, reason: refusal.reason, detail: refusal.detail } }, 'sign-in refused');
    const label = refusal.provider ? labels.get(refusal.provider) : undefined;
    return sendPage(reply, h(RefusalPage, { refusal, providerLabel: label, providerKind: refusal.provider, requestId: request.id }), refusalStatus(refusal.reason));
  };

  // An organisation's own OpenID Connect provider: /auth/org/:org/start and /callback.
  registerOrgProviderRoutes(app, config, services.orgProvider);

  app.get<{ Params: { provider: string }; Querystring: Record<string, unknown> }>('/:provider/start', async (request, reply) => {
    const { provider } = request.params;
    const next = safeNext((request.query as Record<string, unknown> | undefined)?.next);
    const result = await signIn.startFlow(provider, `${baseUrl(request)}/auth/${encodeURIComponent(provider)}/callback`, next);
    if (!result.ok) return refused(request, reply, result.refusal);
    reply.setCookie(flowCookieName(secure, provider), result.cookie, { ...cookieOptions(secure), maxAge: FLOW_COOKIE_SECONDS });
    return reply.redirect(result.url, 303);
  });

  app.get<{ Params: { provider: string } }>('/:provider/callback', async (request, reply) => {
    const raw = request.raw.url ?? '';
    const q = raw.indexOf('?');
    const flowCookie = flowCookieName(secure, request.params.provider);
    const result = await signIn.completeFlow(request.params.provider, request.cookies[flowCookie], q < 0 ? '' : raw.slice(q + 1), request.cookies[sessionCookie], request.id);
    // A flow is single-use whatever happened.
    reply.clearCookie(flowCookie, cookieOptions(secure));
    // A refusal leaves any session this browser already has as it was.
    if (!result.ok) return refused(request, reply, result.refusal);
    request.log.info({ sso: { provider: request.params.provider, tenant: result.tenantId, user: result.scimUserId, role: result.role } }, 'signed in with SSO');
    reply.setCookie(sessionCookie, result.sessionToken, cookieOptions(secure));
    return reply.redirect(result.landing, 303);
  });
};
