// One build of the app in this process, on a fresh SQLite database, seeded through the API: the
// shared set-up of bench/http-path.mjs, bench/ab-path.mjs and bench/wal-pages.mjs. Requests go
// through `app.inject` (routing, hooks, auth, services, storage, rendering — all but node's HTTP
// parser and socket writes). LOG_LEVEL=warn and no rate limit, as in `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/**
 * `appDir`: a folder with dist/ (default this repository). `backgroundCheckpoints`: as `serve` does
 * (default); false keeps SQLite's own checkpoints. Returns the composition, `inject(method, url,
 * body)` (throws on an error status), the seeded users ({ id, userName }), the database file and close().
 */
export async function startInProcessApp({ appDir = '.', users = 2000, backgroundCheckpoints = true, headers: extraHeaders = {} } = {}) {
  const dist = (p) => pathToFileURL(join(resolve(appDir), 'dist', p)).href;
  const { loadConfig } = await import(dist('config/config.js'));
  const { compose } = await import(dist('compose.js'));
  const { buildApp } = await import(dist('http/app.js'));
  const dir = mkdtempSync(join(tmpdir(), 'wd-inprocess-'));
  const file = join(dir, 'db.sqlite');
  const config = { ...loadConfig({ LOG_LEVEL: 'warn', SCIM_RATE_LIMIT_PER_SECOND: '1000000', SCIM_RATE_LIMIT_BURST: '1000000' }), database: { dialect: 'sqlite', url: file, poolSize: 1 } };
  const c = await compose(config, { backgroundCheckpoints });
  const app = await buildApp(config, c.services, { logger: { level: 'warn', stream: { write() {} } } });
  await app.ready();
  const org = await c.services.organizations.create('Bench', { apiAccessApproved: true });
  const { key } = await c.services.apiKeys.create(c.services.platform.forTenant(org.id), { name: 'bench', createdBy: null });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/scim+json', ...extraHeaders };
  const inject = async (method, url, body) => {
    const r = await app.inject({ method, url: `/scim/v2${url}`, headers, ...(body ? { payload: JSON.stringify(body) } : {}) });
    if (r.statusCode >= 400) throw new Error(`${method} ${url} → ${r.statusCode} ${r.body.slice(0, 200)}`);
    return r;
  };
  const seeded = [];
  for (let i = 0; i < users; i++) {
    const userName = `user${i}@bench.example`;
    const r = await inject('POST', '/Users', { schemas: [USER_SCHEMA], userName, name: { givenName: 'Ann', familyName: `Lee ${i}` }, emails: [{ value: userName, type: 'work', primary: true }], active: true, title: 'Engineer' });
    seeded.push({ id: JSON.parse(r.body).id, userName });
  }
  return {
    c,
    inject,
    users: seeded,
    file,
    async close() {
      await app.close();
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The request of each in-process phase, as `name → () => Promise` over the seeded `users`:
 * userName lookup, GET by id, an Entra-style PATCH, a create, a list page at a random offset, and the
 * group phases of `npm run bench`: a group create, a batch of 100 members added (into a new group for
 * each pass over the users), and the removal of one member by a value filter (Entra's form) from a
 * group holding every seeded user — refilled in batches of 100 when it is empty, one request in 100 extra.
 */
export function inprocessPhases(inject, users) {
  let n = users.length;
  const pick = () => users[Math.floor(Math.random() * users.length)];
  const newGroup = async (displayName) => JSON.parse((await inject('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName })).body).id;
  const addBatch = (groupId, from) =>
    inject('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Add', path: 'members', value: users.slice(from, from + 100).map((u) => ({ value: u.id })) }] });
  let fullGroup = null;
  let left = 0;
  let batchGroup = null;
  let added = 0;
  return {
    addMembers: async () => {
      if (!batchGroup || added >= users.length) [batchGroup, added] = [await newGroup(`Batch ${n++}`), 0];
      added += 100;
      return addBatch(batchGroup, added - 100);
    },
    groupsCreate: () => inject('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Group ${n++}`, externalId: `g-${n}` }),
    removeMember: async () => {
      if (left === 0) {
        fullGroup ??= await newGroup('Members');
        for (let i = 0; i < users.length; i += 100) await addBatch(fullGroup, i);
        left = users.length;
      }
      return inject('PATCH', `/Groups/${fullGroup}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Remove', path: `members[value eq "${users[--left].id}"]` }] });
    },
    lookup: () => inject('GET', `/Users?filter=${encodeURIComponent(`userName eq "${pick().userName}"`)}`),
    get: () => inject('GET', `/Users/${pick().id}`),
    patch: () => inject('PATCH', `/Users/${pick().id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'title', value: `T${n++}` }, { op: 'Replace', path: 'active', value: 'True' }] }),
    post: () => inject('POST', '/Users', { schemas: [USER_SCHEMA], userName: `new${n++}@bench.example`, emails: [{ value: `new${n}@bench.example`, primary: true }], active: true }),
    list: () => inject('GET', `/Users?startIndex=${1 + Math.floor(Math.random() * (users.length - 100))}&count=100`),
  };
}
