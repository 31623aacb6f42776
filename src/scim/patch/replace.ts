// RFC 7644 §3.5.2.3 "Replace Operation", on one resolved target of the working document.
import type { JsonObject, JsonValue } from '../../domain/json.js';
import { writeElements } from './elements.js';
import { isEmptyValue } from './json-utils.js';
import { cleanElement, setMatchingElements, setSingle, setSubAttribute } from './set.js';
import type { Target } from './target.js';

/**
 * §3.5.2.3: "If the target location is a multi-valued attribute and no filter is specified, the
 * attribute and all values are replaced" (Okta `members`, Entra's assertive `roles`, R-ENTRA-23).
 * An empty list unassigns the attribute.
 */
const replaceElements = (doc: JsonObject, t: Target, value: JsonValue): void => {
  const elements = (Array.isArray(value) ? value : [value]).map((v) => cleanElement(t, v)).filter((e) => !isEmptyValue(e));
  writeElements(doc, t, elements, [...elements.keys()]);
};

export function applyReplace(doc: JsonObject, t: Target, value: JsonValue): void {
  switch (t.level) {
    case 'attribute':
      // §3.5.2.3: a target that "does not exist" is treated as add; a complex one gets the
      // given sub-attributes replaced and "sub-attributes that are not specified ... are left
      // unchanged".
      if (t.attr.multiValued) replaceElements(doc, t, value);
      else setSingle(doc, t, value);
      return;
    case 'sub':
      setSubAttribute(doc, t, value);
      return;
    case 'element':
      setMatchingElements(doc, t, value, false);
      return;
  }
}
