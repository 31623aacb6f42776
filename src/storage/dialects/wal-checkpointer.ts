// SQLite WAL checkpoints off the request path (`serve` only; see createSqliteDb).
//
// By default SQLite checkpoints inside the COMMIT that takes the WAL past 1,000 pages: that request
// copies every page written since the last checkpoint into the database file and fsyncs both files,
// with the event loop blocked. Every SCIM write rewrites the same hot pages (the right edges of the
// append-only B-trees: activity log, outbox, their indexes), so a checkpoint every ~80 writes copied
// most of them again and again. Here a worker thread with its own connection runs a PASSIVE
// checkpoint (never blocks a reader or a writer; https://sqlite.org/c3ref/wal_checkpoint_v2.html)
// every EVERY_MS: each page is copied once per interval however often it was rewritten, and the
// fsyncs wait in the worker. The server's connection keeps a high autocheckpoint as a safety net
// should the worker fall behind. Figures: docs/performance.md ("Latest: session 6").
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

// 50 ms, measured against 250 ms and against SQLite's own checkpoints (docs/performance.md): with
// the bench's server pinned to one core the worker shares the event loop's core, and a quarter
// second of SCIM creates made one checkpoint long enough to raise POST p99 to ~50 ms (vs ~30 ms).
export const EVERY_MS = 50;
/** The server connection's own checkpoint threshold while the worker runs (pages): only reached if the worker stalls. */
export const SAFETY_NET_PAGES = 20_000;

// Inline so that it runs the same from src/ (tests) and dist/. CommonJS: `require` is available.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
db.pragma('cache_size = -256'); // a checkpoint copies frames with a buffer of its own, not through the page cache
let stopped = false;
function checkpoint() {
  try {
    return db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch (e) {
    // SQLITE_BUSY: another connection (another instance on this file) is checkpointing right now.
    if (e && e.code === 'SQLITE_BUSY') return undefined;
    throw e;
  }
}
const timer = setInterval(() => {
  if (stopped) return;
  try {
    const r = checkpoint();
    if (r && workerData.report) parentPort.postMessage({ kind: 'checkpointed', log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ kind: 'error', message: String(e && e.message || e) });
  }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    stopped = true;
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export interface WalCheckpointer {
  /** Resolves when the worker has closed its connection. */
  stop(): Promise<void>;
}

export function startWalCheckpointer(file: string, options: { everyMs?: number | undefined; onError?: (e: Error) => void; onCheckpoint?: (r: { log: number; checkpointed: number }) => void } = {}): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // The thread costs about 14 MB of RSS (its V8 isolate; heap limits did not change that), measured
  // with and without it: the issue #15 run peaked at 291 MB (< 300 MB) against 266 MB before.
  // `report`: only a listener gets a message per checkpoint (the server does not: 20 wake-ups a second for nothing).
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, everyMs: options.everyMs ?? EVERY_MS, report: options.onCheckpoint !== undefined } });
  worker.unref(); // never what keeps a process alive
  worker.on('message', (m: { kind: string; message?: string; log?: number; checkpointed?: number }) => {
    if (m.kind === 'error') options.onError?.(new Error(`WAL checkpoint: ${m.message ?? ''}`));
    else if (m.kind === 'checkpointed') options.onCheckpoint?.({ log: m.log ?? 0, checkpointed: m.checkpointed ?? 0 });
  });
  worker.on('error', (e) => options.onError?.(e));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
