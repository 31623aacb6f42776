// spliceStoredView against the general path it stands in for (issue #15): for stored documents —
// canonical ones as the codec writes them, and odd ones (keys id/meta/groups/members/password in any
// case, "__proto__", integer-like keys, empty arrays, no schemas) — and random projections, whenever
// the splice answers, its text is byte-for-byte JSON.stringify(applyProjection(full)) with full
// built as scim-resources.ts render builds it from JSON.parse of the stored text. And it does answer
// for every canonical document in the default view (otherwise the fast path would be dead code).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { DEFAULT_SCIM_LIMITS } from '../limits.js';
import { ENTERPRISE_USER_SCHEMA as ENT, getResourceSchema } from '../schema/registry.js';
import { normalizeForWrite } from './codec.js';
import { applyProjection, keepsStoredDocument, NO_PROJECTION, parseProjection, wantsAttribute, type Projection, type ProjectionParams } from './projection.js';
import { spliceStoredView } from './stored-view.js';

type Kind = 'User' | 'Group';
const RUNS = { numRuns: 500 };

const meta = (kind: Kind): JsonObject => ({ resourceType: kind, created: '2026-01-01T00:00:00Z', lastModified: '2026-01-02T00:00:00Z', location: `https://x/${kind}s/1`, version: 'W/"3"' });
const GROUPS: JsonValue = [{ value: 'g1', $ref: 'https://x/Groups/g1', display: 'Admins', type: 'direct' }];

/** The general path of render(): parse, {schemas, id, ...rest, meta, derived}, project, stringify. */
function general(kind: Kind, text: string, projection: Projection, withGroups: boolean): string {
  const rs = getResourceSchema(kind);
  const { schemas, ...rest } = JSON.parse(text) as JsonObject;
  const full: JsonObject = { schemas: schemas ?? [rs.core.id], id: '1', ...rest, meta: meta(kind) };
  if (withGroups) full['groups'] = GROUPS;
  return JSON.stringify(applyProjection(rs, full, projection));
}

function spliced(kind: Kind, text: string, projection: Projection, withGroups: boolean): string | undefined {
  const rs = getResourceSchema(kind);
  if (!keepsStoredDocument(rs, projection)) return undefined;
  return spliceStoredView(rs, text, '1', meta(kind), withGroups ? [['groups', GROUPS]] : []);
}

const groupsWanted = (kind: Kind, projection: Projection): boolean => kind === 'User' && wantsAttribute(getResourceSchema(kind), projection, 'groups');

const text = fc.oneof(fc.constantFrom('x', 'work', 'a"b', 'back\\slash', '"id":', 'ü', '\u2028', '😀', '7'), fc.string({ maxLength: 6 }));
// Text that cannot look like JSON structure: with it every canonical document must be spliced (a
// string value holding ":[]" or ":{}" is a false alarm of the guard, answered by the general path).
const plain = text.filter((s) => !/[[\]{}]/.test(s));
const typedOf = (text: fc.Arbitrary<string>) => fc.record({ value: text, type: fc.constantFrom('work', 'home'), primary: fc.boolean() }, { requiredKeys: ['value'] });
const userBodyOf = (text: fc.Arbitrary<string>) => fc.record(
  {
    externalId: text,
    userName: text,
    name: fc.record({ formatted: text, familyName: text, givenName: text }, { requiredKeys: ['givenName'] }),
    displayName: text,
    active: fc.boolean(),
    password: text,
    emails: fc.array(typedOf(text), { maxLength: 2 }),
    phoneNumbers: fc.array(typedOf(text), { maxLength: 2 }),
    [ENT]: fc.record({ employeeNumber: text, department: text, manager: fc.record({ value: text }) }, { requiredKeys: ['department'] }),
  },
  { requiredKeys: ['userName'] },
);
const userBody = userBodyOf(text);
const groupBodyOf = (text: fc.Arbitrary<string>) => fc.record({ externalId: text, displayName: text }, { requiredKeys: ['displayName'] });
const groupBody = groupBodyOf(text);

/** What storage holds for a create of this body (undefined when the codec refuses it). */
function canonicalText(kind: Kind, body: JsonObject): string | undefined {
  try {
    return JSON.stringify(normalizeForWrite(getResourceSchema(kind), body, { mode: 'create', limits: DEFAULT_SCIM_LIMITS }));
  } catch {
    return undefined;
  }
}

const ODD_KEYS = ['id', 'ID', 'meta', 'Meta', 'groups', 'Groups', 'members', 'password', 'PassWord', '__proto__', '7', 'userName', 'displayName', 'emails', 'bogus', ENT];
const leaf = fc.oneof(text, fc.boolean(), fc.constant(null), fc.integer({ min: -2, max: 99 }));
const oddValue: fc.Arbitrary<JsonValue> = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 2 }),
  fc.array(fc.array(fc.tuple(fc.constantFrom('value', 'id', '__proto__', '0'), leaf), { maxLength: 2 }).map((e) => Object.fromEntries(e) as JsonObject), { maxLength: 2 }),
  fc.constantFrom<JsonValue>({}, [{}], [{ value: 'x' }, {}]),
);
/** Built like JSON.parse builds objects ("__proto__" an own key), stringified as storage would. */
const oddText = fc
  .tuple(fc.option(fc.array(fc.constantFrom<JsonValue>('urn:ietf:params:scim:schemas:core:2.0:User', ENT, 'urn:x', 1), { maxLength: 2 }), { nil: undefined }), fc.array(fc.tuple(fc.constantFrom(...ODD_KEYS), oddValue), { maxLength: 6 }))
  .map(([schemas, entries]) => JSON.stringify(Object.fromEntries([...(schemas === undefined ? [] : [['schemas', schemas]]), ...entries])));

const ITEMS = ['userName', 'name.givenName', 'emails', 'meta', 'groups', 'members', 'password', 'externalId', ENT, `${ENT}:manager`, 'displayName', 'bogus'];
const params: fc.Arbitrary<ProjectionParams> = fc.record({
  attributes: fc.option(fc.array(fc.constantFrom(...ITEMS), { maxLength: 2 }).map((a) => a.join(',')), { nil: undefined, freq: 3 }),
  excludedAttributes: fc.option(fc.array(fc.constantFrom(...ITEMS), { maxLength: 2 }).map((a) => a.join(',')), { nil: undefined, freq: 2 }),
});

function agrees(kind: Kind, stored: string, p: ProjectionParams): void {
  const projection = parseProjection(getResourceSchema(kind), p);
  const withGroups = groupsWanted(kind, projection);
  const out = spliced(kind, stored, projection, withGroups);
  if (out !== undefined) expect(out).toBe(general(kind, stored, projection, withGroups));
}

describe('spliceStoredView', () => {
  it('User: every canonical document is spliced in the default view, to the general path’s bytes', () => {
    fc.assert(
      fc.property(userBodyOf(plain), fc.boolean(), (body, withGroups) => {
        const stored = canonicalText('User', body);
        if (stored === undefined) return;
        const out = spliced('User', stored, NO_PROJECTION, withGroups);
        expect(out).toBeDefined();
        expect(out).toBe(general('User', stored, NO_PROJECTION, withGroups));
      }),
      RUNS,
    );
  });

  it('Group: every canonical document is spliced in the default view and without members', () => {
    const rs = getResourceSchema('Group');
    const noMembers = parseProjection(rs, { excludedAttributes: 'members' });
    fc.assert(
      fc.property(groupBodyOf(plain), (body) => {
        const stored = canonicalText('Group', body);
        if (stored === undefined) return;
        for (const p of [NO_PROJECTION, noMembers]) expect(spliced('Group', stored, p, false)).toBe(general('Group', stored, p, false));
      }),
      RUNS,
    );
  });

  it('agrees with the general path for any projection of canonical documents', () => {
    fc.assert(fc.property(userBody, params, (body, p) => void (canonicalText('User', body) !== undefined && agrees('User', canonicalText('User', body)!, p))), RUNS);
    fc.assert(fc.property(groupBody, params, (body, p) => void (canonicalText('Group', body) !== undefined && agrees('Group', canonicalText('Group', body)!, p))), RUNS);
  });

  it('agrees with the general path, or declines, for odd documents', () => {
    fc.assert(fc.property(oddText, params, (stored, p) => agrees('User', stored, p)), RUNS);
    fc.assert(fc.property(oddText, params, (stored, p) => agrees('Group', stored, p)), RUNS);
  });

  it('declines a stored text with a key the general path overrides or drops', () => {
    const rs = getResourceSchema('User');
    const m = meta('User');
    const head = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]';
    for (const rest of [',"id":"x"', ',"Meta":{}', ',"groups":[]', ',"password":"p"', ',"__proto__":{}', ',"7":1', ',"emails":[]', ',"emails":[{}]', ',"name":{}', ',"name":{"ID":1}'])
      expect(spliceStoredView(rs, `${head},"userName":"a"${rest}}`, '1', m, []), rest).toBeUndefined();
    expect(spliceStoredView(rs, '{"userName":"a","schemas":[]}', '1', m, [])).toBeUndefined();
    expect(spliceStoredView(rs, `${head}}`, '1', m, [])).toBe(`${head},"id":"1","meta":${JSON.stringify(m)}}`);
  });
});
