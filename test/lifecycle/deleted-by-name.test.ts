// Deleted users (issue #17 bug): "deleted by" names the API key (its name, not its id), also
// after the key was revoked; a deletion by a console admin still shows the admin's email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { scimUser, signedIn, type ConsoleClient } from '../http/console-client.js';

for (const dialect of DIALECTS) {
  describe(`Deleted users name who deleted [${dialect}]`, () => {
    let t: TestApp;
    let admin: ConsoleClient;
    beforeAll(async () => {
      t = await buildTestApp(dialect);
      admin = await signedIn(t, t.org);
    });
    afterAll(async () => t?.close());

    it('shows the key’s name, never its id', async () => {
      const id = await scimUser(t, 'gone@contoso.test');
      expect((await t.scim.delete(`/Users/${id}`)).statusCode).toBe(204);
      const keys = await t.services.platform.forTenant(t.org.id).apiKeys.list();
      const key = keys.find((k) => k.name === 'test key')!;
      const page = await admin.get('/console/deleted-users');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('API key ‘test key’');
      expect(page.body).not.toContain(key.id);
      // Revoked since: still named.
      await t.services.apiKeys.revoke(t.services.platform.forTenant(t.org.id), key.id);
      expect((await admin.get('/console/deleted-users')).body).toContain('API key ‘test key’');
    });
  });
}
