// Sign in and sign out. The sign-in form is CSRF-protected before any session exists with a
// login cookie (double submit) plus the Sec-Fetch-Site check; failures answer one generic
// message, and throttled attempts a 429 with Retry-After.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { randomToken } from '../../../auth/session.js';
import { cookieNames, cookieOptions, formOf, landingFor, queryOf, safeNext, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { LoginPage } from '../views/login-page.js';
import { SSO_REQUIRED_MESSAGE } from '../../../services/sign-in/sign-in-policy.js';
import type { OrgProviderService } from '../../../services/sign-in/org-provider/org-provider.js';
import type { SsoButton } from '../../auth/views/sso-buttons.js';

const INVALID = 'The email or password is incorrect.';
const DEPROVISIONED = 'Your account has been deactivated or removed by your organisation. Ask your IT admin if you still need access.';

/** `orgProvider`: /console/login?org=<organisation id> also offers that organisation's own identity provider, when enabled. */
export const authRoutes = (deps: ConsoleDeps, orgProvider?: OrgProviderService): FastifyPluginAsync => async (app) => {
  const secure = deps.config.secureCookies;
  const names = cookieNames(secure);

  /** The login form's token: the browser's login cookie, created when missing. */
  const loginToken = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[names.login];
    if (existing && /^[\w-]{43}$/.test(existing)) return existing;
    const token = randomToken();
    reply.setCookie(names.login, token, { ...cookieOptions(secure), maxAge: 60 * 60 });
    return token;
  };

  const page = (request: FastifyRequest, reply: FastifyReply, vm: { email: string; next: string; error?: string; notice?: string; orgButton?: SsoButton | undefined }, status = 200) =>
    sendPage(
      reply,
      <LoginPage csrfToken={loginToken(request, reply)} email={vm.email} next={vm.next} error={vm.error} notice={vm.notice} sso={vm.orgButton ? [vm.orgButton, ...deps.config.sso.providers] : deps.config.sso.providers} />,
      status,
    );

  app.get('/login', async (request, reply) => {
    if (request.consoleActor) return reply.redirect(landingFor(request.consoleActor), 303);
    const q = queryOf(request);
    const next = safeNext(q.next) ?? '';
    const orgButton = typeof q.org === 'string' && orgProvider ? await orgProvider.loginButton(q.org, next || undefined) : undefined;
    return page(request, reply, { email: '', next, orgButton, ...(q.signedout === '1' ? { notice: 'You have signed out.' } : q.passwordset === '1' ? { notice: 'Your password is set. Sign in with it.' } : {}) });
  });

  app.post('/login', { config: { csrf: 'login' } }, async (request, reply) => {
    const form = formOf(request);
    const email = (form.email ?? '').trim().slice(0, 320);
    const next = safeNext(form.next) ?? '';
    const result = await deps.services.auth.signIn({ email, password: form.password ?? '', address: request.ip, reference: request.id });
    if (!result.ok) {
      if (result.reason === 'throttled') {
        reply.header('retry-after', String(result.retryAfterSeconds));
        const minutes = Math.max(1, Math.ceil(result.retryAfterSeconds / 60));
        return page(request, reply, { email, next, error: `Too many sign-in attempts. Wait ${minutes} minute${minutes === 1 ? '' : 's'}, then try again.` }, 429);
      }
      if (result.reason === 'sso_required') return page(request, reply, { email, next, error: SSO_REQUIRED_MESSAGE }, 403);
      if (result.reason === 'deprovisioned') return page(request, reply, { email, next, error: DEPROVISIONED }, 403);
      return page(request, reply, { email, next, error: INVALID }, 401);
    }
    // A fresh session on every sign-in (no fixation); the previous one, if any, ends.
    await deps.services.auth.signOut(request.cookies[names.session]);
    reply.setCookie(names.session, result.token, cookieOptions(secure));
    reply.clearCookie(names.login, cookieOptions(secure));
    const target = result.account.role === 'admin' && next ? next : landingFor({ account: result.account });
    return reply.redirect(target, 303);
  });

  app.post('/logout', async (request, reply) => {
    await deps.services.auth.signOut(request.cookies[names.session]);
    reply.clearCookie(names.session, cookieOptions(secure));
    return reply.redirect('/console/login?signedout=1', 303);
  });
};
