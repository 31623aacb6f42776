// A tiny browser stand-in for console tests through app.inject: keeps cookies, reads the CSRF
// token from pages, posts forms the way a same-origin browser does (Sec-Fetch-Site).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import type { AccountRole, Organization } from '../../src/domain/organization.js';

export interface PostOptions {
  /** The token to send; default: the one from the last page seen. false: send none. */
  readonly csrf?: string | false;
  readonly headers?: Record<string, string>;
  readonly remoteAddress?: string;
}

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;

  constructor(readonly app: FastifyInstance) {}

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  private remember(r: LightMyRequestResponse): LightMyRequestResponse {
    const raw = r.headers['set-cookie'];
    for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(r.body)?.[1];
    if (token) this.csrf = token;
    return r;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { ...this.cookieHeader(), ...headers } }));
  }

  async post(url: string, form: Record<string, string> = {}, options: PostOptions = {}): Promise<LightMyRequestResponse> {
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    const body = new URLSearchParams({ ...(token === false || token === undefined ? {} : { _csrf: token }), ...form }).toString();
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...this.cookieHeader(), ...(options.headers ?? {}) },
        payload: body,
        ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
      }),
    );
  }

  /** Generate API key → 303 → the page that shows the key once; returns that page and the key. */
  async generateKey(name: string): Promise<{ page: LightMyRequestResponse; key: string | undefined }> {
    const posted = await this.post('/console/profile/keys', { name });
    if (posted.statusCode !== 303) return { page: posted, key: undefined };
    expect(posted.headers.location).toBe('/console/profile/keys/new');
    const page = await this.get('/console/profile/keys/new');
    return { page, key: /id="new-api-key" value="(wdk_[^"]+)"/.exec(page.body)?.[1] };
  }

  /** Signs in through the login form; returns the POST response. */
  async signIn(email: string, password: string, options: { remoteAddress?: string } = {}): Promise<LightMyRequestResponse> {
    await this.get('/console/login');
    return this.post('/console/login', { email, password }, options);
  }

  /** Signs in and fails the test unless it worked; loads a page so the CSRF token is known. */
  async signInOk(email: string, password: string): Promise<this> {
    const r = await this.signIn(email, password);
    expect(r.statusCode, r.body.slice(0, 500)).toBe(303);
    const landing = await this.get(String(r.headers.location));
    expect(landing.statusCode).toBe(200);
    return this;
  }
}

let seq = 0;

/** A console account in an organisation, with its password. */
export async function newAccount(t: TestApp, org: Organization, role: AccountRole = 'admin'): Promise<{ email: string; password: string }> {
  const email = `${role}${++seq}-${Math.random().toString(36).slice(2, 7)}@${org.name.replace(/\W/g, '').toLowerCase() || 'org'}.test`;
  const { password } = await t.services.organizations.createAdmin(org.id, email, { role, displayName: `${role === 'admin' ? 'Admin' : 'User'} ${seq}` });
  return { email, password };
}

export async function signedIn(t: TestApp, org: Organization, role: AccountRole = 'admin'): Promise<ConsoleClient> {
  const { email, password } = await newAccount(t, org, role);
  return new ConsoleClient(t.app).signInOk(email, password);
}

/** POSTs a SCIM user with the given attributes; returns its id. */
export async function scimUser(t: { scim: TestApp['scim'] }, userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await t.scim.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, ...extra });
  expect(r.statusCode, r.body).toBe(201);
  return (JSON.parse(r.body) as { id: string }).id;
}
