import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cloneJson } from './json-utils.js';
import type { JsonValue } from '../../domain/json.js';

describe('cloneJson', () => {
  it('copies any JSON value deeply: equal to the original, sharing no object or array with it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = cloneJson(value as JsonValue);
        expect(copy).toStrictEqual(structuredClone(value));
        const shared = (a: unknown, b: unknown): boolean => {
          if (a === null || typeof a !== 'object') return false;
          if (a === b) return true;
          return Object.keys(a).some((k) => shared((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
        };
        expect(shared(copy, value)).toBe(false);
      }),
    );
  });

  it('keeps a "__proto__" key an own property, never the prototype', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"a":[{"__proto__":1}]}') as JsonValue;
    const copy = cloneJson(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
  });
});
