// Tenant isolation of the console (design.md §8.5 item 5): an admin of organisation B cannot
// see, find, change or revoke anything of organisation A by id or by search — 404, never 403.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import type { ConsoleClient } from './console-client.js';
import { scimUser, signedIn } from './console-client.js';

describeEachDialect('console tenant isolation', (t) => {
  let a: { userId: string; groupId: string; seq: number; keyId: string; userName: string };
  let b: ConsoleClient;

  beforeAll(async () => {
    const userName = `isolated-${Date.now()}@contoso.test`;
    const userId = await scimUser(t(), userName, { displayName: 'Contoso Only' });
    const g = await t().scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Contoso Group ${Date.now()}`, members: [{ value: userId }] });
    expect(g.statusCode).toBe(201);
    const storeA = t().services.platform.forTenant(t().org.id);
    const [entry] = await storeA.activity.list({ errorsOnly: false, resourceId: userId, beforeSeq: undefined, limit: 1 });
    const [key] = await t().services.apiKeys.list(storeA);
    a = { userId, groupId: JSON.parse(g.body).id as string, seq: entry!.seq, keyId: key!.id, userName };
    const other = await t().newTenant('Northwind');
    b = await signedIn(t(), other.org);
  });

  it.each([
    ['a user page', () => `/console/users/${a.userId}`],
    ['a group page', () => `/console/groups/${a.groupId}`],
    ['an activity entry', () => `/console/activity/${a.seq}`],
    ['a key revocation page', () => `/console/profile/keys/${a.keyId}/revoke`],
  ])("404 for another organisation's %s", async (_name, url) => {
    const r = await b.get(url());
    expect(r.statusCode).toBe(404);
    expect(r.body).not.toContain(a.userName);
  });

  it("lists and searches none of another organisation's users, groups or requests", async () => {
    for (const url of ['/console/users', '/console/groups', '/console/activity', '/console']) {
      const r = await b.get(url);
      expect(r.statusCode).toBe(200);
      expect(r.body).not.toContain(a.userName);
      expect(r.body).not.toContain(a.userId);
      expect(r.body).not.toContain('Contoso Only');
      expect(r.body).not.toContain('Contoso Group');
    }
    // Searches echo the query in the search box; the results must be empty.
    const users = await b.get(`/console/users?q=${encodeURIComponent(a.userName)}`);
    expect(users.body).toContain('No users match');
    expect(users.body).not.toContain(a.userId);
    const groups = await b.get('/console/groups?q=Contoso');
    expect(groups.body).toContain('No groups match');
    expect(groups.body).not.toContain(a.groupId);
  });

  it("cannot deactivate another organisation's user or revoke its key", async () => {
    expect((await b.post(`/console/users/${a.userId}/deactivate`)).statusCode).toBe(404);
    expect(JSON.parse((await t().scim.get(`/Users/${a.userId}`)).body).active).toBe(true);
    expect((await b.post(`/console/profile/keys/${a.keyId}/revoke`)).statusCode).toBe(404);
    expect((await t().scim.get('/Users?count=1')).statusCode).toBe(200);
  });
});
