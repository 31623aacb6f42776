// The SET stream loop of one instance: every round turns new outbox events into SETs for each enabled
// stream and pushes the due ones (RFC 8935). Several instances run it against one database: streams
// are leased and deliveries claimed (FOR UPDATE SKIP LOCKED / SQLite leases), so each SET is sent
// once per attempt. Rounds never overlap (pushes do: request-dispatcher.ts); an error is reported and the next round goes on.
import type { SetStreamService } from '../services/sets/set-streams.js';
import { CLAIM_AGAIN_AFTER, createRequestDispatcher } from './request-dispatcher.js';

export interface SetDeliveryWorker {
  stop(): Promise<void>;
}

export function startSetDeliveryWorker(sets: SetStreamService, options: { intervalMs?: number; purgeEveryMs?: number; onError?: (e: unknown) => void } = {}): SetDeliveryWorker {
  const intervalMs = options.intervalMs ?? 250;
  const purgeEveryMs = options.purgeEveryMs ?? 3600_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastPurge = 0;

  // Pushes run beside the loop (request-dispatcher.ts): a receiver that takes its full timeout holds
  // its own stream's SETs, not every other organisation's.
  const dispatcher = createRequestDispatcher((limit, busy) => sets.startPushes(limit, busy), (e) => options.onError?.(e));

  const round = async () => {
    try {
      const anyPush = await sets.materializeAll();
      // No push stream: no claim (on SQLite a claim is a write, even when it finds nothing).
      const started = anyPush ? await dispatcher.pump() : 0;
      if (Date.now() - lastPurge > purgeEveryMs) {
        lastPurge = Date.now();
        await sets.purge();
      }
      // Busy: go again at once. Nothing started: wait for the next tick — or, while pushes are in
      // flight (what is due may be waiting for them), until they have finished if that comes first.
      schedule(started > 0 ? 0 : intervalMs);
      if (started === 0 && dispatcher.inFlight() > 0) {
        const waiting = scheduled;
        void dispatcher.finished(CLAIM_AGAIN_AFTER).then(() => {
          if (!stopped && scheduled === waiting && timer !== undefined) {
            clearTimeout(timer);
            schedule(0);
          }
        });
      }
    } catch (e) {
      options.onError?.(e);
      schedule(intervalMs * 4);
    }
  };
  let scheduled = 0; // which schedule() the pending timer belongs to (a fired timer is undefined)
  const schedule = (ms: number) => {
    if (stopped) return;
    scheduled++;
    timer = setTimeout(() => {
      timer = undefined;
      running = round();
    }, ms);
    timer.unref();
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await dispatcher.drain(); // pushes in flight finish: their outcomes are recorded
    },
  };
}
