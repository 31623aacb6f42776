// The encapsulated /scim/v2 context: content types, bearer key → tenant, the SCIM error
// handler, discovery, the generic resource routes for Users and Groups, and /Bulk.
import { requestBaseUrl } from '../public-url.js';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import type { AppServices } from '../../services/app-services.js';
import type { Authenticated } from '../../services/credentials/bearer-auth.js';
import { createBearerAuth, type RefusalReason } from '../../services/credentials/bearer-auth.js';
import type { RequestContext } from '../../services/scim/scim-resources.js';
import { invalidSyntax, invalidValue, isScimError, notFound, notImplemented, tooManyRequests, type ScimError } from '../../scim/errors.js';
import { createAuthFailureLimit, presentedKeyId } from './auth-failure-limit.js';
import { UNSTORABLE_TEXT, isStorableText } from '../../scim/text.js';
import { lingerOnOversizedBody, sendScimError, toScimError } from './errors.js';
import { discoveryRoutes } from './discovery-routes.js';
import { mapResource } from './resource-routes.js';
import { rootSearchRoute } from './search-routes.js';
import { bulkRoutes } from './bulk-routes.js';
import { parseJsonBody } from './json-body.js';
import { registerScimRateLimit } from './rate-limit.js';
import type { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyRequest {
    scimAuth: Authenticated | null;
    scimError: ScimError | undefined;
    startedAt: number;
  }
}

/** Discovery is readable without a key (R-CORE-30, R-RIP-02); it still works with one. */
const PUBLIC_PATHS = /^\/scim\/v2\/+(ServiceProviderConfigs?|ResourceTypes|Schemas)(\/|$|\?)/i;

export interface ScimInfra {
  /** Shared rate-limit counters across instances (REDIS_URL). */
  readonly redis?: Redis | undefined;
  readonly onRateLimited?: () => void;
  /** Every refused bearer token, by reason (the operator's /metrics). */
  readonly onAuthRefused?: (reason: RefusalReason) => void;
}

export const scimRoutes = (config: Config, services: AppServices, infra: ScimInfra = {}): FastifyPluginAsync => async (app) => {
  const authenticate = createBearerAuth(services.platform, (e) => app.log.warn({ err: e }, 'could not record API key use'), services.oauth.verifyAccessToken, infra.onAuthRefused, {
    credentials: services.credentials,
    now: services.oauth.now,
  });

  app.decorateRequest('scimAuth', null);
  app.decorateRequest('scimError', undefined);
  app.decorateRequest('startedAt', 0);

  // R-GEN-05: application/scim+json and application/json, with or without charset.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, (req, body, done) => {
    try {
      // R-GEN-05: Okta sends Content-Type on every request, also on a DELETE that has no body.
      if (req.method === 'DELETE' && (body as string).trim() === '') return done(null, undefined);
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    if ((error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') lingerOnOversizedBody(request, reply);
    return sendScimError(reply, toScimError(error, request));
  });
  app.setNotFoundHandler((request, reply) =>
    sendScimError(reply, notFound(`No SCIM endpoint ${request.method} ${request.url.split('?')[0]}`, 'SCIM_E_ROUTE_404')),
  );

  const authFailures = createAuthFailureLimit({ ...config.authFailureLimit, redis: infra.redis });
  app.addHook('onRequest', async (request, reply) => {
    request.startedAt = performance.now();
    if (PUBLIC_PATHS.test(request.url) && request.method === 'GET') return;
    try {
      request.scimAuth = await authenticate(request.headers.authorization, { userAgent: request.headers['user-agent'] });
    } catch (e) {
      // Failed authentication is rate limited per address and per presented key id (auth-failure-limit.ts).
      if (isScimError(e) && e.status === 401) {
        const verdict = await authFailures.failed(request.ip, presentedKeyId(request.headers.authorization));
        if (verdict.retryAfterSeconds !== undefined) {
          void reply.header('retry-after', String(verdict.retryAfterSeconds));
          throw tooManyRequests(
            `Too many failed authentications from this ${verdict.exceeded === 'address' ? 'address' : 'API key id'}; retry in ${verdict.retryAfterSeconds} s with a valid key (requests with a valid key are not limited by this).`,
            'SCIM_E_AUTH_429',
          );
        }
      }
      throw e;
    }
  });

  // URL text the database cannot store (`/Users/%00`, `?attributes=%00`): refused as in a body.
  app.addHook('preValidation', async (request) => {
    if (!storableStrings(request.params) || !storableStrings(request.query)) {
      throw invalidValue(`The URL contains ${UNSTORABLE_TEXT}, which cannot be stored`, 'SCIM_E_HTTP_URL');
    }
  });

  await registerScimRateLimit(app, {
    perSecond: config.rateLimit.perSecond,
    burst: config.rateLimit.burst,
    redis: infra.redis,
    ...(infra.onRateLimited ? { onRejected: infra.onRateLimited } : {}),
  });

  // Reads and failures are logged in batches off the request path; successful writes log
  // their own row inside their transaction (services/scim-resources.ts).
  app.addHook('onResponse', async (request, reply) => {
    const auth = request.scimAuth;
    if (!auth) return;
    // Which identity provider this is (User-Agent), for the console's connection status.
    services.console.idp.observe(auth.store, request.headers['user-agent']).catch((e: unknown) => request.log.warn({ err: e }, 'could not record the identity provider profile'));
    const status = reply.statusCode;
    const isWrite = request.method !== 'GET' && !/\/\.search(\?|$)/.test(request.url);
    if (isWrite && status < 400) return;
    const err = request.scimError;
    services.activity.enqueue(auth.store, {
      at: new Date(Date.now() - (performance.now() - request.startedAt)).toISOString(),
      keyId: auth.keyId,
      actor: null,
      method: request.method,
      path: pathOnly(request.url),
      status,
      scimType: err?.scimType ?? null,
      durationMs: Math.round((performance.now() - request.startedAt) * 100) / 100,
      resourceType: resourceTypeOf(request.url),
      resourceId: resourceIdOf(request.url),
      summary: err ? JSON.stringify({ detail: err.detail, ...(err.conflict ? { conflict: err.conflict } : {}) }) : summaryOfRead(request),
    });
  });

  const contextOf = (request: FastifyRequest): RequestContext => {
    const auth = request.scimAuth;
    if (!auth) throw new Error('unauthenticated request reached a protected route');
    return {
      store: auth.store,
      keyId: auth.keyId,
      actor: null,
      method: request.method,
      path: pathOnly(request.url),
      baseUrl: scimBaseUrl(config, request),
      startedAt: request.startedAt,
    };
  };
  const baseUrlOf = (request: FastifyRequest) => scimBaseUrl(config, request);

  await app.register(discoveryRoutes(services.limits, baseUrlOf));
  await app.register(mapResource(services.users, contextOf));
  await app.register(mapResource(services.groups, contextOf));
  await app.register(rootSearchRoute([services.users, services.groups], contextOf, services.limits));
  await app.register(bulkRoutes(services.bulk, services.limits, contextOf));

  app.all('/Me', async () => {
    throw notImplemented('/Me is not implemented: WiggleDesk API keys belong to an organisation, not to a user', 'SCIM_E_ME_501');
  });
  void invalidSyntax;
};

export function scimBaseUrl(config: Config, request: FastifyRequest): string {
  return `${requestBaseUrl(config, request)}/scim/v2`;
}

/** Every key and string value (or array element) of a decoded params/query object is storable. */
function storableStrings(values: unknown): boolean {
  if (typeof values !== 'object' || values === null) return true;
  // On every request: loops, no intermediate arrays.
  for (const k in values) {
    if (!isStorableText(k)) return false;
    const v = (values as Record<string, unknown>)[k];
    if (typeof v === 'string') {
      if (!isStorableText(v)) return false;
    } else if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'string' && !isStorableText(x)) return false;
    }
  }
  return true;
}

const pathOnly = (url: string) => url.split('?')[0]!.replace(/\/{2,}/g, '/');

function resourceTypeOf(url: string): string | null {
  const m = /\/scim\/v2\/+(Users|Groups)\b/i.exec(url);
  return m ? (m[1]!.toLowerCase() === 'users' ? 'User' : 'Group') : null;
}

function resourceIdOf(url: string): string | null {
  const m = /\/scim\/v2\/+(?:Users|Groups)\/+([^/?.][^/?]*)/i.exec(url);
  return m ? decodeURIComponent(m[1]!) : null;
}

function summaryOfRead(request: FastifyRequest): string | null {
  const q = request.query as Record<string, unknown> | undefined;
  if (!q || typeof q !== 'object') return null;
  const picked: Record<string, unknown> = {};
  for (const k of ['filter', 'startIndex', 'count', 'cursor', 'sortBy', 'attributes', 'excludedAttributes']) {
    if (q[k] !== undefined) picked[k] = k === 'filter' ? String(q[k]).slice(0, 200) : q[k];
  }
  return Object.keys(picked).length ? JSON.stringify(picked) : null;
}
