import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPublicAddress, outboundRequest, OutboundError, DEFAULT_OUTBOUND_POLICY } from './outbound-request.js';

describe('isPublicAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1'])(
    '%s is not public',
    (a) => expect(isPublicAddress(a)).toBe(false),
  );
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (a) => expect(isPublicAddress(a)).toBe(true));
  it('a host name is not an address', () => expect(isPublicAddress('example.com')).toBe(false));
});

describe('outboundRequest', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/big') res.end(Buffer.alloc(4096, 'x'));
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2_000);
      else res.end(JSON.stringify({ method: req.method }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const allow = { ...DEFAULT_OUTBOUND_POLICY, allowPrivate: true, timeoutMs: 1_000 };

  it('refuses http and loopback targets by default', async () => {
    await expect(outboundRequest({ url: `http://127.0.0.1:${port}/` })).rejects.toMatchObject({ code: 'refused_target' });
    await expect(outboundRequest({ url: `https://127.0.0.1:${port}/` })).rejects.toMatchObject({ code: 'refused_target' });
  });

  it('refuses a public-looking name that resolves to a private address (checked after DNS)', async () => {
    const policy = { ...DEFAULT_OUTBOUND_POLICY, lookup: async () => [{ address: '10.0.0.7', family: 4 }] };
    const e = await outboundRequest({ url: 'https://hooks.example.com/x' }, policy).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OutboundError);
    expect(e).toMatchObject({ code: 'refused_target' });
    expect((e as Error).message).toContain('10.0.0.7');
  });

  it('sends when private targets are allowed', async () => {
    const r = await outboundRequest({ method: 'POST', url: `http://127.0.0.1:${port}/`, body: '{}' }, allow);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ method: 'POST' });
  });

  it('caps the response size and the time', async () => {
    await expect(outboundRequest({ url: `http://127.0.0.1:${port}/big` }, { ...allow, maxResponseBytes: 1024 })).rejects.toMatchObject({ code: 'too_large' });
    await expect(outboundRequest({ url: `http://127.0.0.1:${port}/slow` }, { ...allow, timeoutMs: 100 })).rejects.toMatchObject({ code: 'timeout' });
  });
});
