// Writes of one resource take turns inside this process. Across instances the database already
// serialises them (row lock on retry, see scim-resources.ts); this queue keeps the waiting *here*,
// in memory, instead of in the database: a burst of writers to one resource (Entra and Okta send
// membership PATCHes of one group in parallel) then holds at most one pool connection per
// instance, so it cannot starve other requests — or other tenants — of connections.
export interface WriteQueue {
  /** Runs `fn` after every earlier call with the same key has settled (fulfilled or rejected). */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys with work queued or running (for tests: the map empties when the work does). */
  readonly size: number;
}

export function createWriteQueue(): WriteQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(fn);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get size() {
      return tails.size;
    },
  };
}
