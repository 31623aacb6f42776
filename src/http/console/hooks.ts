// The console's request guards, attached on encapsulation boundaries (style.md §8.8 rule 8):
// resolve the session on every request, check CSRF on every state-changing request, then
// require a signed-in account, and for admin pages the admin role.
import { requestOrigin } from '../public-url.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleDeps } from './context.js';
import { ConsoleHttpError, cookieNames, cookieOptions } from './context.js';
import { tokensMatch } from '../../auth/session.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createHooks(deps: ConsoleDeps) {
  const secure = deps.config.secureCookies;
  const names = cookieNames(secure);
  const expectedOrigin = (request: FastifyRequest) => requestOrigin(deps.config, request);

  const formExpired = () => new ConsoleHttpError(403, 'This form has expired', 'The form was sent without a valid security token, or from another site. Go back, reload the page and try again.');

  return {
    /** onRequest: the session cookie → request.consoleActor; a dead session's cookie is cleared. */
    async loadActor(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (request.url.startsWith('/console/assets/')) return;
      const token = request.cookies[names.session];
      if (!token) return;
      request.consoleActor = (await deps.services.auth.resolve(token)) ?? null;
      if (!request.consoleActor) reply.clearCookie(names.session, cookieOptions(secure));
    },

    /**
     * preHandler: state-changing requests must come from our own pages. Browsers say where a
     * request comes from in Sec-Fetch-Site (else Origin); the synchronizer token proves the
     * form was rendered for this session (or, for sign-in, for this browser's login cookie).
     */
    async checkCsrf(request: FastifyRequest): Promise<void> {
      if (SAFE_METHODS.has(request.method)) return;
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') throw formExpired();
      const origin = request.headers.origin;
      if (site === undefined && origin !== undefined && origin !== expectedOrigin(request)) throw formExpired();
      const body = request.body;
      const presented = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)._csrf : undefined;
      if (request.routeOptions.config.csrf === 'login') {
        if (!tokensMatch(presented, request.cookies[names.login] ?? '')) throw formExpired();
        return;
      }
      const actor = request.consoleActor;
      if (!actor) return; // requireSignedIn answers 401 next.
      if (!tokensMatch(presented, actor.session.csrfToken)) throw formExpired();
    },

    /** preHandler: pages need a session; reads go to sign-in and come back, writes get 401. */
    async requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
      if (request.consoleActor) return undefined;
      if (request.method === 'GET' || request.method === 'HEAD') {
        const next = request.url === '/console' ? '' : `?next=${encodeURIComponent(request.url)}`;
        return reply.redirect(`/console/login${next}`, 303);
      }
      throw new ConsoleHttpError(401, 'Please sign in again', 'Your session has ended. Sign in again, then repeat what you were doing.');
    },

    /** preHandler: admin pages. A regular user gets 403, never a glimpse of the page. */
    async requireAdmin(request: FastifyRequest): Promise<void> {
      if (request.consoleActor && request.consoleActor.account.role !== 'admin') {
        throw new ConsoleHttpError(403, 'Admins only', 'This page is for organisation admins. Ask an admin of your organisation if you need access.');
      }
    },
  };
}
