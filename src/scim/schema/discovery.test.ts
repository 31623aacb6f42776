import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { DEFAULT_SCIM_LIMITS } from '../limits.js';
import { resourceTypeDoc, resourceTypesList, schemaDoc, schemasList, serviceProviderConfig } from './discovery.js';
import { getResourceSchema, resolveAttrPath, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './registry.js';
import type { ResourceTypeName } from './types.js';

const BASE = 'https://wiggledesk.example/scim/v2';
// Committed snapshots (style.md §8.6): a registry change shows up as a reviewable diff.
const pretty = (v: JsonValue): string => `${JSON.stringify(v, null, 2)}\n`;
const obj = (v: JsonValue | undefined): JsonObject => {
  if (!isJsonObject(v)) throw new Error('expected an object');
  return v;
};
const arr = (v: JsonValue | undefined): JsonValue[] => {
  if (!Array.isArray(v)) throw new Error('expected an array');
  return v;
};

describe('/ServiceProviderConfig (R-CORE-30, R-CUR-06)', () => {
  const spc = serviceProviderConfig(`${BASE}/`, DEFAULT_SCIM_LIMITS);

  it('matches the committed snapshot', async () => {
    await expect(pretty(spc)).toMatchFileSnapshot('../../../test/snapshots/service-provider-config.json');
  });

  it('advertises the limits it is given, and the base URL without a trailing slash', () => {
    expect(spc['patch']).toEqual({ supported: true });
    expect(spc['bulk']).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
    expect(spc['filter']).toEqual({ supported: true, maxResults: 1000 });
    expect(spc['changePassword']).toEqual({ supported: false });
    expect(spc['pagination']).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: 100,
      maxPageSize: 1000,
      cursorTimeout: 3600,
    });
    expect(spc['meta']).toEqual({ resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` });
    expect(spc['documentationUri']).toBeUndefined();
    const other = serviceProviderConfig(
      BASE,
      { ...DEFAULT_SCIM_LIMITS, maxPageSize: 50 },
      { documentationUri: 'https://docs.example/scim' },
    );
    expect(obj(other['filter'])['maxResults']).toBe(50);
    expect(other['documentationUri']).toBe('https://docs.example/scim');
  });
});

describe('/ResourceTypes (R-CORE-29)', () => {
  it('matches the committed snapshot', async () => {
    await expect(pretty(resourceTypesList(BASE))).toMatchFileSnapshot('../../../test/snapshots/resource-types.json');
  });

  it('is a ListResponse whose first resource is /Users (MS Postman)', () => {
    const list = resourceTypesList(BASE);
    expect(list).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 2,
      itemsPerPage: 2,
      startIndex: 1,
    });
    expect(obj(arr(list['Resources'])[0])['endpoint']).toBe('/Users');
  });

  it('serves one type by name, case-insensitively; unknown → undefined', () => {
    expect(resourceTypeDoc('user', BASE)).toMatchObject({
      id: 'User',
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    });
    expect(resourceTypeDoc('Group', BASE)).toMatchObject({ id: 'Group', schema: GROUP_SCHEMA });
    expect(resourceTypeDoc('Widget', BASE)).toBeUndefined();
  });
});

describe('/Schemas (R-ENTRA-04)', () => {
  it('matches the committed snapshot', async () => {
    await expect(pretty(schemasList(BASE))).toMatchFileSnapshot('../../../test/snapshots/schemas.json');
  });

  it('holds User, Group and EnterpriseUser in a ListResponse', () => {
    const list = schemasList(BASE);
    expect(list['totalResults']).toBe(3);
    expect(arr(list['Resources']).map((r) => obj(r)['id'])).toEqual([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  it('serves one schema by URN, case-insensitively; unknown → undefined', () => {
    expect(schemaDoc(ENTERPRISE_USER_SCHEMA.toUpperCase(), BASE)).toMatchObject({
      id: ENTERPRISE_USER_SCHEMA,
      meta: { resourceType: 'Schema', location: `${BASE}/Schemas/${ENTERPRISE_USER_SCHEMA}` },
    });
    expect(schemaDoc('urn:example:nope', BASE)).toBeUndefined();
  });

  it('uses camelCase enum values and never emits null or undefined properties', () => {
    const seen = new Set<string>();
    const walk = (v: JsonValue): void => {
      expect(v).not.toBeNull();
      if (Array.isArray(v)) v.forEach(walk);
      else if (isJsonObject(v)) {
        for (const k of ['type', 'mutability', 'returned', 'uniqueness'])
          if (typeof v[k] === 'string' && 'multiValued' in v) seen.add(String(v[k]));
        Object.values(v).forEach(walk);
      }
    };
    walk(schemasList(BASE));
    const allowed = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'].concat([
      'readOnly',
      'readWrite',
      'immutable',
      'writeOnly',
      'always',
      'never',
      'default',
      'request',
      'none',
      'server',
      'global',
    ]);
    expect([...seen].filter((x) => !allowed.includes(x))).toEqual([]);
    expect(seen).toContain('readWrite');
    expect(seen).toContain('server');
  });

  it('lists the common attributes (externalId for Entra mappings) in each core schema only', () => {
    const names = (urn: string) => arr(schemaDoc(urn, BASE)?.['attributes']).map((a) => obj(a)['name']);
    expect(names(USER_SCHEMA).slice(0, 4)).toEqual(['id', 'externalId', 'meta', 'userName']);
    expect(names(GROUP_SCHEMA)).toEqual(['id', 'externalId', 'meta', 'displayName', 'members']);
    expect(names(ENTERPRISE_USER_SCHEMA)).not.toContain('externalId');
  });

  it('every attribute and sub-attribute in /Schemas resolves through resolveAttrPath (discovery = registry)', () => {
    const owners: Record<string, ResourceTypeName> = { [USER_SCHEMA]: 'User', [ENTERPRISE_USER_SCHEMA]: 'User', [GROUP_SCHEMA]: 'Group' };
    let checked = 0;
    for (const s of arr(schemasList(BASE)['Resources']).map(obj)) {
      const urn = String(s['id']);
      const rs = getResourceSchema(owners[urn]!);
      for (const a of arr(s['attributes']).map(obj)) {
        const name = String(a['name']);
        const subs = a['subAttributes'] === undefined ? [undefined] : arr(a['subAttributes']).map((x) => String(obj(x)['name']));
        for (const sub of subs) {
          for (const qualified of [urn, undefined, urn.toUpperCase()]) {
            const r = resolveAttrPath(rs, {
              kind: 'AttrPath',
              urn: qualified,
              name: name.toUpperCase(),
              sub: sub?.toLowerCase(),
              offset: 0,
            });
            expect(r, `${urn}:${name}${sub ? `.${sub}` : ''}`).toBeDefined();
            expect(r?.schema).toBe(urn);
            expect(r?.attr.type).toBe(a['type']);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
