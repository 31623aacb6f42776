// Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2).
// One method per grammar rule; docs/scim/grammar.abnf is the grammar as implemented.
// Recursion only happens on "(", "not (" and "[", and each of those checks the depth limit
// first, so hostile input cannot exhaust the stack; and/or chains are parsed in loops.

import { invalidFilter, invalidPath, tooMany, type ScimError } from '../errors.js';
import type {
  AttrExpression,
  AttrPath,
  CompareOp,
  Filter,
  FilterValue,
  Logical,
  LogicalOp,
  Not,
  PatchPath,
  Present,
} from './ast.js';
import { checkAttrName, parseAttrPathText } from './attr-path.js';
import { describeToken, Lexer, type ErrorFactory, type Token, type TokenKind } from './lexer.js';

export interface FilterLimits {
  /** Maximum input length in characters. */
  readonly maxLength: number;
  /** Maximum nesting of "(...)", "not (...)" and "[...]" (each counts one level); capped at 256. */
  readonly maxDepth: number;
  /** Maximum number of comparisons (`attr op value` and `attr pr`). */
  readonly maxClauses: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = Object.freeze({ maxLength: 4096, maxDepth: 32, maxClauses: 100 });

type Input = 'filter' | 'path';

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const isCompareOp = (s: string): s is CompareOp => COMPARE_OPS.has(s);
const OPERATOR_LIST = 'a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le) or pr';
// RFC 8259 §6 number syntax: no leading "+", no leading zeros, no bare "." or trailing ".".
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
// Lexer whitespace; anything else (even U+00A0) is content.
const BLANK = /^[ \t\r\n]*$/;

/**
 * Parses a `filter` query parameter or `.search` filter into an AST.
 * Throws ScimError invalidFilter (syntax, length, depth) or tooMany (clause count).
 */
export function parseFilter(text: string, limits: Partial<FilterLimits> = {}): Filter {
  const resolved = resolveLimits(limits);
  checkInput(text, 'filter', resolved);
  return new Parser(text, 'filter', resolved).parseFilterRoot();
}

/** Parses a PATCH operation `path` (RFC 7644 §3.5.2). Throws ScimError invalidPath. */
export function parsePatchPath(text: string, limits: Partial<FilterLimits> = {}): PatchPath {
  const resolved = resolveLimits(limits);
  checkInput(text, 'path', resolved);
  return new Parser(text, 'path', resolved).parsePatchPathRoot();
}

/**
 * Parses one attribute path (`sortBy`, items of `attributes`/`excludedAttributes`).
 * Surrounding whitespace is ignored. Throws ScimError invalidPath; callers remap the scimType.
 */
export function parseAttrPath(text: string): AttrPath {
  checkInput(text, 'path', DEFAULT_FILTER_LIMITS);
  return new Parser(text, 'path', DEFAULT_FILTER_LIMITS).parseAttrPathRoot();
}

/** Recursion per nesting level is a few frames; past this a deep enough input could overflow the stack. */
const HARD_MAX_DEPTH = 256;

function resolveLimits(limits: Partial<FilterLimits>): FilterLimits {
  // Not a spread: a JS caller's `{ maxDepth: undefined }` must not disable the limit.
  const pick = (key: keyof FilterLimits): number => {
    const value = limits[key];
    return typeof value === 'number' && !Number.isNaN(value) ? value : DEFAULT_FILTER_LIMITS[key];
  };
  return {
    maxLength: pick('maxLength'),
    maxDepth: Math.min(pick('maxDepth'), HARD_MAX_DEPTH),
    maxClauses: pick('maxClauses'),
  };
}

function checkInput(text: string, input: Input, limits: FilterLimits): void {
  const fail = input === 'filter' ? invalidFilter : invalidPath;
  if (text.length > limits.maxLength) {
    const detail = `The ${input} is ${text.length} characters long; the maximum is ${limits.maxLength}`;
    throw fail(detail, input === 'filter' ? 'SCIM_E_FILTER_011' : 'SCIM_E_PATH_014', { position: limits.maxLength });
  }
  if (BLANK.test(text)) {
    throw fail(`The ${input} is empty`, input === 'filter' ? 'SCIM_E_FILTER_010' : 'SCIM_E_PATH_010', { position: 0 });
  }
}

const logical = (op: LogicalOp, left: Filter, right: Filter): Logical => ({
  kind: 'Logical',
  op,
  left,
  right,
  offset: left.offset,
});

class Parser {
  private readonly lexer: Lexer;
  private depth = 0;
  private clauses = 0;
  /** Inside `attr[...]`: value filters cannot nest (RFC 7644 §3.4.2.2 valFilter). */
  private inValueFilter = false;

  constructor(
    text: string,
    private readonly input: Input,
    private readonly limits: FilterLimits,
  ) {
    this.lexer = new Lexer(text, this.fail);
  }

  private readonly fail: ErrorFactory = (detail, code, position) =>
    (this.input === 'filter' ? invalidFilter : invalidPath)(detail, code, { position });

  // --- entry points ---------------------------------------------------------------------------

  /** FILTER, then end of input. */
  parseFilterRoot(): Filter {
    const filter = this.parseOr();
    this.expect('eof', '"and", "or" or end of filter', 'SCIM_E_FILTER_021');
    return filter;
  }

  /** PATH = attrPath / valuePath [subAttr] (RFC 7644 §3.5.2). */
  parsePatchPathRoot(): PatchPath {
    const path = this.parseAttrPathToken('SCIM_E_PATH_013');
    let valueFilter: Filter | undefined;
    let subAfterFilter: string | undefined;
    const open = this.lexer.peek();
    if (open.kind === 'lbracket') {
      this.checkValuePathStart(path, open);
      valueFilter = this.parseValFilter();
      subAfterFilter = this.parseSubAfterFilter()?.name;
    }
    this.expect('eof', 'end of path', 'SCIM_E_PATH_011');
    return { kind: 'PatchPath', path, valueFilter, subAfterFilter, offset: path.offset };
  }

  /** A lone attrPath. */
  parseAttrPathRoot(): AttrPath {
    const path = this.parseAttrPathToken('SCIM_E_PATH_017');
    const next = this.lexer.next();
    if (next.kind === 'lbracket') {
      throw this.fail(
        `Unexpected "[" at position ${next.offset}; a value filter is not allowed here`,
        'SCIM_E_PATH_012',
        next.offset,
      );
    }
    if (next.kind !== 'eof') throw this.unexpected(next, 'end of path', 'SCIM_E_PATH_018');
    return path;
  }

  // --- FILTER ---------------------------------------------------------------------------------

  /** logExp with "or": the loosest binding (precedence not > and > or, RFC 7644 §3.4.2.2). */
  private parseOr(): Filter {
    let left = this.parseAnd();
    while (this.peekKeyword('or')) {
      this.lexer.next();
      left = logical('or', left, this.parseAnd());
    }
    return left;
  }

  /** logExp with "and"; left-associative like "or". */
  private parseAnd(): Filter {
    let left = this.parseFactor();
    while (this.peekKeyword('and')) {
      this.lexer.next();
      left = logical('and', left, this.parseFactor());
    }
    return left;
  }

  /** "(" FILTER ")" / "not" "(" FILTER ")" / attrExp / valuePath. */
  private parseFactor(): Filter {
    const token = this.lexer.next();
    if (token.kind === 'lparen') return this.nested(token, () => this.parseGroupRest());
    if (token.kind !== 'word') throw this.unexpected(token, 'an attribute path, "not" or "("', 'SCIM_E_FILTER_014');
    // "not" is only a keyword before "(": otherwise it is an attribute called "not".
    if (token.value.toLowerCase() === 'not' && this.lexer.peek().kind === 'lparen') return this.parseNot(token);
    return this.parseAttrExpOrValuePath(token);
  }

  /** The rest of a group after its "(": FILTER ")". */
  private parseGroupRest(): Filter {
    const filter = this.parseOr();
    this.expect('rparen', '"and", "or" or ")"', 'SCIM_E_FILTER_019');
    return filter;
  }

  /** "not" "(" FILTER ")"; "not (...)" counts as one nesting level. */
  private parseNot(not: Token): Not {
    const filter = this.nested(not, () => {
      this.lexer.next(); // the "(" that parseFactor peeked
      return this.parseGroupRest();
    });
    return { kind: 'Not', filter, offset: not.offset };
  }

  /** attrExp, or valuePath; `attr[filter].sub op value` is folded into the value filter. */
  private parseAttrExpOrValuePath(word: Token): Filter {
    const path = this.parseAttrPathWord(word);
    const next = this.lexer.peek();
    if (next.kind !== 'lbracket') return this.parseAttrExp(path, word);
    this.checkValuePathStart(path, next);
    const filter = this.parseValFilter();
    const sub = this.parseSubAfterFilter();
    if (sub === undefined) return { kind: 'ValuePath', path, filter, offset: path.offset };
    // Tolerance (Entra ID): `emails[type eq "work"].value eq "x"` is not RFC grammar; it means
    // `emails[type eq "work" and value eq "x"]`, so that is the AST we build.
    const comparison = this.parseAttrExp(sub, undefined);
    return { kind: 'ValuePath', path, filter: logical('and', filter, comparison), offset: path.offset };
  }

  /** "[" valFilter "]": a FILTER on the sub-attributes of one value. */
  private parseValFilter(): Filter {
    const open = this.lexer.next();
    return this.nested(open, () => {
      this.inValueFilter = true;
      const filter = this.parseOr();
      this.expect('rbracket', '"and", "or" or "]"', 'SCIM_E_FILTER_020');
      this.inValueFilter = false;
      return filter;
    });
  }

  /** The grammar has no space before "[", no nesting, and no "[" after a sub-attribute. */
  private checkValuePathStart(path: AttrPath, open: Token): void {
    const at = open.offset;
    if (open.spaced) throw this.fail(`Unexpected whitespace before "[" at position ${at}`, 'SCIM_E_FILTER_027', at);
    if (this.inValueFilter) {
      throw this.fail(`Unexpected "[" at position ${at}; value filters cannot be nested`, 'SCIM_E_FILTER_022', at);
    }
    if (path.sub !== undefined) {
      // RFC 7643 §2.4: sub-attributes are never multi-valued complex, so "a.b[...]" is never valid.
      throw this.fail(
        `Unexpected "[" at position ${at}; a value filter cannot follow a sub-attribute`,
        'SCIM_E_FILTER_023',
        at,
      );
    }
  }

  /** subAttr right after "]": `.value` in `emails[type eq "work"].value`. */
  private parseSubAfterFilter(): AttrPath | undefined {
    const token = this.lexer.peek();
    if (token.kind !== 'word' || token.spaced || !token.text.startsWith('.')) return undefined;
    this.lexer.next();
    const name = token.text.slice(1);
    checkAttrName(name, token.offset + 1, this.fail);
    return { kind: 'AttrPath', urn: undefined, name, sub: undefined, offset: token.offset + 1 };
  }

  // --- attrExp --------------------------------------------------------------------------------

  /** attrPath SP "pr" / attrPath SP compareOp SP compValue. `word` is the path's token, if any. */
  private parseAttrExp(path: AttrPath, word: Token | undefined): AttrExpression | Present {
    const opToken = this.lexer.next();
    if (opToken.kind !== 'word') throw this.unexpected(opToken, 'a comparison operator', 'SCIM_E_FILTER_016');
    const op = opToken.value.toLowerCase();
    if (op !== 'pr' && !isCompareOp(op)) throw this.unknownOperator(opToken, word);
    this.countClause(path.offset);
    if (op === 'pr') {
      this.rejectPresentValue();
      return { kind: 'Present', path, offset: path.offset };
    }
    return { kind: 'AttrExpression', path, op, value: this.parseCompValue(), offset: path.offset };
  }

  private unknownOperator(opToken: Token, word: Token | undefined): ScimError {
    if (word?.value.toLowerCase() === 'not') {
      // `not userName eq "x"`: the RFC requires parentheses after "not".
      return this.fail(`Expected "(" after "not" at position ${opToken.offset}`, 'SCIM_E_FILTER_028', opToken.offset);
    }
    const detail = `Unknown operator ${describeToken(opToken)} at position ${opToken.offset}; expected ${OPERATOR_LIST}`;
    return this.fail(detail, 'SCIM_E_FILTER_015', opToken.offset);
  }

  /** "pr" takes no value: `title pr "x"` is an error rather than trailing garbage. */
  private rejectPresentValue(): void {
    const next = this.lexer.peek();
    const isLogical = next.kind === 'word' && ['and', 'or'].includes(next.value.toLowerCase());
    if (next.kind === 'string' || (next.kind === 'word' && !isLogical)) {
      const detail = `Unexpected ${describeToken(next)} at position ${next.offset}; operator "pr" takes no value`;
      throw this.fail(detail, 'SCIM_E_FILTER_018', next.offset);
    }
  }

  /**
   * compValue = false / null / true / number / string (JSON, RFC 8259).
   * Tolerance (R-ENTRA-7): an unquoted token such as `jyoung` or `2015-10-10T14:38:21-07:00`
   * becomes a string; only true/false/null (any case) and valid JSON numbers stay typed.
   */
  private parseCompValue(): FilterValue {
    const token = this.lexer.nextValue();
    if (token.kind === 'string') return token.value;
    if (token.kind !== 'word') throw this.unexpected(token, 'a value', 'SCIM_E_FILTER_017');
    const lower = token.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (!JSON_NUMBER.test(token.text)) return token.text;
    const n = Number(token.text);
    if (!Number.isFinite(n)) {
      throw this.fail(
        `Number ${token.text} at position ${token.offset} is out of range`,
        'SCIM_E_FILTER_024',
        token.offset,
      );
    }
    return n;
  }

  // --- attrPath -------------------------------------------------------------------------------

  private parseAttrPathToken(code: string): AttrPath {
    const token = this.lexer.next();
    if (token.kind !== 'word') throw this.unexpected(token, 'an attribute path', code);
    return this.parseAttrPathWord(token);
  }

  private parseAttrPathWord(word: Token): AttrPath {
    return parseAttrPathText(word.text, word.offset, this.fail);
  }

  // --- helpers --------------------------------------------------------------------------------

  private peekKeyword(keyword: 'and' | 'or'): boolean {
    const token = this.lexer.peek();
    return token.kind === 'word' && token.value.toLowerCase() === keyword;
  }

  private expect(kind: TokenKind, expected: string, code: string): Token {
    const token = this.lexer.next();
    if (token.kind !== kind) throw this.unexpected(token, expected, code);
    return token;
  }

  private unexpected(token: Token, expected: string, code: string): ScimError {
    const detail = `Unexpected ${describeToken(token, this.input)} at position ${token.offset}; expected ${expected}`;
    return this.fail(detail, code, token.offset);
  }

  /** Runs `body` one nesting level deeper; the limit is checked BEFORE recursing. */
  private nested<T>(at: Token, body: () => T): T {
    if (this.depth >= this.limits.maxDepth) {
      const detail = `Nesting deeper than ${this.limits.maxDepth} levels at position ${at.offset}`;
      throw this.fail(detail, 'SCIM_E_FILTER_012', at.offset);
    }
    this.depth++;
    const result = body();
    this.depth--;
    return result;
  }

  private countClause(at: number): void {
    this.clauses++;
    if (this.clauses <= this.limits.maxClauses) return;
    const detail = `The ${this.input} has more than ${this.limits.maxClauses} comparisons (at position ${at})`;
    if (this.input === 'filter') throw tooMany(detail, 'SCIM_E_FILTER_013', { position: at });
    throw this.fail(detail, 'SCIM_E_FILTER_013', at);
  }
}
