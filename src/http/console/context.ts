// What the console's routes share: their dependencies, cookie names, the page chrome of the
// signed-in actor, safe post-sign-in redirects and the typed HTTP error the handler renders.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import type { ConsoleServices } from '../../services/console/console.js';
import type { ConsoleActor } from '../../services/console/console-auth.js';
import type { Chrome, NavKey } from './views/layout.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in console account, resolved from the session cookie (null when signed out). */
    consoleActor: ConsoleActor | null;
  }
  interface FastifyContextConfig {
    /** 'login': the pre-session form, checked against the login cookie instead of a session. */
    csrf?: 'login';
  }
}

export interface ConsoleDeps {
  readonly config: Config;
  readonly services: ConsoleServices;
  /** PUBLIC_URL + /scim/v2, else derived from the request's host. */
  readonly scimBase: (request: FastifyRequest) => string;
}

/** `__Host-` cookies are bound to this origin and path `/`, and need Secure (https). */
export function cookieNames(secure: boolean): { session: string; login: string } {
  return secure ? { session: '__Host-wd_session', login: '__Host-wd_login' } : { session: 'wd_session', login: 'wd_login' };
}

export const cookieOptions = (secure: boolean) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure });

export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleHttpError';
  }
}

export function chromeOf(actor: ConsoleActor, nav: NavKey | null): Chrome {
  return {
    nav,
    csrfToken: actor.session.csrfToken,
    orgName: actor.org.name,
    account: { displayName: actor.account.displayName, email: actor.account.email, role: actor.account.role },
    provisioned: actor.account.scimUserId !== null,
  };
}

export const landingFor = (actor: { account: { role: string } }): string => (actor.account.role === 'admin' ? '/console' : '/console/profile');

/** Only console paths on this site: no scheme, no `//host`, no backslashes or whitespace. */
export function safeNext(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 500) return undefined;
  if (!/^\/console(?:[/?#]|$)/.test(raw) || /[\\\s]/.test(raw) || raw.startsWith('//')) return undefined;
  if (/^\/console\/(login|logout)\b/.test(raw)) return undefined;
  return raw;
}

/** A route's query string as a plain record. */
export const queryOf = (request: FastifyRequest): Readonly<Record<string, unknown>> =>
  typeof request.query === 'object' && request.query !== null ? (request.query as Record<string, unknown>) : {};

/** A posted form as a plain record of strings (repeated fields keep their first value). */
export function formOf(request: FastifyRequest): Readonly<Record<string, string>> {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}
