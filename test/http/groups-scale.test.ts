// Membership at scale and under concurrency (issue #5): a 100,000-member group streamed in full,
// and concurrent membership PATCHes through two app instances on one database losing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase, type FreshDatabase } from '../support/databases.js';
import { scimClient, json, PATCH_OP, type ScimClient } from '../support/test-app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose, type Composition } from '../../src/compose.js';
import { buildApp } from '../../src/http/app.js';
import { seedUsers } from '../support/seed.js';
import type { FastifyInstance } from 'fastify';
import type { Organization } from '../../src/domain/organization.js';

interface Instance { c: Composition; app: FastifyInstance; scim: ScimClient }

for (const dialect of DIALECTS) {
  describe(`membership at scale [${dialect}]`, () => {
    let db: FreshDatabase;
    let a: Instance;
    let b: Instance;
    let org: Organization;

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      const config: Config = { ...loadConfig({ PUBLIC_URL: 'https://wiggledesk.test', LOG_LEVEL: 'silent' }), database: db.config };
      const start = async (): Promise<Omit<Instance, 'scim'>> => {
        const c = await compose(config);
        const app = await buildApp(config, c.services, { logger: false });
        await app.ready();
        return { c, app };
      };
      const first = await start();
      org = await first.c.services.organizations.create('Scale Org', { apiAccessApproved: true });
      const { key } = await first.c.services.apiKeys.create(first.c.services.platform.forTenant(org.id), { name: 'k', createdBy: null });
      a = { ...first, scim: scimClient(first.app, key) };
      const second = await start(); // a second, independent instance on the same database
      b = { ...second, scim: scimClient(second.app, key) };
    }, 120_000);

    afterAll(async () => {
      for (const i of [a, b]) if (i) { await i.app.close(); await i.c.close(); }
      await db?.drop();
    });

    it('concurrent add/remove PATCHes through two instances (≥ 20 each) lose and duplicate nothing', async () => {
      const users = await seedUsers(a.c, org.id, 200, 'conc');
      const group = json(await a.scim.post('/Groups', { displayName: 'Concurrency' }));
      // users[0..99] start as members; instance A removes 0..39 and adds 100..139 while B removes 40..59 and adds 140..199.
      await a.scim.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: users.slice(0, 100).map((value) => ({ value })) }] });
      const ops: Array<Promise<{ statusCode: number }>> = [];
      const add = (s: ScimClient, id: string) => s.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }] });
      const remove = (s: ScimClient, id: string) => s.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] });
      for (let i = 0; i < 40; i++) ops.push(remove(a.scim, users[i]!), add(a.scim, users[100 + i]!));
      for (let i = 0; i < 20; i++) ops.push(remove(b.scim, users[40 + i]!));
      for (let i = 0; i < 60; i++) ops.push(add(b.scim, users[140 + i]!));
      const results = await Promise.all(ops);
      expect(results.map((r) => r.statusCode).filter((s) => s !== 204)).toEqual([]);
      const members = (json(await b.scim.get(`/Groups/${group.id}`)).members as Array<{ value: string }>).map((m) => m.value).sort();
      expect(members).toEqual([...users.slice(60, 200)].sort());
      const version = json(await a.scim.get(`/Groups/${group.id}`)).meta.version;
      expect(version).toBe(`W/"${2 + 160}"`); // every effective PATCH bumped the version exactly once
    }, 120_000);

    it('a 100,000-member group: adds in batches, streams in full, excludedAttributes=members does no member work', async () => {
      const users = await seedUsers(a.c, org.id, 100_000, 'big');
      const group = json(await a.scim.post('/Groups', { displayName: 'Everyone' }));
      for (let i = 0; i < users.length; i += 10_000) {
        const r = await a.scim.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: users.slice(i, i + 10_000).map((value) => ({ value, $ref: null })) }] });
        expect(r.statusCode).toBe(204);
      }
      const full = await b.scim.get(`/Groups/${group.id}`);
      expect(full.statusCode).toBe(200);
      const body = json(full);
      expect(body.members).toHaveLength(100_000);
      expect(new Set((body.members as Array<{ value: string }>).map((m) => m.value)).size).toBe(100_000);
      expect(body.meta.resourceType).toBe('Group');
      const slim = await b.scim.get(`/Groups/${group.id}?excludedAttributes=members`);
      expect(json(slim)).not.toHaveProperty('members');
      expect(slim.body.length).toBeLessThan(1000);
      const rm = await a.scim.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: users[5] }] }] });
      expect(rm.statusCode).toBe(204);
      const user = json(await a.scim.get(`/Users/${users[6]}`));
      expect(user.groups).toEqual([expect.objectContaining({ value: group.id, display: 'Everyone', type: 'direct' })]);
    }, 300_000);
  });
}
