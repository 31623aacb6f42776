// Structural comparison of ASTs ignores where nodes were written: the printer's round-trip
// guarantee (and most tests) compare `stripOffsets(a)` with `stripOffsets(b)`.

/** A deep copy of an AST (or any JSON-like tree) without its `offset` fields. */
export function stripOffsets<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item: unknown) => stripOffsets(item)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'offset') copy[key] = stripOffsets(value);
  }
  return copy as T;
}
