// RFC 7644 §3.5.2.1 "Add Operation", on one resolved target of the working document.
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { getElements } from './doc.js';
import { writeElements } from './elements.js';
import { jsonEqual, isEmptyValue } from './json-utils.js';
import { cleanElement, setMatchingElements, setSingle, setSubAttribute } from './set.js';
import type { Target } from './target.js';

/**
 * §3.5.2.1: "If the target location specifies a multi-valued attribute, a new value is added to
 * the attribute." A value equal to an existing one is not added again: "If the target location
 * already contains the value specified, no changes SHOULD be made" (also R-ENTRA-32).
 * Equality is structural and exact (no case folding), so it never merges two values a client
 * could tell apart.
 */
const appendElements = (doc: JsonObject, t: Target, value: JsonValue): void => {
  const elements = getElements(doc, t);
  const touched: number[] = [];
  for (const raw of Array.isArray(value) ? value : [value]) {
    const element = cleanElement(t, raw);
    if (isEmptyValue(element) || elements.some((e) => jsonEqual(e, element))) continue;
    touched.push(elements.push(element) - 1);
  }
  if (touched.length > 0) writeElements(doc, t, elements, touched);
};

export function applyAdd(doc: JsonObject, t: Target, value: JsonValue): void {
  switch (t.level) {
    case 'attribute':
      // §3.5.2.1: single-valued → "the existing value is replaced"; complex → sub-attributes merged.
      if (t.attr.multiValued) appendElements(doc, t, value);
      else setSingle(doc, t, value);
      return;
    case 'sub':
      setSubAttribute(doc, t, value);
      return;
    case 'element':
      setMatchingElements(doc, t, value, true);
      return;
  }
}
