// Request bodies: JSON.parse, then a nesting-depth bound so a hostile body cannot make the
// recursive validators walk 100,000 levels deep, and no text the database cannot store
// (src/scim/text.ts) in any string or key.
import { invalidSyntax, invalidValue } from '../../scim/errors.js';
import { UNSTORABLE_TEXT, isStorableText, toStorableText } from '../../scim/text.js';

export const MAX_JSON_DEPTH = 32;

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw invalidSyntax('The request body is empty; send a JSON object.', 'SCIM_E_JSON_001');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalidSyntax(`The request body is not valid JSON: ${(e as Error).message}`, 'SCIM_E_JSON_002');
  }
  if (depthExceeds(value, MAX_JSON_DEPTH)) {
    throw invalidSyntax(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`, 'SCIM_E_JSON_003');
  }
  // The location is worked out only for a body that has such text (building it for every node
  // of a 1 MiB body would cost more than the check itself).
  const where = allStorable(value) ? undefined : unstorableAt(value);
  if (where !== undefined) {
    throw invalidValue(`The request body contains ${UNSTORABLE_TEXT}, which cannot be stored, at ${where}`, 'SCIM_E_JSON_004');
  }
  return value;
}

function allStorable(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (!isStorableText(v)) return false;
    } else if (Array.isArray(v)) {
      for (const child of v) stack.push(child);
    } else if (typeof v === 'object' && v !== null) {
      for (const k in v) {
        if (!isStorableText(k)) return false;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return true;
}

/** A readable location (`emails[0].value`) of the first unstorable string or key, if any. */
function unstorableAt(root: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return at || 'the top level';
    } else if (Array.isArray(v)) {
      v.forEach((child, i) => stack.push([child, `${at}[${i}]`]));
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const name = `${at}${at ? '.' : ''}${JSON.stringify(toStorableText(k))}`;
        if (!isStorableText(k)) return `the key ${name}`;
        stack.push([child, name]);
      }
    }
  }
  return undefined;
}

function depthExceeds(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}
