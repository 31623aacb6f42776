// applyProjection / wantsAttribute against the general algorithm they replaced: for random
// documents (canonical ones, which take the pass-through path, and odd ones: other letter cases,
// unknown keys, empty values, "__proto__", extension URNs with non-object values) and random
// projections, the result is byte-for-byte the reference's (same keys, same order), and the
// input is never modified. The reference below is the pre-compilation projection.ts verbatim,
// with linear, case-insensitive lookups of its own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { deepFreeze } from '../schema/attributes.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema, GROUP_SCHEMA, USER_SCHEMA, type ResourceSchema } from '../schema/registry.js';
import type { AttributeDef } from '../schema/types.js';
import { parseItem } from './attr-list.js';
import { applyProjection, NO_PROJECTION, parseProjection, wantsAttribute, type Projection, type ProjectionParams } from './projection.js';

// ------------------------------------------------------------------ reference (general algorithm)

const same = (a: string, b: string): boolean => a.length === b.length && a.toLowerCase() === b.toLowerCase();
const findAttr = (attrs: readonly AttributeDef[], name: string) => attrs.find((a) => same(a.name, name));
const findSub = (attr: AttributeDef, name: string) => (attr.subAttributes === undefined ? undefined : findAttr(attr.subAttributes, name));
const findExt = (rs: ResourceSchema, urn: string) => rs.extensions.find((s) => same(s.id, urn));

const select = (items: Projection['excludedAttributes'], schema: string, name: string) => {
  let whole = false;
  const subs = new Set<string>();
  for (const i of items) {
    if (i.schema !== schema) continue;
    if (i.attr === undefined || (i.attr === name && i.sub === undefined)) whole = true;
    else if (i.attr === name && i.sub !== undefined) subs.add(i.sub);
  }
  return { whole, subs };
};

type SubRule = (sub: AttributeDef) => boolean;

const pickSubs = (def: AttributeDef, value: JsonValue, keep: SubRule, keepUnknown: boolean): JsonValue | undefined => {
  if (def.type !== 'complex') return value;
  const pick = (o: JsonObject): JsonObject | undefined => {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(o)) {
      const sub = findSub(def, k);
      if (sub === undefined ? keepUnknown : keep(sub)) out[k] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const el of value) {
      const p = isJsonObject(el) ? pick(el) : keepUnknown ? el : undefined;
      if (p !== undefined) out.push(p);
    }
    return out.length === 0 ? undefined : out;
  }
  return isJsonObject(value) ? pick(value) : value;
};

const notNever: SubRule = (s) => s.returned !== 'never';
const onlyAlways: SubRule = (s) => s.returned === 'always';
const hasAlwaysSub = (def: AttributeDef): boolean => (def.subAttributes ?? []).some(onlyAlways);

const projectAttr = (p: Projection, schema: string, def: AttributeDef, value: JsonValue): JsonValue | undefined => {
  if (def.returned === 'never') return undefined;
  if (def.returned === 'always') return pickSubs(def, value, notNever, true);
  if (p.attributes !== undefined) {
    const sel = select(p.attributes, schema, def.name);
    if (sel.whole) return pickSubs(def, value, notNever, true);
    if (sel.subs.size > 0) return pickSubs(def, value, (s) => notNever(s) && (s.returned === 'always' || sel.subs.has(s.name)), false);
    return hasAlwaysSub(def) ? pickSubs(def, value, onlyAlways, false) : undefined;
  }
  if (def.returned === 'request') return undefined;
  const sel = select(p.excludedAttributes, schema, def.name);
  if (sel.whole) return hasAlwaysSub(def) ? pickSubs(def, value, onlyAlways, false) : undefined;
  return pickSubs(def, value, (s) => s.returned === 'always' || (s.returned === 'default' && !sel.subs.has(s.name)), true);
};

const projectObject = (
  p: Projection,
  schema: string,
  defs: readonly AttributeDef[],
  extra: readonly AttributeDef[],
  obj: JsonObject,
  out: JsonObject,
): void => {
  for (const [k, v] of Object.entries(obj)) {
    const def = findAttr(extra, k) ?? findAttr(defs, k);
    const projected = def === undefined ? (p.attributes === undefined ? v : undefined) : projectAttr(p, schema, def, v);
    if (projected !== undefined) out[k] = projected;
  }
};

const referenceProjection = (rs: ResourceSchema, resource: JsonObject, projection: Projection): JsonObject => {
  const out: JsonObject = {};
  const droppedExtensions = new Set<string>();
  for (const [k, v] of Object.entries(resource)) {
    if (k === 'schemas') {
      out[k] = v;
      continue;
    }
    const ext = findExt(rs, k);
    if (ext !== undefined && isJsonObject(v)) {
      const sub: JsonObject = {};
      projectObject(projection, ext.id, ext.attributes, [], v, sub);
      if (Object.keys(sub).length > 0) out[k] = sub;
      else droppedExtensions.add(ext.id.toLowerCase());
      continue;
    }
    projectObject(projection, rs.core.id, rs.core.attributes, rs.common, { [k]: v }, out);
  }
  const schemas = out['schemas'];
  if (Array.isArray(schemas) && droppedExtensions.size > 0)
    out['schemas'] = schemas.filter((s) => typeof s !== 'string' || !droppedExtensions.has(s.toLowerCase()));
  return out;
};

const referenceWants = (rs: ResourceSchema, projection: Projection, name: string): boolean => {
  const item = parseItem(rs, name);
  if (item === undefined || item.attr === undefined) return false;
  const schemaAttrs = item.schema === rs.core.id ? [...rs.common, ...rs.core.attributes] : (findExt(rs, item.schema)?.attributes ?? []);
  const def = findAttr(schemaAttrs, item.attr);
  if (def === undefined) return false;
  const sub = item.sub === undefined ? undefined : findSub(def, item.sub);
  const target = sub ?? def;
  if (def.returned === 'never' || target.returned === 'never') return false;
  if (def.returned === 'always' || target.returned === 'always') return true;
  if (projection.attributes !== undefined) {
    const sel = select(projection.attributes, item.schema, def.name);
    if (sel.whole) return true;
    return sub === undefined ? sel.subs.size > 0 || hasAlwaysSub(def) : sel.subs.has(sub.name);
  }
  if (def.returned === 'request' || target.returned === 'request') return false;
  const sel = select(projection.excludedAttributes, item.schema, def.name);
  if (sel.whole) return sub === undefined && hasAlwaysSub(def);
  return sub === undefined || !sel.subs.has(sub.name);
};

// ------------------------------------------------------------------ generators

type Kind = 'User' | 'Group';
const RUNS = { numRuns: 600 };

// Built like JSON.parse builds objects: "__proto__" becomes an own key.
const object = (entries: ReadonlyArray<readonly [string, JsonValue]>): JsonObject => Object.fromEntries(entries) as JsonObject;
const entriesOf = (keys: readonly string[], value: fc.Arbitrary<JsonValue>, maxLength: number) =>
  fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength });

const text = fc.oneof(fc.constantFrom<JsonValue>('x', 'work', '', 'W/"1"', 'urn:x'), fc.string({ maxLength: 4 }));
const scalar = fc.oneof(text, fc.boolean(), fc.constant(null), fc.integer({ min: -2, max: 99 }));

const SUB_KEYS = ['value', 'Value', 'type', 'primary', 'display', '$ref', 'givenName', 'familyName', 'FORMATTED', 'streetAddress',
  'resourceType', 'created', 'location', 'version', 'displayName', 'bogus', '__proto__', '0'];
const element = entriesOf(SUB_KEYS, scalar, 4).map(object);
const attrValue: fc.Arbitrary<JsonValue> = fc.oneof(
  { arbitrary: fc.array(fc.oneof({ arbitrary: element, weight: 5 }, { arbitrary: scalar, weight: 1 }), { maxLength: 3 }), weight: 3 },
  { arbitrary: element, weight: 3 },
  { arbitrary: scalar, weight: 2 },
  { arbitrary: fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }), weight: 1 },
);

const EXT_KEYS = ['employeeNumber', 'department', 'Department', 'manager', 'MANAGER', 'costCenter', 'bogus', '__proto__'];
const extension = fc.oneof(
  { arbitrary: entriesOf(EXT_KEYS, attrValue, 4).map(object), weight: 5 },
  { arbitrary: scalar, weight: 1 },
);

const SCHEMAS = fc.array(fc.constantFrom<JsonValue>(USER_SCHEMA, GROUP_SCHEMA, ENT, ENT.toUpperCase(), 'urn:x', 1, null), { maxLength: 3 });
const TOP_KEYS: Record<Kind, readonly string[]> = {
  User: ['id', 'externalId', 'userName', 'USERNAME', 'name', 'displayName', 'active', 'password', 'PassWord', 'emails', 'Emails', 'phoneNumbers',
    'addresses', 'roles', 'groups', 'meta', 'Meta', 'Schemas', 'bogus', '__proto__', '7', `${ENT}:department`],
  Group: ['id', 'externalId', 'displayName', 'DISPLAYNAME', 'members', 'Members', 'meta', 'emails', 'bogus', '__proto__', 'Schemas'],
};

/** Any shape: keys in any case and order, values of any shape. */
const oddDocument = (kind: Kind): fc.Arbitrary<JsonObject> =>
  fc
    .tuple(
      fc.option(SCHEMAS, { nil: undefined }),
      entriesOf(TOP_KEYS[kind], attrValue, 8),
      fc.array(fc.tuple(fc.constantFrom(ENT, ENT.toUpperCase()), extension), { maxLength: kind === 'User' ? 2 : 1 }),
    )
    .map(([schemas, top, exts]) => object([...(schemas === undefined ? [] : [['schemas', schemas] as const]), ...top, ...exts]));

// The shape the service renders: {schemas, id, ...stored document, meta} (+ groups for a User).
const meta = (kind: Kind): JsonObject => ({
  resourceType: kind,
  created: '2026-01-01T00:00:00Z',
  lastModified: '2026-01-02T00:00:00Z',
  location: `https://x/${kind}s/1`,
  version: 'W/"1"',
});
const typed = fc.record({ value: text, type: fc.constantFrom('work', 'home'), primary: fc.boolean() }, { requiredKeys: ['value'] });
const canonicalUser: fc.Arbitrary<JsonObject> = fc
  .record(
    {
      externalId: text,
      userName: text,
      name: fc.record({ formatted: text, familyName: text, givenName: text }, { requiredKeys: ['givenName'] }),
      displayName: text,
      active: fc.boolean(),
      emails: fc.array(typed, { minLength: 1, maxLength: 2 }),
      phoneNumbers: fc.array(typed, { minLength: 1, maxLength: 2 }),
      addresses: fc.array(fc.record({ streetAddress: text, locality: text, type: fc.constant('work') }, { requiredKeys: ['locality'] }), {
        minLength: 1,
        maxLength: 1,
      }),
      [ENT]: fc.record({ employeeNumber: text, department: text, manager: fc.record({ value: text }) }, { requiredKeys: ['department'] }),
      groups: fc.array(fc.record({ value: text, $ref: text, display: text, type: fc.constantFrom('direct', 'indirect') }), {
        minLength: 1,
        maxLength: 2,
      }),
    },
    { requiredKeys: ['userName'] },
  )
  .map((doc) => ({ schemas: ENT in doc ? [USER_SCHEMA, ENT] : [USER_SCHEMA], id: '1', ...doc, meta: meta('User') }));
const canonicalGroup: fc.Arbitrary<JsonObject> = fc
  .record({ externalId: text, displayName: text }, { requiredKeys: ['displayName'] })
  .map((doc) => ({ schemas: [GROUP_SCHEMA], id: 'g', ...doc, meta: meta('Group') }));

// Canonical documents are frozen: the pass-through path must not write to what it shares. Odd
// ones are not: with an own "__proto__" key, the reference's `out[k] = v` makes the frozen
// value the output's prototype and then throws on the next key of the same name.
const document = (kind: Kind): fc.Arbitrary<JsonObject> =>
  fc.oneof((kind === 'User' ? canonicalUser : canonicalGroup).map((d) => deepFreeze(d)), oddDocument(kind));

const ITEMS: Record<Kind, readonly string[]> = {
  User: ['userName', 'USERNAME', 'name', 'name.givenName', 'Name.FamilyName', 'emails', 'emails.value', 'emails[type eq "work"].value',
    'emails.primary', 'addresses.locality', 'meta', 'meta.created', 'meta.resourceType', 'id', 'externalId', 'password', 'groups',
    'groups.display', ENT, ENT.toUpperCase(), `${ENT}:manager`, `${ENT}:manager.value`, 'manager', 'department', 'displayName',
    `${USER_SCHEMA}:userName`, USER_SCHEMA, 'bogus', 'name.bogus', 'urn:x:y', ''],
  Group: ['displayName', 'members', 'members.value', 'members[value eq "1"]', 'meta', 'meta.location', 'id', 'externalId',
    GROUP_SCHEMA, 'userName', 'bogus', ''],
};
const list = (kind: Kind): fc.Arbitrary<string | string[] | undefined> =>
  fc.option(
    fc.oneof(
      fc.array(fc.constantFrom(...ITEMS[kind]), { maxLength: 4 }).map((items) => items.join(',')),
      fc.array(fc.constantFrom(...ITEMS[kind]), { minLength: 1, maxLength: 2 }),
    ),
    { nil: undefined, freq: 2 },
  );
const params = (kind: Kind): fc.Arbitrary<ProjectionParams> => fc.record({ attributes: list(kind), excludedAttributes: list(kind) });

// ------------------------------------------------------------------ properties

const WANTS: Record<Kind, readonly string[]> = {
  User: ['groups', 'groups.display', 'meta', 'meta.created', 'password', 'id', 'manager', 'name.givenName', 'nope'],
  Group: ['members', 'members.value', 'displayName', 'meta.resourceType', 'nope'],
};

const matchesReference = (kind: Kind, docs: readonly JsonObject[], projection: Projection): void => {
  const rs = getResourceSchema(kind);
  for (const doc of docs) {
    const before = JSON.stringify(doc);
    const expected = referenceProjection(rs, doc, projection);
    const actual = applyProjection(rs, doc, projection);
    expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    expect(actual).not.toBe(doc);
    expect(JSON.stringify(doc)).toBe(before);
  }
  for (const name of WANTS[kind]) expect(wantsAttribute(rs, projection, name), name).toBe(referenceWants(rs, projection, name));
};

describe.each<Kind>(['User', 'Group'])('%s: projection equals the general algorithm', (kind) => {
  const rs = getResourceSchema(kind);
  const docs = fc.array(document(kind), { minLength: 1, maxLength: 3 });

  it('default view (no attributes / excludedAttributes): the pass-through path', () => {
    fc.assert(
      fc.property(docs, (ds) => {
        matchesReference(kind, ds, NO_PROJECTION);
        matchesReference(kind, ds, parseProjection(rs, {}));
      }),
      RUNS,
    );
  });

  it('random attributes / excludedAttributes, one parsed projection for several documents', () => {
    fc.assert(
      fc.property(docs, params(kind), (ds, p) => matchesReference(kind, ds, parseProjection(rs, p))),
      RUNS,
    );
  });
});

describe('pass-through edge cases', () => {
  const rs = getResourceSchema('User');
  it.each<[string, JsonObject]>([
    ['an empty complex value is dropped', { userName: 'u', name: {}, emails: [] }],
    ['an empty element is dropped', { emails: [{ value: 'a' }, {}] }],
    ['an own "__proto__" key is not copied', JSON.parse('{"userName":"u","__proto__":{"x":1},"emails":[{"value":"a","__proto__":1}]}')],
    ['an extension left empty loses its schemas URN', { schemas: [USER_SCHEMA, ENT.toUpperCase()], [ENT]: {} }],
    ['an extension URN with a non-object value is an unknown key', { schemas: [USER_SCHEMA], [ENT]: 'x' }],
    ['password is dropped', { userName: 'u', password: 'p', PASSWORD: 'q' }],
  ])('%s', (_t, doc) => {
    const expected = referenceProjection(rs, doc, NO_PROJECTION);
    expect(JSON.stringify(applyProjection(rs, doc, NO_PROJECTION))).toBe(JSON.stringify(expected));
  });

  it('a projection parsed for one resource type is not reused for another', () => {
    const p = parseProjection(rs, { excludedAttributes: 'displayName' });
    const group = getResourceSchema('Group');
    const doc = { schemas: [GROUP_SCHEMA], id: 'g', displayName: 'G' };
    applyProjection(rs, { displayName: 'x' }, p);
    expect(applyProjection(group, doc, p)).toEqual(referenceProjection(group, doc, p));
  });
});
