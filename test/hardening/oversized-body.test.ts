// Oversized bodies over a real socket (issue #16): a 12 MB body gets a readable 413 with an
// RFC 7644 §3.12 error body, whether the client reads the early response while still sending
// (undici fetch) or writes the whole request before reading anything (Python's http.client,
// curl); nothing is stored. inject() cannot show this: it has no socket to reset.
import { beforeAll, expect, it } from 'vitest';
import net from 'node:net';
import { describeEachDialect } from '../support/each-dialect.js';
import { liveClient, type LiveClient } from '../support/live-server.js';

const TWELVE_MB = 12 * 1024 * 1024;

/** A client that writes the whole request before it reads anything, then reads to the end. */
function writeAllThenRead(port: number, head: string, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => resolve(Buffer.concat(chunks).toString()));
    s.on('connect', () => {
      s.pause();
      const write = (b: Buffer | string) => new Promise<void>((res, rej) => s.write(b, (e) => (e ? rej(e) : res())));
      void (async () => {
        try {
          await write(head);
          for (let o = 0; o < body.length; o += 65536) await write(body.subarray(o, o + 65536));
        } catch (e) {
          reject(e as Error);
          return;
        }
        s.resume();
        // The server keeps the connection open (keep-alive) once the body is drained: close our side.
        setTimeout(() => s.end(), 300);
      })();
    });
  });
}

describeEachDialect('Oversized bodies over a real socket', (t) => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await liveClient(t());
  });
  const bigUser = (userName: string) => JSON.stringify({ userName, displayName: 'x'.repeat(TWELVE_MB) });
  const stored = async (userName: string) =>
    (await live.send('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults as number;

  it('undici fetch: POST /Users with 12 MB → 413 SCIM error, nothing stored; the next request works', async () => {
    const r = await live.send('POST', '/scim/v2/Users', bigUser('big.fetch@contoso.example'));
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '413' });
    expect(r.body.detail).toMatch(/maxPayloadSize/);
    expect(await stored('big.fetch@contoso.example')).toBe(0);
  });

  it('undici fetch: PUT, PATCH and /Bulk with 12 MB → 413 (Bulk states its limits)', async () => {
    for (const [method, path] of [['PUT', '/scim/v2/Users/x'], ['PATCH', '/scim/v2/Groups/x'], ['POST', '/scim/v2/Users/Users']]) {
      const r = await live.send(method!, path!, bigUser('big.other@contoso.example'));
      expect(r.status, `${method} ${path}`).toBe(413);
    }
    const bulk = await live.send('POST', '/scim/v2/Bulk', bigUser('big.bulk@contoso.example'));
    expect(bulk.status).toBe(413);
    expect(bulk.body.detail).toMatch(/"maxPayloadSize":1048576/);
    expect(await stored('big.other@contoso.example')).toBe(0);
  });

  it('a client that writes the whole 12 MB before reading gets the 413, not a reset connection', async () => {
    const port = Number(new URL(live.origin).port);
    const body = Buffer.from(bigUser('big.raw@contoso.example'));
    const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t().key}\r\nContent-Type: application/scim+json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const text = await writeAllThenRead(port, head, body);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    const payload = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    expect(payload).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '413' });
    expect(await stored('big.raw@contoso.example')).toBe(0);
  });

  it('a chunked 12 MB body (no Content-Length) → 413 as well', async () => {
    const enc = Buffer.from(bigUser('big.chunked@contoso.example'));
    let o = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (o >= enc.length) return c.close();
        c.enqueue(enc.subarray(o, o + 65536));
        o += 65536;
      },
    });
    const r = await fetch(`${live.origin}/scim/v2/Users`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { authorization: `Bearer ${t().key}`, 'content-type': 'application/scim+json' },
    } as RequestInit);
    expect(r.status).toBe(413);
    expect(JSON.parse(await r.text()).status).toBe('413');
    expect(await stored('big.chunked@contoso.example')).toBe(0);
  });
});
