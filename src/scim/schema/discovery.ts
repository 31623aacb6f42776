// Discovery documents (RFC 7644 §4): /ServiceProviderConfig (RFC 7643 §5 + RFC 9865 §4),
// /ResourceTypes (§6) and /Schemas (§7), all generated from the registry and the limits.
import type { JsonObject } from '../../domain/json.js';
import type { ScimLimits } from '../limits.js';
import { allResourceTypes, allSchemas, COMMON_ATTRIBUTES, findSchema } from './registry.js';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.js';
import { EMITTED_EVENT_URIS } from '../events/set-profile.js';

export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ServiceProviderConfigOptions {
  /** SPC documentationUri (RFC 7643 §5, OPTIONAL): omitted unless the deployment has one. */
  readonly documentationUri?: string;
}

const trimBase = (baseUrl: string): string => baseUrl.replace(/\/+$/, '');

/** The RFC 7644 §3.4.2 ListResponse wrapper, unpaged (discovery lists are tiny). */
const listResponse = (resources: readonly JsonObject[]): JsonObject => ({
  schemas: [LIST_RESPONSE_SCHEMA],
  totalResults: resources.length,
  itemsPerPage: resources.length,
  startIndex: 1,
  Resources: [...resources],
});

/** RFC 7643 §5, truthful (R-CORE-30): each `supported: true` is backed by a test elsewhere. */
export const serviceProviderConfig = (baseUrl: string, limits: ScimLimits, options: ServiceProviderConfigOptions = {}): JsonObject => ({
  schemas: [SPC_SCHEMA],
  ...(options.documentationUri === undefined ? {} : { documentationUri: options.documentationUri }),
  patch: { supported: true },
  bulk: { supported: true, maxOperations: limits.bulkMaxOperations, maxPayloadSize: limits.bulkMaxPayloadBytes },
  filter: { supported: true, maxResults: limits.maxPageSize },
  changePassword: { supported: false },
  sort: { supported: true },
  etag: { supported: true },
  // RFC 9865 §4 (R-CUR-06): index stays the default because Okta and Entra send startIndex.
  pagination: {
    cursor: true,
    index: true,
    defaultPaginationMethod: 'index',
    defaultPageSize: limits.defaultPageSize,
    maxPageSize: limits.maxPageSize,
    cursorTimeout: limits.cursorTimeoutSeconds,
  },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'API key from the WiggleDesk console (Profile → API keys), sent as Authorization: Bearer',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
      primary: true,
    },
  ],
  // RFC 9967 §4: the SET event URIs we emit on SET streams (push RFC 8935, poll RFC 8936); no
  // asynchronous SCIM requests (§2.5.1.1), so asyncRequest is "none".
  securityEvents: { asyncRequest: 'none', eventUris: [...EMITTED_EVENT_URIS] },
  meta: { resourceType: 'ServiceProviderConfig', location: `${trimBase(baseUrl)}/ServiceProviderConfig` },
});

const renderResourceType = (t: ResourceTypeDef, base: string): JsonObject => ({
  schemas: [RESOURCE_TYPE_SCHEMA],
  id: t.id,
  name: t.name,
  endpoint: t.endpoint,
  description: t.description,
  schema: t.schema,
  schemaExtensions: t.schemaExtensions.map((e) => ({ schema: e.schema, required: e.required })),
  meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${t.id}` },
});

export const resourceTypesList = (baseUrl: string): JsonObject =>
  listResponse(allResourceTypes().map((t) => renderResourceType(t, trimBase(baseUrl))));

/** `/ResourceTypes/{name}`, case-insensitive; undefined → 404. */
export const resourceTypeDoc = (name: string, baseUrl: string): JsonObject | undefined => {
  const t = allResourceTypes().find((r) => r.id.toLowerCase() === name.toLowerCase());
  return t === undefined ? undefined : renderResourceType(t, trimBase(baseUrl));
};

/**
 * Sub-attributes the server derives on every read, published as readOnly (issue #16: /Schemas tells
 * the truth). Group `members.$ref`, `.display` and `.type` are computed from the member id (its
 * current displayName, User or Group); what a client sends for them is ignored, where RFC 7643
 * §8.7.1 says immutable. `meta.*`, `User.groups.*` and `manager.displayName` are readOnly in the
 * registry itself; every other attribute is stored and echoed as sent (docs/scim-support.md).
 */
const DERIVED_SUB_ATTRIBUTES: ReadonlyMap<string, readonly string[]> = new Map([['members', ['$ref', 'display', 'type']]]);

/**
 * One attribute in RFC 7643 §7 form: camelCase enum values, no null/undefined properties
 * (R-ENTRA-04); canonicalValues only when the list is non-empty.
 */
const renderAttribute = (a: AttributeDef, derived: readonly string[] = []): JsonObject => {
  const out: JsonObject = {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
  };
  if (a.canonicalValues !== undefined && a.canonicalValues.length > 0) out['canonicalValues'] = [...a.canonicalValues];
  if (a.referenceTypes !== undefined) out['referenceTypes'] = [...a.referenceTypes];
  out['mutability'] = derived.includes(a.name) ? 'readOnly' : a.mutability;
  out['returned'] = a.returned;
  out['uniqueness'] = a.uniqueness;
  if (a.subAttributes !== undefined) {
    const derivedSubs = DERIVED_SUB_ATTRIBUTES.get(a.name) ?? [];
    out['subAttributes'] = a.subAttributes.map((sub) => renderAttribute(sub, derivedSubs));
  }
  return out;
};

/**
 * Decision: a resource type's core schema also lists the §3.1 common attributes (id, externalId,
 * meta). RFC 7643 §3.1 allows it "for backward compatibility", and schema-driven clients need
 * them: Entra's Schema_Discoverability_Test looks up every mapped attribute, and `externalId`
 * is mapped by default (R-ENTRA-04, §2.7 of client-behaviors.md).
 */
const isCoreOfSomeType = (schemaId: string): boolean => allResourceTypes().some((t) => t.schema === schemaId);

const renderSchema = (s: SchemaDef, base: string): JsonObject => {
  const attrs = isCoreOfSomeType(s.id) ? [...COMMON_ATTRIBUTES, ...s.attributes] : s.attributes;
  return {
    schemas: [SCHEMA_SCHEMA],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: attrs.map((a) => renderAttribute(a)),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${s.id}` },
  };
};

export const schemasList = (baseUrl: string): JsonObject => listResponse(allSchemas().map((s) => renderSchema(s, trimBase(baseUrl))));

/** `/Schemas/{urn}`, case-insensitive; undefined → 404. */
export const schemaDoc = (urn: string, baseUrl: string): JsonObject | undefined => {
  const s = findSchema(urn);
  return s === undefined ? undefined : renderSchema(s, trimBase(baseUrl));
};
