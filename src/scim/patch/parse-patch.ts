// PatchOp request body (RFC 7644 §3.5.2) → a list of typed operations. Syntax only: what a path
// or value *means* for a resource is decided by normalize.ts and apply-patch.ts.
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import { invalidPath, invalidSyntax, isScimError, tooMany } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/parser.js';
import { filterTerms } from './work.js';
import type { ScimLimits } from '../limits.js';
import { isJsonValue, keysLike, sameName } from './json-utils.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type PatchOpName = 'add' | 'remove' | 'replace';

export interface PatchOperation {
  readonly op: PatchOpName;
  /** Undefined when the request has no `path` (the target is the resource itself). */
  readonly path: PatchPath | undefined;
  /** Undefined when the request has no `value` member. */
  readonly value: JsonValue | undefined;
  /** Position in the request's `Operations` array; every error names it. */
  readonly index: number;
}

const OP_NAMES: readonly PatchOpName[] = ['add', 'remove', 'replace'];

/**
 * The single member of `obj` whose key equals `name` ignoring case (R-CORE-10, R-CORE-14:
 * `Operations`, `operations`, `OPERATIONS` are one key). Two spellings at once are ambiguous.
 */
const member = (obj: JsonObject, name: string, where: string): JsonValue | undefined => {
  const keys = keysLike(obj, name);
  if (keys.length > 1) {
    throw invalidSyntax(`${where} has more than one "${name}" member (${keys.join(', ')}).`, 'SCIM_E_PATCH_009');
  }
  const key = keys[0];
  return key === undefined ? undefined : obj[key];
};

/**
 * `schemas` must name the PatchOp message URN (RFC 7644 §3.5.2), compared case-insensitively
 * like every schema URN (RFC 7643 §2.1). A *missing* `schemas` is tolerated: Okta's documented
 * group rename (R-OKTA-12) sends `{"Operations":[…]}` with no `schemas`, and the body can be
 * nothing but a PatchOp on this endpoint; an empty list is read the same way. A present `schemas` naming only other messages is
 * still rejected, since that body was meant for something else.
 */
const checkSchemas = (schemas: JsonValue | undefined): void => {
  if (schemas === undefined || schemas === null || (Array.isArray(schemas) && schemas.length === 0)) return;
  const list = typeof schemas === 'string' ? [schemas] : schemas;
  if (!Array.isArray(list) || !list.some((s) => typeof s === 'string' && sameName(s, PATCH_OP_SCHEMA))) {
    throw invalidSyntax(`"schemas" must contain "${PATCH_OP_SCHEMA}".`, 'SCIM_E_PATCH_002');
  }
};

const parseOpName = (raw: JsonValue | undefined, index: number): PatchOpName => {
  // R-ENTRA-13: Entra sends "Add"/"Replace"/"Remove" by default, lowercase with the flag.
  const name = typeof raw === 'string' ? OP_NAMES.find((n) => sameName(n, raw)) : undefined;
  if (name === undefined) {
    throw invalidSyntax(
      `"op" must be one of "add", "remove" or "replace", got ${JSON.stringify(raw ?? null)}.`,
      'SCIM_E_PATCH_007',
    ).atOperation(index);
  }
  return name;
};

const parsePath = (raw: JsonValue | undefined, index: number): PatchPath | undefined => {
  // Tolerance: `"path": null` and `"path": ""` mean "no path", as an absent member does.
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  if (typeof raw !== 'string') {
    throw invalidPath(`"path" must be a string.`, 'SCIM_E_PATCH_008').atOperation(index);
  }
  try {
    return parsePatchPath(raw);
  } catch (e) {
    if (isScimError(e)) throw e.atOperation(index);
    throw e;
  }
};

const parseOperation = (raw: JsonValue, index: number): PatchOperation => {
  if (!isJsonObject(raw)) {
    throw invalidSyntax('Each operation must be a JSON object.', 'SCIM_E_PATCH_006').atOperation(index);
  }
  const where = `Operation ${index}`;
  const op = parseOpName(member(raw, 'op', where), index);
  const path = parsePath(member(raw, 'path', where), index);
  // Other members (`"name":"addMember"` in the MS Postman suite) are ignored (R-CORE-14).
  return { op, path, value: member(raw, 'value', where), index };
};

/**
 * Parses a PATCH request body. Throws 400 `invalidSyntax` for a malformed message, 400
 * `invalidPath` (with the text position) for a malformed `path`, and 400 `tooMany` when the
 * request has more than `limits.maxPatchOperations` operations: RFC 7644 lists `tooMany` for
 * PATCH as "more than the server is willing to process", which is exactly this case, while
 * `invalidValue` would blame a value that is fine.
 */
export function parsePatchRequest(body: unknown, limits: Pick<ScimLimits, 'maxPatchOperations'> & Partial<Pick<ScimLimits, 'maxPatchFilterTerms'>>): PatchOperation[] {
  if (!isJsonObject(body) || !isJsonValue(body)) {
    throw invalidSyntax('A PATCH body must be a JSON object (RFC 7644 §3.5.2).', 'SCIM_E_PATCH_001');
  }
  checkSchemas(member(body, 'schemas', 'The request'));
  const ops = member(body, 'Operations', 'The request');
  if (!Array.isArray(ops)) {
    throw invalidSyntax('A PATCH body must have an "Operations" array (RFC 7644 §3.5.2).', 'SCIM_E_PATCH_003');
  }
  if (ops.length === 0) {
    throw invalidSyntax('"Operations" must contain at least one operation.', 'SCIM_E_PATCH_004');
  }
  if (ops.length > limits.maxPatchOperations) {
    throw tooMany(
      `A PATCH request may hold at most ${limits.maxPatchOperations} operations; this one has ${ops.length}.`,
      'SCIM_E_PATCH_005',
    );
  }
  // The cost model (docs/security.md): parsing paths is work too, so their value-filter
  // comparisons are counted over the whole request as they are parsed.
  const maxTerms = limits.maxPatchFilterTerms ?? Number.POSITIVE_INFINITY;
  let terms = 0;
  return ops.map((raw, index) => {
    const op = parseOperation(raw, index);
    if (op.path?.valueFilter !== undefined) {
      terms += filterTerms(op.path.valueFilter);
      if (terms > maxTerms) {
        throw tooMany(
          `The value filters in one PATCH request's paths may hold at most ${maxTerms} comparisons in all; send the rest in another request.`,
          'SCIM_E_PATCH_068',
        ).atOperation(index);
      }
    }
    return op;
  });
}
