// Issue #18, the smaller items: absolute URLs never come from an arbitrary Host header when
// PUBLIC_URL is unset; errors the HTTP layer itself produces (431, 414, 408, 400) carry a SCIM
// error body on SCIM routes; numeric query parameters are decimal integers only; HSTS on every
// response when PUBLIC_URL is https.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { describeEachDialect } from '../support/each-dialect.js';
import { buildTestApp, json, type TestApp } from '../support/test-app.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** One raw HTTP exchange: what the server wrote before closing (or the first response). */
function raw(port: number, text: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, timeoutMs);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    // The server may answer and close while a huge request is still being written.
    s.on('error', (e) => (chunks.length > 0 ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(e)));
  });
}

const bodyOf = (response: string): Record<string, unknown> => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

/** POST /Users with a chosen Host header over a real socket; returns Location and meta.location. */
function createWithHost(port: number, key: string, host: string, userName: string): Promise<{ status: number; location: string | undefined; meta: string | undefined }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ schemas: [USER_SCHEMA], userName });
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/scim/v2/Users', headers: { host, authorization: `Bearer ${key}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, meta: (JSON.parse(text) as { meta?: { location?: string } }).meta?.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Absolute URLs without PUBLIC_URL', () => {
  let t: TestApp;
  let port = 0;
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { env: { PUBLIC_URL: '', ALLOWED_HOSTS: 'scim.example.com, Other.Example:8443' } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const a = t.app.server.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  afterAll(async () => t.close());

  it('an arbitrary Host is not believed: Location and meta.location use the address the request arrived at', async () => {
    const r = await createWithHost(port, t.key, 'evil.example', 'host-1');
    expect(r.status).toBe(201);
    expect(r.location).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/scim/v2/Users/`));
    expect(r.meta).toBe(r.location);
  });

  it('a loopback Host on a loopback connection is kept (first start on http://localhost)', async () => {
    const r = await createWithHost(port, t.key, `localhost:${port}`, 'host-2');
    expect(r.location).toMatch(new RegExp(`^http://localhost:${port}/scim/v2/Users/`));
  });

  it('a Host on ALLOWED_HOSTS is used', async () => {
    expect((await createWithHost(port, t.key, 'scim.example.com', 'host-3')).location).toMatch(/^http:\/\/scim\.example\.com\/scim\/v2\/Users\//);
    expect((await createWithHost(port, t.key, 'other.example:8443', 'host-4')).location).toMatch(/^http:\/\/other\.example:8443\/scim\/v2\/Users\//);
    expect((await createWithHost(port, t.key, 'other.example', 'host-5')).location).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('the SSO redirect URI does not follow the Host header either', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/auth/microsoft/start', headers: { host: 'evil.example' } });
    expect(r.headers.location ?? '').not.toContain('evil.example');
    expect(r.body).not.toContain('evil.example');
  });
});

describe('Errors of the HTTP layer carry a SCIM body on SCIM routes', () => {
  let t: TestApp;
  let port = 0;
  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    t.app.server.requestTimeout = 1_000;
    t.app.server.headersTimeout = 800;
    (t.app.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval = 200;
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const a = t.app.server.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  afterAll(async () => t.close());

  const expectScim = (response: string, status: number) => {
    expect(response.startsWith(`HTTP/1.1 ${status} `), response.slice(0, 200)).toBe(true);
    expect(response).toMatch(/content-type: application\/scim\+json/i);
    const body = bodyOf(response);
    expect(body).toMatchObject({ schemas: [ERROR], status: String(status) });
    expect(typeof body.detail).toBe('string');
    return body;
  };

  it('431 for oversized headers and for a 10,000-term URL', async () => {
    expectScim(await raw(port, `GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431);
    const filter = encodeURIComponent(Array.from({ length: 10_000 }, (_, i) => `userName eq "u${i}"`).join(' or '));
    const body = expectScim(await raw(port, `GET /scim/v2/Users?filter=${filter} HTTP/1.1\r\nHost: x\r\n\r\n`), 431);
    expect(body.detail).toMatch(/\.search/);
  });

  it('414 for an over-long path segment', async () => {
    const r = await t.scim.get(`/Users/${'a'.repeat(600)}`);
    expect(r.statusCode).toBe(414);
    expect(json(r)).toMatchObject({ schemas: [ERROR], status: '414' });
  });

  it('408 for a request that never finishes', async () => {
    expectScim(await raw(port, `GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Slow: `, 5_000), 408);
  });

  it('400 for a request that is not HTTP, and for bad JSON', async () => {
    expectScim(await raw(port, `GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`), 400);
    const r = await t.scim.raw('POST', '/Users', { body: '{"userName": ', headers: { 'content-type': 'application/scim+json' } });
    expect(r.statusCode).toBe(400);
    expect(json(r)).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' });
  });

  it('outside /scim/v2 the body stays plain JSON', async () => {
    const response = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(response.startsWith('HTTP/1.1 431 ')).toBe(true);
    expect(bodyOf(response)).toMatchObject({ statusCode: 431 });
  });
});

describeEachDialect('Numeric query parameters are decimal integers only', (t) => {
  for (const [param, value] of [['startIndex', '0x10'], ['startIndex', '1e1'], ['startIndex', ' 5'], ['count', '0x10'], ['count', '1e1'], ['count', '0b1'], ['startIndex', '5.0']] as const) {
    it(`${param}=${JSON.stringify(value)} is 400 invalidValue`, async () => {
      const r = await t().scim.get(`/Users?${param}=${encodeURIComponent(value)}`);
      expect(r.statusCode).toBe(400);
      expect(json(r)).toMatchObject({ scimType: 'invalidValue' });
      expect(json(r).detail).toMatch(/decimal digits/);
    });
  }
  it('decimal values still work, negative and huge ones as RFC 7644 §3.4.2.4 says', async () => {
    for (const q of ['startIndex=16', 'count=10', 'count=-1', 'startIndex=-3', 'startIndex=99999999999999999999', 'startIndex=%2B2']) {
      expect((await t().scim.get(`/Users?${q}`)).statusCode, q).toBe(200);
    }
  });
  it('the root /.search checks them too', async () => {
    const r = await t().scim.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], startIndex: '0x10' });
    expect(r.statusCode).toBe(400);
    expect((await t().scim.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], startIndex: 2, count: '5' })).statusCode).toBe(200);
  });
});

describe('HSTS', () => {
  it('on every response when PUBLIC_URL is https, none when it is http', async () => {
    const https = await buildTestApp('sqlite');
    const http = await buildTestApp('sqlite', { env: { PUBLIC_URL: 'http://wiggledesk.test' } });
    try {
      for (const url of ['/healthz', '/scim/v2/ServiceProviderConfig', '/scim/v2/Users', '/console/sign-in', '/nowhere', '/auth/microsoft/start']) {
        const a = await https.app.inject({ method: 'GET', url });
        expect(a.headers['strict-transport-security'], url).toBe('max-age=31536000');
        const b = await http.app.inject({ method: 'GET', url });
        expect(b.headers['strict-transport-security'], url).toBeUndefined();
      }
    } finally {
      await https.close();
      await http.close();
    }
  });
});
