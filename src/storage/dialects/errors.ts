// Driver errors → one domain shape, so services map one thing, not two (style.md §8.4).
export type ConstraintKind = 'unique' | 'foreignKey' | 'check';

export function constraintViolation(error: unknown): { kind: ConstraintKind; constraint: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  // PostgreSQL SQLSTATE codes.
  if (e.code === '23505') return { kind: 'unique', constraint: String(e.constraint ?? '') };
  if (e.code === '23503') return { kind: 'foreignKey', constraint: String(e.constraint ?? '') };
  if (e.code === '23514') return { kind: 'check', constraint: String(e.constraint ?? '') };
  // better-sqlite3 extended result codes; the message names the columns ("UNIQUE constraint failed: t.a, t.b").
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return { kind: 'unique', constraint: message };
  if (e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'foreignKey', constraint: message };
  if (e.code === 'SQLITE_CONSTRAINT_CHECK') return { kind: 'check', constraint: message };
  return undefined;
}

