// The PATCH engine (RFC 7644 §3.5.2): a pure function from the stored document and the parsed
// operations to the next document plus membership changes (style.md §8.8 rule 6). It never
// touches its inputs and throws on the first failing operation, so a caller that saves only on
// success gets the RFC's atomicity ("If an error occurs ..., the resource SHALL NOT be
// modified") for free.
import type { JsonObject } from '../../domain/json.js';
import { invalidValue, isScimError } from '../errors.js';
import { PatchWork } from './work.js';
import type { ScimLimits } from '../limits.js';
import { normalizeForWrite } from '../resources/codec.js';
import type { ResourceSchema } from '../schema/registry.js';
import { applyAdd } from './add.js';
import { cloneJson, jsonEqual } from './json-utils.js';
import { memberCount, toMemberChange, type MemberChange } from './members.js';
import { normalizeOperation, type NormalizedOp } from './normalize.js';
import type { PatchOperation } from './parse-patch.js';
import { applyRemove } from './remove.js';
import { applyReplace } from './replace.js';
import { assertWritable } from './target.js';

export type { MemberChange, MemberRef } from './members.js';

export interface PatchContext {
  /** The resource's id (R-OKTA-12: an equal `id` in a path-less value is ignored). */
  readonly id: string;
  readonly limits: ScimLimits;
}

export interface PatchResult {
  /** The next canonical document (codec output; for Groups without the membership attribute). */
  readonly doc: JsonObject;
  /** True when `doc` differs from the input document or any membership change was requested. */
  readonly changed: boolean;
  /** Membership changes in request order, for the storage layer (rows, not document). */
  readonly memberChanges: MemberChange[];
}

/** The document without the membership attribute: its data lives in rows, never in the doc. */
const withoutMembership = (rs: ResourceSchema, doc: JsonObject): JsonObject => {
  const attr = rs.membershipAttribute;
  if (attr === undefined) return doc;
  return Object.fromEntries(Object.entries(doc).filter(([k]) => k.toLowerCase() !== attr.toLowerCase()));
};

const applyToDoc = (rs: ResourceSchema, doc: JsonObject, n: NormalizedOp): void => {
  assertWritable(rs, n.target);
  if (n.op === 'remove') applyRemove(doc, n.target, n.values);
  else if (n.op === 'add') applyAdd(doc, n.target, n.value);
  else applyReplace(doc, n.target, n.value);
};

/**
 * Applies `ops` in order to a deep copy of `current`. Throws the first failing operation's
 * ScimError, tagged with its index. After every operation that touched the document, the
 * document goes through the write codec (mode "replace", existing = `current`), which
 * canonicalises it and type-checks values, immutables and required attributes — so an error
 * names the operation that caused it, and the returned document is always what a PUT of the
 * same data would store.
 */
export function applyPatch(rs: ResourceSchema, current: JsonObject, ops: readonly PatchOperation[], ctx: PatchContext): PatchResult {
  const before = withoutMembership(rs, current);
  let doc = cloneJson(before);
  const memberChanges: MemberChange[] = [];
  let members = 0;
  const work = new PatchWork(ctx.limits.maxPatchWork);
  for (const op of ops) {
    try {
      let touched = false;
      for (const n of normalizeOperation(rs, op, ctx)) {
        if (!n.target.isMembership) {
          // Charged before the work is done, so no request spends more than the budget.
          work.chargeOperation(doc, n);
          applyToDoc(rs, doc, n);
          touched = true;
          continue;
        }
        const change = toMemberChange(n);
        if (change === undefined) continue;
        members += memberCount(change);
        if (members > ctx.limits.maxMembersPerRequest) {
          throw invalidValue(`A PATCH request may name at most ${ctx.limits.maxMembersPerRequest} members.`, 'SCIM_E_PATCH_066');
        }
        memberChanges.push(change);
      }
      if (touched) work.chargeCodec(doc);
      if (touched) doc = normalizeForWrite(rs, doc, { mode: 'replace', existing: before, limits: ctx.limits });
    } catch (e) {
      throw isScimError(e) ? e.atOperation(op.index) : e;
    }
  }
  return { doc, changed: memberChanges.length > 0 || !jsonEqual(before, doc), memberChanges };
}
