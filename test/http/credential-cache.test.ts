// Issue #15: warm bearer credentials are served from memory (no hashing, no database read), and a
// revocation on one instance is refused on every other instance on the very next request. Two
// real app instances share one database here, each with its own connection(s) and its own cache;
// B learns of A's revocation only through the database (SQLite: the credential_epoch row the
// triggers of migration 0023 increment; PostgreSQL: the triggers' NOTIFY on B's listening connection).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { DIALECTS } from '../support/databases.js';
import { buildTestApp, json, scimClient, type ScimClient, type TestApp } from '../support/test-app.js';
import { compose, type Composition } from '../../src/compose.js';
import { buildApp } from '../../src/http/app.js';
import type { TenantId } from '../../src/domain/ids.js';

for (const dialect of DIALECTS) {
  describe(`bearer credentials cached on two instances of one database [${dialect}]`, () => {
    let a: TestApp;
    let bComposition: Composition;
    let b: FastifyInstance;
    let clock = Date.parse('2026-12-02T12:00:00.000Z');

    beforeAll(async () => {
      a = await buildTestApp(dialect, { now: () => clock });
      bComposition = await compose(a.config, { now: () => clock });
      b = await buildApp(a.config, bComposition.services, { logger: false });
      await b.ready();
      // PostgreSQL: nothing is served from memory until each instance's listening connection is up.
      await vi.waitFor(() => {
        expect(a.services.credentials.epoch()).toBeDefined();
        expect(bComposition.services.credentials.epoch()).toBeDefined();
      });
    });
    afterAll(async () => {
      await b?.close();
      await bComposition?.close();
      await a?.close();
    });

    const keyIdOf = (key: string) => key.slice(4, 28);
    const status = async (client: ScimClient) => (await client.get('/Users')).statusCode;

    /** A fresh organisation with one key, warm on both instances. */
    async function warmTenant(): Promise<{ orgId: TenantId; key: string; onA: ScimClient; onB: ScimClient }> {
      const { org, key, scim } = await a.newTenant();
      const onB = scimClient(b, key);
      expect(await status(scim)).toBe(200);
      expect(await status(onB)).toBe(200);
      return { orgId: org.id, key, onA: scim, onB };
    }

    it('a warm key is neither hashed nor read from the database again', async () => {
      const { onA, onB } = await warmTenant();
      const findA = vi.spyOn(a.services.platform, 'findApiKey');
      const findB = vi.spyOn(bComposition.services.platform, 'findApiKey');
      try {
        for (let i = 0; i < 5; i++) {
          expect(await status(onA)).toBe(200);
          expect(await status(onB)).toBe(200);
        }
        expect(findA).not.toHaveBeenCalled();
        expect(findB).not.toHaveBeenCalled();
      } finally {
        findA.mockRestore();
        findB.mockRestore();
      }
    });

    it('a key revoked on instance A is refused on instance B on the very next request', async () => {
      const { orgId, key, onA, onB } = await warmTenant();
      const store = a.services.platform.forTenant(orgId);
      await a.services.apiKeys.revoke(store, keyIdOf(key));
      const r = await onB.get('/Users');
      expect(r.statusCode).toBe(401);
      expect(json(r).detail).toMatch(/revoked/);
      expect((await onA.get('/Users')).statusCode).toBe(401);
      // Refusals still reach the organisation's auth-failure insights, from both instances.
      const failures = await store.authFailures.list('2000-01-01T00:00:00.000Z');
      expect(failures.find((f) => f.reason === 'revoked_key')?.attempts).toBe(2);
    });

    it('API access withdrawn on instance B is refused on instance A on the very next request', async () => {
      const { orgId, onA, onB } = await warmTenant();
      await bComposition.services.organizations.setApiAccess(orgId, false);
      expect(json(await onA.get('/Users')).detail).toMatch(/not approved for API access/);
      expect((await onB.get('/Users')).statusCode).toBe(401);
    });

    it('a wrong secret for a cached key id is refused and attributed (only verified tokens are cached)', async () => {
      const { orgId, key, onB } = await warmTenant();
      const wrong = scimClient(b, `${key.slice(0, -43)}${'A'.repeat(43)}`);
      expect((await wrong.get('/Users')).statusCode).toBe(401);
      expect(await status(onB)).toBe(200);
      const failures = await bComposition.services.platform.forTenant(orgId).authFailures.list('2000-01-01T00:00:00.000Z');
      expect(failures.map((f) => f.reason)).toEqual(['wrong_secret']);
    });

    it('an OAuth access token: its client deleted on A is refused on B at once; an expired token is refused although cached', async () => {
      const tenant = a.services.platform.forTenant(a.org.id);
      const tokenFor = async () => {
        const { client, secret } = await a.services.oauth.createClient(tenant, { name: `Entra ${Math.random()}`, createdBy: null });
        const r = await a.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_id=${client.id}&client_secret=${encodeURIComponent(secret)}` });
        expect(r.statusCode, r.body).toBe(200);
        return { clientId: client.id, onA: scimClient(a.app, json(r).access_token as string), onB: scimClient(b, json(r).access_token as string), expiresIn: json(r).expires_in as number };
      };
      const deleted = await tokenFor();
      expect(await status(deleted.onA)).toBe(200);
      expect(await status(deleted.onB)).toBe(200);
      await a.services.oauth.deleteClient(tenant, deleted.clientId);
      expect(json(await deleted.onB.get('/Users')).detail).toMatch(/access token is not valid/);

      const expiring = await tokenFor();
      expect(await status(expiring.onB)).toBe(200);
      clock += expiring.expiresIn * 1000;
      expect(json(await expiring.onB.get('/Users')).detail).toMatch(/expired/);
    });

    if (dialect === 'postgres') {
      it('PostgreSQL: while an instance cannot listen, it serves nothing from memory; after reconnecting, nothing cached before', async () => {
        const { onB } = await warmTenant();
        const before = bComposition.services.credentials.epoch();
        // End every listening connection of this database (both instances'): notifications could be missed now.
        // (Their last statement is the LISTEN, the heartbeat or a settle NOTIFY.)
        const ended = await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and (query ilike 'listen%' or query in ('select 1', 'select pg_notify($1, $2)'))`.execute(a.composition.db.db);
        expect(ended.rows.length).toBeGreaterThanOrEqual(2);
        await vi.waitFor(() => expect(bComposition.services.credentials.epoch()).toBeUndefined(), { timeout: 2_000, interval: 5 });
        const findB = vi.spyOn(bComposition.services.platform, 'findApiKey');
        try {
          expect(await status(onB)).toBe(200);
          expect(findB).toHaveBeenCalledTimes(1);
        } finally {
          findB.mockRestore();
        }
        await vi.waitFor(() => expect(bComposition.services.credentials.epoch()).toBeDefined(), { timeout: 5_000, interval: 20 });
        expect(bComposition.services.credentials.epoch()).not.toBe(before);
      });
    }

    it('a revocation written by another process straight into the database (no application code) is seen too', async () => {
      const { key, onB } = await warmTenant();
      // The triggers, not the services, announce changes: an operator's manual UPDATE counts.
      await sql`update api_keys set revoked_at = ${new Date().toISOString()} where id = ${keyIdOf(key)}`.execute(a.composition.db.db);
      if (dialect === 'sqlite') {
        // Every instance reads the epoch row before serving from memory: refused at once.
        expect((await onB.get('/Users')).statusCode).toBe(401);
      } else {
        // PostgreSQL: refused as soon as B's listener has the notification (one network hop after the commit).
        await vi.waitFor(async () => expect((await onB.get('/Users')).statusCode).toBe(401), { timeout: 2_000, interval: 5 });
      }
    });
  });
}
