// mapResource(): the routes of one resource type, generic (Zitadel's mapResource[T]):
// POST, GET list, POST /.search, GET/PUT/PATCH/DELETE by id.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RenderedResource, RequestContext, ScimResourceService, ListParams } from '../../services/scim/scim-resources.js';
import { etagOf } from '../../services/scim/scim-resources.js';
import { invalidSyntax } from '../../scim/errors.js';
import { SCIM_CONTENT_TYPE } from './errors.js';
import { listBody, resourceBody } from './render.js';
import { searchParamsFromBody } from './search-routes.js';

type Query = Record<string, string | undefined>;
type ById = { Params: { id: string }; Querystring: Query };

/** Query parameters are matched case-insensitively (clients differ: `startindex`, `Count`). */
export function listParamsFromQuery(q: Query): ListParams {
  const lower: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(q)) lower[k.toLowerCase()] = Array.isArray(v) ? String(v[0]) : v;
  return {
    filter: lower.filter,
    sortBy: lower.sortby,
    sortOrder: lower.sortorder,
    startIndex: lower.startindex,
    count: lower.count,
    cursor: lower.cursor,
    attributes: lower.attributes,
    excludedAttributes: lower.excludedattributes,
  };
}

const projectionFromQuery = (q: Query) => {
  const p = listParamsFromQuery(q);
  return { attributes: p.attributes, excludedAttributes: p.excludedAttributes };
};

export function sendResource(reply: FastifyReply, r: RenderedResource, status: number): FastifyReply {
  reply.code(status).type(SCIM_CONTENT_TYPE).header('ETag', etagOf(r.version));
  if (status === 201) reply.header('Location', r.location);
  return reply.send(resourceBody(r));
}

export const mapResource = (service: ScimResourceService, contextOf: (r: FastifyRequest) => RequestContext): FastifyPluginAsync => async (app) => {
  const base = service.schema.type.endpoint; // '/Users'
  const ifMatch = (r: FastifyRequest) => (typeof r.headers['if-match'] === 'string' ? r.headers['if-match'] : undefined);

  app.post<{ Querystring: Query }>(base, async (request, reply) => {
    const r = await service.create(contextOf(request), requireBody(request.body), projectionFromQuery(request.query));
    return sendResource(reply, r, 201);
  });

  app.get<{ Querystring: Query }>(base, async (request, reply) => {
    const list = await service.list(contextOf(request), listParamsFromQuery(request.query));
    return reply.type(SCIM_CONTENT_TYPE).send(listBody(list));
  });

  app.post(`${base}/.search`, async (request, reply) => {
    const list = await service.list(contextOf(request), searchParamsFromBody(request.body));
    return reply.code(200).type(SCIM_CONTENT_TYPE).send(listBody(list));
  });

  app.get<ById>(`${base}/:id`, async (request, reply) => {
    const r = await service.get(contextOf(request), request.params.id, projectionFromQuery(request.query));
    const inm = request.headers['if-none-match'];
    if (typeof inm === 'string' && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etagOf(r.version).replace(/^W\//, '') || t.trim() === '*')) {
      return reply.code(304).header('ETag', etagOf(r.version)).send();
    }
    return sendResource(reply, r, 200);
  });

  app.put<ById>(`${base}/:id`, async (request, reply) => {
    const r = await service.replace(contextOf(request), request.params.id, requireBody(request.body), projectionFromQuery(request.query), { ifMatch: ifMatch(request) });
    return sendResource(reply, r, 200);
  });

  app.patch<ById>(`${base}/:id`, async (request, reply) => {
    const out = await service.patch(contextOf(request), request.params.id, requireBody(request.body), projectionFromQuery(request.query), { ifMatch: ifMatch(request) });
    if (out.noContent) return reply.code(204).header('ETag', etagOf(out.rendered.version)).send();
    return sendResource(reply, out.rendered, 200);
  });

  app.delete<ById>(`${base}/:id`, async (request, reply) => {
    await service.delete(contextOf(request), request.params.id, { ifMatch: ifMatch(request) });
    return reply.code(204).send();
  });
};

function requireBody(body: unknown): unknown {
  if (body === undefined || body === null) throw invalidSyntax('This request needs a JSON body (Content-Type: application/scim+json)', 'SCIM_E_BODY_001');
  return body;
}
