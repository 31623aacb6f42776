// Keeps webhook requests flowing without letting one receiver hold the instance (issue #13: unrelated
// resources do not wait; the brief: a hostile tenant must not slow another). Up to `total` requests are
// in flight at once and at most `perEndpoint` to one endpoint (further claims skip it); new claims are
// made as soon as there is room, never after waiting for a slow batch to finish. Per-resource order is
// the claim query's business (a later event of a resource waits while an earlier one is delivering).
import type { WebhookDelivery } from '../services/webhooks/delivery.js';

export interface DispatchLimits {
  readonly total: number;
  readonly perEndpoint: number;
}

export const DEFAULT_DISPATCH_LIMITS: DispatchLimits = { total: 200, perEndpoint: 10 };

export interface WebhookDispatcher {
  /** Claims and starts what fits; returns how many requests it started (0: nothing due, or no room). */
  pump(): Promise<number>;
  inFlight(): number;
  /** Settles when every request started so far has its outcome recorded. */
  drain(): Promise<void>;
}

export function createWebhookDispatcher(delivery: Pick<WebhookDelivery, 'startDue'>, limits: DispatchLimits = DEFAULT_DISPATCH_LIMITS): WebhookDispatcher {
  const perEndpoint = new Map<string, number>();
  const pending = new Set<Promise<void>>();

  const finished = (endpointId: string) => {
    const n = (perEndpoint.get(endpointId) ?? 1) - 1;
    if (n <= 0) perEndpoint.delete(endpointId);
    else perEndpoint.set(endpointId, n);
  };

  return {
    async pump() {
      const room = limits.total - pending.size;
      if (room <= 0) return 0;
      const busy = [...perEndpoint].filter(([, n]) => n >= limits.perEndpoint).map(([endpointId]) => endpointId);
      const started = await delivery.startDue(room, busy);
      for (const { endpointId, done } of started) {
        perEndpoint.set(endpointId, (perEndpoint.get(endpointId) ?? 0) + 1);
        const tracked: Promise<void> = done.finally(() => {
          finished(endpointId);
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
