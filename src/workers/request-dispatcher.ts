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

export const DEFAULT_DISPATCH_LIMITS: DispatchLimits = { total: 200, perEndpoint: 10 };

/** Claims up to `limit` due requests, none to a `busy` key, and starts them; `done` settles once the outcome is recorded. */
export type StartDue = (limit: number, busy: readonly string[]) => Promise<Array<{ key: string; done: Promise<void> }>>;

export interface RequestDispatcher {
  /** Claims and starts what fits; returns how many requests it started (0: nothing due, or no room). */
  pump(): Promise<number>;
  inFlight(): number;
  /** Settles when every request started so far has its outcome recorded. */
  drain(): Promise<void>;
}

export function createRequestDispatcher(startDue: StartDue, onError: (e: unknown) => void, limits: DispatchLimits = DEFAULT_DISPATCH_LIMITS): RequestDispatcher {
  const perEndpoint = new Map<string, number>();
  const pending = new Set<Promise<void>>();

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
        });
        pending.add(tracked);
      }
      return started.length;
    },
    inFlight: () => pending.size,
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
