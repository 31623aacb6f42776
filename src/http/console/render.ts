// Renders a view to a complete HTML document. preact-render-to-string escapes every text and
// attribute value, so nothing from the database can become markup.
import type { FastifyReply } from 'fastify';
import type { JSX } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function sendPage(reply: FastifyReply, page: JSX.Element, status = 200): FastifyReply {
  // Pages can carry a CSRF token or a just-generated API key: never store them in a cache.
  reply.header('cache-control', 'no-store');
  return reply.code(status).type('text/html; charset=utf-8').send(`<!doctype html>${renderToString(page)}`);
}
