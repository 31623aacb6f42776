// Endpoint aliases, applied to the URL before routing (Fastify `rewriteUrl`), so an alias answers
// exactly as the canonical route: same handler, hooks, status, body and headers. `meta.location`
// and `Location` are built from the configured base, never from the request path, so they stay
// canonical.
//
// 1. The announcement's base URL. WiggleDesk's announcement tells admins to paste
//    `https://wiggledesk.com/scim/v2/Users` as the endpoint; Entra ID appends `/Users`, `/Groups`,
//    `/Schemas` … to whatever Tenant URL it is given (R-ENTRA-42), so it calls
//    `/scim/v2/Users/Users?filter=…`. `/scim/v2/Users/<endpoint>…` is therefore read as
//    `/scim/v2/<endpoint>…` for every endpoint name below.
//    This can never hide a real resource: `/Users/{id}` ids are server-assigned UUIDs
//    (domain/resource-ids.ts, services/scim/scim-resources.ts `create`; a client `id` is ignored on POST, R-GEN-12), and a
//    UUID is never one of these names. `/Users/.search` keeps its RFC 7644 §3.4.3 meaning (search
//    Users): under the `/Users` base, the root search is the same request for every filter that
//    only Users can match, and `/scim/v2/Users/Users/.search` is the Users search there.
// 2. Endpoint names are case-insensitive (`/users`, `/GROUPS`, `/serviceproviderconfig`), as
//    Microsoft's reference Postman collection sends them (S12). Ids, URNs and query strings are
//    left as they are.
// 3. `/serviceConfiguration` is an unadvertised alias of `/ServiceProviderConfig` (some clients
//    use the SCIM 1.x draft name).

const PREFIX = '/scim/v2';

/** Lower-case endpoint name → canonical route segment. */
const CANONICAL = new Map<string, string>([
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['serviceproviderconfig', 'ServiceProviderConfig'],
  ['serviceproviderconfigs', 'ServiceProviderConfigs'],
  ['serviceconfiguration', 'ServiceProviderConfig'],
  ['schemas', 'Schemas'],
  ['resourcetypes', 'ResourceTypes'],
  ['bulk', 'Bulk'],
  ['me', 'Me'],
  ['.search', '.search'],
]);

/** Names that `/scim/v2/Users/<name>` resolves to as the announcement's base (not `.search`, not `Me`). */
const UNDER_USERS_BASE = new Set(['Users', 'Groups', 'ServiceProviderConfig', 'ServiceProviderConfigs', 'Schemas', 'ResourceTypes', 'Bulk']);

/**
 * The canonical form of a request URL under /scim/v2, or the URL unchanged. Only the first one or
 * two path segments are ever touched; everything after them (ids, URNs) and the query string stay
 * byte for byte.
 */
export function canonicalScimUrl(url: string): string {
  if (!url.startsWith(`${PREFIX}/`)) return url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const rest = path.slice(PREFIX.length);
  // Keep doubled and trailing slashes out of the way (the router ignores them anyway).
  const segments = rest.split('/').filter((s) => s !== '');
  if (segments.length === 0) return url;
  const canon = (s: string | undefined) => (s === undefined ? undefined : CANONICAL.get(s.toLowerCase()));
  const first = canon(segments[0]);
  let out: string[] | undefined;
  if (first === 'Users' && segments.length >= 2) {
    const second = canon(segments[1]);
    if (second !== undefined && UNDER_USERS_BASE.has(second)) out = [second, ...segments.slice(2)];
  }
  if (!out && first !== undefined && first !== segments[0]) out = [first, ...segments.slice(1)];
  if (!out) return url;
  const trailing = rest.endsWith('/') ? '/' : '';
  return `${PREFIX}/${out.join('/')}${trailing}${query}`;
}
