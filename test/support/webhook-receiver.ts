// A local webhook receiver for tests: records every request and verifies its Standard Webhooks
// signature with the `standardwebhooks` package, as a receiver would. `respond` decides the answer
// per request (status, headers, or `hang` to never answer).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  readonly id: string;
  readonly timestamp: number;
  readonly signature: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: { type: string; timestamp: string; data: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type Respond = (r: Received) => { status: number; headers?: Record<string, string> } | 'hang';

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  respond: Respond;
  /** Verifies a request with `secret` at the receiver's clock `nowMs` (standardwebhooks checks the timestamp against Date.now). */
  verify(r: Received, secret: string, nowMs?: number): unknown;
  close(): Promise<void>;
}

export function verifyWith(secret: string, r: Received, nowMs: number = r.timestamp * 1000): unknown {
  const realNow = Date.now;
  Date.now = () => nowMs;
  try {
    return new Webhook(secret).verify(r.body, { 'webhook-id': r.id, 'webhook-timestamp': String(r.timestamp), 'webhook-signature': r.signature });
  } finally {
    Date.now = realNow;
  }
}

export async function startReceiver(respond: Respond = () => ({ status: 204 })): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    received,
    respond,
    verify: (r, secret, nowMs) => verifyWith(secret, r, nowMs),
    async close() {
      for (const end of hanging) end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r: Received = {
        id: String(req.headers['webhook-id']),
        timestamp: Number(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        headers: req.headers,
        body,
        json: JSON.parse(body) as Received['json'],
      };
      received.push(r);
      const answer = receiver.respond(r);
      if (answer === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
