// Unit tests (no network beyond 127.0.0.1): the fetch adapter over the outbound guard, and that
// an organisation's issuer is refused by the guard — after DNS — before anything is fetched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_OUTBOUND_POLICY, OutboundError } from '../outbound/outbound-request.js';
import { guardedFetch } from './guarded-fetch.js';
import { OrgOidcSetupError, discoverOrgProvider } from './org-oidc.js';

describe('guardedFetch', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/empty') {
          res.writeHead(204).end();
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json', 'x-two': ['a', 'b'] });
        res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'] ?? null, auth: req.headers.authorization ?? null, body: Buffer.concat(chunks).toString('utf8') }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const allow = { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: true, timeoutMs: 2_000 };

  it('sends a form POST as openid-client does (URLSearchParams body, Headers) and returns a Response', async () => {
    const res = await guardedFetch(allow)(`${base}/token`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic eDp5' }),
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'c' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-two')).toBe('a, b');
    expect(await res.json()).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded', auth: 'Basic eDp5', body: 'grant_type=authorization_code&code=c' });
    expect((await guardedFetch(allow)(`${base}/empty`)).status).toBe(204);
  });

  it('refuses what the guard refuses: loopback and http without allowPrivate, other methods', async () => {
    await expect(guardedFetch(DEFAULT_OUTBOUND_POLICY)(`${base}/x`)).rejects.toMatchObject({ code: 'refused_target' });
    await expect(guardedFetch(allow)(`${base}/x`, { method: 'PUT' })).rejects.toBeInstanceOf(OutboundError);
  });
});

describe('discoverOrgProvider', () => {
  it('refuses an issuer whose name resolves to a private address, with a message for the admin', async () => {
    const policy = { ...DEFAULT_OUTBOUND_POLICY, lookup: async () => [{ address: '169.254.169.254', family: 4 }] };
    const e = await discoverOrgProvider({ issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's', policy }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OrgOidcSetupError);
    expect(e).toMatchObject({ code: 'refused_target' });
    expect((e as Error).message).toContain('public internet');
    expect((e as Error).message).toContain('169.254.169.254');
  });
});
