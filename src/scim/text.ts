// Text the directory can store. JSON and URLs can carry U+0000 and unpaired UTF-16 surrogates
// (`"\u0000"`, `"\ud800"`, `%00`), but neither is text: PostgreSQL refuses both in text and jsonb
// (a 500 before this check), and SQLite would store what PostgreSQL cannot, so the two dialects
// would disagree. Requests carrying them are refused at the edge (400), the same on both.

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex
const UNSTORABLE_ALL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const UNSTORABLE_TEXT = 'a NUL character (U+0000) or an unpaired UTF-16 surrogate';

// A plain character class is a fast scan; the lookarounds above cost several times more per
// character, so they run only on text that has a NUL or a surrogate at all (rare).
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\ud800-\udfff]/;

export const isStorableText = (s: string): boolean => !SUSPECT.test(s) || !UNSTORABLE.test(s);

/** The same text with every unstorable character replaced by U+FFFD (for logs and audit rows). */
export const toStorableText = (s: string): string => s.replace(UNSTORABLE_ALL, '\ufffd');
