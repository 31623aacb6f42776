// The provisioning activity log. Writes log their row inside their own transaction (see
// scim-resources.ts); reads and failures are queued here and written in batches off the
// request path, so logging costs a request almost nothing.
import type { ActivityEntry, TenantStore } from '../../storage/ports.js';

export interface ActivityRecorder {
  /** Queue an entry; written within ~flushIntervalMs. */
  enqueue(store: TenantStore, entry: ActivityEntry): void;
  /** Entries waiting to be written (for /metrics). */
  backlog(): number;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createActivityRecorder(options: { flushIntervalMs?: number; maxBatch?: number; onError: (e: unknown) => void }): ActivityRecorder {
  const interval = options.flushIntervalMs ?? 250;
  const maxBatch = options.maxBatch ?? 500;
  const queue = new Map<string, { store: TenantStore; entries: ActivityEntry[] }>();
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (timer === undefined) timer = setTimeout(() => void flush(), interval);
  };

  function flush(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const batches = [...queue.values()];
    queue.clear();
    size = 0;
    flushing = flushing.then(async () => {
      for (const b of batches) {
        for (let i = 0; i < b.entries.length; i += maxBatch) {
          try {
            await b.store.activity.append(b.entries.slice(i, i + maxBatch));
          } catch (e) {
            options.onError(e);
          }
        }
      }
    });
    return flushing;
  }

  return {
    enqueue(store, entry) {
      let q = queue.get(store.tenantId);
      if (!q) queue.set(store.tenantId, (q = { store, entries: [] }));
      q.entries.push(entry);
      size++;
      if (size >= maxBatch) void flush();
      else schedule();
    },
    backlog: () => size,
    flush,
    async close() {
      await flush();
    },
  };
}
