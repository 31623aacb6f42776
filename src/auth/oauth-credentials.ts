// OAuth client ids, client secrets and opaque access tokens for SCIM (issue #20). Like API keys
// (api-key.ts): random, with a readable prefix for secret scanners, shown once, stored only as
// SHA-256, compared in constant time.
//   client id     wdc_<24 hex>                      public
//   client secret wdcs_<43 base64url>  (256 bits)   shown once
//   access token  wdat_<24 hex id>_<43 base64url>   looked up by id, the rest hashed
import { randomBytes } from 'node:crypto';
import { hashSecret, secretMatches } from './api-key.js';

export const CLIENT_ID_PREFIX = 'wdc_';
export const CLIENT_SECRET_PREFIX = 'wdcs_';
export const ACCESS_TOKEN_PREFIX = 'wdat_';

const hex24 = () => randomBytes(12).toString('hex');
const secret256 = () => randomBytes(32).toString('base64url');

export const generateClientId = (): string => `${CLIENT_ID_PREFIX}${hex24()}`;

export function generateClientSecret(): { id: string; secret: string; secretHash: string } {
  const secret = `${CLIENT_SECRET_PREFIX}${secret256()}`;
  return { id: hex24(), secret, secretHash: hashSecret(secret) };
}

export function generateAccessToken(): { id: string; token: string; tokenHash: string } {
  const id = hex24();
  const secret = secret256();
  return { id, token: `${ACCESS_TOKEN_PREFIX}${id}_${secret}`, tokenHash: hashSecret(secret) };
}

/** Id and secret part of a presented access token; undefined when it is not shaped like one of ours. */
export function parseAccessToken(token: string): { id: string; secret: string } | undefined {
  const m = /^wdat_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export const isAccessTokenShaped = (token: string): boolean => token.startsWith(ACCESS_TOKEN_PREFIX);

/** Constant-time comparison of a presented secret (client secret or token part) with a stored hash. */
export const matchesHash = (presented: string, storedHash: string): boolean => secretMatches(presented, storedHash);

export { hashSecret };
