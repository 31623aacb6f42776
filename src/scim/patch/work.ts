// The PATCH cost bound (docs/security.md "Cost model"): a request's work in the engine is
// metered in units and refused with 400 tooMany before it exceeds `limits.maxPatchWork`, so one
// PATCH cannot hold the event loop — which every tenant shares — for more than a few tens of
// milliseconds, whatever its shape within the other limits (1,000 operations, 1,000 values,
// 100-term filters, 1 MiB).
//
// One unit is about one compiled filter comparison of one element (~0.5 µs); see the figures in
// docs/security.md. RFC 7644 §3.12 lists `tooMany` for a PATCH path filter that "yields many more
// results than the server is willing to calculate or process".
import { isJsonObject, type JsonObject, type JsonValue } from '../../domain/json.js';
import type { Filter } from '../filter/ast.js';
import { tooMany } from '../errors.js';
import { getElements } from './doc.js';
import type { NormalizedOp } from './normalize.js';

/** Units the write codec costs per value of the document it re-checks after an operation. */
export const PATCH_CODEC_UNITS = 2;

/** Comparisons in a filter: one per attribute expression or `pr` (and/or/not cost nothing extra). */
export function filterTerms(f: Filter): number {
  let n = 0;
  const stack: Filter[] = [f];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === 'Logical') stack.push(x.left, x.right);
    else if (x.kind === 'Not') stack.push(x.filter);
    else if (x.kind === 'ValuePath') stack.push(x.filter);
    else n += 1;
  }
  return n;
}

/** Values in a document: attributes, elements of multi-valued ones and sub-attributes, one level into extensions. */
export function documentValues(doc: JsonObject): number {
  let n = 0;
  const count = (v: JsonValue | undefined, depth: number): void => {
    n += 1;
    if (Array.isArray(v)) for (const e of v) count(e, depth);
    else if (isJsonObject(v) && depth < 3) for (const x of Object.values(v)) count(x, depth + 1);
  };
  for (const v of Object.values(doc)) count(v, 0);
  return n;
}

export class PatchWork {
  private spent = 0;
  constructor(private readonly budget: number) {}

  /** The comparisons an operation on a multi-valued attribute makes: elements × filter terms (or × listed values). */
  chargeOperation(doc: JsonObject, n: NormalizedOp): void {
    const t = n.target;
    if (!t.attr.multiValued || (t.filter === undefined && (n.op !== 'remove' || n.values === undefined))) {
      this.spend(1);
      return;
    }
    const elements = getElements(doc, t).length;
    const perElement = (t.filter === undefined ? 0 : filterTerms(t.filter)) + (n.op === 'remove' && n.values !== undefined ? 1 : 0);
    // Listed values are matched through a hash index (remove.ts): elements + values, not their product.
    const listed = n.op === 'remove' && n.values !== undefined ? n.values.length : 0;
    this.spend(1 + elements * perElement + listed);
  }

  /** The codec re-checking the whole document after an operation that touched it. */
  chargeCodec(doc: JsonObject): void {
    this.spend(documentValues(doc) * PATCH_CODEC_UNITS);
  }

  private spend(units: number): void {
    this.spent += units;
    if (this.spent > this.budget) {
      throw tooMany(
        `This PATCH request needs more work than one request may do (limit ${this.budget} units: per operation, values examined × value-filter terms, plus ${PATCH_CODEC_UNITS} per value of the document it changes; see docs/security.md "Cost model"). Send fewer operations per request, or shorter value filters.`,
        'SCIM_E_PATCH_067',
      );
    }
  }
}
