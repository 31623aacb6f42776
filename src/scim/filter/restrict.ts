// A filter restricted to one resource type, for searches across types (the root `/.search` and
// `GET /?filter=`, RFC 7644 §3.4.3 and §3.4.2.2). An attribute that one type does not define
// (`userName` on Groups) makes its comparison *Undefined* for that type — never a match, not even
// under `not` — and the rest of the filter is kept. Three-valued (Kleene) logic, computed as two
// two-valued filters per node: where it is True and where it is False.
//   and: T = T1 ∧ T2, F = F1 ∨ F2     or: T = T1 ∨ T2, F = F1 ∧ F2     not: T = F, F = T
// A defined leaf X has T = X, F = not X; an undefined leaf has T = F = false.
// The result is the True-filter, folded: `false` (nothing of this type can match, skip the
// query), `true` (every resource of the type matches), or a filter over defined attributes only.
import type { AttrPath, Filter } from './ast.js';
import { invalidFilter } from '../errors.js';
import { resolveAttrPath, type ResourceSchema } from '../schema/registry.js';
import { printAttrPath } from './print.js';

export type Restricted = Filter | boolean;

const and = (a: Restricted, b: Restricted): Restricted => {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return { kind: 'Logical', op: 'and', left: a, right: b, offset: a.offset };
};
const or = (a: Restricted, b: Restricted): Restricted => {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return { kind: 'Logical', op: 'or', left: a, right: b, offset: a.offset };
};
const not = (a: Restricted): Restricted => (typeof a === 'boolean' ? !a : { kind: 'Not', filter: a, offset: a.offset });

interface TF {
  readonly t: Restricted;
  readonly f: Restricted;
}

/** The path a leaf compares (for a value path, the complex attribute it filters). */
const leafPath = (f: Filter): AttrPath | undefined => (f.kind === 'AttrExpression' || f.kind === 'Present' || f.kind === 'ValuePath' ? f.path : undefined);

function truthOf(rs: ResourceSchema, f: Filter): TF {
  switch (f.kind) {
    case 'Logical': {
      const l = truthOf(rs, f.left);
      const r = truthOf(rs, f.right);
      return f.op === 'and' ? { t: and(l.t, r.t), f: or(l.f, r.f) } : { t: or(l.t, r.t), f: and(l.f, r.f) };
    }
    case 'Not': {
      const inner = truthOf(rs, f.filter);
      return { t: inner.f, f: inner.t };
    }
    default: {
      const path = leafPath(f)!;
      if (resolveAttrPath(rs, path) === undefined) return { t: false, f: false };
      return { t: f, f: not(f) };
    }
  }
}

/** The part of `filter` that can match resources of `rs` (see the header). */
export function restrictFilter(rs: ResourceSchema, filter: Filter): Restricted {
  return truthOf(rs, filter).t;
}

/** Every attribute path the filter compares (value-path sub-filters are relative: not listed). */
function leafPaths(f: Filter, out: AttrPath[] = []): AttrPath[] {
  if (f.kind === 'Logical') {
    leafPaths(f.left, out);
    leafPaths(f.right, out);
  } else if (f.kind === 'Not') leafPaths(f.filter, out);
  else out.push(f.path);
  return out;
}

/** 400 invalidFilter when an attribute of the filter is defined by none of the resource types. */
export function assertDefinedSomewhere(types: readonly ResourceSchema[], filter: Filter): void {
  for (const path of leafPaths(filter)) {
    if (!types.some((rs) => resolveAttrPath(rs, path) !== undefined)) {
      throw invalidFilter(`Unknown attribute "${printAttrPath(path)}" at position ${path.offset}: no resource type defines it`, 'SCIM_E_FILTER_ROOT_001', { position: path.offset });
    }
  }
}
