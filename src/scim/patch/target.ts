// A PATCH path resolved against the registry: which attribute, which sub-attribute, which value
// filter, and where it lives in the canonical document. The only place that turns path text
// into attribute definitions, so add/remove/replace never look a name up themselves.
import { invalidPath, mutability } from '../errors.js';
import type { Filter, PatchPath } from '../filter/ast.js';
import { printAttrPath } from '../filter/print.js';
import { resolveAttrPath, type ResourceSchema } from '../schema/registry.js';
import type { AttributeDef } from '../schema/types.js';
import { sameName } from './json-utils.js';

/** What the operation's `value` must describe. */
export type TargetLevel =
  /** The whole attribute: `emails`, `name`, `userName`. */
  | 'attribute'
  /** Matching elements of a multi-valued attribute: `emails[type eq "work"]`. */
  | 'element'
  /** A sub-attribute: `name.givenName`, `emails[type eq "work"].value`, `emails.value`. */
  | 'sub';

export interface Target {
  /** The top-level attribute (canonical definition). */
  readonly attr: AttributeDef;
  /** The sub-attribute, from `attr.sub` or from `attr[filter].sub`. */
  readonly sub: AttributeDef | undefined;
  readonly filter: Filter | undefined;
  /** Canonical extension URN holding the attribute in the document, or undefined (top level). */
  readonly container: string | undefined;
  /** True for the attribute stored as rows, not in the document (`rs.membershipAttribute`). */
  readonly isMembership: boolean;
  readonly level: TargetLevel;
  /** The path for messages, in canonical spelling. */
  readonly label: string;
}

const labelOf = (container: string | undefined, attr: AttributeDef, sub: AttributeDef | undefined, filtered: boolean): string =>
  `${container === undefined ? '' : `${container}:`}${attr.name}${filtered ? '[…]' : ''}${sub === undefined ? '' : `.${sub.name}`}`;

/**
 * Resolves a parsed PATCH path (RFC 7644 §3.5.2 "path") against the resource type. An unknown
 * attribute or sub-attribute, a value filter on a single-valued attribute, or a sub-attribute
 * both before and after a filter is 400 `invalidPath` (RFC 7644 §3.5.2: "If the target location
 * path ... does not identify a valid attribute").
 */
export function resolveTarget(rs: ResourceSchema, path: PatchPath): Target {
  const { valueFilter, subAfterFilter } = path;
  if (path.path.sub !== undefined && subAfterFilter !== undefined) {
    throw invalidPath('A path may name a sub-attribute only once.', 'SCIM_E_PATCH_030', { position: path.offset });
  }
  const attrPath = { ...path.path, sub: path.path.sub ?? subAfterFilter };
  const resolved = resolveAttrPath(rs, attrPath);
  if (resolved === undefined) {
    throw invalidPath(`"${printAttrPath(attrPath)}" is not an attribute of ${rs.type.name}.`, 'SCIM_E_PATCH_031', { position: path.path.offset });
  }
  const { attr, sub } = resolved;
  if (valueFilter !== undefined && !attr.multiValued) {
    throw invalidPath(`"${attr.name}" is single-valued; a value filter applies only to multi-valued attributes.`, 'SCIM_E_PATCH_032', {
      position: path.offset,
    });
  }
  const container = resolved.isExtension ? resolved.schema : undefined;
  const isMembership =
    rs.membershipAttribute !== undefined && container === undefined && !resolved.isCommon && sameName(attr.name, rs.membershipAttribute);
  const level: TargetLevel = sub !== undefined ? 'sub' : valueFilter !== undefined ? 'element' : 'attribute';
  return { attr, sub, filter: valueFilter, container, isMembership, level, label: labelOf(container, attr, sub, valueFilter !== undefined) };
}

/**
 * RFC 7644 §3.5.2: "Each operation against an attribute MUST be compatible with the attribute's
 * mutability". readOnly attributes (`id`, `meta`, `groups`) and attributes derived from other
 * data (R-CORE-21) cannot be written by PATCH: 400 `mutability` (R-CORE-19). Immutable
 * attributes are checked against the document by apply-patch.ts.
 */
export function assertWritable(rs: ResourceSchema, t: Target): void {
  const derived = t.container === undefined && rs.derivedAttributes.some((n) => sameName(n, t.attr.name));
  if (derived || t.attr.mutability === 'readOnly' || t.sub?.mutability === 'readOnly') {
    throw mutability(`"${t.label}" is read-only and cannot be modified.`, 'SCIM_E_PATCH_033');
  }
}
