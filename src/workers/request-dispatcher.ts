// Keeps outbound requests (webhooks, SET pushes) flowing without letting one receiver hold the
// instance (issue #13: unrelated resources do not wait; the brief: a hostile tenant must not slow
// another). Up to `total` requests are in flight at once and at most `perEndpoint` to one endpoint or
// stream (further claims skip it); new claims are made as soon as there is room, never after waiting
// for a slow batch to finish. Per-resource order is the claim query's business (a later event of a
// resource waits while an earlier one is in flight).

export interface DispatchLimits {
  readonly total: number;
  readonly perEndpoint: number;
}

// 50 per receiver is what one round used to send at once (delivery throughput stays ≥ 1,000 events/s to one
// receiver); 500 in all leaves room for every other organisation while several receivers hang.
/** Claim again once this many requests in flight have finished (or all of them, if fewer). */
export const CLAIM_AGAIN_AFTER = 25;

export const DEFAULT_DISPATCH_LIMITS: DispatchLimits = { total: 500, perEndpoint: 50 };

/** Claims up to `limit` due requests, none to a `busy` key, and starts them; `done` settles once the outcome is recorded. */
export type StartDue = (limit: number, busy: readonly string[]) => Promise<Array<{ key: string; done: Promise<void> }>>;

export interface RequestDispatcher {
  /** Claims and starts what fits; returns how many requests it started (0: nothing due, or no room). */
  pump(): Promise<number>;
  inFlight(): number;
  /**
   * Settles once `count` more requests have finished (or none is left in flight): the loop's cue to
   * claim again. Waiting for several keeps claims in batches (one claim per finished request cost
   * three times the CPU per delivery).
   */
  finished(count: number): Promise<void>;
  /** Settles when every request started so far has its outcome recorded. */
  drain(): Promise<void>;
}

export function createRequestDispatcher(startDue: StartDue, onError: (e: unknown) => void, limits: DispatchLimits = DEFAULT_DISPATCH_LIMITS): RequestDispatcher {
  const perEndpoint = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  let waiters: Array<{ left: number; resolve: () => void }> = [];

  const finished = (key: string) => {
    const n = (perEndpoint.get(key) ?? 1) - 1;
    if (n <= 0) perEndpoint.delete(key);
    else perEndpoint.set(key, n);
  };

  return {
    async pump() {
      const room = limits.total - pending.size;
      if (room <= 0) return 0;
      const busy = [...perEndpoint].filter(([, n]) => n >= limits.perEndpoint).map(([key]) => key);
      const started = await startDue(room, busy);
      for (const { key, done } of started) {
        perEndpoint.set(key, (perEndpoint.get(key) ?? 0) + 1);
        const tracked: Promise<void> = done.catch(onError).finally(() => {
          finished(key);
          pending.delete(tracked);
          waiters = waiters.filter((w) => {
            w.left--;
            if (w.left > 0 && pending.size > 0) return true;
            w.resolve();
            return false;
          });
        });
        pending.add(tracked);
      }
      return started.length;
    },
    inFlight: () => pending.size,
    finished: (count) => (pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ left: Math.max(1, Math.min(count, pending.size)), resolve }))),
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
