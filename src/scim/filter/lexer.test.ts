import { describe, expect, it } from 'vitest';
import { isScimError } from '../errors.js';
import { describeToken, Lexer, tokenize } from './lexer.js';
import { invalidPath } from '../errors.js';

const brief = (text: string) => tokenize(text).map((t) => [t.kind, t.value, t.offset, t.spaced]);

describe('tokenize', () => {
  it('splits words at whitespace, brackets, parentheses and quotes, with offsets', () => {
    expect(brief('emails[type eq "work"].value  pr')).toEqual([
      ['word', 'emails', 0, false],
      ['lbracket', '[', 6, false],
      ['word', 'type', 7, false],
      ['word', 'eq', 12, true],
      ['string', 'work', 15, true],
      ['rbracket', ']', 21, false],
      ['word', '.value', 22, false],
      ['word', 'pr', 30, true],
      ['eof', '', 32, false],
    ]);
  });

  it('keeps URNs with dots and colons in one word', () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value';
    expect(brief(`(${urn} pr)`)).toEqual([
      ['lparen', '(', 0, false],
      ['word', urn, 1, false],
      ['word', 'pr', urn.length + 2, true],
      ['rparen', ')', urn.length + 4, false],
      ['eof', '', urn.length + 5, false],
    ]);
  });

  it('decodes JSON escapes and keeps the raw text', () => {
    const [token] = tokenize('"a\\"b\\\\c\\u00e9\\/"');
    expect(token).toMatchObject({ kind: 'string', value: 'a"b\\cé/', text: '"a\\"b\\\\c\\u00e9\\/"' });
  });

  it('treats tab, CR and LF as whitespace but not NBSP', () => {
    expect(brief('a\t\r\nb\u00a0c').map(([kind, value]) => [kind, value])).toEqual([
      ['word', 'a'],
      ['word', 'b\u00a0c'],
      ['eof', ''],
    ]);
  });
});

describe('Lexer value mode', () => {
  it('reads an unquoted value up to whitespace, ")" or "]"', () => {
    const lexer = new Lexer('x(y"z)] rest', (d, c, position) => invalidPath(d, c, { position }));
    expect(lexer.nextValue()).toMatchObject({ kind: 'word', text: 'x(y"z', offset: 0 });
    expect(lexer.next()).toMatchObject({ kind: 'rparen', offset: 5 });
    expect(lexer.next()).toMatchObject({ kind: 'rbracket', offset: 6 });
    expect(lexer.peek()).toMatchObject({ kind: 'word', text: 'rest', offset: 8 });
  });

  it('reports lexical errors through the given factory', () => {
    const lexer = new Lexer(' "abc', (d, c, position) => invalidPath(d, c, { position }));
    try {
      lexer.next();
      expect.unreachable();
    } catch (e) {
      expect(isScimError(e) && [e.scimType, e.code, e.position]).toEqual(['invalidPath', 'SCIM_E_FILTER_001', 1]);
    }
  });
});

describe('describeToken', () => {
  it('quotes, labels strings, names the end and truncates', () => {
    const [bracket, str, eof] = tokenize(']"x"');
    expect([bracket, str, eof].map((t) => (t === undefined ? '' : describeToken(t)))).toEqual([
      '"]"',
      'string "x"',
      'end of filter',
    ]);
    const [long] = tokenize('a'.repeat(100));
    expect(long && describeToken(long)).toBe(`"${'a'.repeat(40)}…"`);
  });
});
