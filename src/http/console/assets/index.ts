// Static assets of the console, served by WiggleDesk under content-hashed URLs so browsers can
// cache them for a year and a new release is fetched at once.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { CONSOLE_CSS } from './console-css.js';
import { CONSOLE_JS } from './console-js.js';

const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#3451c7"/><path d="M7 11.5c2.4 0 2.4 9 4.8 9s2.4-9 4.8-9 2.4 9 4.8 9 2.4-9 3.6-9" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

interface Asset {
  readonly name: string;
  readonly type: string;
  readonly body: string;
  readonly hash: string;
}

const asset = (name: string, type: string, body: string): Asset => ({ name, type, body, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) });

const ASSETS: readonly Asset[] = [
  asset('console.css', 'text/css; charset=utf-8', CONSOLE_CSS),
  asset('console.js', 'text/javascript; charset=utf-8', CONSOLE_JS),
  asset('favicon.svg', 'image/svg+xml', FAVICON_SVG),
];

/** The URL of an asset, e.g. `/console/assets/console.css?v=1a2b3c…`. */
export function assetUrl(name: 'console.css' | 'console.js' | 'favicon.svg'): string {
  const a = ASSETS.find((x) => x.name === name)!;
  return `/console/assets/${a.name}?v=${a.hash}`;
}

export const assetRoutes: FastifyPluginAsync = async (app) => {
  for (const a of ASSETS) {
    app.get(`/assets/${a.name}`, async (request, reply) => {
      const v = (request.query as { v?: unknown }).v;
      reply.header('cache-control', v === a.hash ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('etag', `"${a.hash}"`);
      if (request.headers['if-none-match'] === `"${a.hash}"`) return reply.code(304).send();
      return reply.type(a.type).send(a.body);
    });
  }
};
