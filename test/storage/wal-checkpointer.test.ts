// WAL checkpoints in a worker thread (storage/dialects/wal-checkpointer.ts): while the server's
// connection writes with its own automatic checkpoints out of the way, the worker copies the WAL
// into the database file (the file alone then holds every committed row), the WAL starts over
// instead of growing, and stop() ends the worker's connection.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startWalCheckpointer } from '../../src/storage/dialects/wal-checkpointer.js';
import { createSqliteDb } from '../../src/storage/dialects/sqlite.js';

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'wd-wal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Polls `check` until it holds (a background thread's outcome; at most `ms`). */
async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WAL checkpoints in a worker thread', () => {
  it('copies committed pages into the database file, so the WAL starts over instead of growing', async () => {
    const file = join(scratch(), 'db.sqlite');
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0'); // only the worker checkpoints here
    writer.exec('create table t (id integer primary key, v text)');
    const insert = writer.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 500; i++) insert.run(`row ${i}`.padEnd(200, '.'));

    const results: Array<{ log: number; checkpointed: number }> = [];
    const errors: Error[] = [];
    const worker = startWalCheckpointer(file, { everyMs: 20, onCheckpoint: (r) => results.push(r), onError: (e) => errors.push(e) });
    try {
      await eventually(() => results.some((r) => r.log >= 500 && r.checkpointed === r.log));
      // The database file alone (no WAL beside it) holds every committed row.
      const copy = join(scratch(), 'copy.sqlite');
      copyFileSync(file, copy);
      const alone = new Database(copy, { readonly: true });
      expect((alone.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(500);
      alone.close();

      // Fully checkpointed: the next write restarts the WAL from its first frame, so its size stays put.
      const walSize = statSync(`${file}-wal`).size;
      for (let round = 0; round < 5; round++) {
        results.length = 0;
        for (let i = 0; i < 200; i++) insert.run(`more ${round}.${i}`);
        await eventually(() => results.some((r) => r.log > 0 && r.checkpointed === r.log));
      }
      expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(walSize);
      expect((writer.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(1500);
      expect(errors).toEqual([]);
    } finally {
      await worker.stop();
      writer.close();
    }
  });

  it('the server connection hands checkpoints to the worker (a high safety net of its own) and close() stops it', async () => {
    const file = join(scratch(), 'db.sqlite');
    const handle = createSqliteDb(file, { backgroundCheckpoints: true });
    const auto = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(handle.db);
    expect(auto.rows[0]!.wal_autocheckpoint).toBe(20_000);
    await sql`create table t (id integer primary key, v text)`.execute(handle.db);
    for (let i = 0; i < 300; i++) await sql`insert into t (v) values (${`r${i}`})`.execute(handle.db);
    // The worker's checkpoints land in the database file without the server connection's help.
    await eventually(() => {
      const copy = join(dirs[0]!, 'copy.sqlite');
      copyFileSync(file, copy);
      const alone = new Database(copy, { readonly: true });
      try {
        return (alone.prepare(`select count(*) as n from sqlite_schema where name = 't'`).get() as { n: number }).n === 1 && (alone.prepare('select count(*) as n from t').get() as { n: number }).n === 300;
      } catch {
        return false;
      } finally {
        alone.close();
      }
    });
    await handle.close(); // resolves only once the worker has closed its connection

    const plain = createSqliteDb(join(scratch(), 'plain.sqlite'));
    const def = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(plain.db);
    expect(def.rows[0]!.wal_autocheckpoint).toBe(1000); // CLI and tests: SQLite's own checkpoints
    await plain.close();
  });

  it('an erasure\'s compaction (TRUNCATE checkpoint) does not fail while the worker is checkpointing', async () => {
    const file = join(scratch(), 'db.sqlite');
    // A worker checkpointing all the time: compact() keeps meeting its checkpoint lock.
    const handle = createSqliteDb(file, { backgroundCheckpoints: true, checkpointEveryMs: 1 });
    try {
      await sql`create table t (id integer primary key, v text)`.execute(handle.db);
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 20; i++) await sql`insert into t (v) values (${`r${round}.${i}`.padEnd(500, '.')})`.execute(handle.db);
        await handle.compact();
        expect(statSync(`${file}-wal`).size).toBe(0); // truncated: no copy of old pages left beside the file
      }
    } finally {
      await handle.close();
    }
  });
});
