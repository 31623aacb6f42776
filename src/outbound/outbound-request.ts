// The one guard for every request the server makes to the outside: webhooks, SET push (RFC 8935),
// JWKS fetches. https only, public addresses only — checked on the addresses DNS returned, at
// connect time, so a name that resolves (or re-resolves: DNS rebinding) to a private address is
// refused — a connect and a total timeout, and a cap on the response size. `allowPrivate`
// (ALLOW_PRIVATE_TARGETS=1, development and tests only) also permits http and loopback/private targets.
import http from 'node:http';
import https from 'node:https';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface OutboundPolicy {
  /** Development and tests only: allow http:// and private, loopback and link-local addresses. */
  readonly allowPrivate: boolean;
  /** Whole request (connect, send, response body), in ms. */
  readonly timeoutMs: number;
  /** Largest response body read; a larger one fails the request. */
  readonly maxResponseBytes: number;
  /** Tests inject a resolver; default: the system resolver (`dns.lookup`). */
  readonly lookup?: (hostname: string) => Promise<readonly LookupAddress[]>;
}

export const DEFAULT_OUTBOUND_POLICY: OutboundPolicy = { allowPrivate: false, timeoutMs: 15_000, maxResponseBytes: 1024 * 1024 };

export interface OutboundRequest {
  readonly method?: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  /** Time from the start of the request to the end of the response body, in ms. */
  readonly elapsedMs: number;
}

/** Why a request was not sent or did not complete; `code` is stable for logs and delivery records. */
export class OutboundError extends Error {
  constructor(
    readonly code: 'refused_target' | 'timeout' | 'too_large' | 'network',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutboundError';
  }
}

// Addresses that are not the public internet (RFC 6890 special-purpose registries, both families).
// No ::ffff:0:0/96 rule: BlockList checks IPv4 against IPv4-mapped rules too; mapped addresses are unwrapped below.
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** True when `address` (an IP literal) is a public unicast address. IPv4-mapped IPv6 is judged as IPv4. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]!);
    return !NON_PUBLIC.check(address, 'ipv6');
  }
  return !NON_PUBLIC.check(address, 'ipv4');
}

const systemLookup = (hostname: string): Promise<readonly LookupAddress[]> =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** Checks the URL's form before any I/O: absolute, https (or http when private targets are allowed), no credentials. */
export function checkOutboundUrl(raw: string, policy: Pick<OutboundPolicy, 'allowPrivate'>): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError('refused_target', `not an absolute URL: "${raw.slice(0, 200)}"`);
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivate && url.protocol === 'http:')) {
    throw new OutboundError('refused_target', `only https URLs are allowed (got ${url.protocol}//…)`);
  }
  if (url.username || url.password) throw new OutboundError('refused_target', 'URLs with credentials are not allowed');
  // An IP literal never goes through `lookup`, so it is judged here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !policy.allowPrivate && !isPublicAddress(literal)) {
    throw new OutboundError('refused_target', `${literal} is not a public address`);
  }
  return url;
}

/**
 * A `lookup` for the socket: resolves the name, refuses when any resolved address is not public
 * (unless allowed), and hands the socket only the checked addresses — the check and the connect
 * use the same answer, so a second resolution cannot swap in a private address.
 */
function guardedLookup(policy: OutboundPolicy): LookupFunction {
  const resolveAll = policy.lookup ?? systemLookup;
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolveAll(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw new OutboundError('network', `no address for ${hostname}`);
        const refused = addresses.find((a) => !isPublicAddress(a.address));
        if (refused && !policy.allowPrivate) {
          throw new OutboundError('refused_target', `${hostname} resolves to ${refused.address}, which is not a public address`);
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((e: unknown) => callback(e));
  }) as LookupFunction;
}

/** Sends one request through the guard. Rejects with OutboundError; any HTTP status is a response. */
export async function outboundRequest(request: OutboundRequest, policy: OutboundPolicy = DEFAULT_OUTBOUND_POLICY): Promise<OutboundResponse> {
  const url = checkOutboundUrl(request.url, policy);
  const started = performance.now();
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<OutboundResponse>((resolve, reject) => {
    let settled = false;
    const fail = (e: OutboundError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const req = transport.request(
      url,
      {
        method: request.method ?? 'GET',
        headers: { 'user-agent': 'WiggleDesk', ...request.headers },
        lookup: guardedLookup(policy),
        agent: false,
        // Redirects are not followed: a redirect could point at a private address after the check.
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > policy.maxResponseBytes) fail(new OutboundError('too_large', `response larger than ${policy.maxResponseBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), elapsedMs: performance.now() - started });
        });
        res.on('error', (e) => fail(new OutboundError('network', e.message, { cause: e })));
      },
    );
    const timer = setTimeout(() => fail(new OutboundError('timeout', `no complete response within ${policy.timeoutMs} ms`)), policy.timeoutMs);
    req.on('error', (e) => fail(e instanceof OutboundError ? e : new OutboundError((e as { cause?: unknown }).cause instanceof OutboundError ? 'refused_target' : 'network', e.message, { cause: e })));
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
