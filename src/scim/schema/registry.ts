// The one schema registry (style.md §8.8 rule 4): discovery, write validation, filter typing,
// sorting and projection all read attribute characteristics from here.
import type { AttrPath } from '../filter/ast.js';
import { deepFreeze } from './attributes.js';
import { buildNameIndex, type NameIndex } from './name-index.js';
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEF,
  GROUP_SCHEMA,
  GROUP_SCHEMA_DEF,
  USER_SCHEMA,
  USER_SCHEMA_DEF,
} from './definitions.js';
import type { AttributeDef, ResourceTypeDef, ResourceTypeName, SchemaDef } from './types.js';

export {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_DEF,
  GROUP_SCHEMA,
  GROUP_SCHEMA_DEF,
  USER_SCHEMA,
  USER_SCHEMA_DEF,
};

export interface ResourceSchema {
  readonly type: ResourceTypeDef;
  readonly core: SchemaDef;
  readonly extensions: readonly SchemaDef[];
  /** RFC 7643 §3.1 id, externalId, meta. */
  readonly common: readonly AttributeDef[];
  /** 'members' for Group: stored as membership rows, not in the document. */
  readonly membershipAttribute: string | undefined;
  /** ['groups'] for User: computed at read time from membership rows. */
  readonly derivedAttributes: readonly string[];
}

export interface ResolvedAttr {
  /** Canonical URN of the owning schema; the core URN for common attributes. */
  readonly schema: string;
  readonly attr: AttributeDef;
  readonly sub: AttributeDef | undefined;
  readonly isExtension: boolean;
  readonly isCommon: boolean;
}

const USER_TYPE: ResourceTypeDef = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
};

const GROUP_TYPE: ResourceTypeDef = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA,
  schemaExtensions: [],
};

const RESOURCE_SCHEMAS: Readonly<Record<ResourceTypeName, ResourceSchema>> = deepFreeze({
  User: {
    type: USER_TYPE,
    core: USER_SCHEMA_DEF,
    extensions: [ENTERPRISE_USER_SCHEMA_DEF],
    common: COMMON_ATTRIBUTES,
    membershipAttribute: undefined,
    derivedAttributes: ['groups'],
  },
  Group: {
    type: GROUP_TYPE,
    core: GROUP_SCHEMA_DEF,
    extensions: [],
    common: COMMON_ATTRIBUTES,
    membershipAttribute: 'members',
    derivedAttributes: [],
  },
});

// RFC 7643 §8.7.1 order: User, Group, EnterpriseUser.
const SCHEMAS: readonly SchemaDef[] = Object.freeze([USER_SCHEMA_DEF, GROUP_SCHEMA_DEF, ENTERPRISE_USER_SCHEMA_DEF]);
const RESOURCE_TYPES: readonly ResourceTypeDef[] = Object.freeze([USER_TYPE, GROUP_TYPE]);

export const getResourceSchema = (name: ResourceTypeName): ResourceSchema => RESOURCE_SCHEMAS[name];
export const allSchemas = (): readonly SchemaDef[] => SCHEMAS;
export const allResourceTypes = (): readonly ResourceTypeDef[] => RESOURCE_TYPES;

// Schema URNs and attribute names compare case-insensitively (RFC 7643 §2.1, R-CORE-10).
// URNs and attribute names are ASCII by grammar, so toLowerCase is an exact fold here.
const same = (a: string, b: string): boolean => a.length === b.length && a.toLowerCase() === b.toLowerCase();

// Lookup maps for every attribute list of the registry (common, each schema, each complex
// attribute's sub-attributes), keyed by the frozen list itself: lists built by a caller
// (e.g. `[...rs.common, ...rs.core.attributes]`) fall back to a scan.
const ATTRIBUTE_INDEXES = new WeakMap<readonly AttributeDef[], NameIndex<AttributeDef>>();
const indexAttributes = (attrs: readonly AttributeDef[]): void => {
  if (ATTRIBUTE_INDEXES.has(attrs)) return;
  ATTRIBUTE_INDEXES.set(attrs, buildNameIndex(attrs, (a) => a.name));
  for (const a of attrs) if (a.subAttributes !== undefined) indexAttributes(a.subAttributes);
};
indexAttributes(COMMON_ATTRIBUTES);
for (const s of SCHEMAS) indexAttributes(s.attributes);

const SCHEMA_INDEX = buildNameIndex(SCHEMAS, (s) => s.id);
const EXTENSION_INDEXES = new Map<ResourceSchema, NameIndex<SchemaDef>>(
  Object.values(RESOURCE_SCHEMAS).map((rs) => [rs, buildNameIndex(rs.extensions, (s) => s.id)]),
);

export const findSchema = (urn: string): SchemaDef | undefined => SCHEMA_INDEX.get(urn);

export const findAttribute = (attrs: readonly AttributeDef[], name: string): AttributeDef | undefined => {
  const index = ATTRIBUTE_INDEXES.get(attrs);
  return index !== undefined ? index.get(name) : attrs.find((a) => same(a.name, name));
};

export const findSubAttribute = (attr: AttributeDef, name: string): AttributeDef | undefined =>
  attr.subAttributes === undefined ? undefined : findAttribute(attr.subAttributes, name);

/** The extension of `rs` whose URN equals `urn` (case-insensitive). */
export const findExtension = (rs: ResourceSchema, urn: string): SchemaDef | undefined => {
  const index = EXTENSION_INDEXES.get(rs);
  return index !== undefined ? index.get(urn) : rs.extensions.find((s) => same(s.id, urn));
};

const withSub = (
  schema: string,
  attr: AttributeDef,
  subName: string | undefined,
  flags: { isExtension: boolean; isCommon: boolean },
): ResolvedAttr | undefined => {
  if (subName === undefined) return { schema, attr, sub: undefined, ...flags };
  const sub = findSubAttribute(attr, subName);
  return sub === undefined ? undefined : { schema, attr, sub, ...flags };
};

/**
 * Resolves `[urn:]name[.sub]` against a resource type (RFC 7644 §3.10), case-insensitively
 * (R-CORE-10, R-ENTRA-41). Without a URN the name is looked up in the common attributes, then
 * the core schema, then each extension in order: Entra sends a bare `manager` (R-ENTRA-21).
 * The core URN also qualifies the common attributes (`urn:…:core:2.0:User:id`).
 */
export const resolveAttrPath = (rs: ResourceSchema, path: AttrPath): ResolvedAttr | undefined => {
  const coreUrn = rs.core.id;
  const common = { isExtension: false, isCommon: true };
  const core = { isExtension: false, isCommon: false };
  const ext = { isExtension: true, isCommon: false };

  if (path.urn !== undefined) {
    if (path.urn === coreUrn || same(path.urn, coreUrn)) {
      const c = findAttribute(rs.common, path.name);
      if (c !== undefined) return withSub(coreUrn, c, path.sub, common);
      const a = findAttribute(rs.core.attributes, path.name);
      return a === undefined ? undefined : withSub(coreUrn, a, path.sub, core);
    }
    const schema = findExtension(rs, path.urn);
    const a = schema === undefined ? undefined : findAttribute(schema.attributes, path.name);
    return schema === undefined || a === undefined ? undefined : withSub(schema.id, a, path.sub, ext);
  }

  const c = findAttribute(rs.common, path.name);
  if (c !== undefined) return withSub(coreUrn, c, path.sub, common);
  const a = findAttribute(rs.core.attributes, path.name);
  if (a !== undefined) return withSub(coreUrn, a, path.sub, core);
  for (const schema of rs.extensions) {
    const e = findAttribute(schema.attributes, path.name);
    if (e !== undefined) return withSub(schema.id, e, path.sub, ext);
  }
  return undefined;
};
