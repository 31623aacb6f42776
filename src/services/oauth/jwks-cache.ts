// JSON Web Key Sets of federated clients' issuers (workload identity federation), fetched ONLY
// through the outbound guard (src/outbound: https, public addresses after DNS, timeout, size cap)
// and handed to jose as a local key set — never jose's createRemoteJWKSet, whose fetch would
// bypass the guard.
//  - cached per JWKS URL, and looked up by `kid`;
//  - refetched when an assertion names a `kid` the cache does not have (keys rotate without
//    notice), at most once per `unknownKidCooldownMs` per URL so garbage kids cannot make us hammer it;
//  - refetched when older than `maxAgeMs`;
//  - when the endpoint is down or answers nonsense, the cached keys keep working: only an
//    unknown `kid` fails then (Entra's guidance for ISVs).
// Per instance, by design: every instance reaches the same answer from the same JWKS URL, and
// nothing in it needs to be revoked across instances.
import type { JSONWebKeySet } from 'jose';
import { outboundRequest, DEFAULT_OUTBOUND_POLICY, type OutboundPolicy } from '../../outbound/outbound-request.js';

export class JwksUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwksUnavailable';
  }
}

interface Entry {
  jwks: JSONWebKeySet;
  kids: Set<string>;
  fetchedAt: number;
  lastAttemptAt: number;
}

export interface JwksCacheOptions {
  readonly policy: OutboundPolicy;
  readonly now: () => number;
  readonly maxAgeMs?: number;
  readonly unknownKidCooldownMs?: number;
  /** Largest key set accepted (Entra publishes a handful of keys). */
  readonly maxKeys?: number;
  readonly onRefreshError?: (url: string, e: unknown) => void;
}

export interface JwksCache {
  /** The key set to verify a token whose header names `kid` (or none). */
  get(url: string, kid: string | undefined): Promise<JSONWebKeySet>;
}

export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const maxAgeMs = options.maxAgeMs ?? 60 * 60 * 1000;
  const cooldownMs = options.unknownKidCooldownMs ?? 30_000;
  const maxKeys = options.maxKeys ?? 100;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry>>();

  async function fetchJwks(url: string): Promise<JSONWebKeySet> {
    const res = await outboundRequest({ url, headers: { accept: 'application/json' } }, { ...DEFAULT_OUTBOUND_POLICY, ...options.policy, maxResponseBytes: Math.min(options.policy.maxResponseBytes, 256 * 1024), timeoutMs: Math.min(options.policy.timeoutMs, 10_000) });
    if (res.status !== 200) throw new JwksUnavailable(`the JWKS URL answered HTTP ${res.status}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new JwksUnavailable('the JWKS URL did not answer JSON');
    }
    const keys = (parsed as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > maxKeys || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
      throw new JwksUnavailable('the JWKS URL did not answer a JSON Web Key Set ({"keys":[…]})');
    }
    return { keys: keys as JSONWebKeySet['keys'] };
  }

  function refresh(url: string): Promise<Entry> {
    const pending = inFlight.get(url);
    if (pending) return pending;
    const previous = cache.get(url);
    const t = options.now();
    if (previous) previous.lastAttemptAt = t;
    const p = fetchJwks(url)
      .then((jwks) => {
        const entry: Entry = { jwks, kids: new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string')), fetchedAt: t, lastAttemptAt: t };
        cache.set(url, entry);
        if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
        return entry;
      })
      .finally(() => inFlight.delete(url));
    inFlight.set(url, p);
    return p;
  }

  return {
    async get(url, kid) {
      const entry = cache.get(url);
      const t = options.now();
      if (!entry) {
        try {
          return (await refresh(url)).jwks;
        } catch (e) {
          throw e instanceof JwksUnavailable ? e : new JwksUnavailable(e instanceof Error ? e.message : String(e), { cause: e });
        }
      }
      const stale = t - entry.fetchedAt > maxAgeMs;
      const unknownKid = kid !== undefined && !entry.kids.has(kid);
      const mayRetry = t - entry.lastAttemptAt >= cooldownMs;
      if ((stale || unknownKid) && mayRetry) {
        try {
          return (await refresh(url)).jwks;
        } catch (e) {
          // Outage: keep using what we have (an unknown kid then fails verification).
          options.onRefreshError?.(url, e);
          return entry.jwks;
        }
      }
      return entry.jwks;
    },
  };
}
