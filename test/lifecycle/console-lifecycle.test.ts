// The user lifecycle in the console over HTTP on every configured dialect (issue #14): Settings,
// Add / Edit user, CSV import (preview with per-row errors, then import; 10,000 rows), removal under
// each on-delete policy, Deleted users with Restore and Erase now, Export user, Pending claims.
import { expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { USER_SCHEMA, json } from '../support/test-app.js';
import { signedIn } from '../http/console-client.js';

describeEachDialect('User lifecycle in the console', (t) => {
  let n = 0;
  const uniq = (p = 'person') => `${p}.${Date.now().toString(36)}.${n++}@fabrikam.example`;
  const store = () => t().services.platform.forTenant(t().org.id);

  it('Settings: the policy is shown, saved, and refused with a clear message when out of range', async () => {
    const c = await signedIn(t(), t().org);
    const page = await c.get('/console/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="match" checked');
    const bad = await c.post('/console/settings', { claim: 'approve', onDelete: 'retain', retentionDays: '400' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('from 0 to 365');
    const ok = await c.post('/console/settings', { claim: 'approve', onDelete: 'retain', retentionDays: '14' });
    expect(ok.statusCode).toBe(303);
    expect(await store().lifecycle.policy()).toMatchObject({ claim: 'approve', onDelete: 'retain', retentionDays: 14 });
    const after = await c.get('/console/settings?done=saved');
    expect(after.body).toContain('value="approve" checked');
    expect(after.body).toContain('Settings saved');
    await c.post('/console/settings', { claim: 'match', onDelete: 'retain', retentionDays: '30' });
  });

  it('Add user, edit it, and a duplicate email is refused beside the form', async () => {
    const c = await signedIn(t(), t().org);
    await c.get('/console/users/new');
    const email = uniq();
    const r = await c.post('/console/users/new', { name: 'Ada Manual', email, department: 'Research', title: 'Engineer' });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(303);
    const id = String(r.headers.location).split('/').pop()!.split('?')[0]!;
    const scim = json(await t().scim.get(`/Users/${id}`));
    expect(scim).toMatchObject({ userName: email, displayName: 'Ada Manual', title: 'Engineer', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Research' } });
    const detail = await c.get(String(r.headers.location));
    expect(detail.body).toContain('was added as a manual user');
    expect(detail.body).toContain('Manual');

    const dup = await c.post('/console/users/new', { name: 'Someone Else', email: email.toUpperCase() });
    expect(dup.statusCode).toBe(409);
    expect(dup.body).toContain('already exists');
    const badEmail = await c.post('/console/users/new', { name: 'X', email: 'not-an-email' });
    expect(badEmail.statusCode).toBe(400);

    await c.get(`/console/users/${id}/edit`);
    const edited = await c.post(`/console/users/${id}/edit`, { name: 'Ada Lovelace', email, department: '', title: 'Countess' });
    expect(edited.statusCode).toBe(303);
    const after = json(await t().scim.get(`/Users/${id}`));
    expect(after.displayName).toBe('Ada Lovelace');
    expect(after['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toBeUndefined();
    expect((await store().users.findById(id))?.source).toBe('manual');

    // Provisioned users are edited in the identity provider.
    const prov = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('prov') })).id as string;
    expect((await c.get(`/console/users/${prov}/edit`)).statusCode).toBe(409);
  });

  it('CSV import: the preview lists per-row errors and writes nothing; the import adds the valid rows', async () => {
    const c = await signedIn(t(), t().org);
    await c.get('/console/users/import');
    const existing = uniq('existing');
    await t().services.lifecycle.addManual(store(), { keyId: null, actor: 'test', method: 'POST', path: '/test' }, { email: existing, name: 'Existing' });
    const a = uniq('a');
    const b = uniq('b');
    const csv = ['Email,Name,Department,Title', `${a},"Lovelace, Ada",R&D,Engineer`, `${b},Bob,,`, 'nope,Broken,,', `${a},Dup,,`, `${existing},Exists,,`, ',No Email,,'].join('\r\n');
    const before = (await t().services.console.users.list({ ...(await adminActor()) }, { q: '', status: 'all', source: 'manual', sort: 'name', order: 'asc', page: 1, pageSize: 100 })).total;
    const preview = await c.post('/console/users/import/preview', { csv });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('2 rows will be imported; 4 with errors will be skipped');
    expect(preview.body).toContain('is not an email address');
    expect(preview.body).toContain('the same email as line 2');
    expect(preview.body).toContain('a user with this email already exists');
    expect(preview.body).toContain('email is empty');
    const mid = (await t().services.console.users.list({ ...(await adminActor()) }, { q: '', status: 'all', source: 'manual', sort: 'name', order: 'asc', page: 1, pageSize: 100 })).total;
    expect(mid).toBe(before);

    const done = await c.post('/console/users/import', { csv });
    expect(done.statusCode).toBe(303);
    expect(String(done.headers.location)).toContain('n=2');
    const list = await c.get(String(done.headers.location));
    expect(list.body).toContain('Imported 2 users');
    const ada = json(await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${a}"`)}`)).Resources[0];
    expect(ada).toMatchObject({ displayName: 'Lovelace, Ada', title: 'Engineer' });

    const noHeader = await c.post('/console/users/import/preview', { csv: 'a@b.example,Someone' });
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.body).toContain('header');
  });

  it('CSV import of 10,000 rows takes seconds', async () => {
    const c = await signedIn(t(), t().org);
    await c.get('/console/users/import');
    const tag = Date.now().toString(36);
    const lines = ['email,name,department,title'];
    for (let i = 0; i < 10_000; i++) lines.push(`bulk${i}.${tag}@import.example,Bulk Person ${i},Dept ${i % 17},Title`);
    const csv = lines.join('\n');
    const started = performance.now();
    const preview = await c.post('/console/users/import/preview', { csv });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('10000 rows will be imported');
    const done = await c.post('/console/users/import', { csv });
    const seconds = (performance.now() - started) / 1000;
    expect(done.statusCode).toBe(303);
    expect(String(done.headers.location)).toContain('n=10000');
    const found = json(await t().scim.get(`/Users?filter=${encodeURIComponent(`userName eq "bulk9999.${tag}@import.example"`)}`));
    expect(found.totalResults).toBe(1);
    console.log(`[lifecycle] CSV preview + import of 10,000 rows on ${t().dialect}: ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(30);
  }, 60_000);

  it('Delete user (retain) → Deleted users → Restore; Erase now leaves a tombstone; Export gives record, groups and history', async () => {
    const c = await signedIn(t(), t().org);
    const userName = uniq('del');
    const id = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName, displayName: 'Del Person' })).id as string;
    await c.get(`/console/users/${id}`);
    expect((await t().scim.get(`/Users/${id}`)).statusCode).toBe(200);
    await t().services.activity.flush();

    const exported = await c.get(`/console/users/${id}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toContain('attachment');
    const data = JSON.parse(exported.body) as Record<string, unknown>;
    expect(data).toMatchObject({ id, state: 'active', source: 'scim', record: { userName } });
    // The whole history, reads included (the console's user page shows only changes and failures).
    expect((data.history as Array<{ method: string; status: number }>).map((h) => `${h.method} ${h.status}`)).toEqual(expect.arrayContaining(['POST 201', 'GET 200']));

    const del = await c.post(`/console/users/${id}/delete`);
    expect(del.statusCode).toBe(303);
    expect(del.headers.location).toBe('/console/deleted-users?done=deleted');
    expect((await t().scim.get(`/Users/${id}`)).statusCode).toBe(404);
    const listed = await c.get('/console/deleted-users');
    expect(listed.body).toContain(userName.replace(/@/, '<wbr/>@').split('<wbr/>')[0]);
    expect(listed.body).toContain(id);

    // Restore refused while the userName is taken, with the reason on the page.
    const taker = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName })).id as string;
    const refused = await c.post(`/console/deleted-users/${id}/restore`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('another user now has the userName');
    await t().scim.delete(`/Users/${taker}`);
    const restored = await c.post(`/console/deleted-users/${id}/restore`);
    expect(restored.statusCode).toBe(303);
    expect((await t().scim.get(`/Users/${id}`)).statusCode).toBe(200);

    const erased = await c.post(`/console/users/${id}/erase`);
    expect(erased.statusCode).toBe(303);
    expect((await t().scim.get(`/Users/${id}`)).statusCode).toBe(404);
    expect(await store().lifecycle.tombstone(id)).toMatchObject({ id });
    const gone = await c.get(`/console/users/${id}/export`);
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain('erased');
  });

  it('Delete user under on-delete erase: gone at once, nothing to restore', async () => {
    const c = await signedIn(t(), t().org);
    await c.get('/console/settings');
    await c.post('/console/settings', { claim: 'match', onDelete: 'erase', retentionDays: '30' });
    const id = json(await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: uniq('erase') })).id as string;
    const del = await c.post(`/console/users/${id}/delete`);
    expect(del.headers.location).toBe('/console/users?done=erased');
    expect(await store().lifecycle.findDeleted(id)).toBeUndefined();
    expect(await store().lifecycle.tombstone(id)).toBeDefined();
    await c.post('/console/settings', { claim: 'match', onDelete: 'retain', retentionDays: '30' });
  });

  it('Pending claims: side-by-side preview, approve one; reject all', async () => {
    const c = await signedIn(t(), t().org);
    await c.get('/console/settings');
    await c.post('/console/settings', { claim: 'approve', onDelete: 'retain', retentionDays: '30' });
    const by = { keyId: null, actor: 'test', method: 'POST', path: '/test' };
    const e1 = uniq('claim1');
    const e2 = uniq('claim2');
    const e3 = uniq('claim3');
    const m1 = await t().services.lifecycle.addManual(store(), by, { email: e1, name: 'Manual One' });
    await t().services.lifecycle.addManual(store(), by, { email: e2, name: 'Manual Two' });
    await t().services.lifecycle.addManual(store(), by, { email: e3, name: 'Manual Three' });
    for (const [e, name] of [[e1, 'Entra One'], [e2, 'Entra Two'], [e3, 'Entra Three']]) {
      expect((await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: e, displayName: name })).statusCode).toBe(409);
    }
    const users = await c.get('/console/users');
    expect(users.body).toMatch(/Pending claims \(\d+\)/);
    const page = await c.get('/console/claims');
    expect(page.body).toContain('Manual One');
    expect(page.body).toContain('Entra One');
    const approve = await c.post(`/console/claims/${m1.id}/approve`);
    expect(approve.statusCode).toBe(303);
    const retry = await t().scim.post('/Users', { schemas: [USER_SCHEMA], userName: e1, displayName: 'Entra One' });
    expect(retry.statusCode).toBe(201);
    expect(json(retry).id).toBe(m1.id);
    await c.get('/console/claims');
    expect((await c.post('/console/claims/all/reject')).statusCode).toBe(303);
    expect((await t().services.lifecycle.pendingClaims(store())).length).toBe(0);
    const history = await store().activity.list({ errorsOnly: false, resourceId: m1.id, beforeSeq: undefined, limit: 20 });
    expect(history.some((h) => h.summary?.includes('claim approved') && h.actor?.includes('@'))).toBe(true);
    await c.post('/console/settings', { claim: 'match', onDelete: 'retain', retentionDays: '30' });
  });

  async function adminActor() {
    const c = await signedIn(t(), t().org);
    const token = [...c.cookies.values()][0]!;
    return (await t().services.console.auth.resolve(token))!;
  }
});
