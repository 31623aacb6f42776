// /docs: WiggleDesk's customer documentation, public (Microsoft requires it published at a
// stable URL): /docs/provisioning and /docs/sso as HTML, and the same text as Markdown at
// /docs/provisioning.md and /docs/sso.md. Generated on each request from the running code
// (schema registry, error tables, configuration) — see provisioning-doc.ts.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { renderMarkdown } from './markdown.js';
import { provisioningDoc, type DocContext } from './provisioning-doc.js';
import { ssoDoc } from './sso-doc.js';

export const docContext = (config: Config, baseUrl: string): DocContext => ({
  baseUrl,
  tokenMinutes: config.oauth.accessTokenMinutes,
  scimPerSecond: config.rateLimit.perSecond,
  scimBurst: config.rateLimit.burst,
  tokenRequestsPerMinute: config.oauth.tokenRequestsPerMinute,
});

const CSS = `
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2433; background: #f7f8fb; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 64px; background: #fff; }
h1 { font-size: 1.9rem; margin-top: 0; } h2 { margin-top: 2.2em; border-bottom: 1px solid #e3e6ee; padding-bottom: 4px; } h3 { margin-top: 1.6em; }
code { font: 0.88em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f8; padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: #f1f3f8; padding: 12px; overflow-x: auto; } pre code { background: none; padding: 0; }
.table-wrap { overflow-x: auto; } table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 12px 0; }
th, td { border: 1px solid #e3e6ee; padding: 6px 8px; text-align: left; vertical-align: top; } th { background: #f7f8fb; }
tr:target { background: #fff6d6; } a { color: #2b55d9; } nav { font-size: 0.9rem; margin-bottom: 24px; } blockquote, p > q { color: #555; }
`;

function page(title: string, markdown: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} — WiggleDesk</title><link rel="stylesheet" href="/docs/docs.css"></head>
<body><main><nav><a href="/docs/provisioning">Provisioning (SCIM)</a> · <a href="/docs/sso">Single sign-on</a> · <a href="/console">Console</a></nav>
${renderMarkdown(markdown)}
</main></body></html>`;
}

const DOCS = {
  provisioning: { title: 'Provisioning users and groups to WiggleDesk', render: provisioningDoc },
  sso: { title: 'Single sign-on to WiggleDesk', render: ssoDoc },
} as const;

export const docsRoutes = (config: Config): FastifyPluginAsync => async (app) => {
  const baseUrl = (request: FastifyRequest) => config.publicUrl ?? `${request.protocol}://${request.host}`;
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'public, max-age=300');
  });
  app.get('/docs.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(CSS));
  for (const [name, doc] of Object.entries(DOCS)) {
    app.get(`/${name}`, async (request, reply) => reply.type('text/html; charset=utf-8').send(page(doc.title, doc.render(docContext(config, baseUrl(request))))));
    app.get(`/${name}.md`, async (request, reply) => reply.type('text/markdown; charset=utf-8').send(doc.render(docContext(config, baseUrl(request)))));
  }
  app.get('/', async (_request, reply) => reply.redirect('/docs/provisioning', 302));
};
