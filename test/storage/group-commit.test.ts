// Group commit (storage/kysely/group-commit.ts): on SQLite, changes that start together share one
// COMMIT, each in its own savepoint. What must hold, whatever the grouping: every change commits or
// rolls back on its own, none is reported before it is durable, and a group that SQLite loses tells
// none of its changes that it succeeded.
import { afterEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PostgresDriver, SqliteDriver, sql } from 'kysely';
import { describeEachDialect } from '../support/each-dialect.js';
import { USER_SCHEMA } from '../support/test-app.js';
import { createSqliteDb } from '../../src/storage/dialects/sqlite.js';
import { groupCommitOf } from '../../src/storage/kysely/group-commit.js';
import { recordChange } from '../../src/services/events/record-events.js';
import { UnrecordedChange, type ActivityEntry, type TenantStore } from '../../src/storage/ports.js';

const activity = (resourceId: string): ActivityEntry => ({
  at: new Date().toISOString(),
  keyId: null,
  actor: 'test',
  method: 'TEST',
  path: '/test',
  status: 201,
  scimType: null,
  durationMs: 0,
  resourceType: 'User',
  resourceId,
  summary: null,
});

/** A user created with its event, in `tx`; `then` runs after both were written. */
async function createUser(tx: TenantStore, id: string, then?: () => void): Promise<string> {
  const s = await tx.users.insert(id, { schemas: [USER_SCHEMA], userName: `${id}@group-commit.example` }, new Date().toISOString());
  await recordChange(tx, activity(id), [{ kind: 'created', resourceType: 'User', after: s }]);
  then?.();
  return id;
}

describeEachDialect('Changes begun together', (t, dialect) => {
  afterEach(() => vi.restoreAllMocks());
  const store = () => t().services.platform.forTenant(t().org.id);

  it('each commits or rolls back on its own: a change that throws, or that forgets its event, takes nobody else with it', async () => {
    const ids: string[] = Array.from({ length: 5 }, () => randomUUID());
    const settled = await Promise.allSettled([
      store().transaction((tx) => createUser(tx, ids[0]!)),
      store().transaction((tx) =>
        createUser(tx, ids[1]!, () => {
          throw new Error('boom after the event was written');
        }),
      ),
      store().transaction((tx) => createUser(tx, ids[2]!)),
      store().transaction(async (tx) => {
        await tx.users.insert(ids[3]!, { schemas: [USER_SCHEMA], userName: `${ids[3]}@group-commit.example` }, new Date().toISOString());
      }),
      store().transaction((tx) => createUser(tx, ids[4]!)),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('boom after the event was written'));
    expect((settled[3] as PromiseRejectedResult).reason).toBeInstanceOf(UnrecordedChange);

    const exists = await Promise.all(ids.map(async (id) => (await store().users.findById(id)) !== undefined));
    expect(exists).toEqual([true, false, true, false, true]);
    // The outbox has the events of the three that committed and no other (on SQLite in the order
    // they ran; PostgreSQL runs them in parallel).
    const events = (await store().outbox.read({ after: undefined, types: undefined, limit: 100 })).events.filter((e) => ids.includes(e.resourceId));
    const committed = events.map((e) => e.resourceId);
    expect(dialect === 'sqlite' ? committed : committed.sort()).toEqual(dialect === 'sqlite' ? [ids[0], ids[2], ids[4]] : [ids[0], ids[2], ids[4]].sort());
  });

  // PostgreSQL writes in parallel on several connections: there each change keeps its own COMMIT.
  it(dialect === 'sqlite' ? 'SQLite: they share one COMMIT, and nobody hears of success before it' : 'PostgreSQL: each commits on its own', async () => {
    const Driver = dialect === 'sqlite' ? SqliteDriver : PostgresDriver;
    const order: string[] = [];
    const commit = Driver.prototype.commitTransaction;
    const commits = vi.spyOn(Driver.prototype, 'commitTransaction').mockImplementation(async function (this: InstanceType<typeof Driver>, ...args: Parameters<typeof commit>) {
      order.push('commit');
      return commit.apply(this, args);
    });
    const ids = Array.from({ length: 8 }, () => randomUUID());
    await Promise.all(ids.map((id) => store().transaction((tx) => createUser(tx, id)).then(() => order.push(`done ${id}`))));
    expect(commits).toHaveBeenCalledTimes(dialect === 'sqlite' ? 1 : 8);
    expect(order[0]).toBe('commit');
    expect(order).toHaveLength(dialect === 'sqlite' ? 9 : 16);
  });
});

describe('Group commit on SQLite: what the group does when SQLite fails it', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  async function open() {
    const dir = mkdtempSync(join(tmpdir(), 'wd-group-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const sqlite = createSqliteDb(file);
    await sql`create table parent (id integer primary key)`.execute(sqlite.db);
    await sql`create table child (id integer primary key, parent integer references parent (id) deferrable initially deferred)`.execute(sqlite.db);
    const group = groupCommitOf(sqlite.db)!;
    const rows = async () => (await sql<{ id: number }>`select id from child order by id`.execute(sqlite.db)).rows.map((r) => r.id);
    return { ...sqlite, file, group, rows };
  }

  it('a COMMIT that fails (a deferred constraint) rejects every change of the group; none is kept', async () => {
    const s = await open();
    try {
      await sql`insert into parent (id) values (1)`.execute(s.db);
      const settled = await Promise.allSettled([
        s.group.run((trx) => sql`insert into child (id, parent) values (1, 1)`.execute(trx)),
        s.group.run((trx) => sql`insert into child (id, parent) values (2, 99)`.execute(trx)), // fails only at COMMIT
      ]);
      expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
      expect(await s.rows()).toEqual([]);
      // The connection is usable again, and a later group commits.
      await s.group.run((trx) => sql`insert into child (id, parent) values (3, 1)`.execute(trx));
      expect(await s.rows()).toEqual([3]);
    } finally {
      await s.close();
    }
  });

  it('a transaction SQLite rolled back under the group loses the changes before it; those after it run in the next group', async () => {
    const s = await open();
    try {
      await sql`insert into parent (id) values (1)`.execute(s.db);
      const settled = await Promise.allSettled([
        s.group.run((trx) => sql`insert into child (id, parent) values (1, 1)`.execute(trx)),
        // What SQLite does on an I/O error or a full disk: the whole transaction is gone.
        s.group.run((trx) => sql`rollback`.execute(trx)),
        s.group.run((trx) => sql`insert into child (id, parent) values (3, 1)`.execute(trx)),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
      expect(await s.rows()).toEqual([3]);
    } finally {
      await s.close();
    }
  });

  it('the first change runs without a savepoint: if it fails, or SQLite loses the transaction under it, only it is lost', async () => {
    const s = await open();
    try {
      await sql`insert into parent (id) values (1)`.execute(s.db);
      const first = await Promise.allSettled([
        s.group.run(async (trx) => {
          await sql`insert into child (id, parent) values (1, 1)`.execute(trx);
          throw new Error('the first change fails after writing');
        }),
        s.group.run((trx) => sql`insert into child (id, parent) values (2, 1)`.execute(trx)),
      ]);
      expect(first.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      expect((first[0] as PromiseRejectedResult).reason).toEqual(new Error('the first change fails after writing'));
      const lost = await Promise.allSettled([
        s.group.run((trx) => sql`rollback`.execute(trx)), // returns normally, but the transaction is gone
        s.group.run((trx) => sql`insert into child (id, parent) values (4, 1)`.execute(trx)),
      ]);
      expect(lost.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      expect(await s.rows()).toEqual([2, 4]);
    } finally {
      await s.close();
    }
  });

  it('commits once it has run past its budget: the changes behind a slow one go into the next group', async () => {
    const s = await open();
    try {
      await sql`insert into parent (id) values (1)`.execute(s.db);
      const commit = SqliteDriver.prototype.commitTransaction;
      const log: string[] = [];
      vi.spyOn(SqliteDriver.prototype, 'commitTransaction').mockImplementation(async function (this: SqliteDriver, ...args: Parameters<typeof commit>) {
        log.push('commit');
        return commit.apply(this, args);
      });
      const insert = (id: number, busyMs = 0) =>
        s.group.run(async (trx) => {
          const until = performance.now() + busyMs;
          while (performance.now() < until); // a change that keeps the connection busy
          await sql`insert into child (id, parent) values (${id}, 1)`.execute(trx);
          log.push(`ran ${id}`);
        });
      await Promise.all([insert(1), insert(2, 20), insert(3), insert(4)]);
      expect(log).toEqual(['ran 1', 'ran 2', 'commit', 'ran 3', 'ran 4', 'commit']);
      expect(await s.rows()).toEqual([1, 2, 3, 4]);
    } finally {
      vi.restoreAllMocks();
      await s.close();
    }
  });

  it('holds the write lock from BEGIN (IMMEDIATE), so another process cannot commit under a change that has read', async () => {
    const s = await open();
    const other = new Database(s.file, { timeout: 0 });
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let reading!: () => void;
      const hasRead = new Promise<void>((r) => (reading = r));
      const change = s.group.run(async (trx) => {
        await sql`select count(*) from child`.execute(trx); // only a read so far
        reading();
        await gate;
        await sql`insert into parent (id) values (7)`.execute(trx);
      });
      await hasRead;
      expect(() => other.exec('begin immediate')).toThrow(/database is locked/);
      release();
      await change;
      other.exec('begin immediate');
      other.exec('rollback');
    } finally {
      other.close();
      await s.close();
    }
  });
});
