// Event ids: `evt_` + a ULID (48-bit millisecond time + 80 random bits, Crockford base32, 26
// characters; https://github.com/ulid/spec). Sortable as text by creation time; monotonic within a
// process (same millisecond: the random part is incremented). Across instances the order of ids is
// only approximately the order of events: the stream order is the outbox position, not the id.
import { randomFillSync } from 'node:crypto';

// Random bits come from a pooled buffer refilled 4 KiB at a time: one randomBytes(10) call per
// event was 2.6 % of a SCIM create's CPU (a CSPRNG call each); the bits are the same quality.
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
function random79(): bigint {
  if (poolAt + 10 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const hi = POOL.readUInt16BE(poolAt);
  const mid = POOL.readUInt32BE(poolAt + 2);
  const lo = POOL.readUInt32BE(poolAt + 6);
  poolAt += 10;
  // 80 bits, top bit cleared (room to increment within a millisecond).
  return ((BigInt(hi & 0x7fff) << 64n) | (BigInt(mid) << 32n) | BigInt(lo));
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_MAX = (1n << 80n) - 1n;

let lastTime = -1;
let lastRandom = 0n;

function encode(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}

export function newEventId(nowMs: number = Date.now()): string {
  let time = Math.max(nowMs, lastTime);
  let random: bigint;
  if (time === lastTime) {
    random = lastRandom + 1n;
    if (random > RANDOM_MAX) {
      time += 1; // 2^80 ids in one millisecond: borrow the next one
      random = random79();
    }
  } else {
    random = random79();
  }
  lastTime = time;
  lastRandom = random;
  return `evt_${encode(BigInt(time), 10)}${encode(random, 16)}`;
}

export const EVENT_ID_PATTERN = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
