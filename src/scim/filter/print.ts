// Canonical text for filter ASTs: lowercase operators, JSON-quoted strings, and only the
// parentheses the precedence rules need (not > and > or, left-associative).
// Invariant (tested): parseFilter(printFilter(ast)) equals ast apart from offsets.

import type { AttrPath, Filter, FilterValue, Logical, LogicalOp, PatchPath } from './ast.js';
import { flattenLogical } from './flatten.js';

export function printAttrPath(path: AttrPath): string {
  const urn = path.urn === undefined ? '' : `${path.urn}:`;
  const sub = path.sub === undefined ? '' : `.${path.sub}`;
  return `${urn}${path.name}${sub}`;
}

export function printValue(value: FilterValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) throw new RangeError(`Cannot print non-finite number ${value} in a filter`);
  // String(-0) is "0"; keep the sign so the round trip is exact.
  return Object.is(value, -0) ? '-0' : String(value);
}

export function printFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'AttrExpression':
      return `${printAttrPath(filter.path)} ${filter.op} ${printValue(filter.value)}`;
    case 'Present':
      return `${printAttrPath(filter.path)} pr`;
    case 'Not':
      return `not (${printFilter(filter.filter)})`;
    case 'ValuePath':
      return `${printAttrPath(filter.path)}[${printFilter(filter.filter)}]`;
    case 'Logical':
      return printLogical(filter);
  }
}

export function printPatchPath(path: PatchPath): string {
  const filter = path.valueFilter === undefined ? '' : `[${printFilter(path.valueFilter)}]`;
  const sub = path.subAfterFilter === undefined ? '' : `.${path.subAfterFilter}`;
  return `${printAttrPath(path.path)}${filter}${sub}`;
}

function printLogical(node: Logical): string {
  return flattenLogical(node)
    .map((operand) => (needsParens(operand, node.op) ? `(${printFilter(operand)})` : printFilter(operand)))
    .join(` ${node.op} `);
}

/**
 * An operand of an `op` chain needs parentheses when it is an "or" inside "and" (lower
 * precedence), or the same operator nested on the right (the parser associates to the left).
 * The first operand of a flattened chain is never the same operator, so this rule is exact.
 */
function needsParens(operand: Filter, op: LogicalOp): boolean {
  if (operand.kind !== 'Logical') return false;
  return operand.op === op || (operand.op === 'or' && op === 'and');
}
