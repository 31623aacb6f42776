// SET streams (admins only): list, add (push or poll; a poll token shown once), remove, rotate the
// signing key. Every write goes through services/sets with the signed-in admin's organisation.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SetStreamService } from '../../../services/sets/set-streams.js';
import { requireAdmin } from '../../../services/console/console-auth.js';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { SET_DONE_MESSAGES, SetStreamsPage, type SetStreamsView } from '../views/set-streams-page.js';

const PATH = '/console/set-streams';

export const setStreamsRoutes = (_deps: ConsoleDeps, sets: SetStreamService): FastifyPluginAsync => async (app) => {
  const render = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<SetStreamsView>, status = 200) => {
    const actor = request.consoleActor!;
    requireAdmin(actor);
    const tenantId = actor.store.tenantId;
    const vm: SetStreamsView = { issuer: sets.issuerOf(tenantId), jwksUrl: sets.jwksUrlOf(tenantId), streams: await sets.listStreams(tenantId), ...extra };
    return sendPage(reply, <SetStreamsPage chrome={chromeOf(actor, 'set-streams')} vm={vm} />, status);
  };

  app.get('/set-streams', async (request, reply) => {
    const done = queryOf(request).done;
    return render(request, reply, typeof done === 'string' && done in SET_DONE_MESSAGES ? { done } : {});
  });

  app.post('/set-streams', async (request, reply) => {
    const actor = request.consoleActor!;
    requireAdmin(actor);
    const f = formOf(request);
    try {
      const poll = f.delivery === 'poll';
      const { stream, pollToken } = await sets.addStream(actor.store.tenantId, {
        ...(poll ? { poll: true } : { push: { url: f.url ?? '', ...(f.authorization?.trim() ? { authorization: f.authorization } : {}) } }),
        ...(f.name?.trim() ? { name: f.name } : {}),
      });
      // Rendered in the response (never in a URL or stored): the only time the poll token is shown.
      if (pollToken !== null) return render(request, reply, { newPoll: { streamId: stream.id, pollUrl: stream.pollUrl!, token: pollToken } }, 201);
      return reply.redirect(`${PATH}?done=added`, 303);
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'invalid') return render(request, reply, { error: e.message }, 400);
      throw e;
    }
  });

  app.post<{ Params: { id: string } }>('/set-streams/:id/delete', async (request, reply) => {
    const actor = request.consoleActor!;
    requireAdmin(actor);
    await sets.removeStream(actor.store.tenantId, request.params.id);
    return reply.redirect(`${PATH}?done=removed`, 303);
  });

  // Enable / disable (a push stream that failed for 5 days is disabled by the worker; enabling it
  // again clears its failure state and its pending SETs go out, in order).
  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(`/set-streams/:id/${action}`, async (request, reply) => {
      const actor = request.consoleActor!;
      requireAdmin(actor);
      await sets.setEnabled(actor.store.tenantId, request.params.id, action === 'enable');
      return reply.redirect(`${PATH}?done=${action}d`, 303);
    });
  }

  app.post('/set-streams/rotate-key', async (request, reply) => {
    const actor = request.consoleActor!;
    requireAdmin(actor);
    await sets.rotateKey(actor.store.tenantId);
    return reply.redirect(`${PATH}?done=rotated`, 303);
  });
};
