// The absolute base URL of this service, for SCIM `Location` / `meta.location`, the SSO redirect
// URI and the console's expected Origin (issue #18). With PUBLIC_URL set it is PUBLIC_URL. Without
// it, a request's Host header is believed only when it names a host on the ALLOWED_HOSTS list, or
// a loopback name on a loopback connection (the no-configuration first start on
// http://localhost:8080 keeps working); any other Host gives the address the request actually
// arrived at (the listen address), never text the client chose.
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** 127.0.0.0/8, ::1 and their IPv4-mapped form. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '').replace(/^\[|\]$/g, '');
  return a === '::1' || a === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

const hostPart = (address: string): string => {
  const a = address.replace(/^::ffff:(?=\d+\.)/i, '');
  return a.includes(':') ? `[${a}]` : a;
};

export function requestBaseUrl(config: Pick<Config, 'publicUrl' | 'allowedHosts' | 'host' | 'port'>, request: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const protocol = request.protocol;
  const host = (request.host ?? '').toLowerCase();
  if (host !== '' && config.allowedHosts.includes(host)) return `${protocol}://${host}`;
  const local = request.socket?.localAddress;
  const hostname = host.replace(/:\d+$/, '');
  if (LOOPBACK_NAMES.has(hostname) && isLoopbackAddress(local ?? '127.0.0.1')) return `${protocol}://${host}`;
  const address = local && !/^(::|0\.0\.0\.0)$/.test(local) ? local : config.host;
  const port = request.socket?.localPort ?? config.port;
  return `${protocol}://${hostPart(address)}:${port}`;
}

/** The origin a same-site browser request carries (console CSRF check). */
export const requestOrigin = (config: Parameters<typeof requestBaseUrl>[0], request: FastifyRequest): string => new URL(requestBaseUrl(config, request)).origin;
