// Attribute path syntax (RFC 7644 §3.10 / Figure 1): attrPath = [URI ":"] ATTRNAME *1subAttr.
// The text arrives as one lexer word, e.g. `name.familyName` or
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.

import type { AttrPath } from './ast.js';
import type { ErrorFactory } from './lexer.js';

// ATTRNAME = ALPHA *(nameChar); nameChar = "-" / "_" / DIGIT / ALPHA (RFC 7643 §2.1).
const NAME_START = /[A-Za-z]/;
const NAME_CHAR = /[A-Za-z0-9_-]/;
// RFC 8141 NSS characters (unreserved, sub-delims minus parens, ":", "@", "/", pct-encoded).
const URN_CHAR = /[A-Za-z0-9\-._~!$&'*+,;=:@/%]/;
const REF = '$ref';

/**
 * Parses one attribute path written at `offset` in the input.
 * The URN is split off at the LAST ":" first, because the URN itself contains dots
 * (`...:2.0:User`); only the remainder is split on "." into name and sub-attribute.
 */
export function parseAttrPathText(text: string, offset: number, fail: ErrorFactory): AttrPath {
  const colon = text.lastIndexOf(':');
  const urn = colon < 0 ? undefined : text.slice(0, colon);
  if (urn !== undefined) checkUrn(urn, offset, fail);
  const restAt = colon + 1;
  const rest = text.slice(restAt);
  const dot = rest.indexOf('.');
  const name = dot < 0 ? rest : rest.slice(0, dot);
  checkAttrName(name, offset + restAt, fail);
  if (dot < 0) return { kind: 'AttrPath', urn, name, sub: undefined, offset };
  const sub = rest.slice(dot + 1);
  const subAt = offset + restAt + dot + 1;
  const extraDot = sub.indexOf('.');
  if (extraDot >= 0) {
    // RFC 7643 §2.4: a sub-attribute cannot itself be complex, so one level is the maximum.
    throw fail(
      `Unexpected "." at position ${subAt + extraDot}; an attribute path has at most one sub-attribute`,
      'SCIM_E_PATH_003',
      subAt + extraDot,
    );
  }
  checkAttrName(sub, subAt, fail);
  return { kind: 'AttrPath', urn, name, sub, offset };
}

/** ATTRNAME, or `$ref` (RFC 7643 §2.4 reference sub-attribute, not ABNF-valid but used). */
export function checkAttrName(name: string, at: number, fail: ErrorFactory): void {
  if (name.toLowerCase() === REF) return;
  if (name === '') throw fail(`Missing attribute name at position ${at}`, 'SCIM_E_PATH_002', at);
  if (!NAME_START.test(name.charAt(0))) {
    throw fail(`Attribute name "${name}" at position ${at} must start with a letter`, 'SCIM_E_PATH_005', at);
  }
  for (let i = 1; i < name.length; i++) {
    const c = name.charAt(i);
    if (!NAME_CHAR.test(c)) {
      throw fail(
        `Invalid character ${JSON.stringify(c)} in attribute name at position ${at + i}`,
        'SCIM_E_PATH_001',
        at + i,
      );
    }
  }
}

/** A schema URI in a path: `urn:` NID `:` NSS, no empty segments (`urn:a::b`). */
function checkUrn(urn: string, at: number, fail: ErrorFactory): void {
  const segments = urn.split(':');
  if (segments.length < 2 || segments[0]?.toLowerCase() !== 'urn') {
    throw fail(`Invalid schema URN "${urn}" at position ${at}; expected "urn:..."`, 'SCIM_E_PATH_004', at);
  }
  for (let i = 0; i < urn.length; i++) {
    const c = urn.charAt(i);
    const emptySegment = c === ':' && (i === urn.length - 1 || urn.charAt(i + 1) === ':');
    if (!URN_CHAR.test(c) || emptySegment) {
      throw fail(
        `Invalid character ${JSON.stringify(c)} in schema URN at position ${at + i}`,
        'SCIM_E_PATH_006',
        at + i,
      );
    }
  }
}
