// Configuration: read once from the environment in main.ts, validated here into a frozen Config.
// No other module reads process.env. Each bad value yields one readable line.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface DatabaseConfig {
  readonly dialect: 'sqlite' | 'postgres';
  /** For sqlite: a file path or ':memory:'. For postgres: the connection URL. */
  readonly url: string;
  /** PostgreSQL pool size per instance. */
  readonly poolSize: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Absolute base for SCIM locations and console links; undefined = derive from the request's Host. */
  readonly publicUrl: string | undefined;
  readonly logLevel: LogLevel;
  readonly database: DatabaseConfig;
  /** Trust X-Forwarded-* headers (behind a load balancer). */
  readonly trustProxy: boolean;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly redisUrl: string | undefined;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  /** Set cookies with the Secure flag (true when PUBLIC_URL is https). */
  readonly secureCookies: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDatabaseUrl(raw: string, poolSize: number): DatabaseConfig | string {
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      return `DATABASE_URL is not a valid URL`;
    }
    return { dialect: 'postgres', url: raw, poolSize };
  }
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return 'DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/wiggledesk.db';
    return { dialect: 'sqlite', url: path, poolSize: 1 };
  }
  return `DATABASE_URL must start with sqlite: or postgres:// (got "${raw.split(':')[0]}:…")`;
}

function intFrom(env: Env, name: string, def: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return def;
  }
  return n;
}

function boolFrom(env: Env, name: string, def: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return def;
}

export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const host = env.HOST || '127.0.0.1';
  const port = intFrom(env, 'PORT', 8080, 0, 65535, problems);

  let publicUrl: string | undefined;
  if (env.PUBLIC_URL) {
    try {
      const u = new URL(env.PUBLIC_URL);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      publicUrl = u.toString().replace(/\/+$/, '');
    } catch {
      problems.push(`PUBLIC_URL must be an absolute http(s) URL such as https://wiggledesk.example.com (got "${env.PUBLIC_URL}")`);
    }
  }

  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);

  const poolSize = intFrom(env, 'DATABASE_POOL_SIZE', 10, 1, 500, problems);
  const db = parseDatabaseUrl(env.DATABASE_URL || 'sqlite:./data/wiggledesk.db', poolSize);
  if (typeof db === 'string') problems.push(db);

  const perSecond = intFrom(env, 'SCIM_RATE_LIMIT_PER_SECOND', 100, 1, 1_000_000, problems);
  const burst = intFrom(env, 'SCIM_RATE_LIMIT_BURST', 200, 1, 10_000_000, problems);

  let redisUrl: string | undefined;
  if (env.REDIS_URL) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL)) problems.push(`REDIS_URL must start with redis:// or rediss:// (got "${env.REDIS_URL}")`);
    else redisUrl = env.REDIS_URL;
  }

  const trustProxy = boolFrom(env, 'TRUST_PROXY', false, problems);

  if (problems.length > 0 || typeof db === 'string') throw new ConfigError(problems);
  return Object.freeze({
    host,
    port,
    publicUrl,
    logLevel,
    database: Object.freeze(db),
    trustProxy,
    rateLimit: Object.freeze({ perSecond, burst }),
    redisUrl,
    metricsToken: env.METRICS_TOKEN || undefined,
    secureCookies: publicUrl?.startsWith('https:') ?? false,
  });
}
