// How an instance learns that a credential may have changed anywhere (storage/ports.ts,
// CredentialWatch; the triggers of migration 0023 announce every change).
//
// SQLite: the triggers increment the one row of `credential_epoch`. Reading it is one prepared,
// synchronous statement on a page that is always cached (about a microsecond), and it sees the
// commits of every connection — another instance, the CLI in another process — as soon as they
// are committed, so a revocation is refused on the very next request everywhere.
//
// PostgreSQL: a round trip per request would cost what the cache saves, so each instance LISTENs
// on one dedicated connection and counts notifications. PostgreSQL sends them to every listener
// when the revoking transaction commits; an instance refuses the revoked credential as soon as
// the notification has arrived (one network hop after the commit). The revoking instance awaits
// `settle()`: a NOTIFY of its own, sent after the revocation committed, and notifications are
// delivered in commit order, so once every listener of this process has seen it they have all seen
// the revocation. While the listening connection is down, `epoch()` is undefined (no cache at
// all); on reconnecting the epoch moves on, so nothing cached before the gap survives it. A
// connection can also die silently (a NAT or firewall dropping an idle socket, a partition): the
// listener runs `select 1` every 500 ms, and `epoch()` is undefined once nothing has been heard
// from the database for 1.5 s — a notification sent before an answer on the same socket has arrived
// before it, so a silent loss of notifications lasts at most that long.
import type Database from 'better-sqlite3';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { CredentialWatch } from '../ports.js';

export const CREDENTIALS_CHANNEL = 'wiggledesk_credentials';

export interface ClosableCredentialWatch extends CredentialWatch {
  close(): Promise<void>;
}

export function createSqliteCredentialWatch(sqlite: Database.Database): ClosableCredentialWatch {
  let read: Database.Statement | undefined;
  return {
    epoch() {
      try {
        // Prepared on first use: the table exists once migrations ran.
        read ??= sqlite.prepare('select n from credential_epoch where id = 1').pluck();
        const n = read.get();
        return typeof n === 'number' ? n : undefined;
      } catch {
        // No table yet, or the connection is busy streaming rows: no cache for this request.
        return undefined;
      }
    },
    settle: async () => {},
    close: async () => {},
  };
}

/** Every listening watch of this process, by database URL (settle() waits for all of them). */
const listeningWatches = new Map<string, Set<PostgresWatch>>();

interface PostgresWatch {
  /** Resolves when this watch has received the notification with this payload. */
  awaitPayload(payload: string): Promise<void>;
  forget(payload: string): void;
}

const SETTLE_TIMEOUT_MS = 2_000;
const HEARTBEAT_MS = 500;
/** Serve from memory only while the listener answered this recently. */
const FRESH_MS = 1_500;

export function createPostgresCredentialWatch(url: string, onError: (e: unknown) => void = () => {}): ClosableCredentialWatch {
  let counter = 0;
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 100;
  let retryTimer: NodeJS.Timeout | undefined;
  let lastHeard = 0;
  const heartbeat = setInterval(() => {
    const c = client;
    if (!c) return;
    c.query('select 1').then(
      () => void (lastHeard = Date.now()),
      (e: unknown) => lost(c, e),
    );
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const waiters = new Map<string, () => void>();
  const self: PostgresWatch = {
    awaitPayload: (payload) => new Promise<void>((resolve) => waiters.set(payload, resolve)),
    forget: (payload) => void waiters.delete(payload),
  };
  const peers = () => {
    let set = listeningWatches.get(url);
    if (!set) listeningWatches.set(url, (set = new Set()));
    return set;
  };

  function lost(c: pg.Client, e?: unknown): void {
    if (e !== undefined && !closed) onError(e);
    if (client !== c) return;
    client = undefined;
    peers().delete(self);
    // Whoever waits on this watch would otherwise wait out the timeout.
    for (const resolve of waiters.values()) resolve();
    waiters.clear();
    void c.end().catch(() => {});
    if (closed) return;
    retryTimer = setTimeout(() => void connect(), retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, 5_000);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, keepAlive: true, query_timeout: 1_000, connectionTimeoutMillis: 5_000 });
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c));
    c.on('notification', (msg) => {
      if (msg.channel !== CREDENTIALS_CHANNEL) return;
      lastHeard = Date.now();
      counter++;
      const resolve = msg.payload === undefined ? undefined : waiters.get(msg.payload);
      if (resolve) {
        waiters.delete(msg.payload!);
        resolve();
      }
    });
    try {
      await c.connect();
      await c.query(`listen ${CREDENTIALS_CHANNEL}`);
    } catch (e) {
      client = c;
      lost(c, e);
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    // Anything may have changed while we were not listening: drop whatever was cached before.
    counter++;
    retryMs = 100;
    lastHeard = Date.now();
    client = c;
    peers().add(self);
  }

  void connect();

  return {
    epoch: () => (client && Date.now() - lastHeard <= FRESH_MS ? counter : undefined),
    async settle() {
      const c = client;
      const targets = [...peers()];
      if (!c || targets.length === 0) return;
      const payload = `settle:${randomBytes(9).toString('base64url')}`;
      const seen = Promise.all(targets.map((w) => w.awaitPayload(payload)));
      try {
        await c.query('select pg_notify($1, $2)', [CREDENTIALS_CHANNEL, payload]);
      } catch {
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([seen, new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_TIMEOUT_MS)))]);
      clearTimeout(timer);
      for (const w of targets) w.forget(payload);
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      const c = client;
      client = undefined;
      peers().delete(self);
      for (const resolve of waiters.values()) resolve();
      waiters.clear();
      if (c) await c.end().catch(() => {});
    },
  };
}
