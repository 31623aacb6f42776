// SET transfer endpoints (RFC 9967 streams): the public JWKS each organisation's SETs are signed with,
// and the RFC 8936 poll endpoint of poll streams. Push streams need nothing here: the worker
// sends (RFC 8935).
import type { FastifyPluginAsync } from 'fastify';
import type { AppServices } from '../../services/app-services.js';

export const setRoutes = (services: AppServices): FastifyPluginAsync => async (app) => {
  // Errors in the RFC 8935 §2.3 / RFC 8936 §2.4 shape: a body that is not JSON, an empty JSON body, a
  // wrong media type are the client's (`invalid_request`, with Fastify's reason); anything else is
  // ours and says nothing more.
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'SET endpoint failed');
    const body = status === 500 ? { err: 'server_error', description: `Internal error (request ${request.id})` } : { err: 'invalid_request', description: error.message };
    return reply.code(status).type('application/json').send(JSON.stringify(body));
  });

  // RFC 7517 §5 JWK Set, application/jwk-set+json (RFC 7517 §8.5.1); cacheable for a few minutes.
  app.get<{ Params: { org: string } }>('/:org/jwks.json', async (request, reply) => {
    const org = request.params.org;
    const jwks = /^[\w-]{1,100}$/.test(org) ? await services.sets.publicJwks(org) : { keys: [] };
    return reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(JSON.stringify(jwks));
  });

  // RFC 8936 §2: the recipient POSTs a JSON poll request and gets {"sets", "moreAvailable"}.
  app.post<{ Params: { id: string } }>('/streams/:id/poll', async (request, reply) => {
    const auth = request.headers.authorization;
    const bearer = typeof auth === 'string' && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
    const aborted = new AbortController();
    reply.raw.on('close', () => aborted.abort());
    const answer = await services.sets.poll(request.params.id, bearer, request.body, aborted.signal);
    if (answer.wwwAuthenticate) void reply.header('www-authenticate', 'Bearer realm="sets"');
    return reply.code(answer.status).type('application/json').header('cache-control', 'no-store').send(JSON.stringify(answer.body));
  });
};
