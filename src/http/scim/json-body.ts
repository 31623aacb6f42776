// Request bodies: JSON.parse, then a nesting-depth bound so a hostile body cannot make the
// recursive validators walk 100,000 levels deep.
import { invalidSyntax } from '../../scim/errors.js';

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
  return value;
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
