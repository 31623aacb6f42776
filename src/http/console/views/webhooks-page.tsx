// Webhooks (issue #13): endpoints of the organisation, the secret shown once after add / rotate,
// test, enable / disable, remove; per endpoint its delivery log with Replay of one event or a range.
import type { JSX } from 'preact';
import { Layout, type Chrome } from './layout.js';
import { Badge, CopyField, CsrfField, EmptyState, Notice, PageHeader, PostButton, Time } from './components.js';
import type { WebhookEndpointView, TestResult } from '../../../services/webhooks/webhooks.js';
import type { DeliveryRecord } from '../../../storage/ports.js';
import { EVENT_TYPES } from '../../../domain/events.js';

export interface WebhooksVm {
  readonly endpoints: readonly WebhookEndpointView[];
  readonly secret?: { readonly endpointId: string; readonly secret: string; readonly previousValidUntil?: string } | undefined;
  readonly error?: { readonly message: string; readonly url: string } | undefined;
  readonly done?: string | undefined;
  readonly test?: (TestResult & { readonly endpointId: string }) | undefined;
}

const path = (id: string, tail = '') => `/console/webhooks/${encodeURIComponent(id)}${tail}`;

function EndpointStatus({ e }: { e: WebhookEndpointView }): JSX.Element {
  if (!e.enabled) return <Badge tone="red">Disabled</Badge>;
  if (e.failingSince) return <Badge tone="amber">Failing since {e.failingSince.slice(0, 16).replace('T', ' ')}</Badge>;
  return <Badge tone="green">Enabled</Badge>;
}

export function WebhooksPage({ chrome, vm }: { chrome: Chrome; vm: WebhooksVm }): JSX.Element {
  const csrf = chrome.csrfToken;
  return (
    <Layout title="Webhooks" chrome={chrome}>
      <PageHeader title="Webhooks" description="Every change to your users and groups is sent, signed (Standard Webhooks), to these endpoints. Receivers deduplicate on the webhook-id header." />
      {vm.secret && (
        <Notice tone="success" title="Copy the signing secret now: it is shown only once" role="status">
          <CopyField id="webhook-secret" label="Signing secret" value={vm.secret.secret} hint={vm.secret.previousValidUntil ? `The previous secret also signs until ${vm.secret.previousValidUntil}.` : 'Verify each delivery with it (see docs/events.md).'} />
        </Notice>
      )}
      {vm.done && <Notice tone="success" role="status" title={vm.done} />}
      {vm.test && (
        <Notice tone={vm.test.ok ? 'success' : 'error'} role="status" title={vm.test.ok ? `Test delivered: HTTP ${vm.test.status} in ${Math.round(vm.test.durationMs)} ms` : `Test failed: ${vm.test.error ?? ''}`} />
      )}
      {vm.endpoints.length === 0 ? (
        <EmptyState title="No webhook endpoints yet">Add one below to receive user and group events.</EmptyState>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Events</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {vm.endpoints.map((e) => (
              <tr>
                <td>
                  <a href={path(e.id)}>{e.url}</a>
                  {e.description && <div class="muted">{e.description}</div>}
                  {!e.enabled && e.disabledReason && <div class="error-text">{e.disabledReason}</div>}
                  {e.rotating && <div class="muted">Rotating: the previous secret signs until {e.previousSecretExpiresAt}</div>}
                </td>
                <td>{e.eventTypes ? e.eventTypes.join(', ') : 'All events'}</td>
                <td>
                  <EndpointStatus e={e} />
                </td>
                <td>
                  <PostButton action={path(e.id, '/test')} csrf={csrf} class="btn secondary small" label={`Send a test event to ${e.url}`}>
                    Send test
                  </PostButton>
                  <PostButton action={path(e.id, e.enabled ? '/disable' : '/enable')} csrf={csrf} class="btn secondary small" label={`${e.enabled ? 'Disable' : 'Enable'} ${e.url}`}>
                    {e.enabled ? 'Disable' : 'Enable'}
                  </PostButton>
                  <PostButton action={path(e.id, '/rotate')} csrf={csrf} class="btn secondary small" label={`Rotate the secret of ${e.url}`}>
                    Rotate secret
                  </PostButton>
                  <PostButton action={path(e.id, '/remove')} csrf={csrf} class="btn danger-outline small" label={`Remove ${e.url}`}>
                    Remove
                  </PostButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section class="card">
        <h2>Add an endpoint</h2>
        <form method="post" action="/console/webhooks">
          <CsrfField token={csrf} />
          {vm.error && (
            <p class="error-text" id="webhook-url-error" role="alert">
              {vm.error.message}
            </p>
          )}
          <div class="field">
            <label for="webhook-url">Endpoint URL (https)</label>
            <input type="url" id="webhook-url" name="url" required maxLength={2000} value={vm.error?.url} placeholder="https://example.com/webhooks/wiggledesk" />
          </div>
          <div class="field">
            <label for="webhook-description">Description (optional)</label>
            <input type="text" id="webhook-description" name="description" maxLength={200} />
          </div>
          <fieldset class="field">
            <legend>Events (none ticked: all)</legend>
            {EVENT_TYPES.map((t) => (
              <label class="check">
                <input type="checkbox" name="events" value={t} /> {t}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="btn">
            Add endpoint
          </button>
        </form>
      </section>
    </Layout>
  );
}

export function WebhookDeliveriesPage({ chrome, endpoint, deliveries, done, error }: { chrome: Chrome; endpoint: WebhookEndpointView; deliveries: readonly DeliveryRecord[]; done?: string | undefined; error?: string | undefined }): JSX.Element {
  const csrf = chrome.csrfToken;
  return (
    <Layout title={`Webhook ${endpoint.url}`} chrome={chrome}>
      <PageHeader title={endpoint.url} breadcrumb={{ href: '/console/webhooks', label: 'Webhooks' }} description={<EndpointStatus e={endpoint} />} />
      {!endpoint.enabled && endpoint.disabledReason && <Notice tone="warning" title="This endpoint is disabled">{endpoint.disabledReason}</Notice>}
      {done && <Notice tone="success" role="status" title={done} />}
      {error && <Notice tone="error" role="alert" title={error} />}
      <section class="card">
        <h2>Replay a time range</h2>
        <form method="post" action={path(endpoint.id, '/replay')}>
          <CsrfField token={csrf} />
          <div class="field">
            <label for="replay-from">From (UTC)</label>
            <input type="datetime-local" id="replay-from" name="from" required />
          </div>
          <div class="field">
            <label for="replay-to">To (UTC)</label>
            <input type="datetime-local" id="replay-to" name="to" required />
          </div>
          <button type="submit" class="btn secondary">
            Replay range
          </button>
        </form>
      </section>
      <h2>Delivery log</h2>
      {deliveries.length === 0 ? (
        <EmptyState title="No deliveries yet" />
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last response</th>
              <th scope="col">Next retry</th>
              <th scope="col">Replay</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr>
                <td>
                  <code>{d.eventType}</code>
                  <div class="muted">
                    <code>{d.eventId}</code> · <Time iso={d.occurredAt} />
                  </div>
                </td>
                <td>
                  <Badge tone={d.status === 'succeeded' ? 'green' : d.status === 'failed' ? 'red' : 'amber'}>{d.status}</Badge>
                </td>
                <td>{d.attempts}</td>
                <td>
                  {d.lastStatus !== null ? `HTTP ${d.lastStatus}` : (d.lastError ?? '—')}
                  {d.lastDurationMs !== null && <span class="muted"> · {d.lastDurationMs} ms</span>}
                </td>
                <td>{d.status === 'pending' ? <Time iso={d.nextAttemptAt} exact /> : '—'}</td>
                <td>
                  <PostButton action={path(endpoint.id, '/replay')} csrf={csrf} fields={{ eventId: d.eventId }} class="btn secondary small" label={`Replay ${d.eventId}`}>
                    Replay
                  </PostButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
