// SCIM filter AST (RFC 7644 §3.4.2.2) as frozen data with a closed `kind` union.
// The same AST serves GET filters, `.search`, PATCH paths and the `attributes` parameter.
// Nodes carry the character offset where they start, so errors can point at the token.

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type LogicalOp = 'and' | 'or';

/** A literal as written in the filter: string, number, true/false or null. */
export type FilterValue = string | number | boolean | null;

/**
 * An attribute path: `[urn ":"] name ["." sub]`.
 * `urn` is the schema URN exactly as written (lookups are case-insensitive), e.g.
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` for
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
 */
export interface AttrPath {
  readonly kind: 'AttrPath';
  readonly urn: string | undefined;
  readonly name: string;
  readonly sub: string | undefined;
  readonly offset: number;
}

/** `path op value`, e.g. `userName eq "bjensen"`. */
export interface AttrExpression {
  readonly kind: 'AttrExpression';
  readonly path: AttrPath;
  readonly op: CompareOp;
  readonly value: FilterValue;
  readonly offset: number;
}

/** `path pr`. */
export interface Present {
  readonly kind: 'Present';
  readonly path: AttrPath;
  readonly offset: number;
}

/** `left and right`, `left or right`. */
export interface Logical {
  readonly kind: 'Logical';
  readonly op: LogicalOp;
  readonly left: Filter;
  readonly right: Filter;
  readonly offset: number;
}

/** `not (filter)`. */
export interface Not {
  readonly kind: 'Not';
  readonly filter: Filter;
  readonly offset: number;
}

/**
 * `attr[filter]`, e.g. `emails[type eq "work" and value co "@example.com"]`.
 * Paths inside `filter` are relative to the complex attribute (`type`, `value`).
 */
export interface ValuePath {
  readonly kind: 'ValuePath';
  readonly path: AttrPath;
  readonly filter: Filter;
  readonly offset: number;
}

export type Filter = AttrExpression | Present | Logical | Not | ValuePath;

/**
 * A PATCH path (RFC 7644 §3.5.2): `attrPath`, or `valuePath ["." subAttr]`, e.g.
 * `members`, `name.givenName`, `emails[type eq "work"]`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
 */
export interface PatchPath {
  readonly kind: 'PatchPath';
  readonly path: AttrPath;
  readonly valueFilter: Filter | undefined;
  /** Sub-attribute after a value filter: `emails[type eq "work"].value` → `value`. */
  readonly subAfterFilter: string | undefined;
  readonly offset: number;
}
