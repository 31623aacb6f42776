// `wiggledesk serve` (part of the composition root, injected into the CLI): migrate, bootstrap the first organisation on an empty database, listen,
// and shut down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight, close the db).
import cluster from 'node:cluster';
import type { Config } from './config/config.js';
import { compose } from './compose.js';
import { buildApp } from './http/app.js';
import type { Io } from './cli/index.js';
import { bootstrapIfEmpty } from './cli/bootstrap.js';
import { Redis } from 'ioredis';

export async function serve(config: Config, io: Io, options: { workers: number }): Promise<number | undefined> {
  const workers = Number.isInteger(options.workers) && options.workers > 0 ? options.workers : 1;
  if (workers > 1 && cluster.isPrimary) {
    // Migrate and bootstrap once in the primary, then fork workers that share the port.
    const c = await compose(config);
    await bootstrapIfEmpty(c.services, config, io);
    await c.close();
    let listening = 0;
    cluster.on('listening', () => {
      if (++listening === workers) io.stdout(`WiggleDesk listening on http://${config.host}:${config.port} (${workers} workers, primary pid ${process.pid})\n`);
    });
    for (let i = 0; i < workers; i++) cluster.fork();
    cluster.on('exit', (w, code, signal) => {
      if (signal !== 'SIGTERM' && signal !== 'SIGINT' && code !== 0) {
        io.stderr(`worker ${w.process.pid} exited (${signal ?? code}); starting another\n`);
        cluster.fork();
      }
    });
    const stop = () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return undefined;
  }

  const c = await compose(config, { onBackgroundError: (e) => io.stderr(`background error: ${String(e)}\n`) });
  if (cluster.isPrimary) await bootstrapIfEmpty(c.services, config, io);
  // Shared rate-limit counters when several instances serve one organisation (REDIS_URL).
  const redis = config.redisUrl ? new Redis(config.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  redis?.on('error', (e: Error) => io.stderr(`redis: ${e.message}\n`));
  const app = await buildApp(config, c.services, { scim: { redis }, poolStats: () => c.db.poolStats() });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info({ port, dialect: c.db.dialect, pid: process.pid }, 'WiggleDesk listening');
  if (cluster.isPrimary) io.stdout(`WiggleDesk listening on http://${config.host}:${port} (pid ${process.pid}, ${c.db.dialect})\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    try {
      await app.close(); // stops accepting, waits for in-flight requests
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
