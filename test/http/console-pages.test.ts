// Console pages over HTTP: API keys shown once and revocable; Manage Users search, filters, sort
// and pages through the SCIM filter compiler; a user's page; manual deactivation as a SCIM
// write; groups with paged members; the activity log and the dashboard; SCIM setup; escaping.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { GROUP_SCHEMA, json } from '../support/test-app.js';
import type { ConsoleClient } from './console-client.js';
import { scimUser, signedIn } from './console-client.js';

/** The text of the rows' first cells (user or group names) in page order. */
const names = (html: string): string[] => [...html.matchAll(/<td[^>]*><a class="cell-main break" href="[^"]+">([^<]*)<\/a>/g)].map((m) => m[1]!);
/** Page text without the <wbr/> hints that let emails wrap at natural points. */
const plain = (html: string): string => html.replaceAll('<wbr/>', '');

describeEachDialect('console: API keys', (t) => {
  let c: ConsoleClient;
  beforeAll(async () => {
    c = await signedIn(t(), t().org);
  });

  it('shows a new key once, lists it by prefix, and the key provisions; revoking it makes SCIM answer 401', async () => {
    const { page: created, key } = await c.generateKey('Entra <prod>');
    expect(created.statusCode).toBe(200);
    expect(created.body).toContain('you will not see this key again');
    expect(key).toMatch(/^wdk_[0-9a-f]{24}_[\w-]{43}$/);
    expect(created.body).toContain('Entra &lt;prod>');
    expect(created.body).not.toContain('Entra <prod>');
    const keyId = key!.slice(4, 28);

    const later = await c.get('/console/profile');
    expect(later.body).not.toContain(key!);
    expect(later.body).toContain(`wdk_${keyId.slice(0, 8)}…`);

    const scim = (path: string) => t().app.inject({ method: 'GET', url: `/scim/v2${path}`, headers: { authorization: `Bearer ${key}` } });
    expect((await scim('/Users?count=1')).statusCode).toBe(200);

    const confirm = await c.get(`/console/profile/keys/${keyId}/revoke`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('This cannot be undone');
    const revoked = await c.post(`/console/profile/keys/${keyId}/revoke`);
    expect(revoked.statusCode).toBe(303);
    const after = await c.get(String(revoked.headers.location));
    expect(after.body).toContain('was revoked');
    expect((await scim('/Users?count=1')).statusCode).toBe(401);
  });

  it('post/redirect/get: a reload of the key page shows no key and creates nothing', async () => {
    const keys = () => t().services.apiKeys.list(t().services.platform.forTenant(t().org.id));
    const before = (await keys()).length;
    const { key } = await c.generateKey('Reload test');
    expect(key).toMatch(/^wdk_/);
    const reload = await c.get('/console/profile/keys/new');
    expect(reload.statusCode).toBe(200);
    expect(reload.body).not.toContain(key!);
    expect(reload.body).toContain('shown only once');
    expect((await keys()).length).toBe(before + 1);
    // The one-time cookie is sealed to this session: another admin's browser cannot open it.
    const other = await signedIn(t(), t().org);
    const stolen = await other.get('/console/profile/keys/new', { cookie: `wd_new_key=${c.cookies.get('wd_new_key') ?? 'x'}` });
    expect(stolen.body).not.toContain('wdk_');
  });

  it('refuses a second key with the same name (any letter case, revoked keys included), keeping the form filled', async () => {
    await c.generateKey('Entra ID');
    const dup = await c.post('/console/profile/keys', { name: 'entra id' });
    expect(dup.statusCode).toBe(409);
    expect(dup.body).toContain('already has a key named “Entra ID”');
    expect(dup.body).toContain('value="entra id"');
    expect(dup.body).toContain('aria-invalid="true"');
  });

  it('records who created a key and refuses a name over 100 characters', async () => {
    const r = await c.post('/console/profile/keys', { name: 'x'.repeat(101) });
    expect(r.statusCode).toBe(400);
    const { page: ok } = await c.generateKey('Okta');
    const keys = await t().services.apiKeys.list(t().services.platform.forTenant(t().org.id));
    const okta = keys.find((k) => k.name === 'Okta');
    expect(okta?.createdBy).toMatch(/@contoso\.test$/);
    expect(ok.body).toContain(okta!.createdBy!);
  });

  it('404 for an unknown key', async () => {
    expect((await c.get('/console/profile/keys/000000000000000000000000/revoke')).statusCode).toBe(404);
  });
});

describeEachDialect('console: Manage Users', (t) => {
  let c: ConsoleClient;
  const ids: Record<string, string> = {};
  const XSS = '<img src=x onerror=alert(1)>';

  beforeAll(async () => {
    c = await signedIn(t(), t().org);
    const people: Array<[string, string, string, boolean]> = [
      ['ada@contoso.test', 'Ada Lovelace', 'ada.work@contoso.test', true],
      ['grace@contoso.test', 'Grace Hopper', 'grace.work@contoso.test', true],
      ['alan@contoso.test', 'Alan Turing', 'alan.work@contoso.test', false],
      ['"quoted" \\ user', 'Zed "Quote"', 'zed@contoso.test', true],
      [XSS, '<script>alert(2)</script>', 'xss@contoso.test', true],
    ];
    for (const [userName, displayName, email, active] of people) {
      ids[userName] = await scimUser(t(), userName, { displayName, active, emails: [{ value: email, type: 'work', primary: true }] });
    }
    for (let i = 0; i < 30; i++) await scimUser(t(), `bulk${String(i).padStart(2, '0')}@fabrikam.test`, { displayName: `Bulk ${String(i).padStart(2, '0')}` });
  });

  it('lists users with name, userName, work email, status, source "Provisioned" and last change, 25 per page', async () => {
    const r = await c.get('/console/users');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('35 users · page 1 of 2');
    expect(names(r.body)).toHaveLength(25);
    expect(plain(r.body)).toContain('<td class="hide-sm">ada.work@contoso.test</td>');
    expect(r.body).toContain('Provisioned');
    expect(r.body).toMatch(/<time dateTime="\d{4}-\d\d-\d\dT/i);
    const p2 = await c.get('/console/users?page=2');
    expect(names(p2.body)).toHaveLength(10);
    const past = await c.get('/console/users?page=99');
    expect(past.body).toContain('page 2 of 2');
  });

  it('searches name, email and userName through the SCIM filter compiler, with hostile input escaped', async () => {
    expect(names((await c.get('/console/users?q=lovelace')).body)).toEqual(['Ada Lovelace']);
    expect(names((await c.get('/console/users?q=GRACE.WORK')).body)).toEqual(['Grace Hopper']);
    expect(names((await c.get('/console/users?q=alan%40contoso')).body)).toEqual(['Alan Turing']);
    expect(names((await c.get(`/console/users?q=${encodeURIComponent('"quoted" \\')}`)).body)).toEqual(['Zed &quot;Quote&quot;']);
    const injection = await c.get(`/console/users?q=${encodeURIComponent('x") or (userName pr')}`);
    expect(injection.statusCode).toBe(200);
    expect(names(injection.body)).toEqual([]);
  });

  it('filters by status and source, and sorts', async () => {
    expect(names((await c.get('/console/users?status=inactive')).body)).toEqual(['Alan Turing']);
    const active = await c.get('/console/users?status=active&size=100');
    expect(names(active.body)).toHaveLength(34);
    expect(names((await c.get('/console/users?source=manual')).body)).toEqual([]);
    expect((await c.get('/console/users?source=provisioned')).body).toContain('35 users');
    const byName = names((await c.get('/console/users?q=contoso.test&sort=name')).body);
    expect(byName).toEqual(['&lt;script>alert(2)&lt;/script>', 'Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Zed &quot;Quote&quot;']);
    const desc = names((await c.get('/console/users?q=contoso.test&sort=name&order=desc')).body);
    expect(desc).toEqual([...byName].reverse());
    const sorted = await c.get('/console/users?sort=email&order=desc');
    expect(sorted.body).toMatch(/aria-sort="descending"/);
    expect((await c.get('/console/users?sort=bogus&status=weird&page=-1')).statusCode).toBe(200);
  });

  it('renders a hostile userName as text everywhere (escaped by the JSX runtime)', async () => {
    const list = await c.get('/console/users?q=xss');
    expect(list.body).not.toContain(XSS);
    expect(list.body).not.toContain('<script>alert(2)');
    expect(list.body).toContain('&lt;img src=x onerror=alert(1)>');
    const page = await c.get(`/console/users/${ids[XSS]}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(XSS);
    expect(page.body).not.toContain('<script>alert(2)');
    expect(page.body).toContain('&lt;script>alert(2)&lt;/script>');
  });

  it("shows a user's SCIM attributes, groups and provisioning history", async () => {
    const id = ids['ada@contoso.test']!;
    const g = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Analytical Engines', members: [{ value: id }] });
    expect(g.statusCode).toBe(201);
    const r = await c.get(`/console/users/${id}`);
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('emails[0].value');
    expect(r.body).toContain('ada.work@contoso.test');
    expect(r.body).toContain('Analytical Engines');
    expect(r.body).toContain('read-only here');
    expect(r.body).toContain('POST /<wbr/>scim/<wbr/>v2/<wbr/>Users');
    expect(r.body).toContain('201 Created');
    expect((await c.get('/console/users/no-such-user')).statusCode).toBe(404);
  });

  it('deactivates and reactivates by hand as a SCIM PATCH: meta.version bumps and the activity log names the admin', async () => {
    const id = ids['grace@contoso.test']!;
    const before = json(await t().scim.get(`/Users/${id}`));
    const r = await c.post(`/console/users/${id}/deactivate`);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/console/users/${id}?done=deactivated`);
    const page = await c.get(String(r.headers.location));
    expect(page.body).toContain('was deactivated');
    expect(page.body).toContain('Reactivate user');
    const after = json(await t().scim.get(`/Users/${id}`));
    expect(after.active).toBe(false);
    expect(after.meta.version).not.toBe(before.meta.version);
    expect(Date.parse(after.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(before.meta.lastModified));
    const [entry] = await t().services.platform.forTenant(t().org.id).activity.list({ errorsOnly: false, resourceId: id, beforeSeq: undefined, limit: 1 });
    expect(entry).toMatchObject({ method: 'PATCH', status: 200, keyId: null, resourceType: 'User', resourceId: id });
    expect(entry!.actor).toMatch(/@contoso\.test$/);
    expect(Math.abs(Date.parse(entry!.at) - Date.now())).toBeLessThan(60_000);
    expect(page.body).toContain(`Console · ${entry!.actor}`);

    expect((await c.post(`/console/users/${id}/reactivate`)).statusCode).toBe(303);
    expect(json(await t().scim.get(`/Users/${id}`)).active).toBe(true);
  });
});

describeEachDialect('console: Groups', (t) => {
  let c: ConsoleClient;
  let groupId: string;
  beforeAll(async () => {
    c = await signedIn(t(), t().org);
    const members: { value: string }[] = [];
    for (let i = 0; i < 55; i++) members.push({ value: await scimUser(t(), `member${String(i).padStart(2, '0')}@contoso.test`, { displayName: `Member ${String(i).padStart(2, '0')}` }) });
    const r = await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Everyone', externalId: 'ext-everyone', members });
    groupId = json(r).id as string;
    await t().scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Admins <b>' });
  });

  it('lists and searches groups with member counts', async () => {
    const all = await c.get('/console/groups');
    expect(names(all.body)).toEqual(['Admins &lt;b>', 'Everyone']);
    expect(all.body).toMatch(/<td class="num">55<\/td>/);
    expect(names((await c.get('/console/groups?q=every')).body)).toEqual(['Everyone']);
    expect(names((await c.get('/console/groups?q=ext-everyone')).body)).toEqual(['Everyone']);
    expect(names((await c.get('/console/groups?q=nobody')).body)).toEqual([]);
  });

  it("pages a group's members, 50 at a time", async () => {
    const p1 = await c.get(`/console/groups/${groupId}`);
    expect(p1.statusCode).toBe(200);
    expect(p1.body).toContain('55 members · page 1 of 2');
    expect(names(p1.body)).toHaveLength(50);
    expect(names(p1.body)[0]).toBe('Member 00');
    const p2 = await c.get(`/console/groups/${groupId}?page=2`);
    expect(names(p2.body)).toEqual(['Member 50', 'Member 51', 'Member 52', 'Member 53', 'Member 54']);
    expect((await c.get('/console/groups/nope')).statusCode).toBe(404);
  });
});

describeEachDialect('console: activity and dashboard', (t) => {
  let c: ConsoleClient;
  beforeAll(async () => {
    c = await signedIn(t(), t().org);
  });

  it('shows a not-connected dashboard with the setup checklist before any request', async () => {
    const { org } = await t().newTenant('Quiet Org');
    const q = await signedIn(t(), org);
    const r = await q.get('/console');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Not connected yet');
    expect(r.body).toContain('Connect your identity provider');
  });

  it('lists every request with key name, method, path, status and scimType; filters errors; a row opens the redacted summary', async () => {
    await scimUser(t(), 'activity@contoso.test');
    const dup = await t().scim.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'activity@contoso.test' });
    expect(dup.statusCode).toBe(409);
    await t().scim.get('/Users?filter=userName%20eq%20%22activity%40contoso.test%22');
    await t().services.activity.flush();

    const all = await c.get('/console/activity');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('test key');
    expect(all.body).toContain('201 Created');
    expect(all.body).toContain('409 Conflict');
    expect(all.body).toContain('uniqueness');
    expect(all.body).toContain('200 OK');

    const errors = await c.get('/console/activity?errors=1');
    expect(errors.body).toContain('409 Conflict');
    expect(errors.body).not.toContain('201 Created');

    const seq = /href="\/console\/activity\/(\d+)"/.exec(errors.body)![1]!;
    const entry = await c.get(`/console/activity/${seq}`);
    expect(entry.statusCode).toBe(200);
    expect(entry.body).toContain('already exists');
    expect(entry.body).toContain('Summary');
    expect((await c.get('/console/activity/999999')).statusCode).toBe(404);
    expect((await c.get('/console/activity/abc')).statusCode).toBe(404);
  });

  it('shows sync health on the dashboard: last request, 24-hour successes and errors, latest errors with detail', async () => {
    const r = await c.get('/console');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Provisioning has errors');
    expect(r.body).toContain('with the key “test key”');
    const stat = (label: string) => Number(new RegExp(`${label}</span><span class="stat-value">(\\d+)`).exec(r.body)?.[1]);
    expect(stat('Successful requests \\(24 h\\)')).toBeGreaterThanOrEqual(2);
    expect(stat('Failed requests \\(24 h\\)')).toBe(1);
    // The 409's detail names the value and the record that holds it, linked by name.
    expect(r.body).toContain('A User with the userName &quot;activity@contoso.test&quot; already exists in your organisation (id ');
    expect(r.body).toMatch(/The userName “activity@contoso.test” already belongs to <a href="\/console\/users\/[0-9a-f-]{36}">activity@contoso.test<\/a>/);
  });

  it('names the resource on activity rows and shows what a write changed, old → new, on the entry and in the user’s history', async () => {
    const id = await scimUser(t(), 'history@contoso.test', { displayName: 'Ann Lee' });
    await t().scim.patch(`/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'displayName', value: 'Ann Smith' }] });
    await t().services.activity.flush();
    const all = await c.get('/console/activity');
    expect(all.body).toContain(`title="${id}">Ann Smith</a>`);
    const user = await c.get(`/console/users/${id}`);
    expect(plain(user.body)).toMatch(/<span class="mono">displayName<\/span>: <span class="old">Ann Lee<\/span> →\s*<span class="new">Ann Smith<\/span>/);
  });

  it('exports users and activity as CSV, formulas defused, and offers page sizes', async () => {
    await scimUser(t(), 'csv@contoso.test', { displayName: '=HYPERLINK("http://evil")', emails: [{ value: 'csv@contoso.test', type: 'work', primary: true }] });
    const users = await c.get('/console/users.csv?q=csv%40contoso.test');
    expect(users.statusCode).toBe(200);
    expect(users.headers['content-type']).toMatch(/^text\/csv/);
    expect(users.headers['content-disposition']).toMatch(/^attachment; filename="users-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = users.body.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Name,User name,Email,Status,Source,Last change (UTC),WiggleDesk id');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil""\)",csv@contoso\.test,csv@contoso\.test,Active,Provisioned,/);
    const activity = await c.get('/console/activity.csv?errors=1');
    expect(activity.statusCode).toBe(200);
    expect(activity.body).toContain('409');
    expect(activity.body).not.toContain(',201,');
    const sized = await c.get('/console/activity?size=25');
    expect(sized.body).toContain('<option value="25" selected');
    const usersSized = await c.get('/console/users?size=10');
    expect(usersSized.body).toContain('<option value="10" selected');
  });

  it('pages the activity log with an "Older" link', async () => {
    for (let i = 0; i < 55; i++) t().services.activity.enqueue(t().services.platform.forTenant(t().org.id), { at: new Date().toISOString(), keyId: null, actor: 'load', method: 'GET', path: '/scim/v2/Users', status: 200, scimType: null, durationMs: 1, resourceType: 'User', resourceId: null, summary: null });
    await t().services.activity.flush();
    const first = await c.get('/console/activity');
    const older = /href="(\/console\/activity\?before=\d+)"/.exec(first.body)?.[1];
    expect(older).toBeDefined();
    const second = await c.get(older!);
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Back to newest');
  });
});

describeEachDialect('console: SCIM setup', (t) => {
  it('shows the endpoint (PUBLIC_URL + /scim/v2) with Copy buttons and the Entra, Okta and generic guides', async () => {
    const c = await signedIn(t(), t().org);
    const r = await c.get('/console/scim-setup');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('value="https://wiggledesk.test/scim/v2"');
    expect(r.body).toContain('value="https://wiggledesk.test/scim/v2?aadOptscim062020"');
    expect(r.body).toContain('data-copy="scim-endpoint"');
    for (const text of ['Microsoft Entra ID', 'Okta', 'Any other SCIM 2.0 client', 'userPrincipalName', 'Test Connector Configuration']) expect(r.body).toContain(text);
  });

  it('R-ENTRA-42 shows the canonical URL and says the announcement\'s …/scim/v2/Users form works too', async () => {
    const c = await signedIn(t(), t().org);
    const r = await c.get('/console/scim-setup');
    expect(r.body).toContain('value="https://wiggledesk.test/scim/v2"');
    expect(r.body).not.toContain('value="https://wiggledesk.test/scim/v2/Users"');
    expect(r.body).toMatch(/<code>https:\/\/wiggledesk\.test\/scim\/v2\/Users<\/code>, it works too/);
  });
});
