// Which databases the HTTP/storage suites run on: SQLite always, PostgreSQL when
// WIGGLEDESK_TEST_PG_URL is set (scripts/test.mjs and .ci/run set it). Each call makes a fresh
// database, so suites never see each other's rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config/config.js';

export type DialectName = 'sqlite' | 'postgres';

export const PG_URL = process.env.WIGGLEDESK_TEST_PG_URL;

export const DIALECTS: readonly DialectName[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface FreshDatabase {
  readonly config: DatabaseConfig;
  drop(): Promise<void>;
}

export async function freshDatabase(dialect: DialectName): Promise<FreshDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'wd-test-'));
    return {
      config: { dialect: 'sqlite', url: join(dir, 'test.db'), poolSize: 1 },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!PG_URL) throw new Error('WIGGLEDESK_TEST_PG_URL is not set');
  const name = `wd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    config: { dialect: 'postgres', url: url.toString(), poolSize: 10 },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
