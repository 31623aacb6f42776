// Passwords (issue #17). Signed out: /console/reset-password?token=… moves the token into a
// short-lived HttpOnly cookie and redirects to the bare path, so the token leaves the address bar,
// the history and any Referer; the form then posts with the login cookie's CSRF token. Signed in:
// change your own password. Admins: one-time reset links for the organisation's accounts.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { randomToken } from '../../../auth/session.js';
import { ConsoleHttpError, chromeOf, cookieNames, cookieOptions, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { ServiceError } from '../../../services/organizations/organizations.js';
import type { PasswordService } from '../../../services/passwords/passwords.js';
import { requestBaseUrl } from '../../public-url.js';
import { AccountsPage, ChangePasswordPage, ResetPasswordPage } from '../views/password-pages.js';
import { openFlash, sealFlash } from '../flash.js';

const RESET_COOKIE_SECONDS = 30 * 60;
const resetCookieName = (secure: boolean) => `${secure ? '__Host-' : ''}wd_reset`;
const NEW_LINK_PURPOSE = 'new-reset-link';
const newLinkCookieName = (secure: boolean) => `${secure ? '__Host-' : ''}wd_new_reset_link`;
type CreatedLink = { link: string; email: string; expiresAt: string };

/** Form problems are shown on the page; anything else goes to the console's error handler. */
async function formError(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    if (e instanceof ServiceError && (e.code === 'invalid' || e.code === 'not_found')) return e.message;
    throw e;
  }
}

/** Public: set a password through a one-time link. */
export const resetPasswordRoutes = (deps: ConsoleDeps, passwords: PasswordService): FastifyPluginAsync => async (app) => {
  const secure = deps.config.secureCookies;
  const names = cookieNames(secure);
  const resetCookie = resetCookieName(secure);
  const loginToken = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[names.login];
    if (existing && /^[\w-]{43}$/.test(existing)) return existing;
    const token = randomToken();
    reply.setCookie(names.login, token, { ...cookieOptions(secure), maxAge: 60 * 60 });
    return token;
  };

  app.get('/reset-password', async (request, reply) => {
    const token = queryOf(request).token;
    if (typeof token === 'string') {
      reply.setCookie(resetCookie, token.slice(0, 100), { ...cookieOptions(secure), maxAge: RESET_COOKIE_SECONDS });
      return reply.redirect('/console/reset-password', 303);
    }
    const info = await passwords.linkInfo(request.cookies[resetCookie] ?? '');
    return sendPage(reply, <ResetPasswordPage csrfToken={loginToken(request, reply)} email={info?.email} expiresAt={info?.expiresAt} />, info ? 200 : 410);
  });

  app.post('/reset-password', { config: { csrf: 'login' } }, async (request, reply) => {
    const form = formOf(request);
    const token = request.cookies[resetCookie] ?? '';
    const error = await formError(() => passwords.completeLink(token, { next: form.next ?? '', confirm: form.confirm ?? '' }));
    if (error) {
      const info = await passwords.linkInfo(token);
      return sendPage(reply, <ResetPasswordPage csrfToken={loginToken(request, reply)} email={info?.email} expiresAt={info?.expiresAt} error={error} />, info ? 400 : 410);
    }
    reply.clearCookie(resetCookie, cookieOptions(secure));
    // Any session this browser had is over (all of the account's sessions ended).
    reply.clearCookie(names.session, cookieOptions(secure));
    return reply.redirect('/console/login?passwordset=1', 303);
  });
};

/** Signed in: change your own password. */
export const changePasswordRoutes = (_deps: ConsoleDeps, passwords: PasswordService): FastifyPluginAsync => async (app) => {
  app.get('/profile/password', async (request, reply) => {
    const actor = request.consoleActor!;
    return sendPage(reply, <ChangePasswordPage chrome={chromeOf(actor, 'profile')} hasPassword={actor.account.hasPassword} done={queryOf(request).done === '1'} />);
  });
  app.post('/profile/password', async (request, reply) => {
    const actor = request.consoleActor!;
    const form = formOf(request);
    const error = await formError(() => passwords.changeOwn(actor, { current: form.current ?? '', next: form.next ?? '', confirm: form.confirm ?? '' }));
    if (error) return sendPage(reply, <ChangePasswordPage chrome={chromeOf(actor, 'profile')} hasPassword={actor.account.hasPassword} error={error} />, 400);
    return reply.redirect('/console/profile/password?done=1', 303);
  });
};

/** Admins: reset links for the organisation's password accounts. */
export const accountsRoutes = (deps: ConsoleDeps, passwords: PasswordService): FastifyPluginAsync => async (app) => {
  app.get('/accounts', async (request, reply) => {
    const actor = request.consoleActor!;
    return sendPage(reply, <AccountsPage chrome={chromeOf(actor, 'profile')} accounts={await passwords.accounts(actor)} />);
  });
  // Post/redirect/get, like a new API key (profile-routes.tsx): the POST creates the link and
  // redirects; the GET shows it once, carried in a sealed one-time cookie (flash.ts). A reload
  // creates nothing — a second link would silently replace the one just handed out.
  const secure = deps.config.secureCookies;
  const flashCookie = newLinkCookieName(secure);
  const sessionOf = (request: FastifyRequest) => request.cookies[cookieNames(secure).session] ?? '';
  app.post<{ Params: { id: string } }>('/accounts/:id/reset-link', async (request, reply) => {
    const actor = request.consoleActor!;
    let created: CreatedLink | undefined;
    const error = await formError(async () => {
      created = await passwords.createLink(actor, request.params.id, requestBaseUrl(deps.config, request));
    });
    if (error && !created && error.startsWith('There is no such account')) throw new ConsoleHttpError(404, 'Not found', error);
    if (!created) return sendPage(reply, <AccountsPage chrome={chromeOf(actor, 'profile')} accounts={await passwords.accounts(actor)} error={error} />, 400);
    reply.setCookie(flashCookie, sealFlash(sessionOf(request), NEW_LINK_PURPOSE, JSON.stringify(created)), { ...cookieOptions(secure), maxAge: 300 });
    return reply.redirect('/console/accounts/reset-link', 303);
  });
  app.get('/accounts/reset-link', async (request, reply) => {
    const actor = request.consoleActor!;
    const opened = openFlash(sessionOf(request), NEW_LINK_PURPOSE, request.cookies[flashCookie]);
    reply.clearCookie(flashCookie, cookieOptions(secure));
    let created: CreatedLink | undefined;
    try {
      created = opened ? (JSON.parse(opened) as CreatedLink) : undefined;
    } catch {
      created = undefined;
    }
    return sendPage(reply, <AccountsPage chrome={chromeOf(actor, 'profile')} accounts={await passwords.accounts(actor)} created={created} alreadyShown={!created} />);
  });
};

