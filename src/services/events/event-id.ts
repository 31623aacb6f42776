// Ids for what is not an outbox row (a webhook endpoint's test event): `evt_` + a ULID (48-bit
// millisecond time + 80 random bits, Crockford base32; https://github.com/ulid/spec), the same shape
// as an outbox event's id (domain/event-ids.ts derives those from the row).
import { randomBytes } from 'node:crypto';
import { encodeBase32 } from '../../domain/event-ids.js';

export function newEventId(nowMs: number = Date.now()): string {
  const random = BigInt(`0x${randomBytes(10).toString('hex')}`);
  return `evt_${encodeBase32(BigInt(nowMs), 10)}${encodeBase32(random, 16)}`;
}

export { EVENT_ID_PATTERN } from '../../domain/event-ids.js';
