// Webhook signing secrets: `whsec_` + base64 of 32 random bytes (Standard Webhooks v1: 24–64 bytes).
//
// Why not a hash, like API keys: an HMAC signature needs the secret itself, so the server must be
// able to read it back. What we can do is keep the database alone from revealing it: with
// WEBHOOK_SECRET_KEY set, secrets are sealed with AES-256-GCM under that key (held outside the
// database, like the other deployment secrets) before they are stored; a database dump or backup
// then holds only ciphertext. Without the key they are stored as `plain:` (development; serve logs
// a warning). The secret is shown once, when it is made; lists and logs never show it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export const generateWebhookSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

export interface SecretSealer {
  seal(secret: string): string;
  open(stored: string): string;
  readonly encrypted: boolean;
}

/** `keyBase64`: 32 bytes (config.events.webhookSecretKey), or undefined to store secrets unsealed. */
export function createSecretSealer(keyBase64: string | undefined): SecretSealer {
  const key = keyBase64 === undefined ? undefined : Buffer.from(keyBase64, 'base64');
  return {
    encrypted: key !== undefined,
    seal(secret) {
      if (!key) return `plain:${secret}`;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return `gcm1:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
    },
    open(stored) {
      if (stored.startsWith('plain:')) return stored.slice('plain:'.length);
      const m = /^gcm1:([^:]+):([^:]+):([^:]+)$/.exec(stored);
      if (!m) throw new Error('unrecognised sealed webhook secret');
      if (!key) throw new Error('a webhook secret is sealed but WEBHOOK_SECRET_KEY is not set');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(m[1]!, 'base64'));
      decipher.setAuthTag(Buffer.from(m[2]!, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(m[3]!, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
