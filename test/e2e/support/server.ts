// The real WiggleDesk server for browser tests: a fresh SQLite database in a temp directory,
// the composed services, buildApp, listening on 127.0.0.1 with an ephemeral port.
import type { TxtResolver } from '../../../src/outbound/dns-txt.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../../src/config/config.js';
import { compose, type Composition } from '../../../src/compose.js';
import { buildApp } from '../../../src/http/app.js';
import type { AppServices } from '../../../src/services/app-services.js';
import type { Organization, AccountRole } from '../../../src/domain/organization.js';

export interface ConsoleServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly services: AppServices;
  readonly config: Config;
  /** Creates an organisation with an admin (or user) account; returns its credentials. */
  newOrg(name: string, options?: { approved?: boolean }): Promise<Organization>;
  newAccount(org: Organization, email: string, options?: { role?: AccountRole; displayName?: string }): Promise<{ email: string; password: string }>;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}, options: { txtResolver?: TxtResolver } = {}): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wd-e2e-'));
  const config: Config = {
    ...loadConfig({ LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', ...env }),
    database: { dialect: 'sqlite', url: join(dir, 'e2e.db'), poolSize: 1 },
  };
  let composition: Composition | undefined;
  let app: FastifyInstance | undefined;
  try {
    composition = await compose(config, options.txtResolver ? { txtResolver: options.txtResolver } : {});
    app = await buildApp(config, composition.services, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (e) {
    await app?.close();
    await composition?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('server has no address');
  const { services } = composition;
  const c = composition;
  const a = app;
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    services,
    config,
    newOrg: (name, options = {}) => services.organizations.create(name, { apiAccessApproved: options.approved ?? true }),
    async newAccount(org, email, options = {}) {
      const { password } = await services.organizations.createAdmin(org.id, email, options);
      return { email, password };
    },
    async close() {
      await a.close();
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
