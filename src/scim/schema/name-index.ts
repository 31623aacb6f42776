// Case-insensitive name → definition maps for the registry (RFC 7643 §2.1: attribute names and
// schema URNs compare case-insensitively). Built once per frozen registry list, so lookups on
// every request are Map hits instead of linear scans that lower-case both sides.

export interface NameIndex<T> {
  /** The first entry whose name equals `name` ignoring case, as a linear `find` would give. */
  get(name: string): T | undefined;
}

export const buildNameIndex = <T>(entries: readonly T[], nameOf: (e: T) => string): NameIndex<T> => {
  const byName = new Map<string, T>();
  const lengths = new Set<number>();
  for (const e of entries) {
    const lower = nameOf(e).toLowerCase();
    if (!byName.has(lower)) byName.set(lower, e); // first wins, like Array.prototype.find
    lengths.add(lower.length);
  }
  // The exact spelling too, so canonical names (nearly every lookup) skip toLowerCase.
  for (const e of entries) {
    const name = nameOf(e);
    if (!byName.has(name)) byName.set(name, byName.get(name.toLowerCase()) as T);
  }
  return {
    // Registry names are ASCII, so only a same-length string can fold to one of them (the old
    // comparison also required equal lengths): other lengths are rejected without lower-casing.
    get: (name) => byName.get(name) ?? (lengths.has(name.length) ? byName.get(name.toLowerCase()) : undefined),
  };
};
