// The customer documentation Microsoft requires of an App Gallery provisioning app, generated:
// resources and attributes come from the schema registry (src/scim/schema), errors from the
// tables the code answers from (OAUTH_ERRORS, BEARER_ERRORS), limits from the configuration —
// so the page cannot drift from what the server does. Served at /docs/provisioning and kept in
// docs/provisioning.md (`npm run docs` rewrites it; a test fails when it is stale).
import { allResourceTypes, allSchemas } from '../../scim/schema/registry.js';
import type { AttributeDef } from '../../scim/schema/types.js';
import { OAUTH_ERRORS } from '../../services/oauth/oauth-errors.js';
import { BEARER_ERRORS } from '../../services/credentials/bearer-auth.js';
import { ASSERTION_SKEW_SECONDS, SECRET_DAYS, TOKEN_MINUTES } from '../../services/oauth/oauth-service.js';

export interface DocContext {
  /** e.g. https://wiggledesk.example.com */
  readonly baseUrl: string;
  readonly tokenMinutes: number;
  readonly scimPerSecond: number;
  readonly scimBurst: number;
  readonly tokenRequestsPerMinute: number;
}

export const SUPPORT_EMAIL = 'support@wiggledesk.com';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const yes = (b: boolean) => (b ? 'yes' : 'no');

function attributeRows(attrs: readonly AttributeDef[], prefix = ''): string[] {
  return attrs.flatMap((a) => [
    `| \`${prefix}${a.name}\` | ${a.type} | ${yes(a.multiValued)} | ${yes(a.required)} | ${a.mutability} | ${a.returned} | ${a.uniqueness} | ${yes(a.caseExact)} | ${cell(a.canonicalValues?.join(', ') ?? '')} |`,
    ...(a.subAttributes ? attributeRows(a.subAttributes, `${prefix}${a.name}.`) : []),
  ]);
}

const SCIM_TYPES: ReadonlyArray<[string, string, string]> = [
  ['400', 'invalidFilter', 'The filter is not valid SCIM filter syntax, or names an attribute or operator that does not fit; the detail says where.'],
  ['400', 'invalidSyntax', 'The body is not valid JSON / SCIM, or a required schema is missing.'],
  ['400', 'invalidPath', 'A PATCH path does not name an attribute of the resource.'],
  ['400', 'noTarget', 'A PATCH path with a filter matched nothing where something was required.'],
  ['400', 'invalidValue', 'A value has the wrong type or is out of range, or a member reference names no resource of this organisation.'],
  ['400', 'mutability', 'The request tries to change a read-only or immutable attribute (for example `id`).'],
  ['400', 'tooMany', 'The request is over a limit (operations, values, filter terms, Bulk size); the detail gives the limit.'],
  ['400', 'invalidCursor / expiredCursor / invalidCount', 'Cursor pagination (RFC 9865) was given a cursor or count it cannot use.'],
  ['401', '—', 'Authentication failed: see the table above.'],
  ['404', '—', 'No such resource in this organisation (also for ids of another organisation).'],
  ['409', 'uniqueness', 'Another user already has this `userName` (compared case-insensitively), or another group this `displayName`.'],
  ['412', '—', '`If-Match` names a version that is no longer current.'],
  ['413', '—', 'The body is larger than the limit for this endpoint.'],
  ['429', '—', 'Rate limit of the credential exceeded; retry after `Retry-After` seconds.'],
  ['501', '—', 'A feature WiggleDesk does not offer (for example `/Me`).'],
];

export function provisioningDoc(ctx: DocContext): string {
  const scim = `${ctx.baseUrl}/scim/v2`;
  const token = `${ctx.baseUrl}/oauth2/token`;
  const resourceRows = allResourceTypes().map(
    (r) => `| ${r.name} | \`${scim}${r.endpoint}\` | \`${r.schema}\` | ${r.schemaExtensions.map((e) => `\`${e.schema}\`${e.required ? ' (required)' : ''}`).join(', ') || '—'} |`,
  );
  const schemaSections = allSchemas().flatMap((s) => [
    `### ${s.name} — \`${s.id}\``,
    '',
    s.description,
    '',
    '| attribute | type | multi-valued | required | mutability | returned | uniqueness | case-exact | canonical values |',
    '|---|---|---|---|---|---|---|---|---|',
    ...attributeRows(s.attributes),
    '',
  ]);
  const oauthRows = Object.entries(OAUTH_ERRORS).map(([ref, e]) => `| \`${ref}\` | ${e.status} | \`${e.error}\` | ${cell(e.description)} | ${cell(e.fix)} |`);
  const bearerRows = Object.entries(BEARER_ERRORS).map(([code, detail]) => `| \`${code}\` | 401 | ${cell(detail)} |`);

  return [
    '# Provisioning users and groups to WiggleDesk (SCIM 2.0)',
    '',
    `This guide is served by WiggleDesk at \`${ctx.baseUrl}/docs/provisioning\` and generated from the running code: the attribute tables come from the same schema registry that validates requests and answers \`/Schemas\`, and the error tables from the tables the server answers from.`,
    '',
    '## Introduction',
    '',
    'WiggleDesk keeps its user directory in sync with your identity provider over SCIM 2.0 (RFC 7643, RFC 7644). When you assign people or groups to WiggleDesk in Microsoft Entra ID (or Okta, OneLogin, JumpCloud, Ping, Google…), the identity provider creates them in WiggleDesk, keeps their attributes and group memberships up to date, and deactivates or deletes them when they leave. Signing in never creates a user: only provisioning does.',
    '',
    '## Licensing and prerequisites',
    '',
    '- Provisioning is included in every WiggleDesk plan. Your organisation must be **approved for API access** by your WiggleDesk account manager; until then no API key, OAuth client or federation can be created, and existing ones are refused (`unauthorized_client`, `SCIM_E_AUTH_006`).',
    '- Microsoft Entra ID: automatic user provisioning needs a Microsoft Entra ID P1 or P2 licence (or Microsoft 365 plan that includes it) for the users in scope, as with any gallery app.',
    '',
    '## Roles you need',
    '',
    '- **In Microsoft Entra ID**: Application Administrator or Cloud Application Administrator (or Global Administrator) to add WiggleDesk from the gallery and configure provisioning. Hybrid Identity Administrator is not needed.',
    '- **In WiggleDesk**: an organisation **admin** of the WiggleDesk console, to create the credentials (Console → Provisioning credentials). Credentials belong to the organisation, not to the admin, so provisioning keeps working when that admin leaves.',
    '',
    '## SCIM endpoint',
    '',
    `- **Tenant URL / SCIM base**: \`${scim}\` (for a non-gallery Entra app add \`?aadOptscim062020\` to get RFC-compliant PATCH requests; the gallery app does this for you).`,
    '- Discovery without authentication: `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`.',
    '- Users and groups: create, read, replace (PUT), update (PATCH — several group memberships in one request), delete, list with `filter`, `sortBy`, index and cursor pagination, `attributes`/`excludedAttributes`, `POST /.search`, and `/Bulk`.',
    '- **Soft delete and hard delete**: `active: false` (PATCH or PUT) deactivates a user and ends their WiggleDesk sessions on their next click; `DELETE` removes the user.',
    '- A filter that matches nothing answers **200 with zero results** (`totalResults: 0`), never 400 — this is what Entra’s Test Connection relies on.',
    `- Rate limit per credential (API key or OAuth client): **${ctx.scimPerSecond} requests per second**, bursts of ${ctx.scimBurst}; over it, 429 with \`Retry-After\`. Microsoft requires at least 25 per second per tenant.`,
    '',
    '### Resources',
    '',
    '| resource | endpoint | schema | extensions |',
    '|---|---|---|---|',
    ...resourceRows,
    '',
    '## Supported attributes',
    '',
    'Attribute characteristics as RFC 7643 §2.2 defines them. `returned: never` attributes (passwords) are accepted but never sent back; `readOnly` ones are set by WiggleDesk.',
    '',
    ...schemaSections,
    '## Authentication',
    '',
    'WiggleDesk offers three ways for an identity provider to authenticate, side by side in the console under **Provisioning credentials** (admins only). Microsoft’s App Gallery accepts the first two; the API key is for non-gallery apps and other identity providers.',
    '',
    '### Option 1 — OAuth 2.0 client credentials (client ID and secret)',
    '',
    '1. In WiggleDesk: **Console → Provisioning credentials → OAuth client → Create OAuth client**. Choose how long the secret lives (1, 2 or 3 years). The secret is shown **once**; WiggleDesk stores only a hash of it.',
    `   From the command line: \`wiggledesk oauth-client create "<organisation>" --name "Entra ID" --secret-days 730 --json\` prints \`{"client_id","client_secret","token_endpoint","scim_url","secret_expires_at"}\`.`,
    '2. In Microsoft Entra admin center: **Enterprise applications → WiggleDesk → Provisioning → Admin Credentials**. Authentication method **OAuth2 Client Credentials Grant**, and:',
    '',
    '| Entra field | value |',
    '|---|---|',
    `| Tenant URL | \`${scim}\` |`,
    `| Token Endpoint | \`${token}\` |`,
    '| Client Identifier | the client ID (`wdc_…`) |',
    '| Client Secret | the client secret (`wdcs_…`) |',
    '',
    '3. Click **Test Connection**, then **Save**, and turn provisioning on.',
    '',
    `Entra then POSTs \`grant_type=client_credentials\` with the client ID and secret (HTTP Basic or form body, RFC 6749 §2.3.1) to the token endpoint and receives \`{"access_token","token_type":"Bearer","expires_in":${ctx.tokenMinutes * 60},"scope":"scim"}\`. It sends that token to the SCIM endpoint until it expires (${ctx.tokenMinutes} minutes), then asks for a new one.`,
    '',
    '**Rotating the secret** (no interruption):',
    '',
    `1. Before the secret expires (the console shows the date; secrets last ${SECRET_DAYS.min}–${SECRET_DAYS.max} days), click **Add a secret** on the client (\`wiggledesk oauth-client add-secret <client-id>\`). Both secrets work now.`,
    '2. Paste the new secret into Entra’s Client Secret field, Test Connection, Save.',
    '3. Delete the old secret (**Delete** beside it; `wiggledesk oauth-client remove-secret <client-id> <secret-id>`). Access tokens issued with the old secret stop working at once.',
    '',
    'An expired secret never gets a token (`invalid_grant`, `OAUTH_E_SECRET_EXPIRED`). Deleting the client (**Delete client**, `wiggledesk oauth-client delete <client-id>`) ends all its secrets and live tokens at once.',
    '',
    '### Option 2 — Workload identity federation (no secret)',
    '',
    'Entra proves who it is with a short-lived token it signs itself (an RFC 7523 §2.2 client assertion); WiggleDesk checks it against your Entra tenant’s published keys. There is no secret to store, leak or rotate.',
    '',
    '1. In Entra: **Enterprise applications → WiggleDesk → Provisioning → Admin Credentials**, authentication method **Workload Identity Federation**. Entra shows an **Issuer** (`https://login.microsoftonline.com/<tenant id>/v2.0`), a **JWKS URL** (`https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys`), a **Subject** (the provisioning workload identity’s object id) and an **Audience**.',
    '2. In WiggleDesk: **Console → Provisioning credentials → Workload identity federation**, enter those four values and click **Set up federation** (or `wiggledesk oauth-client federate "<organisation>" --issuer … --jwks-url … --subject … --audience … --json`).',
    '3. WiggleDesk shows a **Client ID**, **Token URL** and **SCIM URL** with Copy buttons. Paste them into Entra and click **Test Connection**.',
    '',
    'For each token request Entra POSTs `grant_type=client_credentials`, `client_id`, `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and `client_assertion=<JWT>`. WiggleDesk accepts it only when:',
    '',
    '- the signature verifies with a key from the configured JWKS URL (RS/PS/ES 256–512; keys are cached by `kid`, refetched when a new `kid` appears and every hour; if the JWKS URL is down, the cached keys keep working and only a new `kid` fails);',
    '- `iss`, `sub` and `aud` equal the values you entered, and for a Microsoft issuer `tid` is the issuer’s tenant;',
    `- \`exp\` and \`nbf\` hold with at most ${ASSERTION_SKEW_SECONDS} seconds of clock skew, and the assertion lives at most 24 hours;`,
    '- it has not been used before (its `jti`, or Entra’s `uti`, is remembered in the database until it expires, so a replay to any WiggleDesk server is refused).',
    '',
    '**Rotation**: Entra rotates its signing keys without notice; WiggleDesk follows automatically. To move to another Entra tenant or workload identity, set up a new federation, switch Entra over, then delete the old one.',
    '',
    '### Option 3 — API key (non-gallery apps and other identity providers)',
    '',
    'A long-lived bearer token, `wdk_…`, created on **Console → Profile → Generate API key** (or `wiggledesk key create "<organisation>"`). Paste it as the **Secret Token**. Microsoft does not accept long-lived tokens for gallery apps; use Option 1 or 2 there. Rotate by creating a new key, updating the identity provider, then revoking the old key.',
    '',
    '### About the access tokens',
    '',
    `Access tokens are **opaque** (\`wdat_…\`), not JWTs: each request looks the token up by its id (one indexed read, as for an API key) and compares a hash in constant time. That makes them revocable **at once** on every WiggleDesk server — deleting a secret or client deletes its tokens — which a self-contained JWT cannot offer without a revocation list; and no claims leak to whoever holds one. Only a SHA-256 hash is stored. Lifetime: ${ctx.tokenMinutes} minutes (configurable from ${TOKEN_MINUTES.min} minutes to ${TOKEN_MINUTES.max / 60} hours). A token carries the organisation, the scope \`scim\` and the client: SCIM requests made with it are limited, scoped and logged exactly like API-key requests, under the client’s name.`,
    '',
    `The token endpoint answers with \`Cache-Control: no-store\`, and allows ${ctx.tokenRequestsPerMinute} token requests per minute per client (then 429 \`temporarily_unavailable\` with \`Retry-After\`). Every issued token and every refusal of a known client appears in the organisation’s **Activity** log, refusals with their OAuth error code.`,
    '',
    '## Testing with pilot users',
    '',
    '1. Create the credentials (above) and set **Scope** in Entra’s provisioning settings to “Sync only assigned users and groups”.',
    '2. Assign two or three pilot users and one small group to the WiggleDesk enterprise application.',
    '3. Use **Provision on demand** on a pilot user: Entra shows each step (token, user lookup with a `filter`, create). In WiggleDesk, **Console → Manage Users** lists the user and **Activity** each request.',
    '4. Change a pilot user’s attribute, remove one from the group, then unassign one: WiggleDesk shows the update, the membership change and the deactivation.',
    '5. When the results are right, assign the remaining users and groups and start provisioning.',
    '',
    '## Troubleshooting',
    '',
    'Start at **Console → Activity** (tick *Errors only*): every failed SCIM request and every refused token request is there with its status, error code and message. Each response also carries an `x-request-id` header: quote it to support.',
    '',
    '### Token endpoint errors',
    '',
    'Bodies follow RFC 6749 §5.2: `{"error","error_description","error_uri"}`; `error_uri` links to the row below. A 401 carries `WWW-Authenticate: Basic`.',
    '',
    '| reference | HTTP | error | error_description | what to do |',
    '|---|---|---|---|---|',
    ...oauthRows,
    '',
    '### SCIM authentication errors',
    '',
    'Answered with 401, `WWW-Authenticate: Bearer` and a SCIM error body whose `detail` is:',
    '',
    '| code | HTTP | detail |',
    '|---|---|---|',
    ...bearerRows,
    '',
    '### SCIM request errors',
    '',
    'Bodies follow RFC 7644 §3.12: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status","scimType","detail"}`; the `detail` names the attribute, value or limit at fault.',
    '',
    '| HTTP | scimType | meaning |',
    '|---|---|---|',
    ...SCIM_TYPES.map(([st, t, m]) => `| ${st} | ${t === '—' ? '—' : `\`${t}\``} | ${cell(m)} |`),
    '',
    '### Common situations',
    '',
    '- **Test Connection fails with 401** — check the Tenant URL ends in `/scim/v2`, and the credential: for OAuth, that the client ID and secret were copied whole; for federation, that the four values match what Entra shows (the Activity log names the claim that did not match).',
    '- **Users are not created** — the users are not in scope (assigned) in Entra, or a `userName` already exists (409 `uniqueness`).',
    '- **Provisioning stopped after a year or more** — the client secret expired: add a new secret and update Entra.',
    '',
    '## Support',
    '',
    `Email **${SUPPORT_EMAIL}** ([${SUPPORT_EMAIL}](mailto:${SUPPORT_EMAIL})) with your organisation name, the time of the problem, the \`x-request-id\` of a failing response or the reference code (\`OAUTH_E_…\`, \`SCIM_E_…\`, \`sso/…\`). Single sign-on is documented at [/docs/sso](/docs/sso).`,
    '',
  ].join('\n');
}
