// Compiled-once statements (src/storage/kysely/prepared.ts): real arguments land in the right
// places on every call, constants stay, and an argument that would reach the SQL text is refused.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { runPrepared } from '../../src/storage/kysely/prepared.js';
import type { Database as Schema } from '../../src/storage/kysely/database.js';

type T = { t: { a: string; b: number; c: string } };

describe('runPrepared', () => {
  const db = new Kysely<T>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  const asApp = db as unknown as Kysely<Schema>;

  it('reuses one template for every call with that key, substituting the arguments', async () => {
    await db.schema.createTable('t').addColumn('a', 'text').addColumn('b', 'integer').addColumn('c', 'text').execute();
    await db.insertInto('t').values([{ a: 'x', b: 1, c: 'k' }, { a: 'y', b: 2, c: 'k' }, { a: 'y', b: 3, c: 'other' }]).execute();
    let builds = 0;
    const find = (a: string, b: number) =>
      runPrepared(asApp, 'test:find', [a, b], (pa, pb) => {
        builds++;
        // 'k' is a constant of the statement, not an argument.
        return db.selectFrom('t').select(['a', 'b']).where('c', '=', 'k').where('a', '=', pa!).where('b', '>=', pb as unknown as number);
      });
    expect((await find('x', 0)).rows).toEqual([{ a: 'x', b: 1 }]);
    expect((await find('y', 0)).rows).toEqual([{ a: 'y', b: 2 }]);
    expect((await find('y', 3)).rows).toEqual([]);
    expect(builds).toBe(1);
  });

  it('keys IN-list shapes apart', async () => {
    const some = (ids: string[]) => runPrepared(asApp, `test:in:${ids.length}`, ids, (...p) => db.selectFrom('t').select('b').where('a', 'in', p).orderBy('b'));
    expect((await some(['x'])).rows.map((r) => r.b)).toEqual([1]);
    expect((await some(['x', 'y'])).rows.map((r) => r.b)).toEqual([1, 2, 3]);
    expect((await some(['y'])).rows.map((r) => r.b)).toEqual([2, 3]);
  });

  it('refuses a template whose argument is not a bound parameter', async () => {
    await expect(runPrepared(asApp, 'test:raw', ['b'], (col) => db.selectFrom('t').select(sql.ref(col!).as('v')))).rejects.toThrow(/SQL text/);
    await expect(runPrepared(asApp, 'test:unused', ['x', 'y'], (pa) => db.selectFrom('t').select('b').where('a', '=', pa!))).rejects.toThrow(/not bound/);
  });
});
