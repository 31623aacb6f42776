// Prometheus metrics at /metrics (prom-client), one registry per app so tests can run several.
// Labels stay low-cardinality: the route pattern, never the raw URL.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createHash, timingSafeEqual } from 'node:crypto';

export interface MetricsSources {
  readonly activityBacklog: () => number;
  readonly poolStats: () => { total: number; idle: number; waiting: number } | undefined;
}

export interface AppMetrics {
  readonly registry: Registry;
  scimError(scimType: string | undefined, status: number): void;
  rateLimited(): void;
  authRefused(reason: string): void;
}

export function createMetrics(sources: MetricsSources): AppMetrics & { attach(app: FastifyInstance, token: string | undefined): void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'wiggledesk_' });
  const requests = new Counter({ name: 'wiggledesk_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'wiggledesk_http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const scimErrors = new Counter({ name: 'wiggledesk_scim_errors_total', help: 'SCIM error responses by scimType and status', labelNames: ['scim_type', 'status'], registers: [registry] });
  const authRefused = new Counter({
    name: 'wiggledesk_scim_auth_refused_total',
    help: 'SCIM requests refused at authentication, by reason (missing_header, not_bearer, not_an_api_key and unknown_key are not attributable to an organisation)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const rateLimited = new Counter({ name: 'wiggledesk_rate_limit_rejections_total', help: 'SCIM requests refused with 429', registers: [registry] });
  new Gauge({
    name: 'wiggledesk_activity_log_backlog',
    help: 'Activity-log entries queued and not yet written',
    registers: [registry],
    collect() {
      this.set(sources.activityBacklog());
    },
  });
  new Gauge({
    name: 'wiggledesk_db_pool_connections',
    help: 'PostgreSQL pool connections by state (absent on SQLite)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const s = sources.poolStats();
      if (!s) return;
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });

  return {
    registry,
    scimError: (scimType, status) => scimErrors.inc({ scim_type: scimType ?? 'none', status: String(status) }),
    rateLimited: () => rateLimited.inc(),
    authRefused: (reason) => authRefused.inc({ reason }),
    attach(app, token) {
      // prom-client validates and hashes a label object on every inc/observe; the bound children
      // (one per route, method and status seen — a bounded set: route patterns, not URLs) do not.
      const counters = new Map<string, Counter.Internal>();
      const timers = new Map<string, Histogram.Internal<'route' | 'method'>>();
      app.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url ?? 'unmatched';
        if (route === '/metrics') return;
        const method = request.method;
        const status = reply.statusCode;
        const timerKey = `${method} ${route}`;
        const counterKey = `${status} ${timerKey}`;
        let counter = counters.get(counterKey);
        if (!counter) counters.set(counterKey, (counter = requests.labels(route, method, String(status))));
        counter.inc();
        let timer = timers.get(timerKey);
        if (!timer) timers.set(timerKey, (timer = latency.labels(route, method)));
        timer.observe(reply.elapsedTime / 1000);
      });
      app.get('/metrics', async (request, reply) => {
        if (token && !sameSecret(request.headers.authorization ?? '', `Bearer ${token}`)) return reply.code(401).send({ detail: 'metrics need the METRICS_TOKEN bearer token' });
        return reply.type(registry.contentType).send(await registry.metrics());
      });
    },
  };
}

/** Constant-time comparison of a presented secret (hashing first equalises the lengths). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
