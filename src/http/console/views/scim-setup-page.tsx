// SCIM setup: the endpoint URL to copy and short step-by-step guides for Microsoft Entra ID,
// Okta and any other SCIM 2.0 client — written for an admin who has never heard of SCIM.
import type { JSX } from 'preact';
import { Layout, type Chrome } from './layout.js';
import { CopyField, CsrfField, Notice, PageHeader } from './components.js';
import type { IdpProfileView } from '../../../services/console/idp-profile.js';
import type { RefusedConnection } from '../../../services/console/console-activity.js';
import { IdpStatus } from './idp-status.js';
import { RefusedList } from './refused.js';

export interface ScimSetupView {
  /** PUBLIC_URL + /scim/v2, else derived from the request's host. */
  readonly endpoint: string;
  readonly apiAccessApproved: boolean;
  readonly activeKeys: number;
  /** The connected identity provider, once it has called. */
  readonly idp: IdpProfileView | undefined;
  /** Refused connections still happening. */
  readonly refused: readonly RefusedConnection[];
  /** Why an identity provider on the internet cannot reach this endpoint, if it cannot. */
  readonly endpointProblem: string | undefined;
  /** The result of "Send test request". */
  readonly test?: { readonly request: string; readonly withKey: boolean; readonly status: number; readonly body: string };
}

/**
 * Cloud identity providers call from the internet over https (Entra refuses http Tenant URLs):
 * an http, loopback, private or single-label host cannot work for them.
 */
export function endpointProblem(endpoint: string, fromPublicUrl: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'The endpoint is not a valid URL.';
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const local =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\./.test(host) ||
    host === '::1' ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^(fc|fd|fe80)/i.test(host) ||
    host === '0.0.0.0' ||
    !host.includes('.');
  const origin = fromPublicUrl ? 'PUBLIC_URL is set to' : 'PUBLIC_URL is not set, so WiggleDesk uses the address you opened the console with,';
  if (local) return `${origin} ${url.origin}, which only this machine or network can reach. Entra ID, Okta and other cloud identity providers call from the internet: set PUBLIC_URL to WiggleDesk's public https address (see docs/deployment.md) and restart.`;
  if (url.protocol !== 'https:') return `${origin} ${url.origin}, which is plain http. Entra ID accepts only https Tenant URLs, and keys would travel unencrypted: set PUBLIC_URL to WiggleDesk's public https address and restart.`;
  return undefined;
}

const ENTRA_FLAG = 'aadOptscim062020';

function KeyStep({ vm }: { vm: ScimSetupView }): JSX.Element {
  if (!vm.apiAccessApproved) return <>Your organisation is not approved for API access yet: reach out to your WiggleDesk account manager first.</>;
  return (
    <>
      Generate an API key on your <a href="/console/profile">Profile</a> page and copy it{vm.activeKeys > 0 ? ' (or use a key you already saved)' : ''}. It is shown only once.
    </>
  );
}

function Entra({ vm }: { vm: ScimSetupView }): JSX.Element {
  return (
    <section class="card guide" id="entra" aria-labelledby="entra-title">
      <h2 id="entra-title">Microsoft Entra ID (Azure AD)</h2>
      <ol class="steps">
        <li>
          <KeyStep vm={vm} />
        </li>
        <li>
          In the <strong>Microsoft Entra admin center</strong>, open <strong>Enterprise applications → New application → Create your own application</strong>, name it “WiggleDesk” and choose
          “Integrate any other application you don’t find in the gallery (Non-gallery)”.
        </li>
        <li>
          In the new application, open <strong>Provisioning</strong>, choose <strong>Connect your application</strong> (or Get started) and set <strong>Provisioning Mode</strong> to <strong>Automatic</strong>.
        </li>
        <li>
          Under <strong>Admin Credentials</strong>, paste this <strong>Tenant URL</strong> — the endpoint with <code>?{ENTRA_FLAG}</code> appended — and your API key as the <strong>Secret Token</strong>. Then
          select <strong>Test Connection</strong>.
          <CopyField
            id="entra-tenant-url"
            label="Tenant URL for Entra ID"
            value={`${vm.endpoint}?${ENTRA_FLAG}`}
            hint={
              <>
                <code>?{ENTRA_FLAG}</code> switches Entra to RFC-compliant PATCH requests (real <code>true</code>/<code>false</code> for <code>active</code>, lower-case operations, member removal by
                filter). WiggleDesk understands both styles, but the flag gives the cleanest results. It has no effect on “Provision on demand”.
              </>
            }
          />
        </li>
        <li>
          <strong>Mappings</strong>: the defaults work. Keep <code>userPrincipalName → userName</code> as the matching attribute; <code>mail → emails[type eq "work"].value</code> fills the work email shown on
          Manage Users; <code>Switch([IsSoftDeleted], …) → active</code> deactivates users. Consider mapping <code>objectId → externalId</code> instead of <code>mailNickname</code>: it never changes. Enable
          group provisioning if you want Groups in WiggleDesk.
        </li>
        <li>
          Under <strong>Settings → Scope</strong>, choose “Sync only assigned users and groups”, then assign people or groups under <strong>Users and groups</strong>.
        </li>
        <li>
          Set <strong>Provisioning Status</strong> to <strong>On</strong> and <strong>Save</strong>. The first cycle starts within minutes; later cycles run about every 40 minutes. Watch them arrive on the{' '}
          <a href="/console">Dashboard</a> and the <a href="/console/activity">Activity</a> page.
        </li>
      </ol>
    </section>
  );
}

function Okta({ vm }: { vm: ScimSetupView }): JSX.Element {
  return (
    <section class="card guide" id="okta" aria-labelledby="okta-title">
      <h2 id="okta-title">Okta</h2>
      <ol class="steps">
        <li>
          <KeyStep vm={vm} />
        </li>
        <li>
          In the Okta Admin Console, open <strong>Applications → Create App Integration</strong> (SAML 2.0 or SWA), name it “WiggleDesk”, then on its <strong>General</strong> tab enable{' '}
          <strong>SCIM provisioning</strong>.
        </li>
        <li>
          On <strong>Provisioning → Integration</strong>: set <strong>SCIM connector base URL</strong> to the endpoint above, <strong>Unique identifier field for users</strong> to <code>userName</code>, tick
          Push New Users, Push Profile Updates and Push Groups, and choose <strong>Authentication Mode: HTTP Header</strong> with your API key as the token.
        </li>
        <li>
          Select <strong>Test Connector Configuration</strong>, then <strong>Save</strong>.
        </li>
        <li>
          On <strong>Provisioning → To App</strong>, enable <strong>Create Users</strong>, <strong>Update User Attributes</strong> and <strong>Deactivate Users</strong>. Okta never deletes users: unassigned people
          show as <em>Inactive</em> on Manage Users.
        </li>
        <li>
          Assign people or groups on the <strong>Assignments</strong> tab, and push groups on <strong>Push Groups</strong>.
        </li>
      </ol>
    </section>
  );
}

function Generic({ vm }: { vm: ScimSetupView }): JSX.Element {
  const example = `curl -H "Authorization: Bearer $WIGGLEDESK_KEY" \\
  "${vm.endpoint}/Users?filter=userName%20eq%20%22ada%40example.com%22"`;
  return (
    <section class="card guide" id="generic" aria-labelledby="generic-title">
      <h2 id="generic-title">Any other SCIM 2.0 client</h2>
      <ol class="steps">
        <li>
          <KeyStep vm={vm} />
        </li>
        <li>
          Set the <strong>base URL</strong> to the endpoint above and send the key in every request as <code>Authorization: Bearer &lt;API key&gt;</code>.
        </li>
        <li>
          WiggleDesk supports <code>/Users</code> and <code>/Groups</code> (create, read, replace, PATCH, delete), filtering (<code>eq</code>, <code>co</code>, <code>sw</code>, …), sorting, paging, ETags, and the
          discovery endpoints <code>/ServiceProviderConfig</code>, <code>/ResourceTypes</code> and <code>/Schemas</code>. Deactivate people with <code>active: false</code>; delete them to remove them.
        </li>
        <li>
          Check the connection from a terminal:
          <pre>
            <code>{example}</code>
          </pre>
        </li>
      </ol>
    </section>
  );
}

function TestRequest({ vm, csrf }: { vm: ScimSetupView; csrf: string }): JSX.Element {
  const t = vm.test;
  return (
    <section class="card" aria-labelledby="test-title" id="test">
      <h2 id="test-title">Send test request</h2>
      <p class="muted small">
        Sends what Entra’s <strong>Test Connection</strong> sends — a search for a user name that cannot exist — and shows what WiggleDesk answers. Paste the key your identity provider uses to check that key
        too; leave it empty to check the endpoint alone. The key is used for this one request and not stored.
      </p>
      <form method="post" action="/console/scim-setup/test#test">
        <CsrfField token={csrf} />
        <div class="inline-form">
          <div class="field">
            <label for="test-key">API key (optional)</label>
            <input type="password" id="test-key" name="key" autocomplete="off" spellcheck={false} maxLength={500} />
          </div>
          <button type="submit" class="btn secondary">
            Send test request
          </button>
        </div>
      </form>
      {t ? (
        <div class="stack" data-testid="test-result" role="status">
          <Notice tone={t.status === 200 ? 'success' : 'error'}>
            <p>
              {t.status === 200
                ? t.withKey
                  ? 'Test Connection would succeed: WiggleDesk answers 200 with an empty list, as Entra expects.'
                  : 'The endpoint answers 200 with an empty list, as Entra expects. Paste your key to check it too.'
                : `Test Connection would fail: WiggleDesk answers ${t.status}. Entra shows only a generic credentials error; the reason is below.`}
            </p>
          </Notice>
          <p class="mono small break">{t.request}</p>
          <pre>
            <code>{`HTTP ${t.status}\n${t.body}`}</code>
          </pre>
        </div>
      ) : null}
    </section>
  );
}

export function ScimSetupPage({ chrome, vm }: { chrome: Chrome; vm: ScimSetupView }): JSX.Element {
  return (
    <Layout title="SCIM setup" chrome={chrome}>
      <PageHeader
        title="SCIM setup"
        description="SCIM lets your identity provider create, update and deactivate WiggleDesk users for you. Give it the endpoint below and an API key; it does the rest."
      />
      <div class="stack">
        {!vm.apiAccessApproved ? (
          <Notice tone="warning" title="Your organisation is not approved for API access yet">
            <p>Reach out to your WiggleDesk account manager to enable it. You can read the guides in the meantime.</p>
          </Notice>
        ) : null}
        {vm.endpointProblem ? (
          <Notice tone="error" title="Identity providers cannot reach this address" role="alert">
            <p>{vm.endpointProblem}</p>
          </Notice>
        ) : null}
        <section class="card" aria-labelledby="status-title" data-testid="live-status">
          <h2 id="status-title" class="sr-only">
            Connection status
          </h2>
          {vm.idp ? null : <p>{vm.refused.length > 0 ? <strong>Your identity provider reaches WiggleDesk, but its requests are refused:</strong> : <strong>Not connected yet: no request from an identity provider so far.</strong>}</p>}
          {vm.refused.length > 0 ? <RefusedList rows={vm.refused} /> : null}
        </section>
        <IdpStatus vm={vm.idp} entraUrl={`${vm.endpoint}?${ENTRA_FLAG}`} />
        <section class="card" aria-labelledby="endpoint-title">
          <h2 id="endpoint-title">The URL to paste</h2>
          <CopyField
            id="entra-url-top"
            label="Microsoft Entra ID → Tenant URL (paste exactly this)"
            value={`${vm.endpoint}?${ENTRA_FLAG}`}
            hint={
              <>
                With <code>?{ENTRA_FLAG}</code>: Entra then sends standard SCIM requests. Step 4 of the Entra guide below uses the same value.
              </>
            }
          />
          <CopyField
            id="scim-endpoint"
            label="Okta, OneLogin, JumpCloud, Ping, Google and other clients → SCIM base URL"
            value={vm.endpoint}
            hint={
              <>
                Called “SCIM connector base URL” in Okta and “SCIM Base URL” elsewhere. If you already entered the address from our announcement, <code>{vm.endpoint}/Users</code>, it works too.
              </>
            }
          />
          <nav aria-label="Guides">
            <ul class="toc">
              <li>
                <a class="btn secondary small" href="#entra">
                  Microsoft Entra ID
                </a>
              </li>
              <li>
                <a class="btn secondary small" href="#okta">
                  Okta
                </a>
              </li>
              <li>
                <a class="btn secondary small" href="#generic">
                  Other SCIM clients
                </a>
              </li>
            </ul>
          </nav>
        </section>
        <TestRequest vm={vm} csrf={chrome.csrfToken} />
        <Entra vm={vm} />
        <Okta vm={vm} />
        <Generic vm={vm} />
      </div>
    </Layout>
  );
}
