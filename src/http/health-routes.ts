// /healthz: the process is up. /readyz: the database answers (load balancers route on it).
import type { FastifyPluginAsync } from 'fastify';
import type { AppServices } from '../services/app-services.js';

export const healthRoutes = (services: AppServices): FastifyPluginAsync => async (app) => {
  app.get('/healthz', async () => ({ status: 'ok', pid: process.pid }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await withTimeout(services.platform.ping(), 2_000);
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', detail: 'database not reachable' });
    }
  });
};

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}
