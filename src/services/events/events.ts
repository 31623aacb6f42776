// Outbound events, wired once by the composition root: the Events API, webhook management and
// delivery, and the retention purge. Workers (src/workers/) drive delivery and retention.
import type { PlatformStore } from '../../storage/ports.js';
import type { OutboundPolicy } from '../../outbound/outbound-request.js';
import { createEventsApi, type EventsApi } from './events-api.js';
import { createWebhookService, type WebhookService } from '../webhooks/webhooks.js';
import { createWebhookDelivery, type Send, type WebhookDelivery } from '../webhooks/delivery.js';
import { createSecretSealer, type SecretSealer } from '../webhooks/secrets.js';

export interface EventsServices {
  readonly api: EventsApi;
  readonly webhooks: WebhookService;
  readonly delivery: WebhookDelivery;
  readonly sealer: SecretSealer;
  readonly retentionDays: number;
  /** Deletes events older than the retention; returns how many. */
  purgeExpired(): Promise<number>;
}

export function createEventsServices(deps: {
  platform: PlatformStore;
  retentionDays: number;
  webhookSecretKey: string | undefined;
  policy: OutboundPolicy;
  now: () => number;
  random?: () => number;
  send?: Send;
  onError?: (e: unknown) => void;
}): EventsServices {
  const sealer = createSecretSealer(deps.webhookSecretKey);
  return {
    api: createEventsApi({ retentionDays: deps.retentionDays }),
    webhooks: createWebhookService({ sealer, policy: deps.policy, now: deps.now, ...(deps.send ? { send: deps.send } : {}) }),
    delivery: createWebhookDelivery({
      platform: deps.platform,
      sealer,
      policy: deps.policy,
      now: deps.now,
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.send ? { send: deps.send } : {}),
      ...(deps.onError ? { onError: deps.onError } : {}),
    }),
    sealer,
    retentionDays: deps.retentionDays,
    purgeExpired: () => deps.platform.deliveries.purgeEvents(new Date(deps.now() - deps.retentionDays * 24 * 3600_000).toISOString(), 1000),
  };
}
