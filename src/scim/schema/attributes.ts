// Small constructors for AttributeDef values, so the RFC 7643 §8.7.1 tables in
// definitions.ts read as one line per attribute. Defaults follow RFC 7643 §2.2:
// "required" false, "caseExact" false, "mutability" readWrite, "returned" default,
// "uniqueness" none.
import type { AttributeDef } from './types.js';

type Overrides = Partial<Omit<AttributeDef, 'name' | 'type' | 'description'>>;

const base = (name: string, type: AttributeDef['type'], description: string, o: Overrides): AttributeDef => ({
  name,
  type,
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...o,
});

export const str = (name: string, description: string, o: Overrides = {}): AttributeDef => base(name, 'string', description, o);

export const bool = (name: string, description: string, o: Overrides = {}): AttributeDef => base(name, 'boolean', description, o);

export const dateTime = (name: string, description: string, o: Overrides = {}): AttributeDef => base(name, 'dateTime', description, o);

export const ref = (name: string, referenceTypes: readonly string[], description: string, o: Overrides = {}): AttributeDef =>
  base(name, 'reference', description, { referenceTypes, ...o });

export const binary = (name: string, description: string, o: Overrides = {}): AttributeDef => base(name, 'binary', description, o);

export const complex = (name: string, description: string, subAttributes: readonly AttributeDef[], o: Overrides = {}): AttributeDef =>
  base(name, 'complex', description, { subAttributes, ...o });

const PRIMARY_TEXT =
  "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.";
const DISPLAY_TEXT = 'A human-readable name, primarily used for display purposes.  READ-ONLY.';

/**
 * The common shape of RFC 7643 §2.4 multi-valued complex attributes (emails, phoneNumbers,
 * ims, photos, entitlements, roles, x509Certificates): value, display, type, primary.
 */
export const multiValuedComplex = (
  name: string,
  description: string,
  value: AttributeDef,
  typeText: string,
  canonicalValues: readonly string[] | undefined,
): AttributeDef =>
  complex(
    name,
    description,
    [
      value,
      str('display', DISPLAY_TEXT),
      str('type', typeText, canonicalValues === undefined ? {} : { canonicalValues }),
      bool('primary', PRIMARY_TEXT),
    ],
    { multiValued: true },
  );

/** Recursively freezes registry data: the registry is shared by every request. */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};
