// The retention job's loop, started by `serve` on every instance: each run claims the purge lease
// (lifecycle_leases), so only one instance erases at a time, and erasure is idempotent. The use
// case lives in services/lifecycle; this file only decides when to call it.
import type { UserLifecycle } from '../services/lifecycle/lifecycle.js';

export interface PurgeWorker {
  stop(): void;
}

export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const FIRST_RUN_MS = 60 * 1000;

export function startPurgeWorker(lifecycle: UserLifecycle, options: { onError: (e: unknown) => void; onErased?: (n: number) => void; intervalMs?: number }): PurgeWorker {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await lifecycle.runPurge();
      if (r.erased.length > 0) options.onErased?.(r.erased.length);
    } catch (e) {
      options.onError(e);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), Math.min(FIRST_RUN_MS, options.intervalMs ?? FIRST_RUN_MS));
  const timer = setInterval(() => void tick(), options.intervalMs ?? PURGE_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
