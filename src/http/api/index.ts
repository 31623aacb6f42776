// The /api/v1 context: JSON APIs other than SCIM, authenticated by an API key with the scope the
// route needs. Today: GET /api/v1/events (scope events:read; docs/events.md). Its own error
// handler answers `{"error","detail"}` JSON, never a SCIM error body.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AppServices } from '../../services/app-services.js';
import { createBearerAuth } from '../../services/credentials/bearer-auth.js';
import { ScimError } from '../../scim/errors.js';
import { EventsApiError } from '../../services/events/events-api.js';

const sendError = (reply: FastifyReply, status: number, error: string, detail: string) =>
  reply.code(status).type('application/json; charset=utf-8').send({ error, detail });

export const apiRoutes = (services: AppServices): FastifyPluginAsync => async (app) => {
  const authenticate = createBearerAuth(services.platform, (e) => app.log.warn({ err: e }, 'could not record API key use'));

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof EventsApiError) return sendError(reply, error.status, error.code, error.detail);
    if (error instanceof ScimError) {
      if (error.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="WiggleDesk API"');
      return sendError(reply, error.status, error.status === 401 ? 'unauthorized' : error.status === 403 ? 'insufficient_scope' : 'invalid_request', error.detail);
    }
    request.log.error({ err: error }, 'api request failed');
    return sendError(reply, 500, 'server_error', `Internal error; quote request id ${request.id}`);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `No API endpoint ${request.method} ${request.url.split('?')[0]}`));

  // `types` may be repeated (types=a&types=b) or comma-separated; other parameters take their last value.
  const joined = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);
  const last = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/events', async (request, reply) => {
    const auth = await authenticate(request.headers.authorization, { userAgent: request.headers['user-agent'] }, 'events:read');
    const q = request.query;
    const page = await services.events.api.list(auth.store, { after: last(q.after), types: joined(q.types), limit: last(q.limit) });
    return reply.header('cache-control', 'no-store').send(page);
  });
};
