// Background loops, started by `serve` (and stopped on shutdown): webhook delivery and the
// retention purge of events and of the other logs (the sign-in log). Each round claims its own work in the database (see storage/kysely/delivery-queue.ts),
// so any number of instances can run them side by side. The loops only schedule; the use cases
// are in services/ (tests call `runOnce` / `purgeExpired` directly with an injected clock).
import type { EventsServices } from '../services/events/events.js';
import { CLAIM_AGAIN_AFTER, createRequestDispatcher } from './request-dispatcher.js';

export interface Workers {
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Pause when a round found nothing to do (ms). */
  readonly idleMs?: number;
  /** Between retention purges (ms). */
  readonly purgeEveryMs?: number;
  readonly onError: (e: unknown) => void;
  /** More retention purges run with the events purge (the sign-in log's); each is idempotent. */
  readonly purges?: ReadonlyArray<() => Promise<number>>;
}

export function startWorkers(events: EventsServices, options: WorkerOptions): Workers {
  const idleMs = options.idleMs ?? 250;
  const purgeEveryMs = options.purgeEveryMs ?? 3600_000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      timer.unref();
    });

  // Requests run beside the loop (request-dispatcher.ts): a receiver that takes its full timeout
  // holds its own deliveries, not the next claim.
  const dispatcher = createRequestDispatcher((limit, busy) => events.delivery.startDue(limit, busy), options.onError);
  const delivery = (async () => {
    while (!stopped) {
      let started = 0;
      try {
        started = await dispatcher.pump();
      } catch (e) {
        options.onError(e);
      }
      if (stopped || started > 0) continue;
      // Nothing started: nothing is due, or what is due waits for requests in flight (a receiver at
      // its limit, a resource's earlier event). Look again when those have finished (as a round used
      // to, but never later than the idle pause: a hanging receiver holds only itself).
      if (dispatcher.inFlight() > 0) {
        await Promise.race([pause(idleMs), dispatcher.finished(CLAIM_AGAIN_AFTER)]);
        if (timer) clearTimeout(timer);
      } else {
        await pause(idleMs);
      }
    }
  })();

  const purgeAll = () => {
    for (const run of [() => events.purgeExpired(), ...(options.purges ?? [])]) run().catch(options.onError);
  };
  const purge = setInterval(purgeAll, purgeEveryMs);
  purge.unref();
  // A first purge shortly after start (not during start-up itself).
  const first = setTimeout(purgeAll, 10_000);
  first.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(purge);
      clearTimeout(first);
      if (timer) clearTimeout(timer);
      wake?.();
      await delivery;
      await dispatcher.drain(); // requests in flight finish: their outcomes are recorded, not abandoned
    },
  };
}
