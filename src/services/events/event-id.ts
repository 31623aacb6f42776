// Event ids: `evt_` + a ULID (48-bit millisecond time + 80 random bits, Crockford base32, 26
// characters; https://github.com/ulid/spec). Sortable as text by creation time; monotonic within a
// process (same millisecond: the random part is incremented). Across instances the order of ids is
// only approximately the order of events: the stream order is the outbox position, not the id.
import { randomBytes } from 'node:crypto';

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
      random = BigInt(`0x${randomBytes(10).toString('hex')}`) >> 1n;
    }
  } else {
    // The top bit clear leaves room to increment within a millisecond.
    random = BigInt(`0x${randomBytes(10).toString('hex')}`) >> 1n;
  }
  lastTime = time;
  lastRandom = random;
  return `evt_${encode(BigInt(time), 10)}${encode(random, 16)}`;
}

export const EVENT_ID_PATTERN = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;
