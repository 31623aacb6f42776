// Console: SET streams (issue #13) — add a push stream, add a poll stream whose token is shown once
// and works, refuse a bad URL beside the form, remove, rotate the key; admins only, CSRF required.
import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/each-dialect.js';
import { json } from '../support/test-app.js';
import { signedIn, type ConsoleClient } from '../http/console-client.js';

describeEachDialect(
  'console: SET streams',
  (t) => {
    let c: ConsoleClient;
    beforeAll(async () => {
      c = await signedIn(t(), t().org);
    });

    it('shows the issuer and JWKS URL, and adds a push stream', async () => {
      const page = await c.get('/console/set-streams');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`value="https://wiggledesk.test/sets/${t().org.id}/jwks.json"`);
      expect(page.body).toContain('aria-current="page"');
      const added = await c.post('/console/set-streams', { delivery: 'push', url: 'http://127.0.0.1:9/<receiver>', authorization: 'Bearer secret-value', name: 'Desk <booking>' });
      expect(added.statusCode).toBe(303);
      const after = await c.get(added.headers.location as string);
      expect(after.body).toContain('The stream was added');
      expect(after.body).toContain('Desk &lt;booking>');
      expect(after.body).not.toContain('secret-value');
      expect(await t().services.sets.listStreams(t().org.id)).toHaveLength(1);
    });

    it('a poll stream: the token is shown once and polls', async () => {
      const r = await c.post('/console/set-streams', { delivery: 'poll', name: 'SIEM' });
      expect(r.statusCode).toBe(201);
      expect(r.body).toContain('you will not see it again');
      const token = /id="new-poll-token" value="(wdset_[\w-]{43})"/.exec(r.body)?.[1];
      const pollUrl = /id="new-poll-url" value="https:\/\/wiggledesk\.test(\/sets\/streams\/[0-9a-f]+\/poll)"/.exec(r.body)?.[1];
      expect(token).toBeDefined();
      expect(pollUrl).toBeDefined();
      const polled = await t().app.inject({ method: 'POST', url: pollUrl!, headers: { authorization: `Bearer ${token}` }, payload: { returnImmediately: true } });
      expect(polled.statusCode).toBe(200);
      expect(json(polled)).toEqual({ sets: {}, moreAvailable: false });
      expect((await c.get('/console/set-streams')).body).not.toContain(token!);
    });

    it('refuses a bad URL beside the form; removes a stream; rotates the key', async () => {
      const bad = await c.post('/console/set-streams', { delivery: 'push', url: 'ftp://nope.example' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Push endpoint refused');
      const [first] = await t().services.sets.listStreams(t().org.id);
      const removed = await c.post(`/console/set-streams/${first!.id}/delete`);
      expect(removed.statusCode).toBe(303);
      expect((await c.get(removed.headers.location as string)).body).toContain('removed with its undelivered SETs');
      const kids = async () => (json(await t().app.inject({ method: 'GET', url: `/sets/${t().org.id}/jwks.json` })).keys as unknown[]).length;
      const before = await kids();
      expect((await c.post('/console/set-streams/rotate-key')).statusCode).toBe(303);
      expect(await kids()).toBe(before + 1);
    });

    it('CSRF is required and regular users are refused', async () => {
      expect((await c.post('/console/set-streams', { delivery: 'poll' }, { csrf: false })).statusCode).toBe(403);
      const u = await signedIn(t(), t().org, 'user');
      expect((await u.get('/console/set-streams')).statusCode).toBe(403);
    });
  },
  { env: { ALLOW_PRIVATE_TARGETS: '1' } },
);
