// The SET stream loop of one instance: every round turns new outbox events into SETs for each enabled
// stream and pushes the due ones (RFC 8935). Several instances run it against one database: streams
// are leased and deliveries claimed (FOR UPDATE SKIP LOCKED / SQLite leases), so each SET is sent
// once per attempt. Rounds never overlap; an error is reported and the next round goes on.
import type { SetStreamService } from '../services/sets/set-streams.js';

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

  const round = async () => {
    try {
      const attempted = await sets.runOnce();
      if (Date.now() - lastPurge > purgeEveryMs) {
        lastPurge = Date.now();
        await sets.purge();
      }
      // Busy: go again at once; idle: wait for the next tick.
      schedule(attempted > 0 ? 0 : intervalMs);
    } catch (e) {
      options.onError?.(e);
      schedule(intervalMs * 4);
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
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
    },
  };
}
