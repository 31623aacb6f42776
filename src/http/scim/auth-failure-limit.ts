// Failed authentication on /scim/v2 is rate limited per client address and per presented API key
// id (issue #18): after `limit` failures in a window, further failures from that address, or
// for that key id, are answered 429 with a SCIM body and an integer Retry-After instead of 401.
// Only failures are counted, and a request is always authenticated first, so a valid key is
// never slowed or limited, even from an address or for a key id someone else is hammering.
// Counters are fixed windows, in memory per instance or shared through Redis when configured.
import type { Redis } from 'ioredis';
import { parseApiKey } from '../../auth/api-key.js';

export interface AuthFailureLimitOptions {
  /** Failures allowed per address and per key id in one window. */
  readonly limit: number;
  readonly windowSeconds: number;
  readonly redis?: Redis | undefined;
  readonly now?: () => number;
}

export interface AuthFailureVerdict {
  /** Seconds until the window that was exceeded ends; undefined when still within the limit. */
  readonly retryAfterSeconds: number | undefined;
  /** What was exceeded, for the error detail. */
  readonly exceeded: 'address' | 'key id' | undefined;
}

/** The key id of a presented `Bearer wdk_<id>_<secret>` (whether or not the key exists). */
export function presentedKeyId(authorization: string | undefined): string | undefined {
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return m ? parseApiKey(m[1]!)?.id : undefined;
}

export function createAuthFailureLimit(options: AuthFailureLimitOptions) {
  const windowMs = options.windowSeconds * 1000;
  const now = options.now ?? Date.now;
  const memory = new Map<string, { count: number; resetAt: number }>();

  async function bump(key: string): Promise<{ count: number; ttlMs: number }> {
    if (options.redis) {
      try {
        const k = `wiggledesk-authfail-${key}`;
        const count = await options.redis.incr(k);
        if (count === 1) await options.redis.pexpire(k, windowMs);
        const ttl = await options.redis.pttl(k);
        return { count, ttlMs: ttl > 0 ? ttl : windowMs };
      } catch {
        // A Redis outage falls back to this instance's counters rather than failing requests.
      }
    }
    const t = now();
    let e = memory.get(key);
    if (!e || e.resetAt <= t) {
      if (memory.size >= 100_000) for (const [k, v] of memory) if (v.resetAt <= t || memory.size >= 100_000) memory.delete(k);
      e = { count: 0, resetAt: t + windowMs };
      memory.set(key, e);
    }
    e.count += 1;
    return { count: e.count, ttlMs: e.resetAt - t };
  }

  return {
    /** Counts one failed attempt; says whether it is over the limit (then answer 429). */
    async failed(address: string, keyId: string | undefined): Promise<AuthFailureVerdict> {
      const byAddress = await bump(`ip:${address}`);
      const byKey = keyId === undefined ? undefined : await bump(`key:${keyId}`);
      const over: Array<['address' | 'key id', number]> = [];
      if (byAddress.count > options.limit) over.push(['address', byAddress.ttlMs]);
      if (byKey && byKey.count > options.limit) over.push(['key id', byKey.ttlMs]);
      if (over.length === 0) return { retryAfterSeconds: undefined, exceeded: undefined };
      const [what, ttl] = over.reduce((a, b) => (b[1] > a[1] ? b : a));
      return { retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)), exceeded: what };
    },
  };
}
