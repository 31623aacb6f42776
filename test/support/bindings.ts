// Proven sign-in bindings in tests (issue #18): an injected DNS resolver (never real DNS) and the
// two proofs an admin gives through the console — a Microsoft/issuer admin sign-in, and a DNS TXT
// record for a Google Workspace domain.
import { expect } from 'vitest';
import type { TxtResolver } from '../../src/outbound/dns-txt.js';
import type { ConsoleClient } from '../http/console-client.js';
import type { TestIdp } from './oidc-provider.js';

/** Entra's Global Administrator role template id (a `wids` value). */
export const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

export interface FakeDns {
  readonly resolver: TxtResolver;
  publish(name: string, ...values: string[]): void;
  unpublish(name: string): void;
  /** Names looked up, in order. */
  readonly lookups: string[];
  /** Makes the next look-up fail like a timed-out name server. */
  failNext(code: string): void;
}

export function fakeDns(): FakeDns {
  const records = new Map<string, string[][]>();
  const lookups: string[] = [];
  let failure: string | undefined;
  return {
    lookups,
    resolver: {
      async resolveTxt(name) {
        lookups.push(name);
        if (failure) {
          const code = failure;
          failure = undefined;
          throw Object.assign(new Error(`queryTxt ${code} ${name}`), { code });
        }
        return (records.get(name.toLowerCase()) ?? []).map((r) => [...r]);
      },
    },
    publish(name, ...values) {
      const list = records.get(name.toLowerCase()) ?? [];
      // Long TXT values arrive as several character strings; split to prove they are joined.
      for (const v of values) list.push(v.length > 20 ? [v.slice(0, 20), v.slice(20)] : [v]);
      records.set(name.toLowerCase(), list);
    },
    unpublish(name) {
      records.delete(name.toLowerCase());
    },
    failNext(code) {
      failure = code;
    },
  };
}

export const proofCallbackUri = (kind: string) => `https://wiggledesk.test/console/sign-in-settings/verify/${kind}/callback`;

/** Admin proof by signing in: start on the console, sign in at the IdP as `account`, come back. Returns the callback response. */
export async function proveBySignIn(client: ConsoleClient, idp: TestIdp, account: string) {
  await client.get('/console/sign-in-settings');
  const start = await client.get(`/console/sign-in-settings/verify/${idp.kind}?_csrf=${encodeURIComponent(client.csrf ?? '')}`);
  expect(start.statusCode, start.body.slice(0, 400)).toBe(303);
  const back = await idp.signIn(String(start.headers.location), account);
  return client.get(back.pathname + back.search);
}

/** Binds a Google Workspace domain: ask for the challenge, publish the TXT record it names, check. Returns the check response. */
export async function proveDomain(client: ConsoleClient, dns: FakeDns, domain: string, options: { publish?: boolean } = {}) {
  await client.get('/console/sign-in-settings');
  const asked = await client.post('/console/sign-in-settings/bindings', { provider: 'google', value: domain });
  expect(asked.statusCode, asked.body.slice(0, 400)).toBe(303);
  const page = await client.get('/console/sign-in-settings');
  const value = domain.replace(/^@/, '').toLowerCase();
  const token = new RegExp(`value="(wiggledesk-verification=[A-Za-z0-9_-]+)"[^>]*id="txt-value-${value.replace(/\./g, '\\.')}"|id="txt-value-${value.replace(/\./g, '\\.')}"[^>]*value="(wiggledesk-verification=[A-Za-z0-9_-]+)"`).exec(page.body);
  const record = token?.[1] ?? token?.[2];
  expect(record, 'the page shows the TXT value to publish').toBeDefined();
  if (options.publish !== false) dns.publish(`_wiggledesk-challenge.${value}`, record!);
  return client.post('/console/sign-in-settings/bindings/check', { provider: 'google', value });
}
