// Warm bearer credentials without hashing or a database read (issue #15). A verified API key or
// access token is remembered, bounded, with what authentication decided (tenant store, key or
// client id, scopes). Only successes are cached: every refusal still goes to the database, so
// failed-authentication limits and the organisation's auth-failure insights see each of them.
//
// Revocation stays immediate on every instance: before serving an entry the cache compares the
// CredentialWatch epoch with the one it filled under, and forgets everything when it moved
// (database triggers move it on any revocation, withdrawal of API access or token deletion, from
// any instance or process; storage/dialects/credential-watch.ts). When the epoch cannot be
// observed (PostgreSQL listener reconnecting) nothing is served from memory.
//
// Entries are keyed by the whole presented token. Only a token that was verified against its
// stored hash is ever a key, so an unknown or wrong secret misses and takes the full path
// (hash, constant-time comparison). Map lookups hash the string with V8's per-process random
// seed, so their timing says nothing useful about a cached token to someone who does not hold it.
import type { CredentialWatch } from '../../storage/ports.js';

export interface CredentialCache<T> {
  /** The cached value for this token, if the watch allows serving from memory and it has not expired. */
  get(token: string, now: number): T | undefined;
  /** The epoch to pass to `set` — read it before the database read that verifies the token. */
  epoch(): number | undefined;
  /** Remembers a verified token, unless a change was announced since `epoch` was read. */
  set(token: string, value: T, epoch: number | undefined, expiresAt?: number): void;
}

/** Enough for every key of a large deployment; an entry is a few hundred bytes. */
export const CREDENTIAL_CACHE_SIZE = 10_000;

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

export function createCredentialCache<T>(watch: CredentialWatch | undefined, maxEntries = CREDENTIAL_CACHE_SIZE): CredentialCache<T> {
  const entries = new Map<string, Entry<T>>();
  let filledUnder: number | undefined;

  /** The current epoch; forgets every entry when it moved (or cannot be read). */
  function current(): number | undefined {
    const e = watch?.epoch();
    if (e !== filledUnder) {
      entries.clear();
      filledUnder = e;
    }
    return e;
  }

  return {
    get(token, now) {
      if (current() === undefined) return undefined;
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.expiresAt <= now) {
        entries.delete(token);
        return undefined;
      }
      return entry.value;
    },
    epoch: current,
    set(token, value, epoch, expiresAt = Number.POSITIVE_INFINITY) {
      // A revocation announced between the read and now: the value may already be stale.
      if (epoch === undefined || current() !== epoch) return;
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(token, { value, expiresAt });
    },
  };
}
