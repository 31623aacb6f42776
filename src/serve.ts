// `wiggledesk serve` (part of the composition root, injected into the CLI): migrate, bootstrap the first organisation on an empty database, listen,
// and shut down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight, close the db).
import { isLoopbackAddress } from './http/public-url.js';
import cluster from 'node:cluster';
import type { Config } from './config/config.js';
import { compose } from './compose.js';
import { buildApp } from './http/app.js';
import type { Io } from './cli/index.js';
import { bootstrapIfEmpty } from './cli/bootstrap.js';
import { Redis } from 'ioredis';
import { startWorkers } from './workers/workers.js';
import { startPurgeWorker } from './workers/purge-worker.js';
import { startSetDeliveryWorker } from './workers/set-delivery-worker.js';

export async function serve(config: Config, io: Io, options: { workers: number }): Promise<number | undefined> {
  const workers = Number.isInteger(options.workers) && options.workers > 0 ? options.workers : 1;
  if (workers > 1 && cluster.isPrimary) {
    // Migrate and bootstrap once in the primary, then fork workers that share the port.
    const c = await compose(config);
    await bootstrapIfEmpty(c.services, config, io);
    await c.close();
    // A worker that exits after it served is replaced; one that dies before it ever listened (port in
    // use, bad config) would only die again, so the primary stops them all and exits non-zero.
    const listened = new Set<number>();
    let stopping = false;
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    cluster.on('listening', (w) => {
      listened.add(w.id);
      if (listened.size === workers) io.stdout(`WiggleDesk listening on http://${config.host}:${config.port} (${workers} workers, primary pid ${process.pid})\n`);
    });
    cluster.on('exit', (w, code, signal) => {
      if (stopping || signal === 'SIGTERM' || signal === 'SIGINT' || code === 0) return;
      if (!listened.has(w.id)) {
        io.stderr(`worker ${w.process.pid} failed to start (${signal ?? code}); stopping\n`);
        process.exitCode = 1;
        stop();
        return;
      }
      io.stderr(`worker ${w.process.pid} exited (${signal ?? code}); starting another\n`);
      cluster.fork();
    });
    for (let i = 0; i < workers; i++) cluster.fork();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return undefined;
  }

  const c = await compose(config, { backgroundCheckpoints: true, onBackgroundError: (e) => io.stderr(`background error: ${String(e)}\n`) });
  if (cluster.isPrimary) await bootstrapIfEmpty(c.services, config, io);
  // Shared rate-limit counters when several instances serve one organisation (REDIS_URL).
  const redis = config.redisUrl ? new Redis(config.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  redis?.on('error', (e: Error) => io.stderr(`redis: ${e.message}\n`));
  const app = await buildApp(config, c.services, { scim: { redis }, poolStats: () => c.db.poolStats() });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // Port in use or not allowed: release what compose opened so the process can exit with the error.
    await app.close().catch(() => undefined);
    await c.close().catch(() => undefined);
    redis?.disconnect();
    cluster.worker?.disconnect(); // a worker's IPC channel would keep it alive
    throw error;
  }
  if (config.allowPrivateTargets) app.log.warn('ALLOW_PRIVATE_TARGETS is on: webhooks, SET push and JWKS fetches may reach http:// and private, loopback and link-local addresses. Development and tests only.');
  if (!c.services.events.sealer.encrypted) app.log.warn('WEBHOOK_SECRET_KEY is not set: webhook signing secrets are stored unsealed in the database (docs/events.md).');
  // Webhook delivery and the event retention purge (every instance runs them; work is claimed in the database).
  const background = startWorkers(c.services.events, { onError: (e) => app.log.warn({ err: e }, 'events worker error'), purges: [() => c.services.signInLog.purgeExpired()] });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info({ port, dialect: c.db.dialect, pid: process.pid }, 'WiggleDesk listening');
  if (cluster.isPrimary) io.stdout(`WiggleDesk listening on http://${config.host}:${port} (pid ${process.pid}, ${c.db.dialect})\n`);
  if (cluster.isPrimary && !config.publicUrl && !isLoopbackAddress(config.host)) {
    io.stderr(
      `warning: listening on ${config.host} without PUBLIC_URL: absolute URLs (SCIM Location, SSO redirect URI) use the address each request arrived at, or a Host named in ALLOWED_HOSTS; set PUBLIC_URL to the address clients use.\n`,
    );
  }

  // Retention: erase deleted users whose period ended (one instance at a time, by lease).
  const purge = startPurgeWorker(c.services.lifecycle, {
    onError: (e) => app.log.error({ err: e }, 'purge job failed'),
    onErased: (n) => app.log.info({ erased: n }, 'purge job erased users'),
  });
  // SCIM security event tokens: outbox → SET streams, push deliveries (every instance; they share the work).
  const setWorker = startSetDeliveryWorker(c.services.sets, { onError: (e) => app.log.error({ err: e }, 'SET stream round failed') });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    purge.stop();
    app.log.info({ signal }, 'shutting down');
    try {
      await app.close(); // stops accepting, waits for in-flight requests
      await background.stop(); // the delivery round in flight is recorded
      await setWorker.stop();
      await c.close(); // flushes the activity log, closes the database
      redis?.disconnect();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return undefined;
}
