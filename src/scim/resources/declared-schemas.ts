// The `schemas` a POST or PUT body declares (RFC 7643 §3: "schemas … REQUIRED"; §3.3: the core
// schema of the resource type plus the extensions in use). Checked so a body meant for another
// endpoint, or data filed under an extension this server does not know, is refused with the URN
// it should have named instead of being half-stored. URNs compare case-insensitively (R-CORE-10).
//
// Deliberate tolerances (docs/scim-support.md, "Deliberate tolerances"):
// - `schemas` absent, null or [] → accepted; the stored document gets the right `schemas`.
// - URNs that real clients send and that carry no data we would lose (CLIENT_URNS below).
import { invalidValue } from '../errors.js';
import { findExtension, type ResourceSchema } from '../schema/registry.js';

/** Non-standard URNs documented clients put in `schemas`: lower-case URN → what it stands for. */
const CLIENT_URNS = new Map<string, 'core' | 'ignored'>([
  // OneLogin templates copied from SCIM 1.1 examples (R-OL-01): read as the endpoint's core schema.
  ['urn:scim:schemas:core:1.0', 'core'],
  // Entra ID's group create (R-ENTRA-28, S1).
  ['http://schemas.microsoft.com/2006/11/resourcemanagement/adscim/2.0/group', 'ignored'],
  // The misspelt enterprise URN of Entra's own tutorial example (R-GEN-08, S1).
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0user', 'ignored'],
]);

const expected = (rs: ResourceSchema): string =>
  [rs.core.id, ...rs.extensions.map((e) => e.id)].map((u) => JSON.stringify(u)).join(', ');

/** Throws 400 invalidValue when `schemas` names no core schema of this endpoint, or an unknown URN. */
export function checkDeclaredSchemas(rs: ResourceSchema, body: Record<string, unknown>): void {
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'schemas');
  const raw = key === undefined ? undefined : body[key];
  if (raw === undefined || raw === null) return;
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.some((u) => typeof u !== 'string')) {
    throw invalidValue(`"schemas" must be an array of schema URNs, e.g. [${JSON.stringify(rs.core.id)}]`, 'SCIM_E_SCHEMAS_001');
  }
  if (list.length === 0) return;
  const endpoint = rs.type.endpoint;
  let hasCore = false;
  for (const urn of list as string[]) {
    const lower = urn.toLowerCase();
    if (lower === rs.core.id.toLowerCase() || CLIENT_URNS.get(lower) === 'core') {
      hasCore = true;
      continue;
    }
    if (findExtension(rs, urn) !== undefined || CLIENT_URNS.get(lower) === 'ignored') continue;
    throw invalidValue(
      `"schemas" names ${JSON.stringify(urn)}, which ${endpoint} does not support; ${endpoint} accepts ${expected(rs)}`,
      'SCIM_E_SCHEMAS_002',
    );
  }
  if (!hasCore) {
    throw invalidValue(`"schemas" must include the core schema ${JSON.stringify(rs.core.id)} for ${endpoint} (got ${JSON.stringify(list)})`, 'SCIM_E_SCHEMAS_003');
  }
}
