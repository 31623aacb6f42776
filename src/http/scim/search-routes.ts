// POST /.search (RFC 7644 §3.4.3): a SearchRequest body instead of query parameters. The root
// form (and `GET /?filter=`) searches Users and Groups together; results are Users first, then Groups.
import { decimalInteger } from '../../scim/query-numbers.js';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ListParams, RequestContext, ScimResourceService, ListRendered } from '../../services/scim/scim-resources.js';
import type { ScimLimits } from '../../scim/limits.js';
import { invalidSyntax, invalidValue } from '../../scim/errors.js';
import { SCIM_CONTENT_TYPE } from './errors.js';
import { listBody } from './render.js';
import { listParamsFromQuery } from './resource-routes.js';
import { parseFilter } from '../../scim/filter/parser.js';
import { printFilter } from '../../scim/filter/print.js';
import { assertDefinedSomewhere, restrictFilter } from '../../scim/filter/restrict.js';

const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export function searchParamsFromBody(body: unknown): ListParams {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalidSyntax('A SearchRequest body must be a JSON object', 'SCIM_E_SEARCH_001');
  const b: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) b[k.toLowerCase()] = v;
  if (Array.isArray(b.schemas) && !b.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_SCHEMA.toLowerCase())) {
    throw invalidSyntax(`A SearchRequest must carry the schema ${SEARCH_SCHEMA}`, 'SCIM_E_SEARCH_002');
  }
  const str = (k: string): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v.map(String).join(',');
    if (typeof v === 'string' || typeof v === 'number') return String(v);
    throw invalidValue(`SearchRequest "${k}" has the wrong type`, 'SCIM_E_SEARCH_003');
  };
  return {
    filter: str('filter'),
    sortBy: str('sortby'),
    sortOrder: str('sortorder'),
    startIndex: str('startindex'),
    count: str('count'),
    cursor: str('cursor'),
    attributes: str('attributes'),
    excludedAttributes: str('excludedattributes'),
  };
}

export const rootSearchRoute = (services: ScimResourceService[], contextOf: (r: FastifyRequest) => RequestContext, limits: ScimLimits): FastifyPluginAsync => async (app) => {
  // RFC 7644 §3.4.2.1 / §3.4.3: a query on the server root (`GET /?filter=…`, `POST /.search`)
  // searches every resource type; results are Users first, then Groups, paged as one list.
  async function rootSearch(request: FastifyRequest, params: ListParams): Promise<ListRendered> {
    if (params.cursor !== undefined) throw invalidValue('Cursor pagination is available on /Users/.search and /Groups/.search, not on the root /.search', 'SCIM_E_SEARCH_004');
    const ctx = contextOf(request);
    const start = Math.min(Math.max(1, wholeNumber('startIndex', params.startIndex, 1)), Number.MAX_SAFE_INTEGER);
    const count = Math.min(Math.max(wholeNumber('count', params.count, limits.defaultPageSize), 0), limits.maxPageSize);
    // Each type gets the part of the filter its attributes can match (`userName eq "x"` matches no
    // Group: restrict.ts); an attribute no type defines is still invalidFilter.
    const text = params.filter !== undefined && params.filter.trim() !== '' ? params.filter : undefined;
    const parsed = text === undefined ? undefined : parseFilter(text);
    if (parsed) assertDefinedSomewhere(services.map((s) => s.schema), parsed);
    const perType = services.map((s) => {
      if (!parsed) return { service: s, params: { ...params, filter: undefined } as ListParams | undefined };
      const r = restrictFilter(s.schema, parsed);
      if (r === false) return { service: s, params: undefined };
      return { service: s, params: { ...params, filter: r === true ? undefined : printFilter(r) } };
    });
    // Count each type, then read the slice of the concatenation [Users…, Groups…] that the page covers.
    const totals: number[] = [];
    for (const p of perType) totals.push(p.params ? ((await p.service.list(ctx, { ...p.params, startIndex: 1, count: 0 })).totalResults ?? 0) : 0);
    const resources: ListRendered['resources'] = [];
    let offset = start - 1;
    let remaining = count;
    for (let i = 0; i < perType.length && remaining > 0; i++) {
      const t = totals[i]!;
      if (offset >= t) { offset -= t; continue; }
      const page = await perType[i]!.service.list(ctx, { ...perType[i]!.params!, startIndex: offset + 1, count: remaining });
      resources.push(...page.resources);
      remaining -= page.resources.length;
      offset = 0;
    }
    return { totalResults: totals.reduce((a, b) => a + b, 0), startIndex: start, itemsPerPage: resources.length, resources, nextCursor: undefined, previousCursor: undefined };
  }

  app.post('/.search', async (request, reply) => {
    const list = await rootSearch(request, searchParamsFromBody(request.body));
    return reply.code(200).type(SCIM_CONTENT_TYPE).send(listBody(list));
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/', async (request, reply) => {
    const list = await rootSearch(request, listParamsFromQuery(request.query));
    return reply.code(200).type(SCIM_CONTENT_TYPE).send(listBody(list));
  });
};

/** `startIndex` / `count` of the root search: decimal integers only, as on the resource endpoints. */
function wholeNumber(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = decimalInteger(raw);
  if (!Number.isInteger(n)) throw invalidValue(`${name} must be a whole number in decimal digits (got ${JSON.stringify(raw)})`, name === 'count' ? 'SCIM_E_COUNT_002' : 'SCIM_E_START_001');
  return n;
}
