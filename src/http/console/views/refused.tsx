// Refused connections: requests that named one of the organisation's keys and were turned away
// (revoked key, wrong secret, API access withdrawn). One sentence per key and reason saying what
// is happening and how to fix it, on the Dashboard and in Activity.
import type { JSX } from 'preact';
import type { RefusedConnection } from '../../../services/console/console-activity.js';
import { Time } from './components.js';
import { plural } from './format.js';

const keyLabel = (r: RefusedConnection) => (r.keyName ? `‘${r.keyName}’` : 'that was deleted');

/** "with the revoked key ‘Entra ID’" and friends. */
export function refusedWith(r: RefusedConnection): string {
  switch (r.reason) {
    case 'revoked_key':
      return `with the revoked key ${keyLabel(r)}`;
    case 'wrong_secret':
      return `with a wrong secret for the key ${keyLabel(r)}`;
    case 'api_access_withdrawn':
      return `with the key ${keyLabel(r)}, but your organisation’s API access was withdrawn`;
    case 'oauth_secret_expired':
      return `for a token with an expired secret of the OAuth client ${keyLabel(r)}`;
    case 'oauth_client_refused':
      return `for a token as the OAuth client ${keyLabel(r)}, which failed to authenticate`;
  }
}

export function refusedFix(r: RefusedConnection): string {
  switch (r.reason) {
    case 'revoked_key':
      return 'Generate a new key on your Profile, paste it as the Secret Token in your identity provider and run its Test Connection.';
    case 'wrong_secret':
      return 'The key id matches but the rest does not: the key was probably pasted incompletely. Keys are shown once, so generate a new key on your Profile and paste all of it.';
    case 'api_access_withdrawn':
      return 'Ask your WiggleDesk account manager to restore API access; your keys work again as soon as it is.';
    case 'oauth_secret_expired':
      return 'On Provisioning credentials, add a secret to the client, paste it into your identity provider as the Client Secret, then delete the expired one.';
    case 'oauth_client_refused':
      return 'Open the Activity entry for the token request to see why (wrong secret, or which claim of the federation assertion did not match), then fix the credentials on Provisioning credentials or in your identity provider.';
  }
}

/** "Your identity provider is calling with the revoked key ‘Entra ID’ — last at 14:02, 37 times." */
export function RefusedSentence({ r }: { r: RefusedConnection }): JSX.Element {
  return (
    <>
      Your identity provider {r.ongoing ? 'is calling' : 'was calling'} {refusedWith(r)} — last at <Time iso={r.lastAt} clock />, {plural(r.attempts, 'time')}.
      {r.ongoing ? null : ' Requests since then were accepted.'}
    </>
  );
}

export function RefusedList({ rows }: { rows: readonly RefusedConnection[] }): JSX.Element {
  return (
    <ul class="refused-list">
      {rows.map((r) => (
        <li key={`${r.keyId}:${r.reason}`} data-testid="refused-connection">
          <p class="refused-sentence">
            <RefusedSentence r={r} />
          </p>
          <p class="muted small">
            {refusedFix(r)} First refused <Time iso={r.firstAt} />
            {r.userAgent ? (
              <>
                {' '}· client <span class="mono break">{r.userAgent}</span>
              </>
            ) : null}
            .
          </p>
        </li>
      ))}
    </ul>
  );
}
