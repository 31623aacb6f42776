// describeEachDialect(): run one suite against SQLite and (when configured) PostgreSQL, with a
// fresh app and database per suite (Kysely's DIALECTS loop).
import { afterAll, beforeAll, describe } from 'vitest';
import { DIALECTS, type DialectName } from './databases.js';
import { buildTestApp, type TestApp } from './test-app.js';

export function describeEachDialect(name: string, body: (t: () => TestApp, dialect: DialectName) => void, options: Parameters<typeof buildTestApp>[1] = {}): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let t: TestApp | undefined;
      beforeAll(async () => {
        t = await buildTestApp(dialect, options);
      });
      afterAll(async () => {
        await t?.close();
      });
      body(() => {
        if (!t) throw new Error('test app not ready');
        return t;
      }, dialect);
    });
  }
}
