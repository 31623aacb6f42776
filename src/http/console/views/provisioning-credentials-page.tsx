// Provisioning credentials (admins): the three ways an identity provider authenticates to
// WiggleDesk's SCIM endpoint, side by side — API key (today's; non-gallery apps and other
// identity providers), OAuth client (client credentials) and workload identity federation —
// each with what to paste where in Microsoft Entra and Copy buttons. A new client secret is
// shown once, in the response that created it.
import type { JSX } from 'preact';
import type { ClientView } from '../../../services/oauth/oauth-service.js';
import { Layout, type Chrome } from './layout.js';
import { Badge, CopyField, CsrfField, EmptyState, Notice, PageHeader, PostButton, Time } from './components.js';

export interface ProvisioningCredentialsView {
  readonly orgName: string;
  readonly apiAccessApproved: boolean;
  readonly scimUrl: string;
  readonly tokenEndpoint: string;
  readonly activeApiKeys: number;
  readonly clients: readonly ClientView[];
  /** Just created or added: shown this once. */
  readonly newSecret?: { readonly clientId: string; readonly secret: string; readonly expiresAt: string };
  readonly done?: string;
  readonly error?: { readonly form: string; readonly message: string };
}

export const DONE_MESSAGES: Readonly<Record<string, string>> = {
  'federated-created': 'Workload identity federation is set up. Paste the client ID, token URL and SCIM URL below into Entra, then click Test Connection.',
  'secret-removed': 'The secret was deleted. Tokens issued with it no longer work.',
  'client-deleted': 'The client was deleted with its secrets. Its access tokens no longer work.',
};

const YEAR_OPTIONS = [
  { days: 365, label: '1 year' },
  { days: 730, label: '2 years' },
  { days: 1095, label: '3 years' },
];

function FormError({ vm, form }: { vm: ProvisioningCredentialsView; form: string }): JSX.Element | null {
  if (vm.error?.form !== form) return null;
  return (
    <Notice tone="error" role="alert">
      <p>{vm.error.message}</p>
    </Notice>
  );
}

function ApiKeyMethod({ vm }: { vm: ProvisioningCredentialsView }): JSX.Element {
  return (
    <section class="card stack" aria-labelledby="m-key">
      <h2 id="m-key">API key</h2>
      <p class="muted">
        A long-lived bearer token. Use it for a <strong>non-gallery</strong> Entra app and for other identity providers (Okta, OneLogin, JumpCloud…). Microsoft’s App Gallery does not accept it: use one of the other two methods there.
      </p>
      <p>
        {vm.activeApiKeys} active key{vm.activeApiKeys === 1 ? '' : 's'}. <a href="/console/profile">Generate or revoke keys on your Profile</a>.
      </p>
      <h3 class="subhead">In Entra (non-gallery app) → Provisioning → Admin Credentials</h3>
      <CopyField id="key-scim-url" label="Tenant URL" value={vm.scimUrl} />
      <p class="hint">Secret Token: the API key.</p>
    </section>
  );
}

function SecretRows({ client, csrf }: { client: ClientView; csrf: string }): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">Secrets of {client.name}</caption>
        <thead>
          <tr>
            <th scope="col">Secret</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {client.secrets.map((s) => (
            <tr key={s.id}>
              <td class="mono nowrap">{`${s.id.slice(0, 8)}…`}</td>
              <td class="nowrap">
                {s.expired ? <Badge tone="red">Expired</Badge> : null} <Time iso={s.expiresAt} exact />
              </td>
              <td class="nowrap">{s.lastUsedAt ? <Time iso={s.lastUsedAt} /> : <span class="muted">Never</span>}</td>
              <td class="nowrap">
                <PostButton action={`/console/provisioning-credentials/clients/${encodeURIComponent(client.id)}/secrets/${encodeURIComponent(s.id)}/delete`} csrf={csrf} class="btn danger-outline small" label={`Delete secret ${s.id.slice(0, 8)}`}>
                  Delete
                </PostButton>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OAuthClientMethod({ vm, csrf }: { vm: ProvisioningCredentialsView; csrf: string }): JSX.Element {
  const clients = vm.clients.filter((c) => c.kind === 'secret');
  return (
    <section class="card stack" aria-labelledby="m-oauth">
      <h2 id="m-oauth">OAuth client (client credentials)</h2>
      <p class="muted">
        Entra gets a short-lived access token (1 hour) from WiggleDesk’s token endpoint with a client ID and secret. Secrets expire after 1 to 3 years; add a second secret before the first expires, update Entra, then delete the old one.
      </p>
      <h3 class="subhead">In Entra → Provisioning → Admin Credentials</h3>
      <ol class="steps">
        <li>Authentication Method: <strong>OAuth2 Client Credentials Grant</strong>.</li>
        <li>Tenant URL, Token Endpoint, Client Identifier and Client Secret: copy them from here.</li>
        <li>Click <strong>Test Connection</strong>, then save.</li>
      </ol>
      <CopyField id="oauth-scim-url" label="Tenant URL (SCIM)" value={vm.scimUrl} />
      <CopyField id="oauth-token-url" label="Token Endpoint" value={vm.tokenEndpoint} />
      {vm.newSecret ? (
        <Notice tone="success" title="Client secret created" role="status">
          <p>
            <strong>Copy it now — you will not see this secret again.</strong> It expires <Time iso={vm.newSecret.expiresAt} exact />.
          </p>
          <CopyField id="new-client-id" label="Client Identifier" value={vm.newSecret.clientId} />
          <CopyField id="new-client-secret" label="Client Secret" value={vm.newSecret.secret} />
        </Notice>
      ) : null}
      <FormError vm={vm} form="client" />
      {vm.apiAccessApproved ? (
        <form method="post" action="/console/provisioning-credentials/clients">
          <CsrfField token={csrf} />
          <div class="field">
            <label for="client-name">Client name</label>
            <input type="text" id="client-name" name="name" maxLength={100} placeholder="e.g. Microsoft Entra ID" />
          </div>
          <div class="field">
            <label for="client-days">Secret expires after</label>
            <select id="client-days" name="secret_days">
              {YEAR_OPTIONS.map((o) => (
                <option key={o.days} value={String(o.days)} selected={o.days === 730}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="btn">
            Create OAuth client
          </button>
        </form>
      ) : (
        <NotApproved />
      )}
      {clients.length === 0 ? (
        <EmptyState title="No OAuth clients yet" />
      ) : (
        clients.map((c) => (
          <div key={c.id} class="stack">
            <h3 class="subhead">{c.name}</h3>
            <CopyField id={`cid-${c.id}`} label="Client Identifier" value={c.id} />
            <SecretRows client={c} csrf={csrf} />
            <div class="actions">
              {vm.apiAccessApproved ? (
                <PostButton action={`/console/provisioning-credentials/clients/${encodeURIComponent(c.id)}/secrets`} csrf={csrf} class="btn secondary small">
                  Add a secret
                </PostButton>
              ) : null}{' '}
              <PostButton action={`/console/provisioning-credentials/clients/${encodeURIComponent(c.id)}/delete`} csrf={csrf} class="btn danger-outline small" label={`Delete client ${c.name}`}>
                Delete client
              </PostButton>
            </div>
          </div>
        ))
      )}
    </section>
  );
}

function NotApproved(): JSX.Element {
  return (
    <Notice tone="warning" title="Your organisation is not approved for API access yet">
      <p>Reach out to your WiggleDesk account manager to enable API access.</p>
    </Notice>
  );
}

function FederationMethod({ vm, csrf }: { vm: ProvisioningCredentialsView; csrf: string }): JSX.Element {
  const clients = vm.clients.filter((c) => c.kind === 'federated');
  return (
    <section class="card stack" aria-labelledby="m-wif">
      <h2 id="m-wif">Workload identity federation</h2>
      <p class="muted">No secret at all: Entra signs a short-lived assertion for each token request, and WiggleDesk checks it against your tenant’s published keys.</p>
      <ol class="steps">
        <li>
          In Entra → Provisioning → Admin Credentials, choose <strong>Workload Identity Federation</strong>. Entra shows an issuer, a JWKS URL, a subject and an audience.
        </li>
        <li>Enter those four values below and click <strong>Set up federation</strong>.</li>
        <li>Copy the client ID, token URL and SCIM URL that appear here back into Entra, then click <strong>Test Connection</strong>.</li>
      </ol>
      <FormError vm={vm} form="federated" />
      {vm.apiAccessApproved ? (
        <form method="post" action="/console/provisioning-credentials/federated">
          <CsrfField token={csrf} />
          <div class="field">
            <label for="wif-issuer">Issuer</label>
            <input type="url" id="wif-issuer" name="issuer" required maxLength={500} placeholder="https://login.microsoftonline.com/<tenant id>/v2.0" />
          </div>
          <div class="field">
            <label for="wif-jwks">JWKS URL</label>
            <input type="url" id="wif-jwks" name="jwks_url" required maxLength={500} placeholder="https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys" />
          </div>
          <div class="field">
            <label for="wif-subject">Subject</label>
            <input type="text" id="wif-subject" name="subject" required maxLength={500} spellcheck={false} />
          </div>
          <div class="field">
            <label for="wif-audience">Audience</label>
            <input type="text" id="wif-audience" name="audience" required maxLength={500} spellcheck={false} placeholder="api://<app id>" />
          </div>
          <div class="field">
            <label for="wif-name">Name (optional)</label>
            <input type="text" id="wif-name" name="name" maxLength={100} placeholder="e.g. Entra — production tenant" />
          </div>
          <button type="submit" class="btn">
            Set up federation
          </button>
        </form>
      ) : (
        <NotApproved />
      )}
      {clients.length === 0 ? (
        <EmptyState title="No federation set up yet" />
      ) : (
        clients.map((c) => (
          <div key={c.id} class="stack">
            <h3 class="subhead">{c.name}</h3>
            <CopyField id={`wid-${c.id}`} label="Client ID" value={c.id} />
            <CopyField id={`wtok-${c.id}`} label="Token URL" value={vm.tokenEndpoint} />
            <CopyField id={`wscim-${c.id}`} label="SCIM URL" value={vm.scimUrl} />
            <dl class="dl small">
              <dt>Issuer</dt>
              <dd class="break">{c.issuer}</dd>
              <dt>JWKS URL</dt>
              <dd class="break">{c.jwksUrl}</dd>
              <dt>Subject</dt>
              <dd class="break">{c.subject}</dd>
              <dt>Audience</dt>
              <dd class="break">{c.audience}</dd>
              <dt>Last token</dt>
              <dd>{c.lastUsedAt ? <Time iso={c.lastUsedAt} exact /> : 'Never'}</dd>
            </dl>
            <PostButton action={`/console/provisioning-credentials/clients/${encodeURIComponent(c.id)}/delete`} csrf={csrf} class="btn danger-outline small" label={`Delete federation ${c.name}`}>
              Delete
            </PostButton>
          </div>
        ))
      )}
    </section>
  );
}

export function ProvisioningCredentialsPage({ chrome, vm }: { chrome: Chrome; vm: ProvisioningCredentialsView }): JSX.Element {
  const done = vm.done ? DONE_MESSAGES[vm.done] : undefined;
  return (
    <Layout title="Provisioning credentials" chrome={chrome}>
      <PageHeader
        title="Provisioning credentials"
        description={
          <>
            How your identity provider authenticates to WiggleDesk’s SCIM endpoint. Step-by-step guide: <a href="/docs/provisioning">Provisioning documentation</a>.
          </>
        }
      />
      {done ? (
        <Notice tone="success" role="status">
          <p>{done}</p>
        </Notice>
      ) : null}
      <div class="grid-2">
        <ApiKeyMethod vm={vm} />
        <OAuthClientMethod vm={vm} csrf={chrome.csrfToken} />
        <FederationMethod vm={vm} csrf={chrome.csrfToken} />
      </div>
    </Layout>
  );
}
