// Keeps outbound requests (webhooks, SET pushes) flowing without letting one receiver, or one
// organisation, hold the instance (issue #13: unrelated resources do not wait; the brief: a hostile
// tenant must not slow another). Requests run beside the loop: at most `total` in flight, at most
// `perEndpoint` to one endpoint or stream and `perTenant` for one organisation (a claim skips those at
// their limit, so one claim can overshoot by at most its own size); new claims are made when there is
// room, never after waiting for a slow batch. Per-resource order is the claim query's business (a later
// event of a resource waits while an earlier one is in flight).

import type { BusyReceivers } from '../storage/ports.js';

export interface DispatchLimits {
  readonly total: number;
  readonly perEndpoint: number;
  readonly perTenant: number;
}

// 50 per receiver is what one round used to send at once (throughput to one receiver stays ≥ 1,000
// events/s); 100 per organisation (an organisation may have 20 webhook endpoints) and 500 in all leave
// room for everybody else while some receivers hang for their whole timeout.
export const DEFAULT_DISPATCH_LIMITS: DispatchLimits = { total: 500, perEndpoint: 50, perTenant: 100 };

/** Claim again once this many requests in flight have finished (or all of them, if fewer). */
export const CLAIM_AGAIN_AFTER = 25;

/** Claims up to `limit` due requests, none to a busy endpoint or organisation, and starts them; `done` settles once the outcome is recorded. */
export type StartDue = (limit: number, busy: BusyReceivers) => Promise<Array<{ key: string; tenant: string; done: Promise<void> }>>;

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

/** In-flight counts by key. */
function counter() {
  const counts = new Map<string, number>();
  return {
    add: (k: string) => void counts.set(k, (counts.get(k) ?? 0) + 1),
    remove(k: string) {
      const n = (counts.get(k) ?? 1) - 1;
      if (n <= 0) counts.delete(k);
      else counts.set(k, n);
    },
    atLeast: (limit: number) => [...counts].filter(([, n]) => n >= limit).map(([k]) => k),
  };
}

export function createRequestDispatcher(startDue: StartDue, onError: (e: unknown) => void, limits: DispatchLimits = DEFAULT_DISPATCH_LIMITS): RequestDispatcher {
  const byEndpoint = counter();
  const byTenant = counter();
  const pending = new Set<Promise<void>>();
  let waiters: Array<{ left: number; resolve: () => void }> = [];

  const settleWaiters = () => {
    waiters = waiters.filter((w) => {
      w.left--;
      if (w.left > 0 && pending.size > 0) return true;
      w.resolve();
      return false;
    });
  };

  return {
    async pump() {
      const room = limits.total - pending.size;
      if (room <= 0) return 0;
      const started = await startDue(room, { endpoints: byEndpoint.atLeast(limits.perEndpoint), tenants: byTenant.atLeast(limits.perTenant) });
      for (const { key, tenant, done } of started) {
        byEndpoint.add(key);
        byTenant.add(tenant);
        const tracked: Promise<void> = done.catch(onError).finally(() => {
          byEndpoint.remove(key);
          byTenant.remove(tenant);
          pending.delete(tracked);
          settleWaiters();
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
