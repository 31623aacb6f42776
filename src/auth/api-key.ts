// API keys, treated as Lucia treats session tokens: `wdk_<keyId>_<secret>` with a 256-bit secret,
// only SHA-256(secret) stored, looked up by keyId, compared in constant time, shown once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'wdk_';
const KEY_ID_HEX_LENGTH = 24;

export interface NewApiKey {
  readonly id: string;
  /** The full key, shown to its creator once and never stored. */
  readonly key: string;
  readonly secretHash: string;
}

export function generateApiKey(): NewApiKey {
  const id = randomBytes(KEY_ID_HEX_LENGTH / 2).toString('hex');
  const secret = randomBytes(32).toString('base64url'); // 256 bits
  return { id, key: `${API_KEY_PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Splits a presented key into id and secret; undefined when it is not shaped like one of ours. */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  if (!token.startsWith(API_KEY_PREFIX)) return undefined;
  const rest = token.slice(API_KEY_PREFIX.length);
  const id = rest.slice(0, KEY_ID_HEX_LENGTH);
  if (!/^[0-9a-f]{24}$/.test(id) || rest[KEY_ID_HEX_LENGTH] !== '_') return undefined;
  const secret = rest.slice(KEY_ID_HEX_LENGTH + 1);
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  return { id, secret };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The readable part an admin sees in lists: enough to tell keys apart, useless to an attacker. */
export const displayPrefix = (keyId: string): string => `${API_KEY_PREFIX}${keyId.slice(0, 8)}…`;
