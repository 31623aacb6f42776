// Event ids: `evt_` + 26 Crockford base32 characters (https://www.crockford.com/base32.html), sortable
// as text by creation time.
//
// An outbox event's id is derived from its row, not stored: 10 characters of its occurred time in
// milliseconds, then 16 of its outbox seq (unique in the database). So the id needs no unique index
// of its own — one B-tree page less in the WAL at every SCIM write (issue #13's cost target) — and
// "replay event evt_…" finds the row by its primary key. Rows written before migration 0024 keep
// the random ULID they were stored with (`id` column; a partial unique index finds them).
// The seq in an id tells nothing the Events API cursor does not already carry.
export const EVENT_ID_PATTERN = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `value` as `length` base32 characters, most significant first (truncated to its low 5×length bits). */
export function encodeBase32(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

function decodeBase32(text: string): bigint | undefined {
  let value = 0n;
  for (const ch of text) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    value = (value << 5n) | BigInt(digit);
  }
  return value;
}

/** The id of the outbox event stored at `seq`, occurred at `occurredAt` (ISO 8601). */
export function derivedEventId(seq: number | string, occurredAt: string): string {
  const ms = Date.parse(occurredAt);
  return `evt_${encodeBase32(BigInt(Number.isFinite(ms) && ms > 0 ? ms : 0), 10)}${encodeBase32(BigInt(seq), 16)}`;
}

/** An outbox row's id: the stored one (rows before 0024) or the derived one. */
export function eventIdOf(row: { readonly id: string | null; readonly seq: number | string; readonly occurred_at: string }): string {
  return row.id ?? derivedEventId(row.seq, row.occurred_at);
}

/**
 * The outbox seq a derived id names, if it can name one. The caller still compares the row's id
 * with the one asked for (a stored ULID's random part can decode to some seq too).
 */
export function seqOfEventId(id: string): number | undefined {
  if (!EVENT_ID_PATTERN.test(id)) return undefined;
  const seq = decodeBase32(id.slice(14));
  return seq !== undefined && seq > 0n && seq <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seq) : undefined;
}
