// A real listening socket for black-box tests: the test app on 127.0.0.1 (random port), driven
// with undici `fetch` exactly as an identity provider would, not through app.inject.
import type { TestApp } from './test-app.js';

export interface LiveResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body (undefined for an empty body). */
  readonly body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface LiveClient {
  /** Origin, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  /** Sends `method` to `base + path` with the bearer key (JSON body when given). */
  send(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LiveResponse>;
}

/** Starts listening once per app (idempotent) and returns a fetch client for it. */
export async function liveClient(t: TestApp, key = t.key): Promise<LiveClient> {
  const address = t.app.server.listening ? t.app.server.address() : undefined;
  let origin: string;
  if (address && typeof address === 'object') origin = `http://127.0.0.1:${address.port}`;
  else origin = (await t.app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  return {
    origin,
    async send(method, url, body, headers = {}) {
      const r = await fetch(`${origin}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, headers: r.headers, text, body: text === '' ? undefined : JSON.parse(text) };
    },
  };
}
