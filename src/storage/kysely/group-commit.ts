// Group commit (SQLite): changes that start in the same turn of the event loop share one COMMIT.
//
// Why: a SQLite COMMIT writes every B-tree page its transaction changed to the WAL, one frame (two
// write() calls) a page — ~29 pages for a SCIM create, ~12 for a PATCH, and that is about a third of
// their CPU (docs/performance.md, session 7). Many of those pages are the same for every change: the
// right edge of the outbox, its position index, the activity log, resource_counts, sqlite_sequence.
// Under parallel provisioning (Entra and Okta send several writes at once) a group writes them once.
//
// How: `run(fn)` queues the change; the queue is drained after the current I/O callbacks
// (setImmediate), so every change whose request arrived in the same turn joins the group. The
// group is ONE database transaction, begun IMMEDIATE (it holds the write lock from the start, so
// another process's commit cannot make a later upgrade fail), in which the changes run one after
// another, each but the first inside its own savepoint:
//  - Isolation is what it was: one connection, one change at a time, each sees the ones before it.
//  - Atomicity per change: a change that throws is rolled back to its savepoint and the others go on;
//    if the first throws, the transaction is rolled back (it holds nothing else yet) and the rest go
//    into the next group. (A lone change — Bulk's operations, a quiet server — so pays for no savepoint.)
//  - Durability: no change is reported before the shared COMMIT returned; if the COMMIT (or SQLite
//    itself, by rolling the transaction back on an I/O error) loses the group, every change in it
//    that had succeeded is rejected with that error, and the changes not yet run are queued again.
//  - Fairness: a group is at most MAX_GROUP changes queued before it began, and it commits as soon as
//    it has run for GROUP_BUDGET_MS (the rest go first into the next group), so a cheap change never
//    waits for a long run of expensive ones behind it — at most for the one running when the budget ends.
// PostgreSQL does not use this: its instances write in parallel on their own connections.
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.js';

const MAX_GROUP = 32;
const GROUP_BUDGET_MS = 4;
// Captured at load: a test that fakes timers must not be able to stall every write.
const nextTurn = setImmediate;

const SAVEPOINT = CompiledQuery.raw('savepoint wd_change');
const RELEASE = CompiledQuery.raw('release wd_change');
const ROLLBACK_TO = CompiledQuery.raw('rollback to wd_change');

interface Change {
  readonly fn: (trx: Transaction<Database>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommit {
  run<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

const groups = new WeakMap<Kysely<Database>, GroupCommit>();

/** The dialect turns group commit on for its database (SQLite); `inTransaction` is the driver's own flag. */
export function enableGroupCommit(db: Kysely<Database>, inTransaction: () => boolean): void {
  groups.set(db, createGroupCommit(db, inTransaction));
}

/** The database's group commit, or undefined where every transaction commits on its own (PostgreSQL). */
export function groupCommitOf(db: Kysely<Database>): GroupCommit | undefined {
  return groups.get(db);
}

function createGroupCommit(db: Kysely<Database>, inTransaction: () => boolean): GroupCommit {
  const queue: Change[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) await commitGroup(queue.splice(0, MAX_GROUP));
    } finally {
      draining = false;
    }
  }

  async function commitGroup(group: Change[]): Promise<void> {
    const succeeded: { change: Change; value: unknown }[] = [];
    let taken = 0; // changes of `group` begun in this transaction
    let running: Change | undefined; // begun, neither kept nor rolled back yet
    let firstError: { error: unknown } | undefined; // the first change's own failure
    const started = performance.now();
    try {
      // accessMode 'read write' is this project's request for BEGIN IMMEDIATE (dialects/sqlite.ts).
      await db
        .transaction()
        .setAccessMode('read write')
        .execute(async (trx) => {
          while (taken < group.length && (taken === 0 || performance.now() - started <= GROUP_BUDGET_MS)) {
            const change = (running = group[taken++]!);
            if (taken === 1) {
              // The first change needs no savepoint (SQLite copies every page a savepoint changes into a
              // statement journal, a temporary file past 64 KiB: a create's 29 pages are past it). If it
              // fails, rolling the transaction back undoes nothing else; the rest go into the next group.
              try {
                succeeded.push({ change, value: await change.fn(trx) });
              } catch (e) {
                firstError = { error: e };
                throw e;
              }
            } else {
              await trx.executeQuery(SAVEPOINT);
              try {
                const value = await change.fn(trx);
                await trx.executeQuery(RELEASE);
                succeeded.push({ change, value });
              } catch (e) {
                if (!inTransaction()) throw e; // SQLite rolled the whole group back: handled below
                await trx.executeQuery(ROLLBACK_TO);
                await trx.executeQuery(RELEASE);
                change.reject(e);
              }
            }
            running = undefined;
            if (!inTransaction()) throw new Error('SQLite rolled back the transaction of a group of changes');
          }
        });
    } catch (e) {
      // Nothing of the group is committed: the running change gets its error (the first change its own,
      // even if the rollback failed too), and so do those that had succeeded (they are lost with it).
      running?.reject(firstError ? firstError.error : e);
      for (const s of succeeded) s.change.reject(e);
      queue.unshift(...group.slice(taken));
      return;
    }
    // Not begun (the budget ran out): first in the next group.
    queue.unshift(...group.slice(taken));
    for (const s of succeeded) s.change.resolve(s.value);
  }

  return {
    run<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) {
          draining = true;
          nextTurn(() => void drain());
        }
      });
    },
  };
}
