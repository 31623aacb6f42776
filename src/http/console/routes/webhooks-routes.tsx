// Webhooks in the console (admins only): list and add (secret shown once, in the response to the
// POST only), test, enable / disable, rotate (new secret shown once), remove; per endpoint the
// delivery log with Replay of one event or a time range.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ServiceError } from '../../../services/organizations/organizations.js';
import { requireAdmin } from '../../../services/console/console-auth.js';
import type { WebhookService } from '../../../services/webhooks/webhooks.js';
import { chromeOf, formOf, queryOf, type ConsoleDeps } from '../context.js';
import { sendPage } from '../render.js';
import { WebhookDeliveriesPage, WebhooksPage, type WebhooksVm } from '../views/webhooks-page.js';

type IdParams = { Params: { id: string } };

/** All values of a repeated form field (checkboxes). */
function allOf(request: FastifyRequest, name: string): string[] {
  const v = (request.body as Record<string, unknown> | null)?.[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
}

export const webhooksRoutes = (_deps: ConsoleDeps, webhooks: WebhookService): FastifyPluginAsync => async (app) => {
  const page = async (request: FastifyRequest, extra: Omit<WebhooksVm, 'endpoints'> = {}) => {
    const actor = request.consoleActor!;
    requireAdmin(actor);
    return <WebhooksPage chrome={chromeOf(actor, 'webhooks')} vm={{ endpoints: await webhooks.list(actor.store), ...extra }} />;
  };
  const doneText: Record<string, string> = { removed: 'Endpoint removed', enabled: 'Endpoint enabled: pending deliveries resume', disabled: 'Endpoint disabled' };

  app.get('/webhooks', async (request, reply) => {
    const d = queryOf(request).done;
    return sendPage(reply, await page(request, { done: typeof d === 'string' ? doneText[d] : undefined }));
  });

  app.post('/webhooks', async (request, reply) => {
    const actor = request.consoleActor!;
    const f = formOf(request);
    try {
      const { endpoint, secret } = await webhooks.add(actor.store, { url: f.url ?? '', eventTypes: allOf(request, 'events'), description: f.description ?? null, createdBy: actor.account.email });
      // The only time the secret is shown (this response; never stored readable, never in a URL).
      return sendPage(reply.header('cache-control', 'no-store'), await page(request, { secret: { endpointId: endpoint.id, secret } }));
    } catch (e) {
      if (!(e instanceof ServiceError) || (e.code !== 'invalid' && e.code !== 'conflict')) throw e;
      return sendPage(reply, await page(request, { error: { message: e.message, url: f.url ?? '' } }), e.code === 'invalid' ? 400 : 409);
    }
  });

  app.post<IdParams>('/webhooks/:id/test', async (request, reply) => {
    const result = await webhooks.sendTest(request.consoleActor!.store, request.params.id);
    return sendPage(reply, await page(request, { test: { ...result, endpointId: request.params.id } }));
  });
  app.post<IdParams>('/webhooks/:id/rotate', async (request, reply) => {
    const r = await webhooks.rotateSecret(request.consoleActor!.store, request.params.id);
    return sendPage(reply.header('cache-control', 'no-store'), await page(request, { secret: { endpointId: request.params.id, secret: r.secret, previousValidUntil: r.previousValidUntil } }));
  });
  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<IdParams>(`/webhooks/:id/${action}`, async (request, reply) => {
      await webhooks.setEnabled(request.consoleActor!.store, request.params.id, enabled);
      return reply.redirect(`/console/webhooks?done=${action}d`, 303);
    });
  }
  app.post<IdParams>('/webhooks/:id/remove', async (request, reply) => {
    await webhooks.remove(request.consoleActor!.store, request.params.id);
    return reply.redirect('/console/webhooks?done=removed', 303);
  });

  app.get<IdParams>('/webhooks/:id', async (request, reply) => {
    const actor = request.consoleActor!;
    requireAdmin(actor);
    const endpoint = await webhooks.get(actor.store, request.params.id);
    const deliveries = await webhooks.deliveries(actor.store, endpoint.id, undefined, 100);
    const q = queryOf(request);
    const done = typeof q.replayed === 'string' ? `${q.replayed} event(s) queued for delivery again` : undefined;
    return sendPage(reply, <WebhookDeliveriesPage chrome={chromeOf(actor, 'webhooks')} endpoint={endpoint} deliveries={deliveries} done={done} />);
  });

  app.post<IdParams>('/webhooks/:id/replay', async (request, reply) => {
    const actor = request.consoleActor!;
    const f = formOf(request);
    let n: number;
    try {
      // datetime-local has no zone: the form says UTC.
      n = f.eventId ? await webhooks.replayEvent(actor.store, request.params.id, f.eventId) : await webhooks.replayRange(actor.store, request.params.id, `${f.from ?? ''}Z`, `${f.to ?? ''}Z`);
    } catch (e) {
      if (!(e instanceof ServiceError) || (e.code !== 'invalid' && e.code !== 'not_found')) throw e;
      const endpoint = await webhooks.get(actor.store, request.params.id);
      const deliveries = await webhooks.deliveries(actor.store, endpoint.id, undefined, 100);
      return sendPage(reply, <WebhookDeliveriesPage chrome={chromeOf(actor, 'webhooks')} endpoint={endpoint} deliveries={deliveries} error={e.message} />, e.code === 'invalid' ? 400 : 404);
    }
    return reply.redirect(`/console/webhooks/${encodeURIComponent(request.params.id)}?replayed=${n}`, 303);
  });
};
