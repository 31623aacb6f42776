import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNameIndex } from './name-index.js';

const same = (a: string, b: string): boolean => a.length === b.length && a.toLowerCase() === b.toLowerCase();
const NAMES = ['userName', 'USERNAME', 'id', 'urn:ietf:params:scim:schemas:core:2.0:User', '$ref', 'x509Certificates', 'nickName'];

describe('buildNameIndex', () => {
  const entries = NAMES.map((name, i) => ({ name, i }));
  const index = buildNameIndex(entries, (e) => e.name);

  it('is case-insensitive, and the first of two names equal but for case wins (as Array.find)', () => {
    expect(index.get('username')?.i).toBe(0);
    expect(index.get('USERNAME')?.i).toBe(0);
    expect(index.get('UsErNaMe')?.i).toBe(0);
    expect(index.get('URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER')?.i).toBe(3);
    expect(index.get('userName ')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
  });

  it('folds like the linear comparison it replaces, for any string', () => {
    // Case variants of the names, and strings with characters whose lower case is ASCII or longer
    // (KELVIN SIGN → k, İ → i̇).
    const variant = fc
      .tuple(fc.constantFrom(...NAMES), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }))
      .map(([n, flips]) => [...n].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
    const odd = fc.constantFrom('nic\u212AName', 'İd', 'i\u0307d', 'ID', 'Id\u0000');
    fc.assert(
      fc.property(fc.oneof(variant, odd, fc.string({ maxLength: 10 })), (name) => {
        expect(index.get(name)).toBe(entries.find((e) => same(e.name, name)));
      }),
      { numRuns: 500 },
    );
  });
});
