// PingFederate / PingOne SCIM Provisioner (R-PING-01…04), replayed black-box: users updated by
// PUT only, provisioned disabled, matched by userName; groups found by listing all of them.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describeEachDialect('Interop: Ping', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });
  const send = (m: string, p: string, b?: unknown, h?: Record<string, string>) => live.send(m, `/scim/v2${p}`, b, h);

  it('R-PING-02/03/04 match by userName, create disabled, update and disable by PUT, delete', async () => {
    const userName = 'ping.user@ping.example';
    expect((await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults).toBe(0);
    const c = await send('POST', '/Users', { schemas: [USER], userName, active: false, name: { givenName: 'P', familyName: 'Ing' } });
    expect(c.status).toBe(201);
    expect(c.body.active).toBe(false);
    const put = await send('PUT', `/Users/${c.body.id}`, { schemas: [USER], userName, active: true, title: 'Engineer' }, { 'if-match': c.headers.get('etag')! });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ active: true, title: 'Engineer' });
    expect(put.body).not.toHaveProperty('name'); // PUT replaces: name was not sent
    expect((await send('DELETE', `/Users/${c.body.id}`)).status).toBe(204);
  });

  it('R-PING-03 group lookup lists every group with paging', async () => {
    for (let i = 0; i < 5; i++) await send('POST', '/Groups', { displayName: `Ping group ${i}` });
    const ids: string[] = [];
    for (let start = 1; ; start += 2) {
      const page = await send('GET', `/Groups?startIndex=${start}&count=2`);
      ids.push(...page.body.Resources.map((g: { id: string }) => g.id));
      if (start + 2 > page.body.totalResults) break;
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(5);
  });
});
