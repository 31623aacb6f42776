// Erasure means gone (issue #14): a unique marker in a person's data — userName, names, emails,
// phone, title, department; in group memberships, activity entries (with value diffs), events, a
// pending claim and an edit — is found nowhere after the purge: not in the SQLite database file
// nor its WAL (secure_delete + checkpoint), and in no column of any PostgreSQL table. Only the
// tombstone (id, externalId, deletion and purge times) remains.
import { expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describeEachDialect } from '../support/each-dialect.js';
import { ENTERPRISE, GROUP_SCHEMA, PATCH_OP, USER_SCHEMA, json } from '../support/test-app.js';
import { cliActor } from '../../src/services/lifecycle/lifecycle.js';

const DAY = 86_400_000;
let now = Date.now();
const clock = { now: () => new Date(now) };

describeEachDialect(
  'Erasure leaves nothing of the person',
  (t, dialect) => {
    it('after the purge the marker is in no table, file or WAL; the tombstone keeps id and externalId', async () => {
      const marker = `zqx${randomBytes(6).toString('hex')}`; // lower case: folded columns store it the same way
      const MARK = marker.toUpperCase();
      const store = t().services.platform.forTenant(t().org.id);
      await t().services.lifecycle.setPolicy(store, cliActor('test'), { claim: 'match', onDelete: 'retain', retentionDays: 30 });

      // A manual user carrying the marker, claimed by the identity provider, edited, suspended,
      // put in a group, reactivated, deleted (soft), then purged by the retention job.
      const email = `${marker}@contoso.example`;
      const manual = await t().services.lifecycle.addManual(store, cliActor('test'), { email, name: `Manual ${MARK}`, department: `Dept ${marker}`, title: `Title ${marker}` });
      const created = await t().scim.post('/Users', {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: email,
        externalId: 'ext-erasure-1',
        name: { givenName: `Given${marker}`, familyName: `Family${MARK}` },
        displayName: `Display ${marker}`,
        emails: [{ value: email, type: 'work', primary: true }, { value: `home.${marker}@example.org`, type: 'home' }],
        phoneNumbers: [{ value: `+1 555 ${marker}`, type: 'work' }],
        [ENTERPRISE]: { department: `Dept2 ${marker}`, manager: { value: 'nobody' } },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = json(created).id as string;
      expect(id).toBe(manual.id);
      expect((await t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `New ${marker}` }] })).statusCode).toBe(200);
      expect((await t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).statusCode).toBe(200);
      const group = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Erasure group', members: [{ value: id }] });
      expect(group.statusCode).toBe(201);
      expect((await t().scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] })).statusCode).toBe(200);
      // A failed request naming the person (uniqueness conflict) is logged too.
      expect((await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: email })).statusCode).toBe(409);
      expect((await t().scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      // Another person stays untouched (proves the scan finds what is there).
      const keeper = `keep${randomBytes(5).toString('hex')}`;
      expect((await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: `${keeper}@contoso.example` })).statusCode).toBe(201);

      await t().services.activity.flush();
      const before = await dump();
      expect(before.toLowerCase()).toContain(marker);
      const fileBytes = () => {
        const file = t().config.database.url;
        return [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1').toLowerCase());
      };
      if (dialect === 'sqlite') expect(fileBytes().some((b) => b.includes(marker)), 'the byte scan sees the marker before the purge').toBe(true);

      now += 31 * DAY;
      const run = await t().services.lifecycle.runPurge();
      expect(run.erased.map((e) => e.id)).toContain(id);

      const after = await dump();
      const leftovers = after.split('\n').filter((l) => l.toLowerCase().includes(marker));
      expect(leftovers, 'rows still holding the marker').toEqual([]);
      expect(after).toContain(keeper);
      if (dialect === 'sqlite') {
        const bytes = fileBytes();
        for (const b of bytes) expect(b.includes(marker), 'marker in the SQLite file or WAL').toBe(false);
        expect(bytes.some((b) => b.includes(keeper))).toBe(true);
      }
      expect(await store.lifecycle.tombstone(id)).toMatchObject({ id, externalId: 'ext-erasure-1' });
      // The activity entries stay, redacted: counts and timelines remain true.
      const history = await store.activity.list({ errorsOnly: false, resourceId: id, beforeSeq: undefined, limit: 100 });
      expect(history.length).toBeGreaterThanOrEqual(6);
      expect(history.some((h) => h.summary?.includes('purged'))).toBe(true);
    });

    /** Every text value of every table, as one string (PostgreSQL: row_to_json of each row; SQLite: the same through json_object). */
    async function dump(): Promise<string> {
      const db = t().composition.db.db;
      if (dialect === 'postgres') {
        const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
        const parts: string[] = [];
        for (const { t: table } of tables.rows) {
          const rows = await sql<{ r: string }>`select row_to_json(x)::text as r from ${sql.table(table)} x`.execute(db);
          parts.push(...rows.rows.map((r) => r.r));
        }
        return parts.join('\n');
      }
      const tables = await sql<{ name: string }>`select name from sqlite_schema where type = 'table'`.execute(db);
      const parts: string[] = [];
      for (const { name } of tables.rows) {
        const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
        parts.push(...rows.rows.map((r) => JSON.stringify(r)));
      }
      return parts.join('\n');
    }
  },
  { clock },
);
