// A SET push receiver (RFC 8935) on 127.0.0.1 for tests: it verifies every SET's JWS against the
// organisation's JWKS with jose, as a real receiver would, records it, and answers what the test says.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';

export interface ReceivedSet {
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly token: string;
  readonly header: { alg?: string; kid?: string; typ?: string };
  /** The verified claims; undefined when verification failed (then `error` says why). */
  readonly claims: (JWTPayload & Record<string, unknown>) | undefined;
  readonly error: string | undefined;
}

export interface SetReceiver {
  readonly url: string;
  readonly received: ReceivedSet[];
  /** What to answer the next requests with (default 202); a function sees the verified SET. */
  respond(fn: (set: ReceivedSet) => { status: number; body?: string; headers?: Record<string, string> }): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

export async function startSetReceiver(options: { jwks: () => Promise<JSONWebKeySet>; issuer: string; audience?: string }): Promise<SetReceiver> {
  const received: ReceivedSet[] = [];
  let answer: (set: ReceivedSet) => { status: number; body?: string; headers?: Record<string, string> } = () => ({ status: 202 });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const token = await readBody(req);
      let claims: ReceivedSet['claims'];
      let error: string | undefined;
      let header: ReceivedSet['header'] = {};
      try {
        header = decodeProtectedHeader(token) as ReceivedSet['header'];
        const keys = createLocalJWKSet(await options.jwks());
        const v = await jwtVerify(token, keys, { issuer: options.issuer, typ: 'secevent+jwt', ...(options.audience ? { audience: options.audience } : {}) });
        claims = v.payload as ReceivedSet['claims'];
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      const set: ReceivedSet = { contentType: req.headers['content-type'], authorization: req.headers.authorization, token, header, claims, error };
      received.push(set);
      const a = answer(set);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    received,
    respond(fn) {
      answer = fn;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
