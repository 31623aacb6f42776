// Per-API-key rate limits for /scim/v2, through @fastify/rate-limit's own stores: in memory per
// instance, or shared through Redis when REDIS_URL is set (several instances, one budget per key).
// @fastify/rate-limit counts fixed windows, so we size the window as burst/rate: a key may send
// `burst` requests at once and sustains `perSecond` on average. Keys are limited independently,
// so one tenant's burst never slows another. Over the limit: 429 with a SCIM error body and an
// integer Retry-After (Okta honours only integer seconds, R-OKTA-16).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { tooManyRequests } from '../../scim/errors.js';

export interface RateLimitOptions {
  readonly perSecond: number;
  readonly burst: number;
  readonly redis: Redis | undefined;
  readonly onRejected?: () => void;
}

export async function registerScimRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const windowMs = Math.max(1, Math.round((options.burst / options.perSecond) * 1000));
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler', // after the bearer hook, so the bucket is the API key's
    max: options.burst,
    timeWindow: windowMs,
    keyGenerator: (request) => (request.scimAuth ? `key:${request.scimAuth.keyId}` : `ip:${request.ip}`),
    ...(options.redis ? { redis: options.redis, nameSpace: 'wiggledesk-scim-' } : {}),
    // A Redis outage must not take provisioning down with it.
    skipOnError: true,
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
    addHeaders: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true, 'retry-after': true },
    errorResponseBuilder: (_request, context) => {
      options.onRejected?.();
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return tooManyRequests(`Rate limit of ${options.perSecond} requests per second (bursts of ${options.burst}) exceeded for this API key; retry in ${seconds} s`, 'SCIM_E_RATE_LIMIT');
    },
  });
}
