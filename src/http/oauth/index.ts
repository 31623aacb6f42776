// POST /oauth2/token — the OAuth 2.0 token endpoint for SCIM provisioning (RFC 6749 §4.4 client
// credentials; client authentication by HTTP Basic §2.3.1, body parameters §2.3.1, or an
// RFC 7523 §2.2 client assertion). Its own encapsulated context: a form-encoded body parser,
// RFC 6749 §5.2 JSON errors, `Cache-Control: no-store` (§5.1), and a rate limit per client.
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/config.js';
import type { AppServices } from '../../services/app-services.js';
import type { TokenRequest } from '../../services/oauth/oauth-service.js';
import { OAuthError, OAUTH_ERRORS, type OAuthErrorRef } from '../../services/oauth/oauth-errors.js';

/** Parsed form: each parameter's values in order (RFC 6749 §3.2: none may repeat). */
type Form = Map<string, string[]>;

declare module 'fastify' {
  interface FastifyRequest {
    oauthClientId: string | undefined;
  }
}

const MAX_BODY = 64 * 1024;

function parseForm(body: string): Form {
  const form: Form = new Map();
  for (const [k, v] of new URLSearchParams(body)) {
    const list = form.get(k);
    if (list) list.push(v);
    else form.set(k, [v]);
  }
  return form;
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded, then joined by ":" and base64-encoded. */
function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined | 'malformed' {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return /^Basic\b/i.test(header) ? 'malformed' : undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return 'malformed';
  try {
    const plus = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: plus(decoded.slice(0, i)), clientSecret: plus(decoded.slice(i + 1)) };
  } catch {
    return 'malformed';
  }
}

function sendOAuthError(reply: FastifyReply, ref: OAuthErrorRef, extraHeaders: Record<string, string> = {}) {
  const spec = OAUTH_ERRORS[ref];
  if (spec.status === 401) reply.header('WWW-Authenticate', 'Basic realm="WiggleDesk", charset="UTF-8"');
  for (const [k, v] of Object.entries(extraHeaders)) reply.header(k, v);
  return reply
    .code(spec.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: spec.error, error_description: spec.description, error_uri: `/docs/provisioning#${ref.toLowerCase()}` }));
}

export interface OAuthInfra {
  readonly redis?: Redis | undefined;
}

export const oauthRoutes = (config: Config, services: AppServices, infra: OAuthInfra = {}): FastifyPluginAsync => async (app) => {
  app.decorateRequest('oauthClientId', undefined);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_BODY }, (_req, body, done) => done(null, parseForm(body as string)));

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof OAuthError) return sendOAuthError(reply, error.ref);
    const code = (error as { code?: string }).code;
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_TYPE' || code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendOAuthError(reply, 'OAUTH_E_REQ_CONTENT_TYPE');
    request.log.error({ err: error }, 'token endpoint failed');
    return reply.code(500).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify({ error: 'server_error', error_description: `Internal error; reference ${request.id}` }));
  });

  // Which client a request names, before anything is verified: the rate-limit bucket.
  app.addHook('preValidation', async (request) => {
    const form = request.body instanceof Map ? (request.body as Form) : undefined;
    const basic = parseBasic(request.headers.authorization);
    const id = (typeof basic === 'object' ? basic.clientId : undefined) ?? form?.get('client_id')?.[0];
    request.oauthClientId = id ? id.slice(0, 200) : undefined;
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.oauth.tokenRequestsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.oauthClientId ? `client:${request.oauthClientId}` : `ip:${request.ip}`),
    ...(infra.redis ? { redis: infra.redis, nameSpace: 'wiggledesk-oauth-' } : {}),
    skipOnError: true,
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: () => new OAuthError('OAUTH_E_RATE_LIMIT'),
  });

  app.post('/token', async (request: FastifyRequest, reply) => {
    if (!(request.body instanceof Map)) throw new OAuthError('OAUTH_E_REQ_CONTENT_TYPE');
    const form = request.body as Form;
    for (const values of form.values()) if (values.length > 1) throw new OAuthError('OAUTH_E_REQ_DUPLICATE');
    const basic = parseBasic(request.headers.authorization);
    if (basic === 'malformed') throw new OAuthError('OAUTH_E_CLIENT_UNKNOWN');
    const one = (k: string) => form.get(k)?.[0];
    const req: TokenRequest = {
      grantType: one('grant_type'),
      scope: one('scope'),
      clientId: one('client_id'),
      clientSecret: one('client_secret'),
      basic,
      assertionType: one('client_assertion_type'),
      assertion: one('client_assertion'),
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
    };
    try {
      const { response } = await services.oauth.issueToken(req);
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json; charset=utf-8').send(JSON.stringify(response));
    } catch (e) {
      if (e instanceof OAuthError) request.log.info({ clientId: request.oauthClientId, error: e.spec.error, reference: e.ref }, 'token request refused');
      throw e;
    }
  });

  // RFC 6749 §3.2: the token endpoint is POST only.
  app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: '/token', handler: async (_request, reply) => reply.code(405).header('allow', 'POST').header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify({ error: 'invalid_request', error_description: 'Use POST for the token endpoint.' })) });
};
