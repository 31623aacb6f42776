// A projection compiled against a resource type: for each attribute definition, what the
// `returned` rules of projection.ts do with its value. Compiled once per projection (a list page
// renders many documents with one projection), and once per resource type for the default view
// (no attributes / excludedAttributes), which nearly every identity provider request uses.
import type { ResourceSchema } from '../schema/registry.js';
import { buildNameIndex, type NameIndex } from '../schema/name-index.js';
import type { AttributeDef, SchemaDef } from '../schema/types.js';
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

/** An attribute of the resource type; `slot` numbers its rule in a plan. */
export interface AttrSlot {
  readonly kind: 'attr';
  readonly schema: string;
  readonly def: AttributeDef;
  readonly slot: number;
}

export interface ExtensionSlot {
  readonly kind: 'extension';
  readonly ext: SchemaDef;
  readonly attrs: NameIndex<AttrSlot>;
}

/** Where a document key belongs, per resource type: one lookup per key while rendering. */
export interface Layout {
  /** Extension URNs, then common and core attribute names (the order the lookups had). */
  readonly top: NameIndex<AttrSlot | ExtensionSlot>;
  /** Common and core attribute names only. */
  readonly attrs: NameIndex<AttrSlot>;
  readonly slots: readonly AttrSlot[];
}

export interface ProjectionPlan {
  readonly rs: ResourceSchema;
  readonly layout: Layout;
  /** By slot: the rule of each attribute; null = left out. */
  readonly rules: readonly (AttrRule | null)[];
  /** Document keys unknown to the registry behave as "default". */
  readonly keepUnknown: boolean;
  /**
   * The projection removes nothing a stored document holds: it leaves out only `returned: "never"`
   * attributes, which are never stored, and attributes the service adds outside the document
   * (Group.members, User.groups), which it adds only when wanted. Worth checking whether a
   * document passes through unchanged.
   */
  readonly keepsStored: boolean;
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

const buildLayout = (rs: ResourceSchema): Layout => {
  const slots: AttrSlot[] = [];
  const slotsOf = (schema: string, defs: readonly AttributeDef[]): AttrSlot[] =>
    defs.map((def) => {
      const s: AttrSlot = { kind: 'attr', schema, def, slot: slots.length };
      slots.push(s);
      return s;
    });
  const attrs = slotsOf(rs.core.id, [...rs.common, ...rs.core.attributes]);
  const exts = rs.extensions.map(
    (ext): ExtensionSlot => ({ kind: 'extension', ext, attrs: buildNameIndex(slotsOf(ext.id, ext.attributes), (s) => s.def.name) }),
  );
  return {
    top: buildNameIndex<AttrSlot | ExtensionSlot>([...exts, ...attrs], (s) => (s.kind === 'extension' ? s.ext.id : s.def.name)),
    attrs: buildNameIndex(attrs, (s) => s.def.name),
    slots,
  };
};

const LAYOUTS = new WeakMap<ResourceSchema, Layout>();

const layoutOf = (rs: ResourceSchema): Layout => {
  let layout = LAYOUTS.get(rs);
  if (layout === undefined) LAYOUTS.set(rs, (layout = buildLayout(rs)));
  return layout;
};

const compile = (rs: ResourceSchema, p: Projection): ProjectionPlan => {
  const layout = layoutOf(rs);
  const rules = layout.slots.map((s) => ruleFor(p, s.schema, s.def));
  const keepUnknown = p.attributes === undefined;
  const addedByService = (s: AttrSlot | undefined): boolean =>
    s !== undefined && s.schema === rs.core.id && (s.def.name === rs.membershipAttribute || rs.derivedAttributes.includes(s.def.name));
  const keepsStored =
    keepUnknown && rules.every((r, i) => (r === null ? layout.slots[i]?.def.returned === 'never' || addedByService(layout.slots[i]) : r.whole));
  return { rs, layout, rules, keepUnknown, keepsStored, wants: new Map() };
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
