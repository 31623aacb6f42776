// Case folding for caseExact=false comparisons (RFC 7643 §2.2). The storage layer fills its
// folded shadow columns with this same function, so it must stay deterministic and
// locale-independent: NFC first (so composed and decomposed forms agree), then full Unicode
// toLowerCase (unlike SQLite's ASCII-only lower()). Changing it requires re-folding stored data.

export function foldCase(s: string): string {
  return s.normalize('NFC').toLowerCase();
}
