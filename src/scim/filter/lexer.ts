// Tokenizer for SCIM filters and PATCH paths (RFC 7644 §3.4.2.2, §3.5.2).
// Pull-based: the parser asks for the next token, and for a comparison value it asks in "value
// mode", because an unquoted value (a tolerance, see parseCompValue) has different delimiters
// than a word. Every token carries its 0-based character offset for error messages.

import { invalidFilter, type ScimError } from '../errors.js';

export type TokenKind = 'word' | 'string' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The token as written (a string token includes its quotes). */
  readonly text: string;
  /** Decoded value: the JSON-unescaped content of a string token, otherwise `text`. */
  readonly value: string;
  readonly offset: number;
  /** True when whitespace precedes the token: the grammar forbids it before `[` and `.sub`. */
  readonly spaced: boolean;
}

/** Builds the error for a throw site; the parser picks invalidFilter or invalidPath. */
export type ErrorFactory = (detail: string, code: string, position: number) => ScimError;

const PUNCTUATION: Readonly<Record<string, TokenKind>> = {
  '(': 'lparen',
  ')': 'rparen',
  '[': 'lbracket',
  ']': 'rbracket',
};

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

// The RFC separates tokens with SP; we also accept tab/CR/LF (URL-decoded filters may wrap).
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const endsWord = (c: string): boolean => isSpace(c) || c in PUNCTUATION || c === '"';
// An unquoted value runs to whitespace, `)` or `]` (so `a eq x)` still closes the group).
const endsBareValue = (c: string): boolean => isSpace(c) || c === ')' || c === ']';
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Shows a token in an error message: `"]"`, `string "abc"`, `end of filter`. */
export function describeToken(token: Token, input: 'filter' | 'path' = 'filter'): string {
  if (token.kind === 'eof') return `end of ${input}`;
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  return token.kind === 'string' ? `string ${text}` : JSON.stringify(text);
}

export class Lexer {
  private pos = 0;
  private peeked: { token: Token; end: number } | undefined;

  constructor(
    private readonly src: string,
    private readonly fail: ErrorFactory,
  ) {}

  /** The next token in word mode, without consuming it. */
  peek(): Token {
    this.peeked ??= this.scan(false);
    return this.peeked.token;
  }

  /** Consumes and returns the next token in word mode. */
  next(): Token {
    const { token, end } = this.peeked ?? this.scan(false);
    this.peeked = undefined;
    this.pos = end;
    return token;
  }

  /** Consumes the next token in value mode: a bare word then runs to whitespace, `)` or `]`. */
  nextValue(): Token {
    this.peeked = undefined;
    const { token, end } = this.scan(true);
    this.pos = end;
    return token;
  }

  private scan(valueMode: boolean): { token: Token; end: number } {
    let i = this.pos;
    while (i < this.src.length && isSpace(this.src.charAt(i))) i++;
    const spaced = i > this.pos;
    const c = this.src.charAt(i);
    if (i >= this.src.length) return { token: this.token('eof', '', '', i, spaced), end: i };
    const punct = PUNCTUATION[c];
    if (punct !== undefined) return { token: this.token(punct, c, c, i, spaced), end: i + 1 };
    if (c === '"') return this.scanString(i, spaced);
    const stop = valueMode ? endsBareValue : endsWord;
    let end = i + 1;
    while (end < this.src.length && !stop(this.src.charAt(end))) end++;
    const text = this.src.slice(i, end);
    return { token: this.token('word', text, text, i, spaced), end };
  }

  /** A JSON string (RFC 8259 §7): `"` chars `"` with backslash escapes, no raw control chars. */
  private scanString(start: number, spaced: boolean): { token: Token; end: number } {
    let value = '';
    let i = start + 1;
    for (;;) {
      if (i >= this.src.length) {
        throw this.fail(`Unterminated string starting at position ${start}`, 'SCIM_E_FILTER_001', start);
      }
      const c = this.src.charAt(i);
      if (c === '"') break;
      if (c < ' ') {
        const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
        throw this.fail(`Unescaped control character U+${hex} in string at position ${i}`, 'SCIM_E_FILTER_004', i);
      }
      if (c === '\\') {
        const [decoded, width] = this.scanEscape(i);
        value += decoded;
        i += width;
      } else {
        value += c;
        i++;
      }
    }
    const text = this.src.slice(start, i + 1);
    return { token: this.token('string', text, value, start, spaced), end: i + 1 };
  }

  /** Decodes the escape at `at` (the backslash); returns the text and the escape's width. */
  private scanEscape(at: number): [string, number] {
    const e = this.src.charAt(at + 1);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return [simple, 2];
    if (e === 'u') {
      const hex = this.src.slice(at + 2, at + 6);
      if (!HEX4.test(hex)) {
        throw this.fail(`Invalid \\u escape at position ${at}; expected 4 hex digits`, 'SCIM_E_FILTER_003', at);
      }
      return [String.fromCharCode(parseInt(hex, 16)), 6];
    }
    if (at + 1 >= this.src.length) {
      throw this.fail(`Unterminated string: input ends after "\\" at position ${at}`, 'SCIM_E_FILTER_005', at);
    }
    throw this.fail(`Invalid escape sequence "\\${e}" in string at position ${at}`, 'SCIM_E_FILTER_002', at);
  }

  private token(kind: TokenKind, text: string, value: string, offset: number, spaced: boolean): Token {
    return { kind, text, value, offset, spaced };
  }
}

/** All tokens of `text` in word mode (for tests and tooling); lexical errors are invalidFilter. */
export function tokenize(text: string): Token[] {
  const lexer = new Lexer(text, (detail, code, position) => invalidFilter(detail, code, { position }));
  const tokens: Token[] = [];
  for (;;) {
    const token = lexer.next();
    tokens.push(token);
    if (token.kind === 'eof') return tokens;
  }
}
