// POST /.search (RFC 7644 §3.4.3): a SearchRequest body instead of query parameters. The root
// form searches Users and Groups together; results are Users first, then Groups.
import { decimalInteger } from '../../scim/query-numbers.js';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ListParams, RequestContext, ScimResourceService, ListRendered } from '../../services/scim/scim-resources.js';
import type { ScimLimits } from '../../scim/limits.js';
import { invalidSyntax, invalidValue } from '../../scim/errors.js';
import { SCIM_CONTENT_TYPE } from './errors.js';
import { listBody } from './render.js';

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
  app.post('/.search', async (request, reply) => {
    const params = searchParamsFromBody(request.body);
    if (params.cursor !== undefined) throw invalidValue('Cursor pagination is available on /Users/.search and /Groups/.search, not on the root /.search', 'SCIM_E_SEARCH_004');
    const ctx = contextOf(request);
    const start = Math.min(Math.max(1, wholeNumber('startIndex', params.startIndex, 1)), Number.MAX_SAFE_INTEGER);
    const count = Math.min(Math.max(wholeNumber('count', params.count, limits.defaultPageSize), 0), limits.maxPageSize);
    // Count each type, then read the slice of the concatenation [Users…, Groups…] that the page covers.
    const totals: number[] = [];
    for (const s of services) totals.push((await s.list(ctx, { ...params, startIndex: 1, count: 0 })).totalResults ?? 0);
    const resources: ListRendered['resources'] = [];
    let offset = start - 1;
    let remaining = count;
    for (let i = 0; i < services.length && remaining > 0; i++) {
      const t = totals[i]!;
      if (offset >= t) { offset -= t; continue; }
      const page = await services[i]!.list(ctx, { ...params, startIndex: offset + 1, count: remaining });
      resources.push(...page.resources);
      remaining -= page.resources.length;
      offset = 0;
    }
    const body = listBody({ totalResults: totals.reduce((a, b) => a + b, 0), startIndex: start, itemsPerPage: resources.length, resources, nextCursor: undefined, previousCursor: undefined });
    return reply.code(200).type(SCIM_CONTENT_TYPE).send(body);
  });
};

/** `startIndex` / `count` of the root search: decimal integers only, as on the resource endpoints. */
function wholeNumber(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = decimalInteger(raw);
  if (!Number.isInteger(n)) throw invalidValue(`${name} must be a whole number in decimal digits (got ${JSON.stringify(raw)})`, name === 'count' ? 'SCIM_E_COUNT_002' : 'SCIM_E_START_001');
  return n;
}
