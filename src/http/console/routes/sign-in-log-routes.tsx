// The sign-in log page (admins).
import type { FastifyPluginAsync } from 'fastify';
import { chromeOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { positiveInt } from '../../../services/console/console-users.js';
import type { SignInLog } from '../../../services/sign-in-log/sign-in-log.js';
import { SignInLogPage } from '../views/sign-in-log-page.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const signInLogRoutes = (_deps: ConsoleDeps, log: SignInLog): FastifyPluginAsync => async (app) => {
  app.get('/sign-ins', async (request, reply) => {
    const actor = request.consoleActor!;
    const q = queryOf(request);
    const before = positiveInt(q.before, 0, Number.MAX_SAFE_INTEGER);
    const vm = await log.list(actor, {
      user: str(q.user),
      code: str(q.code),
      outcome: str(q.outcome),
      scimUserId: str(q.user_id),
      before: before > 0 ? before : undefined,
      pageSize: positiveInt(q.size, 0, 1000),
    });
    return sendPage(reply, <SignInLogPage chrome={chromeOf(actor, 'sign-ins')} vm={vm} />);
  });
};
