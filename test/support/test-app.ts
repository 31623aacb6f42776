// buildTestApp(): the real application on a fresh database of the given dialect, with an
// organisation approved for API access and a key, driven through app.inject (no socket).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config/config.js';
import { compose, type Composition } from '../../src/compose.js';
import type { TxtResolver } from '../../src/outbound/dns-txt.js';
import type { SqlWorkLimits } from '../../src/storage/kysely/sql-work.js';
import { buildApp } from '../../src/http/app.js';
import type { AppServices } from '../../src/services/app-services.js';
import type { Organization } from '../../src/domain/organization.js';
import { freshDatabase, type DialectName } from './databases.js';
import type { ScimLimits } from '../../src/scim/limits.js';
import type { Redis } from 'ioredis';
import type { Clock } from '../../src/domain/clock.js';
import type { SetEventSource } from '../../src/services/sets/set-streams.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly services: AppServices;
  readonly composition: Composition;
  readonly config: Config;
  readonly dialect: DialectName;
  readonly org: Organization;
  readonly key: string;
  readonly scim: ScimClient;
  /** Another organisation with its own key, for isolation tests. */
  newTenant(name?: string, approved?: boolean): Promise<{ org: Organization; key: string; scim: ScimClient }>;
  close(): Promise<void>;
}

export interface ScimClient {
  get(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  put(path: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(path: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  raw(method: string, path: string, options?: { body?: string; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
}

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export function scimClient(app: FastifyInstance, key: string | undefined): ScimClient {
  const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  const url = (p: string) => (p.startsWith('/') ? `/scim/v2${p}` : `/scim/v2/${p}`);
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: method as 'GET',
      url: url(path),
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  return {
    get: (p, h) => send('GET', p, undefined, h),
    post: (p, b, h) => send('POST', p, b, h),
    put: (p, b, h) => send('PUT', p, b, h),
    patch: (p, b, h) => send('PATCH', p, b, h),
    delete: (p, h) => send('DELETE', p, undefined, h),
    raw: (method, path, o = {}) => app.inject({ method: method as 'GET', url: url(path), headers: { ...auth, ...(o.headers ?? {}) }, ...(o.body === undefined ? {} : { payload: o.body }) }),
  };
}

export async function buildTestApp(dialect: DialectName, options: { env?: Record<string, string>; limits?: ScimLimits; redis?: Redis; now?: () => number; setEventSource?: SetEventSource; clock?: Clock; random?: () => number; txtResolver?: TxtResolver; consoleSqlWork?: SqlWorkLimits } = {}): Promise<TestApp> {
  const db = await freshDatabase(dialect);
  const config: Config = {
    ...loadConfig({ PUBLIC_URL: 'https://wiggledesk.test', LOG_LEVEL: 'silent', ...options.env }),
    database: db.config,
  };
  const composition = await compose(config, {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.setEventSource ? { setEventSource: options.setEventSource } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.txtResolver ? { txtResolver: options.txtResolver } : {}),
    ...(options.consoleSqlWork ? { consoleSqlWork: options.consoleSqlWork } : {}),
  });
  const app = await buildApp(config, composition.services, { logger: false, scim: { redis: options.redis } });
  await app.ready();
  const { services } = composition;

  async function newTenant(name = `Org ${Math.random().toString(36).slice(2, 8)}`, approved = true) {
    const org = await services.organizations.create(name, { apiAccessApproved: true });
    const { key } = await services.apiKeys.create(services.platform.forTenant(org.id), { name: 'test key', createdBy: null });
    if (!approved) await services.organizations.setApiAccess(org.id, false);
    return { org: { ...org, apiAccessApproved: approved }, key, scim: scimClient(app, key) };
  }

  const first = await newTenant('Contoso');
  return {
    app,
    services,
    composition,
    config,
    dialect,
    org: first.org,
    key: first.key,
    scim: first.scim,
    newTenant,
    async close() {
      await app.close();
      await composition.close();
      await db.drop();
    },
  };
}

export const json = (r: LightMyRequestResponse): Record<string, any> => JSON.parse(r.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
