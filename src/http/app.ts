// buildApp(config, deps): the Fastify application, registered explicitly, never listening by
// itself. Three sibling contexts, each with its own auth hook and error handler:
// /scim/v2 (bearer key), /console (session + CSRF), /auth (OIDC callbacks).
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { AppServices } from '../services/app-services.js';
import { scimRoutes, type ScimInfra } from './scim/index.js';
import { canonicalScimUrl } from './scim/endpoint-aliases.js';
import { healthRoutes } from './health-routes.js';
import { createMetrics } from './metrics.js';
import { ERROR_SCHEMA } from '../scim/errors.js';
import { consoleRoutes } from './console/index.js';
import { authRoutes } from './auth/index.js';
import { setRoutes } from './sets/index.js';
import { oauthRoutes } from './oauth/index.js';
import { docsRoutes } from './docs/index.js';

export interface BuildAppOptions {
  /** pino logger options, or false for tests. */
  readonly logger?: boolean | Record<string, unknown>;
  /** Infrastructure the SCIM context needs (Redis for shared rate limits). */
  readonly scim?: ScimInfra;
  /** PostgreSQL pool statistics for /metrics. */
  readonly poolStats?: () => { total: number; idle: number; waiting: number } | undefined;
}

export async function buildApp(config: Config, services: AppServices, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            // Keys, cookies and session ids must never reach a log line.
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
            // The path only: query strings (SCIM filters) carry email addresses and names.
            serializers: {
              req: (req: { method: string; url: string; id: string; ip: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] ?? '', remoteAddress: req.ip }),
            },
            ...(typeof options.logger === 'object' ? options.logger : {}),
          },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    bodyLimit: services.limits.bulkMaxPayloadBytes,
    // Slow or stalled clients cannot hold a connection forever.
    requestTimeout: 60_000,
    connectionTimeout: 0,
    keepAliveTimeout: 72_000,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 },
    return503OnClosing: true,
    // SCIM endpoint aliases (the announcement's `/scim/v2/Users` base, case-insensitive endpoint
    // names): rewritten before routing so they answer exactly as the canonical routes.
    rewriteUrl: (req) => canonicalScimUrl(req.url ?? '/'),
    // Errors Fastify raises before routing (a path with a broken percent-encoding): SCIM clients
    // get a SCIM error body like everywhere else under /scim/v2.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const scim = request.url.startsWith('/scim/');
      // A path segment longer than maxParamLength is 414 URI Too Long; anything else here is a bad URL.
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const status = tooLong ? 414 : 400;
      const detail = tooLong ? 'A segment of the request path is longer than 500 characters.' : `The request URL is not valid: ${error.message}`;
      const body = scim
        ? { schemas: [ERROR_SCHEMA], status: String(status), ...(tooLong ? {} : { scimType: 'invalidSyntax' }), detail }
        : { statusCode: status, error: tooLong ? 'URI Too Long' : 'Bad Request', message: detail };
      void reply.code(status).type(scim ? 'application/scim+json; charset=utf-8' : 'application/json; charset=utf-8').send(JSON.stringify(body));
    },
    // Errors Node's HTTP parser raises before Fastify sees a request (431 headers too large, also
    // for a URL over the header limit; 408 request timeout; 400 malformed request): a SCIM error
    // body when the request line names /scim/ (or cannot be read), as every other SCIM error.
    clientErrorHandler: clientError,
  });
  app.server.headersTimeout = 20_000;

  const hsts = config.publicUrl?.startsWith('https:') === true;
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Served over https (PUBLIC_URL): browsers must never use plain http for this host again.
    if (hsts) reply.header('strict-transport-security', 'max-age=31536000');
  });

  const metrics = createMetrics({ activityBacklog: () => services.activity.backlog(), poolStats: options.poolStats ?? (() => undefined) });
  metrics.attach(app, config.metricsToken);
  app.addHook('onResponse', async (request, reply) => {
    if (request.scimError) metrics.scimError(request.scimError.scimType, reply.statusCode);
  });

  await app.register(healthRoutes(services));
  await app.register(scimRoutes(config, services, { ...options.scim, onRateLimited: () => metrics.rateLimited(), onAuthRefused: (reason) => metrics.authRefused(reason) }), { prefix: '/scim/v2' });
  await app.register(consoleRoutes(config, services), { prefix: '/console' });
  await app.register(authRoutes(config, services), { prefix: '/auth' });
  await app.register(setRoutes(services), { prefix: '/sets' });
  await app.register(oauthRoutes(config, services, { redis: options.scim?.redis }), { prefix: '/oauth2' });
  await app.register(docsRoutes(config), { prefix: '/docs' });
  app.get('/', (_request, reply) => reply.redirect('/console', 302));
  return app;
}

const CLIENT_ERRORS: Record<string, { status: number; text: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, text: 'Request Timeout', detail: 'The request was not received completely in time (60 s for the whole request, 20 s for its headers).' },
  HPE_HEADER_OVERFLOW: { status: 431, text: 'Request Header Fields Too Large', detail: 'The request line and headers are larger than the server accepts (16 KiB); a long URL counts too — send long filters in a POST /.search body instead.' },
};

function clientError(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[err.code ?? ''] ?? { status: 400, text: 'Bad Request', detail: 'The request is not valid HTTP/1.1.' };
  const line = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 200).toString('latin1') : '';
  const path = /^[A-Z]+ (\S+)/.exec(line)?.[1];
  const scim = path === undefined || /^\/scim\//i.test(path);
  const body = JSON.stringify(
    scim
      ? { schemas: [ERROR_SCHEMA], status: String(known.status), ...(known.status === 400 ? { scimType: 'invalidSyntax' } : {}), detail: known.detail }
      : { statusCode: known.status, error: known.text, message: known.detail },
  );
  const type = scim ? 'application/scim+json; charset=utf-8' : 'application/json; charset=utf-8';
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${known.status} ${known.text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: ${type}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
