// A one-time value carried across a post/redirect/get: the new API key travels from the POST to
// the GET that shows it in a short-lived HttpOnly cookie, sealed with AES-256-GCM under a key
// derived (HKDF) from the browser's own session token. The server keeps nothing (WiggleDesk
// stores only hashes of API keys and of session tokens), another session cannot open it, and the
// GET clears it: a reload shows the page without the key and creates nothing.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'wiggledesk console flash v1';

function keyOf(sessionToken: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(sessionToken, 'utf8'), Buffer.from(purpose, 'utf8'), Buffer.from(INFO, 'utf8'), 32));
}

export function sealFlash(sessionToken: string, purpose: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(sessionToken, purpose), iv);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The sealed value, or undefined when it is missing, tampered with or sealed for another session. */
export function openFlash(sessionToken: string, purpose: string, sealed: string | undefined): string | undefined {
  if (!sealed || sealed.length > 4096) return undefined;
  try {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', keyOf(sessionToken, purpose), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
