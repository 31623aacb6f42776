// Sign-in throttling: failed attempts counted per account (the folded email, whether or not the
// account exists, so the limit reveals nothing) and per client address, in fixed windows.
// In memory, per instance: with N instances an attacker gets N times the budget, which is still
// small. The hardening issue moves these counters to Redis so instances share them.

export interface ThrottlePolicy {
  readonly maxPerAccount: number;
  readonly maxPerAddress: number;
  readonly windowMs: number;
  /** Buckets kept at most; the oldest are dropped beyond it (bounded memory under a spray). */
  readonly maxBuckets: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = Object.freeze({
  maxPerAccount: 5,
  maxPerAddress: 20,
  windowMs: 15 * 60 * 1000,
  maxBuckets: 50_000,
});

export interface LoginThrottle {
  /** Seconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfter(account: string, address: string): number;
  recordFailure(account: string, address: string): void;
  recordSuccess(account: string): void;
}

export function createLoginThrottle(policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY, now: () => number = Date.now): LoginThrottle {
  const buckets = new Map<string, { count: number; resetAt: number }>();

  const live = (key: string, t: number) => {
    const b = buckets.get(key);
    if (b && b.resetAt <= t) {
      buckets.delete(key);
      return undefined;
    }
    return b;
  };

  const bump = (key: string, t: number) => {
    const b = live(key, t);
    if (b) {
      b.count++;
      return;
    }
    if (buckets.size >= policy.maxBuckets) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    buckets.set(key, { count: 1, resetAt: t + policy.windowMs });
  };

  const wait = (key: string, max: number, t: number) => {
    const b = live(key, t);
    return b && b.count >= max ? Math.ceil((b.resetAt - t) / 1000) : 0;
  };

  return {
    retryAfter(account, address) {
      const t = now();
      return Math.max(wait(`a:${account}`, policy.maxPerAccount, t), wait(`i:${address}`, policy.maxPerAddress, t));
    },
    recordFailure(account, address) {
      const t = now();
      bump(`a:${account}`, t);
      bump(`i:${address}`, t);
    },
    recordSuccess(account) {
      buckets.delete(`a:${account}`);
    },
  };
}
