// Shared by the printer and the evaluator: and/or chains are walked in a loop, not recursively.

import type { Filter, Logical } from './ast.js';

/**
 * The operands of a left-leaning chain of one operator, in order: `(a and b) and c` → [a, b, c].
 * The parser builds and/or chains left-associatively, so a long chain is a deep left spine;
 * walking it in a loop keeps recursion bounded by the parenthesis depth.
 */
export function flattenLogical(node: Logical): Filter[] {
  const rights: Filter[] = [];
  let left: Filter = node;
  while (left.kind === 'Logical' && left.op === node.op) {
    rights.push(left.right);
    left = left.left;
  }
  return [left, ...rights.reverse()];
}
