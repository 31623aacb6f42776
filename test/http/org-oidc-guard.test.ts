// Every request openid-client makes for an organisation's own provider goes through the outbound
// guard: with the global fetch replaced by one that fails, discovery, the key set and the token
// exchange of a real sign-in (against the in-process oidc-provider on 127.0.0.1) still succeed —
// they can only have used the guard's fetch (src/auth/guarded-fetch.ts via `customFetch`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandardIdp, type TestIdp } from '../support/oidc-provider.js';
import { connectOrgOidc, type OrgOidcClient } from '../../src/auth/org-oidc.js';
import { DEFAULT_OUTBOUND_POLICY } from '../../src/outbound/outbound-request.js';

const CALLBACK = 'https://wiggledesk.test/auth/org/o/callback';

describe('an organisation provider never uses the global fetch', () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startStandardIdp('oidc', [{ id: 'ann', label: 'ann', claims: { sub: '00u-ann', preferred_username: 'ann@contoso.com' } }], '/realms/staff');
    idp.registerRedirectUri(CALLBACK);
  });
  afterAll(async () => {
    await idp?.close();
  });

  async function withoutGlobalFetch<T>(fn: () => Promise<T>): Promise<{ result: T; attempts: string[] }> {
    const real = globalThis.fetch;
    const attempts: string[] = [];
    globalThis.fetch = (async (input: unknown) => {
      attempts.push(String(input));
      throw new Error('the global fetch must not be used');
    }) as typeof fetch;
    try {
      return { result: await fn(), attempts };
    } finally {
      globalThis.fetch = real;
    }
  }

  it('discovery, JWKS and the token endpoint all go through the guard', async () => {
    const policy = { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: true };
    const connected = await withoutGlobalFetch(() => connectOrgOidc({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, policy }));
    expect(connected.attempts).toEqual([]);
    const client: OrgOidcClient = connected.result;
    expect(client.discovery.signingKeys).toBeGreaterThan(0);
    const request = await client.begin(CALLBACK);
    const back = await idp.signIn(request.url, 'ann'); // the browser's part (the test IdP's helper uses fetch)
    const completed = await withoutGlobalFetch(() => client.complete(back, request));
    expect(completed.attempts).toEqual([]);
    expect(completed.result.identity).toMatchObject({ subject: `${idp.issuer} 00u-ann`, names: ['ann@contoso.com'] });
  });

  it('with the default policy the same provider (http, loopback) is refused before any request', async () => {
    const { result, attempts } = await withoutGlobalFetch(() => connectOrgOidc({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, policy: DEFAULT_OUTBOUND_POLICY }).catch((e: unknown) => e));
    expect(attempts).toEqual([]);
    expect(result).toMatchObject({ code: 'refused_target' });
  });
});
