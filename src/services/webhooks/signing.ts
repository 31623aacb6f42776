// Standard Webhooks v1 signatures (spec/standard-webhooks.md, "Signature scheme"): the signed
// content is `${webhook-id}.${webhook-timestamp}.${body}`, signed with HMAC-SHA256 under the
// base64-decoded part of the `whsec_` secret; `webhook-signature` is a space-delimited list of
// `v1,<base64 signature>` — during a rotation one per valid secret, so a receiver holding either
// secret verifies the delivery.
import { createHmac } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from './secrets.js';

export function signatureOf(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

/** The three Standard Webhooks headers for one request. `timestamp` is in Unix seconds. */
export function webhookHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signatureOf(s, id, timestamp, body)).join(' '),
    'user-agent': 'WiggleDesk-Webhooks/1',
  };
}
