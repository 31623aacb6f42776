// SET streams (admins): the organisation's SCIM security event token streams (RFC 9967) — push to a
// receiver (RFC 8935) or poll by the receiver (RFC 8936) — with their delivery counts, the issuer
// and JWKS URL receivers verify against, a form to add one (a poll token is shown once, in the
// response that created it), remove, and signing-key rotation.
import type { JSX } from 'preact';
import type { StreamView } from '../../../services/sets/set-streams.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, CopyField, CsrfField, EmptyState, Notice, PageHeader, PostButton, Time } from './components.js';

export interface SetStreamsView {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly streams: readonly StreamView[];
  readonly newPoll?: { readonly streamId: string; readonly pollUrl: string; readonly token: string };
  readonly done?: string;
  readonly error?: string;
}

export const SET_DONE_MESSAGES: Readonly<Record<string, string>> = {
  added: 'The stream was added. It receives the changes made from now on.',
  removed: 'The stream was removed with its undelivered SETs.',
  enabled: 'The stream was enabled. Its pending SETs go out again, in order.',
  disabled: 'The stream was disabled. New changes still queue up for it until it is enabled again.',
  rotated: 'A new signing key signs SETs from now on; the previous key stays in the JWKS for 7 days.',
};

function StreamRow({ s, csrf }: { s: StreamView; csrf: string }): JSX.Element {
  return (
    <tr>
      <td>
        <strong>{s.name}</strong>
        <div class="muted mono">{s.id}</div>
      </td>
      <td>
        <Badge tone={s.delivery === 'push' ? 'green' : 'gray'}>{s.delivery === 'push' ? 'Push' : 'Poll'}</Badge>{' '}
        {s.enabled ? (
          s.failingSince ? (
            <Badge tone="amber">{`Failing since ${s.failingSince.slice(0, 16).replace('T', ' ')} UTC`}</Badge>
          ) : null
        ) : (
          <>
            <Badge tone="red">Disabled</Badge>
            {s.disabledReason ? <div class="muted small">{s.disabledReason}</div> : null}
          </>
        )}
      </td>
      <td class="mono">{s.endpointUrl ?? s.pollUrl}</td>
      <td class="nowrap">
        {s.stats.pending} pending · {s.stats.delivered} delivered · {s.stats.failed > 0 ? <Badge tone="red">{`${s.stats.failed} failed`}</Badge> : '0 failed'}
      </td>
      <td class="nowrap">
        <Time iso={s.createdAt} />
      </td>
      <td class="nowrap">
        <PostButton
          action={`/console/set-streams/${encodeURIComponent(s.id)}/${s.enabled ? 'disable' : 'enable'}`}
          csrf={csrf}
          class="btn secondary small"
          label={`${s.enabled ? 'Disable' : 'Enable'} stream ${s.name}`}
        >
          {s.enabled ? 'Disable' : 'Enable'}
        </PostButton>{' '}
        <PostButton action={`/console/set-streams/${encodeURIComponent(s.id)}/delete`} csrf={csrf} class="btn danger-outline small" label={`Remove stream ${s.name}`}>
          Remove
        </PostButton>
      </td>
    </tr>
  );
}

export function SetStreamsPage({ chrome, vm }: { chrome: Chrome; vm: SetStreamsView }): JSX.Element {
  const csrf = chrome.csrfToken;
  return (
    <Layout title="SET streams" chrome={chrome}>
      <PageHeader title="SET streams" description="Send every provisioning change as a signed SCIM security event token (RFC 9967) to another system: pushed to its endpoint, or polled by it." />
      {vm.done && SET_DONE_MESSAGES[vm.done] ? (
        <Notice tone="success" role="status">
          <p>{SET_DONE_MESSAGES[vm.done]}</p>
        </Notice>
      ) : null}
      {vm.newPoll ? (
        <Notice tone="success" title="Poll stream added" role="status">
          <p>
            <strong>Copy the token now — you will not see it again.</strong> The receiver POSTs to the poll URL with <code>Authorization: Bearer &lt;token&gt;</code>.
          </p>
          <CopyField id="new-poll-url" label="Poll URL" value={vm.newPoll.pollUrl} />
          <CopyField id="new-poll-token" label="Token" value={vm.newPoll.token} />
        </Notice>
      ) : null}
      <section class="card stack" aria-labelledby="s-verify">
        <h2 id="s-verify">Verifying SETs</h2>
        <p class="muted">Every SET is a JWS (ES256, typ secevent+jwt) signed with your organisation’s own key. Receivers verify it against this JWKS and check the issuer.</p>
        <CopyField id="set-issuer" label="Issuer (iss)" value={vm.issuer} />
        <CopyField id="set-jwks" label="JWKS URL" value={vm.jwksUrl} />
        <PostButton action="/console/set-streams/rotate-key" csrf={csrf} class="btn secondary small">
          Rotate signing key
        </PostButton>
      </section>
      <section class="card stack" aria-labelledby="s-list">
        <h2 id="s-list">Streams</h2>
        {vm.streams.length === 0 ? (
          <EmptyState title="No SET streams yet" />
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Stream</th>
                  <th scope="col">Delivery</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">SETs</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {vm.streams.map((s) => (
                  <StreamRow key={s.id} s={s} csrf={csrf} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card stack" aria-labelledby="s-add">
        <h2 id="s-add">Add a stream</h2>
        {vm.error ? (
          <Notice tone="error" role="alert">
            <p>{vm.error}</p>
          </Notice>
        ) : null}
        <form method="post" action="/console/set-streams">
          <CsrfField token={csrf} />
          <fieldset class="field">
            <legend>Delivery</legend>
            <label>
              <input type="radio" name="delivery" value="push" checked /> Push: WiggleDesk POSTs each SET to the receiver’s endpoint (RFC 8935)
            </label>
            <label>
              <input type="radio" name="delivery" value="poll" /> Poll: the receiver fetches and acknowledges SETs (RFC 8936)
            </label>
          </fieldset>
          <div class="field">
            <label for="set-url">Push endpoint URL</label>
            <input type="url" id="set-url" name="url" maxLength={2000} placeholder="https://receiver.example/scim-events" />
          </div>
          <div class="field">
            <label for="set-auth">Authorization header (push, optional)</label>
            <input type="text" id="set-auth" name="authorization" maxLength={2000} autocomplete="off" placeholder="Bearer <token the receiver gave you>" />
          </div>
          <div class="field">
            <label for="set-name">Name</label>
            <input type="text" id="set-name" name="name" maxLength={100} placeholder="e.g. Desk booking" />
          </div>
          <button type="submit" class="btn">
            Add stream
          </button>
        </form>
      </section>
    </Layout>
  );
}
