// The default view of a resource as JSON text, spliced from the stored document's text (issue #15):
// no JSON.parse of the stored document and no JSON.stringify of the whole resource.
//
// It must give exactly the bytes of the general path, JSON.stringify(applyProjection(rs, full, p))
// with full = { schemas, id, ...rest, meta, ...derived } (scim-resources.ts render). That holds when
//   * the projection keeps every stored attribute whole (`keepsStoredDocument`): the default view and
//     excludedAttributes of attributes a document never stores;
//   * the text is what JSON.stringify wrote (storage writes nothing else): parse + stringify of it
//     gives it back, key order included — except for integer-like keys, which V8 orders first;
//   * the document has no key the general path drops or overrides: id, meta, an attribute the
//     service adds (User.groups, Group.members), a `returned: never` attribute, `__proto__`, an integer-like key — nor an empty array
//     or object, which the general path does not keep as it is (projection.ts isPlainValue).
// The canonical documents the codec writes satisfy the last two by construction (codec.ts), and
// this module checks them on the text anyway, at any depth, so that a document from anywhere else
// (an older version, manual SQL) takes the general path instead of a wrong answer. A false alarm only
// costs the general path.
import type { JsonValue } from '../../domain/json.js';
import type { ResourceSchema } from '../schema/registry.js';

/** `{"schemas":[` URN strings `]` at the very start: the form JSON.stringify gives a canonical document (sticky: no match array). */
const SCHEMAS_HEAD = /\{"schemas":\[(?:"[^"\\]*"(?:,"[^"\\]*")*)?\]/y;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const GUARDS = new WeakMap<ResourceSchema, RegExp>();

/** A key (or an empty array or object), anywhere in the text, that the general path would not copy as it is. */
function guardFor(rs: ResourceSchema): RegExp {
  let re = GUARDS.get(rs);
  if (re === undefined) {
    const never = [...rs.common, ...rs.core.attributes, ...rs.extensions.flatMap((e) => e.attributes)].filter((a) => a.returned === 'never').map((a) => a.name);
    const added = [...rs.derivedAttributes, ...(rs.membershipAttribute === undefined ? [] : [rs.membershipAttribute])];
    const names = ['id', 'meta', 'schemas', '__proto__', ...added, ...never].map(escapeRegExp);
    // Keys are matched whatever their letter case: the registry resolves names that way.
    re = new RegExp(`"(?:${names.join('|')}|\\d+)":|:\\[\\]|[:[,]\\{\\}`, 'gi');
    GUARDS.set(rs, re);
  }
  return re;
}

/**
 * `{"schemas":[…],"id":…,<the stored attributes>,"meta":…,<tail>}` from the stored text, or
 * undefined when the text is not of the form this can splice (then render through the document).
 * `tail`: the derived attributes present, in order (User.groups).
 */
export function spliceStoredView(
  rs: ResourceSchema,
  text: string,
  id: string,
  meta: JsonValue,
  tail: ReadonlyArray<readonly [string, JsonValue]>,
): string | undefined {
  SCHEMAS_HEAD.lastIndex = 0;
  if (!SCHEMAS_HEAD.test(text) || text.charCodeAt(text.length - 1) !== 0x7d /* } */) return undefined;
  const after = SCHEMAS_HEAD.lastIndex;
  const guard = guardFor(rs);
  guard.lastIndex = after;
  const suspicious = guard.test(text);
  guard.lastIndex = 0;
  if (suspicious) return undefined;
  let out = `${text.slice(0, after)},"id":${JSON.stringify(id)}`;
  const next = text.charCodeAt(after);
  if (next === 0x2c /* , */) out += text.slice(after, -1);
  else if (after !== text.length - 1) return undefined;
  out += `,"meta":${JSON.stringify(meta)}`;
  for (const [name, value] of tail) out += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
  return `${out}}`;
}
