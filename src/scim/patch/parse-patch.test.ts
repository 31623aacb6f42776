import { describe, expect, it } from 'vitest';
import { ScimError } from '../errors.js';
import { DEFAULT_SCIM_LIMITS } from '../limits.js';
import { PATCH_OP_SCHEMA, parsePatchRequest } from './parse-patch.js';

const limits = DEFAULT_SCIM_LIMITS;
const body = (ops: unknown, extra: Record<string, unknown> = {}): unknown => ({ schemas: [PATCH_OP_SCHEMA], Operations: ops, ...extra });

const failure = (input: unknown, lim = limits): ScimError => {
  try {
    parsePatchRequest(input, lim);
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
};

describe('parsePatchRequest', () => {
  it.each([
    ['capitalised ops (R-ENTRA-13)', body([{ op: 'Replace', path: 'active', value: 'False' }]), 'replace'],
    ['upper-case op', body([{ op: 'ADD', path: 'nickName', value: 'x' }]), 'add'],
    ['lowercase op', body([{ op: 'remove', path: 'nickName' }]), 'remove'],
  ])('%s', (_name, input, op) => {
    const [parsed] = parsePatchRequest(input, limits);
    expect(parsed?.op).toBe(op);
    expect(parsed?.index).toBe(0);
  });

  it('finds Operations, op, path and value case-insensitively and ignores extra keys (R-CORE-14, R-CORE-10)', () => {
    const ops = parsePatchRequest(
      { SCHEMAS: [PATCH_OP_SCHEMA.toUpperCase()], operations: [{ OP: 'add', Path: 'members', VALUE: ['x'], name: 'addMember' }] },
      limits,
    );
    expect(ops).toHaveLength(1);
    expect(ops[0]?.path?.path.name).toBe('members');
    expect(ops[0]?.value).toEqual(['x']);
  });

  it('tolerates a body without schemas (Okta group rename, R-OKTA-12), or with an empty list', () => {
    expect(parsePatchRequest({ Operations: [{ op: 'replace', value: { displayName: 'x' } }] }, limits)).toHaveLength(1);
    expect(parsePatchRequest({ schemas: [], Operations: [{ op: 'replace', value: {} }] }, limits)).toHaveLength(1);
  });

  it('parses filtered and URN paths with the filter grammar', () => {
    const [op] = parsePatchRequest(body([{ op: 'replace', path: 'emails[type eq "work"].value', value: 'x' }]), limits);
    expect(op?.path?.path.name).toBe('emails');
    expect(op?.path?.subAfterFilter).toBe('value');
    expect(op?.path?.valueFilter?.kind).toBe('AttrExpression');
  });

  it('treats "path": null and "path": "" as no path', () => {
    const ops = parsePatchRequest(body([{ op: 'replace', path: null, value: {} }, { op: 'replace', path: '', value: {} }]), limits);
    expect(ops.map((o) => o.path)).toEqual([undefined, undefined]);
  });

  it.each([
    ['a non-object body', 'x', 'invalidSyntax', 'SCIM_E_PATCH_001', undefined],
    ['an array body', [], 'invalidSyntax', 'SCIM_E_PATCH_001', undefined],
    ['schemas naming another message', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], Operations: [{ op: 'add' }] }, 'invalidSyntax', 'SCIM_E_PATCH_002', undefined],
    ['missing Operations', { schemas: [PATCH_OP_SCHEMA] }, 'invalidSyntax', 'SCIM_E_PATCH_003', undefined],
    ['Operations not an array', body({ op: 'add' }), 'invalidSyntax', 'SCIM_E_PATCH_003', undefined],
    ['empty Operations', body([]), 'invalidSyntax', 'SCIM_E_PATCH_004', undefined],
    ['two spellings of Operations', { Operations: [], operations: [] }, 'invalidSyntax', 'SCIM_E_PATCH_009', undefined],
    ['an operation that is not an object', body([{ op: 'add', path: 'nickName', value: 'x' }, 'remove']), 'invalidSyntax', 'SCIM_E_PATCH_006', 1],
    ['an unknown op', body([{ op: 'merge', path: 'nickName', value: 'x' }]), 'invalidSyntax', 'SCIM_E_PATCH_007', 0],
    ['a missing op', body([{ path: 'nickName' }]), 'invalidSyntax', 'SCIM_E_PATCH_007', 0],
    ['a non-string path', body([{ op: 'remove', path: 5 }]), 'invalidPath', 'SCIM_E_PATCH_008', 0],
    ['a malformed path', body([{ op: 'add', path: 'nickName', value: 1 }, { op: 'remove', path: 'emails[type eq' }]), 'invalidPath', undefined, 1],
  ])('rejects %s', (_name, input, scimType, code, index) => {
    const e = failure(input);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe(scimType);
    if (code !== undefined) expect(e.code).toBe(code);
    expect(e.operationIndex).toBe(index);
  });

  it('reports the position of a malformed path', () => {
    const e = failure(body([{ op: 'remove', path: 'emails[type eq "work"' }]));
    expect(e.position).toBeGreaterThan(0);
  });

  it('rejects more operations than limits.maxPatchOperations with tooMany', () => {
    const e = failure(body([{ op: 'remove', path: 'a' }, { op: 'remove', path: 'b' }, { op: 'remove', path: 'c' }]), { ...limits, maxPatchOperations: 2 });
    expect([e.scimType, e.code]).toEqual(['tooMany', 'SCIM_E_PATCH_005']);
  });
});
