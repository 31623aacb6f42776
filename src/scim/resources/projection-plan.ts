// A projection compiled against a resource type: for each attribute definition, what the
// `returned` rules of projection.ts do with its value. Compiled once per projection (a list page
// renders many documents with one projection), and once per resource type for the default view
// (no attributes / excludedAttributes), which nearly every identity provider request uses.
import type { ResourceSchema } from '../schema/registry.js';
import type { AttributeDef } from '../schema/types.js';
import type { ProjectionItem } from './attr-list.js';

export interface Projection {
  /** Resolved `attributes` items; undefined when the parameter is absent or blank. */
  readonly attributes: readonly ProjectionItem[] | undefined;
  /** Resolved `excludedAttributes` items (empty when absent, or when `attributes` is given). */
  readonly excludedAttributes: readonly ProjectionItem[];
}

/** What the projection keeps of one attribute's value. */
export interface AttrRule {
  readonly def: AttributeDef;
  /** Sub-attributes kept in each complex value. */
  readonly keep: ReadonlySet<AttributeDef>;
  /** Whether sub-keys unknown to the registry, and non-object elements, are kept. */
  readonly keepUnknown: boolean;
  /** Nothing is removed from the value, so a value already in plain shape is returned as it is. */
  readonly whole: boolean;
}

export interface ProjectionPlan {
  readonly rs: ResourceSchema;
  /** Every attribute of `rs` (common, core, extensions) → its rule; null = left out. */
  readonly rules: ReadonlyMap<AttributeDef, AttrRule | null>;
  /** Document keys unknown to the registry behave as "default". */
  readonly keepUnknown: boolean;
  /** wantsAttribute answers, by name (the service asks the same few names for every document). */
  readonly wants: Map<string, boolean>;
}

interface Selection {
  /** The attribute itself (or its whole schema) is named. */
  readonly whole: boolean;
  /** Canonical names of its sub-attributes that are named. */
  readonly subs: ReadonlySet<string>;
}

export const select = (items: readonly ProjectionItem[], schema: string, name: string): Selection => {
  let whole = false;
  const subs = new Set<string>();
  for (const i of items) {
    if (i.schema !== schema) continue;
    if (i.attr === undefined || (i.attr === name && i.sub === undefined)) whole = true;
    else if (i.attr === name && i.sub !== undefined) subs.add(i.sub);
  }
  return { whole, subs };
};

type SubRule = (sub: AttributeDef) => boolean;

const notNever: SubRule = (s) => s.returned !== 'never';
const onlyAlways: SubRule = (s) => s.returned === 'always';
export const hasAlwaysSub = (def: AttributeDef): boolean => (def.subAttributes ?? []).some(onlyAlways);

const rule = (def: AttributeDef, keep: SubRule, keepUnknown: boolean): AttrRule => {
  const subs = def.subAttributes ?? [];
  const kept = new Set(subs.filter(keep));
  // A simple attribute's value is never filtered.
  return { def, keep: kept, keepUnknown, whole: def.type !== 'complex' || (keepUnknown && kept.size === subs.length) };
};

/** RFC 7643 §2.2 `returned` against the projection (the decisions are listed in projection.ts). */
const ruleFor = (p: Projection, schema: string, def: AttributeDef): AttrRule | null => {
  if (def.returned === 'never') return null;
  if (def.returned === 'always') return rule(def, notNever, true);
  if (p.attributes !== undefined) {
    const sel = select(p.attributes, schema, def.name);
    if (sel.whole) return rule(def, notNever, true);
    if (sel.subs.size > 0) return rule(def, (s) => notNever(s) && (s.returned === 'always' || sel.subs.has(s.name)), false);
    return hasAlwaysSub(def) ? rule(def, onlyAlways, false) : null;
  }
  if (def.returned === 'request') return null;
  const sel = select(p.excludedAttributes, schema, def.name);
  if (sel.whole) return hasAlwaysSub(def) ? rule(def, onlyAlways, false) : null;
  return rule(def, (s) => s.returned === 'always' || (s.returned === 'default' && !sel.subs.has(s.name)), true);
};

const compile = (rs: ResourceSchema, p: Projection): ProjectionPlan => {
  const rules = new Map<AttributeDef, AttrRule | null>();
  for (const def of [...rs.common, ...rs.core.attributes]) rules.set(def, ruleFor(p, rs.core.id, def));
  for (const ext of rs.extensions) for (const def of ext.attributes) rules.set(def, ruleFor(p, ext.id, def));
  return { rs, rules, keepUnknown: p.attributes === undefined, wants: new Map() };
};

const isDefault = (p: Projection): boolean => p.attributes === undefined && p.excludedAttributes.length === 0;

const DEFAULT_PLANS = new WeakMap<ResourceSchema, ProjectionPlan>();
// Projections are immutable values, parsed once per request.
const PLANS = new WeakMap<Projection, ProjectionPlan>();

export const planFor = (rs: ResourceSchema, p: Projection): ProjectionPlan => {
  if (isDefault(p)) {
    let plan = DEFAULT_PLANS.get(rs);
    if (plan === undefined) DEFAULT_PLANS.set(rs, (plan = compile(rs, p)));
    return plan;
  }
  const cached = PLANS.get(p);
  if (cached?.rs === rs) return cached;
  const plan = compile(rs, p);
  PLANS.set(p, plan);
  return plan;
};
