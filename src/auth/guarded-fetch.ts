// A fetch-shaped adapter over the outbound guard (outbound/outbound-request.ts), for libraries
// that take a custom fetch (openid-client's `customFetch`): every request they make — discovery,
// JWKS, the token endpoint — is then https-only, to public addresses checked after DNS, with the
// guard's timeout and size cap, and redirects are never followed.
import { OutboundError, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';

export type GuardedFetch = (
  url: string,
  init?: {
    method?: string;
    headers?: Record<string, string> | Headers | [string, string][];
    body?: unknown;
    signal?: AbortSignal | null;
  },
) => Promise<Response>;

function headerRecord(h: Record<string, string> | Headers | [string, string][] | undefined): Record<string, string> {
  if (!h) return {};
  if (h instanceof Headers) {
    const out: Record<string, string> = {};
    h.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  if (Array.isArray(h)) return Object.fromEntries(h);
  return { ...h };
}

function bodyOf(body: unknown): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new OutboundError('refused_target', 'unsupported request body type');
}

/** Statuses whose Response may not carry a body (Fetch standard, "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export function guardedFetch(policy: OutboundPolicy): GuardedFetch {
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new OutboundError('refused_target', `method ${method} is not allowed`);
    if (init.signal?.aborted) throw new OutboundError('timeout', 'aborted before the request was sent');
    const body = bodyOf(init.body);
    const res = await outboundRequest(
      {
        method,
        url,
        headers: headerRecord(init.headers),
        ...(body === undefined ? {} : { body }),
      },
      policy,
    );
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    }
    if (res.status < 200 || res.status > 599) throw new OutboundError('network', `unexpected HTTP status ${res.status}`);
    return new Response(NULL_BODY.has(res.status) ? null : new Uint8Array(res.body), { status: res.status, headers });
  };
}
