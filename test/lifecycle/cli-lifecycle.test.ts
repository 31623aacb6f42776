// The lifecycle commands of `wiggledesk` on every configured dialect (issue #14): org policy,
// users add / import / deleted / restore / erase / export, and purge — each policy through the CLI,
// with the SCIM side checked over HTTP on the same database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/config.js';
import { serve } from '../../src/serve.js';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, json, USER_SCHEMA, type TestApp } from '../support/test-app.js';

for (const dialect of DIALECTS) {
  describe(`wiggledesk lifecycle commands [${dialect}]`, () => {
    let t: TestApp;
    let dir: string;
    const run = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const db = t.config.database;
      const env = { DATABASE_URL: db.dialect === 'sqlite' ? `sqlite:${db.url}` : db.url, LOG_LEVEL: 'silent' };
      const code = await runCli(argv, () => loadConfig(env), { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, serve);
      return { code, stdout, stderr };
    };
    const org = () => t.org.id;

    beforeAll(async () => {
      t = await buildTestApp(dialect);
      dir = mkdtempSync(join(tmpdir(), 'wd-lc-cli-'));
    });
    afterAll(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('org policy shows the defaults, changes each choice, refuses bad values', async () => {
      const shown = await run('org', 'policy', org(), '--json');
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({ claim: 'match', onDelete: 'retain', retentionDays: 30 });
      const changed = await run('org', 'policy', 'Contoso', '--claim', 'approve', '--on-delete', 'erase', '--retention-days', '0', '--json');
      expect(JSON.parse(changed.stdout)).toMatchObject({ claim: 'approve', onDelete: 'erase', retentionDays: 0, updatedBy: 'cli' });
      const bad = await run('org', 'policy', org(), '--retention-days', '999');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/0 to 365/);
      await run('org', 'policy', org(), '--claim', 'match', '--on-delete', 'retain', '--retention-days', '30');
    });

    it('users add prints the user with its id; the SCIM create under match claims it', async () => {
      const r = await run('users', 'add', org(), '--email', 'cli.person@contoso.example', '--name', 'Cli Person', '--department', 'Ops', '--json');
      expect(r.code, r.stderr).toBe(0);
      const u = JSON.parse(r.stdout);
      expect(u).toMatchObject({ source: 'manual', userName: 'cli.person@contoso.example', displayName: 'Cli Person' });
      const dup = await run('users', 'add', org(), '--email', 'CLI.person@contoso.example', '--name', 'Again');
      expect(dup.code).not.toBe(0);
      expect(dup.stderr).toMatch(/already exists/);
      const claimed = await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'cli.person@contoso.example', externalId: 'okta-7' });
      expect(claimed.statusCode).toBe(201);
      expect(json(claimed).id).toBe(u.id);
    });

    it('claim policies approve and never through the CLI', async () => {
      await run('org', 'policy', org(), '--claim', 'never');
      const a = JSON.parse((await run('users', 'add', org(), '--email', 'never.cli@contoso.example', '--name', 'Never', '--json')).stdout);
      expect((await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'never.cli@contoso.example' })).statusCode).toBe(409);
      await run('org', 'policy', org(), '--claim', 'approve');
      const pending = await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'never.cli@contoso.example' });
      expect(pending.statusCode).toBe(409);
      expect(json(pending).detail).toMatch(/pending approval/);
      await run('org', 'policy', org(), '--claim', 'match');
      const linked = await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'never.cli@contoso.example' });
      expect(json(linked).id).toBe(a.id);
    });

    it('users import: --dry-run reports per-row errors and writes nothing; the import adds the valid rows', async () => {
      const file = join(dir, 'people.csv');
      writeFileSync(file, 'email,name,title\nimp1@contoso.example,Imp One,Boss\nbad-email,Bad,\nimp2@contoso.example,Imp Two,\n');
      const dry = await run('users', 'import', org(), file, '--dry-run', '--json');
      expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, valid: 2, errors: [{ line: 3, email: 'bad-email', error: '"bad-email" is not an email address' }] });
      expect(json(await t.scim.get('/Users?filter=userName%20eq%20%22imp1@contoso.example%22')).totalResults).toBe(0);
      const real = await run('users', 'import', org(), file);
      expect(real.code).toBe(0);
      expect(real.stdout).toMatch(/Imported 2 users, skipped 1/);
      expect(json(await t.scim.get('/Users?filter=userName%20eq%20%22imp1@contoso.example%22')).totalResults).toBe(1);
      const missing = await run('users', 'import', org(), join(dir, 'nope.csv'));
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/Cannot read/);
    });

    it('retain: SCIM DELETE → users deleted lists it → restore → delete → purge after the period (nothing before)', async () => {
      const id = json(await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'gone@contoso.example', externalId: 'ext-gone' })).id as string;
      expect((await t.scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      const listed = JSON.parse((await run('users', 'deleted', org(), '--json')).stdout) as Array<{ id: string }>;
      expect(listed.map((r) => r.id)).toContain(id);
      expect(JSON.parse((await run('users', 'restore', org(), id, '--json')).stdout)).toEqual({ id, restored: true });
      expect((await t.scim.get(`/Users/${id}`)).statusCode).toBe(200);
      const exported = JSON.parse((await run('users', 'export', org(), id)).stdout);
      expect(exported).toMatchObject({ id, state: 'active', record: { userName: 'gone@contoso.example' } });
      expect((await t.scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      // Retention 30 days: the job has nothing to do yet.
      const none = JSON.parse((await run('purge', '--json')).stdout);
      expect(none.ran).toBe(true);
      expect(none.erased.map((e: { id: string }) => e.id)).not.toContain(id);
      // Retention 0: due now.
      await run('org', 'policy', org(), '--retention-days', '0');
      expect((await t.scim.delete(`/Users/${json(await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'zero@contoso.example' })).id}`)).statusCode).toBe(204);
      const purged = JSON.parse((await run('purge', '--json')).stdout);
      expect(purged.erased.length).toBe(1);
      expect(purged.erased[0]).toMatchObject({ externalId: null, tenantId: org() });
      expect(JSON.parse((await run('purge', '--json')).stdout).erased).toEqual([]);
      await run('org', 'policy', org(), '--retention-days', '30');
      const erased = JSON.parse((await run('users', 'erase', org(), id, '--json')).stdout);
      expect(erased).toMatchObject({ id, externalId: 'ext-gone' });
      const again = await run('users', 'erase', org(), id);
      expect(again.code).toBe(3);
      expect(again.stderr).toMatch(/erased on/);
    });

    it('erase: SCIM DELETE erases at once', async () => {
      await run('org', 'policy', org(), '--on-delete', 'erase');
      const id = json(await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'now@contoso.example' })).id as string;
      expect((await t.scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      expect(JSON.parse((await run('users', 'deleted', org(), '--json')).stdout).map((r: { id: string }) => r.id)).not.toContain(id);
      expect((await run('users', 'export', org(), id)).stderr).toMatch(/erased/);
      await run('org', 'policy', org(), '--on-delete', 'retain');
    });
  });
}
