// Console: the Webhooks page (add with the secret shown once, test, disable/enable, rotate, remove),
// the delivery log with Replay, a user's page listing that user's events, and key scopes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, json, USER_SCHEMA, type TestApp } from '../support/test-app.js';
import { signedIn } from '../http/console-client.js';
import { startReceiver, verifyWith, type Receiver } from '../support/webhook-receiver.js';

for (const dialect of DIALECTS) {
  describe(`Console webhooks [${dialect}]`, () => {
    let t: TestApp;
    let rx: Receiver;
    beforeAll(async () => {
      t = await buildTestApp(dialect, { env: { ALLOW_PRIVATE_TARGETS: '1' } });
      rx = await startReceiver();
    });
    afterAll(async () => {
      await rx.close();
      await t.close();
    });

    it('add shows the secret once; deliveries are logged and replayable; test, disable, enable, rotate, remove', async () => {
      const admin = await signedIn(t, t.org);
      expect((await admin.get('/console/webhooks')).statusCode).toBe(200);
      const bad = await admin.post('/console/webhooks', { url: 'ftp://nope.example/' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('https');
      const added = await admin.post('/console/webhooks', { url: rx.url, events: 'user.created' });
      expect(added.statusCode).toBe(200);
      const secret = /whsec_[A-Za-z0-9+/=]+/.exec(added.body)?.[0];
      expect(secret).toBeDefined();
      const list = await admin.get('/console/webhooks');
      expect(list.body).toContain(rx.url);
      expect(list.body).not.toContain(secret!.slice(6));
      const id = /\/console\/webhooks\/(we_[0-9a-f]+)"/.exec(list.body)![1]!;

      const u = await t.scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'console.hook@hooks.example' });
      await t.services.events.delivery.runOnce();
      expect(rx.received).toHaveLength(1);
      expect(verifyWith(secret!, rx.received[0]!)).toBeTruthy();
      const log = await admin.get(`/console/webhooks/${id}`);
      expect(log.statusCode).toBe(200);
      expect(log.body).toContain(rx.received[0]!.id);
      expect(log.body).toContain('succeeded');
      expect(log.body).toContain('HTTP 204');

      const replay = await admin.post(`/console/webhooks/${id}/replay`, { eventId: rx.received[0]!.id });
      expect(replay.statusCode).toBe(303);
      await t.services.events.delivery.runOnce();
      expect(rx.received.map((r) => r.id)).toEqual([rx.received[0]!.id, rx.received[0]!.id]);

      const test = await admin.post(`/console/webhooks/${id}/test`);
      expect(test.body).toContain('Test delivered: HTTP 204');
      expect(rx.received.at(-1)!.json.type).toBe('webhook.test');
      expect(verifyWith(secret!, rx.received.at(-1)!)).toBeTruthy();

      expect((await admin.post(`/console/webhooks/${id}/disable`)).statusCode).toBe(303);
      expect((await admin.get('/console/webhooks')).body).toContain('Disabled by an administrator.');
      expect((await admin.post(`/console/webhooks/${id}/enable`)).statusCode).toBe(303);
      const rotated = await admin.post(`/console/webhooks/${id}/rotate`);
      const fresh = /whsec_[A-Za-z0-9+/=]+/.exec(rotated.body)?.[0];
      expect(fresh).toBeDefined();
      expect(fresh).not.toBe(secret);
      expect(rotated.body).toContain('The previous secret also signs until');

      // The user's page lists the user's events.
      const userPage = await admin.get(`/console/users/${json(u).id}`);
      expect(userPage.body).toContain('user.created');
      expect(userPage.body).toContain(rx.received[0]!.id);

      expect((await admin.post(`/console/webhooks/${id}/remove`)).statusCode).toBe(303);
      expect((await admin.get('/console/webhooks')).body).not.toContain(rx.url);
    });

    it("the key form's scopes: an events:read key reads events and cannot use SCIM", async () => {
      const admin = await signedIn(t, t.org);
      await admin.get('/console/profile');
      const r = await admin.post('/console/profile/keys', { name: 'Events reader', scopes: 'events:read' });
      expect(r.statusCode).toBe(303);
      const shown = await admin.get(String(r.headers.location));
      const key = /wdk_[0-9a-f]{24}_[A-Za-z0-9_-]{43}/.exec(shown.body)![0];
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/events', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(403);
    });
  });
}
