import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isScimError } from '../errors.js';
import type {
  AttrExpression,
  AttrPath,
  CompareOp,
  Filter,
  FilterValue,
  Logical,
  Not,
  PatchPath,
  Present,
  ValuePath,
} from './ast.js';
import { evaluateFilter } from './evaluate.js';
import { parseAttrPath, parseFilter, parsePatchPath, type FilterLimits } from './parser.js';
import { printFilter, printPatchPath } from './print.js';
import { stripOffsets } from './strip-offsets.js';

const RUNS = { numRuns: 500 };
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ROOMY: Partial<FilterLimits> = { maxLength: 1_000_000, maxDepth: 1000, maxClauses: 100_000 };

// --- (a) arbitrary input only ever fails with the documented ScimErrors ------------------------

/** Filter-ish fragments, so random input reaches deep parser states, not just the lexer. */
const fragment = fc.constantFrom(
  ' ',
  ' ',
  '(',
  ')',
  '[',
  ']',
  '"',
  '\\',
  '.',
  ':',
  'not',
  'NOT',
  'and',
  'or',
  'Or',
  'eq',
  'pr',
  'PR',
  'co',
  'gt',
  'eqq',
  '"x"',
  '"a\\"b"',
  '"\\u00e9"',
  '"\\uZZ"',
  'userName',
  'emails',
  '.value',
  'name.familyName',
  `${ENTERPRISE}:manager.value`,
  'urn:x:',
  '1',
  '-2.5e3',
  '1e999',
  '007',
  'true',
  'Null',
  '2015-10-10T14:38:21-07:00',
  '$ref',
  'a.b.c',
  '\t',
  '\u00a0',
);
const filterish = fc.array(fragment, { maxLength: 24 }).map((parts) => parts.join(''));
const anyText = fc.oneof(
  filterish,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
);

function expectOnlyScimErrors(text: string, parse: () => unknown, allowed: readonly string[]): unknown {
  try {
    return parse();
  } catch (e) {
    if (!isScimError(e)) throw e;
    expect(allowed).toContain(e.scimType);
    expect(e.status).toBe(400);
    expect(e.code).toMatch(/^SCIM_E_(FILTER|PATH)_\d{3}$/);
    expect(Number.isInteger(e.position)).toBe(true);
    expect(e.position).toBeGreaterThanOrEqual(0);
    expect(e.position).toBeLessThanOrEqual(text.length);
    return undefined;
  }
}

describe('parsers on arbitrary input', () => {
  it('parseFilter throws nothing but invalidFilter/tooMany, and what parses round-trips', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const ast = expectOnlyScimErrors(text, () => parseFilter(text), ['invalidFilter', 'tooMany']) as
          Filter | undefined;
        if (ast !== undefined) expect(stripOffsets(parseFilter(printFilter(ast)))).toEqual(stripOffsets(ast));
      }),
      RUNS,
    );
  });

  it('parsePatchPath and parseAttrPath throw nothing but invalidPath', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const path = expectOnlyScimErrors(text, () => parsePatchPath(text), ['invalidPath']) as PatchPath | undefined;
        if (path !== undefined) expect(stripOffsets(parsePatchPath(printPatchPath(path)))).toEqual(stripOffsets(path));
        expectOnlyScimErrors(text, () => parseAttrPath(text), ['invalidPath']);
      }),
      RUNS,
    );
  });
});

// --- (b) random ASTs survive print → parse --------------------------------------------------

const attrName = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,7}$/),
  // Keyword-like names are legal attribute names and must print unambiguously.
  fc.constantFrom('not', 'NOT', 'and', 'or', 'pr', 'eq', 'true', 'null', '$ref'),
);
const urn: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(CORE_USER, ENTERPRISE) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,6}$/), { minLength: 1, maxLength: 4 })
      .map((s) => `urn:${s.join(':')}`),
  },
);
const attrPath = (withSub: boolean): fc.Arbitrary<AttrPath> =>
  fc.record({
    kind: fc.constant('AttrPath' as const),
    urn,
    name: attrName,
    sub: withSub ? fc.option(attrName, { nil: undefined }) : fc.constant(undefined),
    offset: fc.constant(0),
  });
const value: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const compareOp = fc.constantFrom<CompareOp>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
const comparison: fc.Arbitrary<AttrExpression | Present> = fc.oneof(
  fc.record({
    kind: fc.constant('AttrExpression' as const),
    path: attrPath(true),
    op: compareOp,
    value,
    offset: fc.constant(0),
  }),
  fc.record({ kind: fc.constant('Present' as const), path: attrPath(true), offset: fc.constant(0) }),
);

// A type alias, not an interface: fc.letrec's typed overload needs T extends Record<string, unknown>.
type Trees = {
  filter: Filter;
  inner: Filter;
  logical: Logical;
  not: Not;
  valuePath: ValuePath;
  innerLogical: Logical;
  innerNot: Not;
};
const logicalOf = (operand: fc.Arbitrary<Filter>): fc.Arbitrary<Logical> =>
  fc.record({
    kind: fc.constant('Logical' as const),
    op: fc.constantFrom('and' as const, 'or' as const),
    left: operand,
    right: operand,
    offset: fc.constant(0),
  });
const notOf = (operand: fc.Arbitrary<Filter>): fc.Arbitrary<Not> =>
  fc.record({ kind: fc.constant('Not' as const), filter: operand, offset: fc.constant(0) });

// Value filters cannot nest, so trees inside "[...]" are drawn from `inner`, which has no ValuePath.
const trees = fc.letrec<Trees>((tie) => ({
  filter: fc.oneof({ depthSize: 'small', maxDepth: 5 }, comparison, tie('logical'), tie('not'), tie('valuePath')),
  inner: fc.oneof({ depthSize: 'small', maxDepth: 4 }, comparison, tie('innerLogical'), tie('innerNot')),
  logical: logicalOf(tie('filter')),
  not: notOf(tie('filter')),
  valuePath: fc.record({
    kind: fc.constant('ValuePath' as const),
    path: attrPath(false),
    filter: tie('inner'),
    offset: fc.constant(0),
  }),
  innerLogical: logicalOf(tie('inner')),
  innerNot: notOf(tie('inner')),
}));

const patchPath: fc.Arbitrary<PatchPath> = fc.oneof(
  fc.record({
    kind: fc.constant('PatchPath' as const),
    path: attrPath(true),
    valueFilter: fc.constant(undefined),
    subAfterFilter: fc.constant(undefined),
    offset: fc.constant(0),
  }),
  fc.record({
    kind: fc.constant('PatchPath' as const),
    path: attrPath(false),
    valueFilter: trees.inner,
    subAfterFilter: fc.option(attrName, { nil: undefined }),
    offset: fc.constant(0),
  }),
);

describe('print → parse round trip', () => {
  it('holds for random filter ASTs', () => {
    fc.assert(
      fc.property(trees.filter, (ast) => {
        expect(stripOffsets(parseFilter(printFilter(ast), ROOMY))).toEqual(stripOffsets(ast));
      }),
      RUNS,
    );
  });

  it('holds for random PATCH paths', () => {
    fc.assert(
      fc.property(patchPath, (ast) => {
        expect(stripOffsets(parsePatchPath(printPatchPath(ast), ROOMY))).toEqual(stripOffsets(ast));
      }),
      RUNS,
    );
  });

  it('printing is canonical: print(parse(print(ast))) === print(ast)', () => {
    fc.assert(
      fc.property(trees.filter, (ast) => {
        const printed = printFilter(ast);
        expect(printFilter(parseFilter(printed, ROOMY))).toBe(printed);
      }),
      RUNS,
    );
  });
});

describe('evaluateFilter on random documents', () => {
  it('"ne" is the complement of "eq"', () => {
    const options = { caseExact: () => false };
    // Paths and documents share a few names, so lookups actually find values.
    const name = fc.constantFrom('a', 'A', 'b', 'value');
    const nearPath: fc.Arbitrary<AttrPath> = fc.record({
      kind: fc.constant('AttrPath' as const),
      urn: fc.constant(undefined),
      name,
      sub: fc.option(name, { nil: undefined }),
      offset: fc.constant(0),
    });
    const doc = fc.dictionary(
      name,
      fc.oneof(value, fc.jsonValue({ maxDepth: 2 }), fc.array(fc.dictionary(name, value))),
    );
    fc.assert(
      fc.property(nearPath, value, doc, (path, v, target) => {
        const eq: Filter = { kind: 'AttrExpression', path, op: 'eq', value: v, offset: 0 };
        const ne: Filter = { ...eq, op: 'ne' };
        expect(evaluateFilter(ne, target, options)).toBe(!evaluateFilter(eq, target, options));
      }),
      RUNS,
    );
  });

  it('never throws, and "not" negates', () => {
    const options = { caseExact: (p: AttrPath) => p.name.length % 2 === 0 };
    fc.assert(
      fc.property(trees.filter, fc.jsonValue({ maxDepth: 4 }), (ast, target) => {
        const result = evaluateFilter(ast, target, options);
        expect(typeof result).toBe('boolean');
        expect(evaluateFilter({ kind: 'Not', filter: ast, offset: 0 }, target, options)).toBe(!result);
      }),
      RUNS,
    );
  });
});
