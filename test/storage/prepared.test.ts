// Compiled-once statements (src/storage/kysely/prepared.ts): real arguments land in the right
// places on every call, constants stay, and an argument that would reach the SQL text is refused.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { bindingsOf, runPrepared, runShaped, templateCacheStats } from '../../src/storage/kysely/prepared.js';
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

describe('runShaped: one template per filter shape, the values bound', () => {
  const db = new Kysely<T>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  const asApp = db as unknown as Kysely<Schema>;
  const ready = (async () => {
    await db.schema.createTable('t').addColumn('a', 'text').addColumn('b', 'integer').addColumn('c', 'text').execute();
    await db.insertInto('t').values([{ a: 'x', b: 1, c: 'k' }, { a: 'y', b: 2, c: 'k' }, { a: 'y', b: 3, c: 'other' }]).execute();
  })();
  let builds = 0;
  // An expression built per call, as filter-to-sql does, with its values inside.
  const find = async (where: ReturnType<typeof sql<boolean>>, limit: number) => {
    await ready;
    const inner = bindingsOf([where]);
    return (
      await runShaped(asApp, 'test:shaped', [limit], inner, (l) => {
        builds++;
        return db.selectFrom('t').select(['a', 'b']).where(where).orderBy('b').limit(l as unknown as number);
      })
    ).rows;
  };

  it('shares the template between values of one shape and keys other shapes apart', async () => {
    builds = 0;
    expect(await find(sql<boolean>`a = ${'x'} and b >= ${0}`, 10)).toEqual([{ a: 'x', b: 1 }]);
    expect(await find(sql<boolean>`a = ${'y'} and b >= ${3}`, 10)).toEqual([{ a: 'y', b: 3 }]);
    expect(await find(sql<boolean>`a = ${'y'} and b >= ${0}`, 1)).toEqual([{ a: 'y', b: 2 }]);
    expect(builds).toBe(1);
    // Another shape (an identifier or SQL text differs): its own template.
    expect(await find(sql<boolean>`${sql.ref('c')} = ${'other'}`, 10)).toEqual([{ a: 'y', b: 3 }]);
    expect(await find(sql<boolean>`a = ${'y'} or b >= ${3}`, 10)).toEqual([{ a: 'y', b: 2 }, { a: 'y', b: 3 }]);
    expect(builds).toBe(3);
  });

  it('gives the shape without values, and the values in order, repeated expressions included', () => {
    const e = sql<boolean>`a = ${'x'} and b in (${sql.join([1, 2])})`;
    const s = sql`b`;
    const { shape, values } = bindingsOf([e, s, e]);
    expect(values).toEqual(['x', 1, 2, 'x', 1, 2]);
    expect(shape).not.toContain('x');
    expect(bindingsOf([sql<boolean>`a = ${'other value'} and b in (${sql.join([7, 8])})`, s, e]).shape).toBe(shape);
    expect(bindingsOf([sql<boolean>`a = ${'x'} and b in (${sql.join([7])})`, s, e]).shape).not.toBe(shape);
  });

  it('refuses a statement constant it could mistake for a value of the expression', async () => {
    await ready;
    const where = sql<boolean>`a = ${'k'}`;
    await expect(
      runShaped(asApp, 'test:constant', [], bindingsOf([where]), () => db.selectFrom('t').select('b').where('c', '=', 'k').where(where)),
    ).rejects.toThrow(/neither an argument/);
  });

  it('stays bounded when clients send endless distinct shapes', async () => {
    await ready;
    const before = templateCacheStats();
    for (let i = 0; i < 2_500; i++) {
      // i + 1 terms of `b <> ?`: a new shape every time, each longer than the last.
      const where = sql<boolean>`(${sql.join(Array.from({ length: (i % 200) + 1 }, (_, k) => sql`b <> ${k}`), sql` and `)}) and a = ${`v${i}`}`;
      await runShaped(asApp, `test:many:${i}`, [], bindingsOf([where]), () => db.selectFrom('t').select('b').where(where));
    }
    const after = templateCacheStats();
    expect(after.entries).toBeLessThanOrEqual(2_000);
    expect(after.chars).toBeLessThanOrEqual(4_000_000);
    // Evicted one by one, least recently used first, not dropped wholesale: the budget stays nearly full.
    expect(after.chars).toBeGreaterThan(3_900_000);
    expect(before.entries).toBeGreaterThan(0);
  });
});
