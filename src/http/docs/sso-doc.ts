// The published single sign-on documentation (Microsoft's "SSO requirements for Microsoft Entra
// App Gallery": protocols, roles, permissions with their business reason, pilot testing,
// troubleshooting with error codes). The refusal table comes from the refusal pages themselves.
// Served at /docs/sso and kept in docs/sso.md.
import type { SignInRefusalReason } from '../../services/sign-in/sign-in.js';
import { SSO_REQUIRED_MESSAGE } from '../../services/sign-in/sign-in-policy.js';
import { refusalSummary } from '../auth/views/refusal-page.js';
import { SUPPORT_EMAIL, type DocContext } from './provisioning-doc.js';

const REASONS = [
  'unknown_provider',
  'flow_missing',
  'flow_expired',
  'state',
  'nonce',
  'denied',
  'invalid',
  'unverified_email',
  'unavailable',
  'not_bound',
  'org_not_configured',
  'wrong_tenant',
  'not_provisioned',
  'inactive',
  'deleted',
  'linked_elsewhere',
  'ambiguous',
] as const satisfies readonly SignInRefusalReason[];
// Compile-time: every refusal reason is documented.
type Undocumented = Exclude<SignInRefusalReason, (typeof REASONS)[number]>;
const everyReasonDocumented: Undocumented extends never ? true : never = true;
void everyReasonDocumented;

const WHAT_TO_DO: Readonly<Record<(typeof REASONS)[number], string>> = {
  unknown_provider: 'Use the sign-in buttons on the WiggleDesk sign-in page.',
  flow_missing: 'Start again from the sign-in page, in the same browser.',
  flow_expired: 'Start again; finish signing in within 10 minutes.',
  state: 'Start again; if it repeats, clear cookies for WiggleDesk.',
  nonce: 'Start again.',
  denied: 'Check that the user is assigned to WiggleDesk in Entra and that consent was granted.',
  invalid: 'Start again; if it repeats, contact support with the reference.',
  unverified_email: 'Google only: verify the email address, or use the work account.',
  unavailable: 'Try again in a moment; check https://status.cloud.microsoft for Entra incidents.',
  not_bound: 'An admin binds the Entra tenant on Console → Sign-in settings (“Bind with Microsoft”, as an Entra admin).',
  org_not_configured: 'An admin binds (or verifies) the Entra tenant on Console → Sign-in settings (“Bind with Microsoft”, as an Entra admin).',
  wrong_tenant: 'Sign in with an account of the tenant bound to the organisation.',
  not_provisioned: 'Assign the user to WiggleDesk in Entra so that provisioning creates them.',
  inactive: 'The user is deactivated in WiggleDesk (by provisioning or an admin).',
  deleted: 'The user was removed; re-assign them in Entra to provision them again.',
  linked_elsewhere: 'An admin uses “Reset a user’s sign-in” on Console → Sign-in settings.',
  ambiguous: 'Two users share the name or email; fix the duplicates in the identity provider.',
};

export function ssoDoc(ctx: DocContext): string {
  const rows = REASONS.map((r) => {
    const { status, title } = refusalSummary(r);
    return `| \`sso/${r}\` | ${status} | ${title} | ${WHAT_TO_DO[r]} |`;
  });
  return [
    '# Single sign-on to WiggleDesk with Microsoft Entra ID',
    '',
    `Served by WiggleDesk at \`${ctx.baseUrl}/docs/sso\`. Provisioning (SCIM) is documented at [/docs/provisioning](/docs/provisioning).`,
    '',
    '## How it works',
    '',
    '- **Protocol**: OpenID Connect, **authorization code flow** with PKCE (S256), `state` and `nonce`, on the Microsoft identity platform **v2.0** endpoint (`https://login.microsoftonline.com/organizations/v2.0`). No implicit flow, no password (ROPC) grant, no device code. SAML is not offered.',
    '- **Application type**: one **multitenant** app registration owned by WiggleDesk, used as a **confidential client**: WiggleDesk authenticates to Microsoft with a **certificate** (`private_key_jwt`, recommended) or a client secret.',
    '- **Who can sign in**: only people your identity provider has provisioned to WiggleDesk (over SCIM) and who are active. Signing in never creates an account. Each ID token is checked against its own tenant’s issuer, and its tenant (`tid`) must be one your organisation has bound to WiggleDesk; a deactivated or deleted user is signed out on their next click.',
    '- **Matching**: by the remembered Entra object (`tid` + `oid`) after the first sign-in; the first time by `preferred_username` against the user’s `userName` or a primary or work email (full Unicode case folding).',
    '',
    '## Permissions requested, and why',
    '',
    '| permission | type | business reason |',
    '|---|---|---|',
    '| `openid` | delegated | Sign the user in and receive an ID token with their stable object id (`oid`) and tenant (`tid`). |',
    '| `profile` | delegated | The user’s name and `preferred_username`, to find the provisioned WiggleDesk user and greet them by name. |',
    '| `email` | delegated | The user’s email address where `preferred_username` is not their email. |',
    '',
    'WiggleDesk does **not** call Microsoft Graph and requests no application permissions: users and groups arrive by SCIM provisioning, which your Entra tenant pushes.',
    '',
    '## Roles you need',
    '',
    '- **In Microsoft Entra ID**: to add WiggleDesk from the gallery and grant consent for the organisation, an **Application Administrator** or **Cloud Application Administrator** (or Global Administrator). Assigning users and groups to the app needs the same roles, or app ownership.',
    '- **In WiggleDesk**: an organisation **admin**, to bind your Entra tenant and to choose admins and the sign-in policy. Binding the tenant also needs, for one sign-in, an Entra account of that tenant holding **Global Administrator**, **Privileged Role Administrator**, **Application Administrator** or **Cloud Application Administrator**: that is how WiggleDesk knows the tenant is yours.',
    '',
    '## Set-up',
    '',
    '1. In Entra, add **WiggleDesk** from the App Gallery (or open the sign-in link once as an administrator) and **grant admin consent** for your organisation.',
    '2. Provision your users (see [/docs/provisioning](/docs/provisioning)); assign the users and groups who should use WiggleDesk.',
    '3. In WiggleDesk, **Console → Sign-in settings → Bind with Microsoft (admin sign-in)**: sign in with an Entra account of your tenant that holds one of the admin roles above. WiggleDesk binds the tenant of that sign-in (its `tid`) to your organisation; an account without such a role is refused and nothing is bound. A tenant belongs to one WiggleDesk organisation at a time; if another one has bound yours, write to support@wiggledesk.com from an address of your tenant. Optionally name admins, or an Entra group whose members are admins.',
    '4. People now click **Sign in with Microsoft** on the WiggleDesk sign-in page.',
    '',
    '### Enforce single sign-on',
    '',
    '**Console → Sign-in settings → Enforce SSO…** turns off password sign-in for your organisation, as Microsoft recommends. First name one or two **break-glass admins** (emergency-access accounts with a password): they can still sign in with their password, so that someone can get in if Entra is unavailable. Every refused password sign-in and every break-glass sign-in is written to the Activity log (`password_sign_in_refused`, `break_glass_sign_in`). A refused person sees:',
    '',
    `> ${SSO_REQUIRED_MESSAGE}`,
    '',
    '### Operators: the WiggleDesk side of the app registration',
    '',
    'Self-hosted deployments register their own multitenant app with two Web redirect URIs, `<PUBLIC_URL>/auth/microsoft/callback` (sign-in) and `<PUBLIC_URL>/console/sign-in-settings/verify/microsoft/callback` (an admin proving a tenant binding), and under **Token configuration → Add groups claim** tick **Directory roles** (manifest `groupMembershipClaims`: `DirectoryRole`), so that ID tokens carry the `wids` claim the binding proof reads. Then set:',
    '',
    '| variable | meaning |',
    '|---|---|',
    '| `SSO_MICROSOFT_CLIENT_ID` | the application (client) ID |',
    '| `SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE`, `SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE` | PEM certificate uploaded to the app registration (Certificates & secrets → Certificates) and its RSA private key: WiggleDesk then authenticates with `private_key_jwt` (RS256, `x5t` thumbprint header, `aud` = token endpoint) and needs no client secret |',
    '| `SSO_MICROSOFT_CLIENT_SECRET` | only when no certificate is configured |',
    '',
    'Create a certificate with, for example, `openssl req -x509 -newkey rsa:2048 -nodes -keyout wiggledesk-sso.key -out wiggledesk-sso.crt -days 730 -subj "/CN=WiggleDesk SSO"`; upload `wiggledesk-sso.crt` to the app registration. To rotate, upload the new certificate, point the two variables at the new files, restart, then remove the old certificate from the app registration.',
    '',
    '## Testing with pilot users',
    '',
    '1. Bind your tenant (Bind with Microsoft, as an Entra admin), but do not enforce SSO yet.',
    '2. Ask two pilot users (provisioned and active) to click **Sign in with Microsoft**: they land on their WiggleDesk Home.',
    '3. Unassign one of them in Entra (or deactivate them): after the next provisioning cycle they are signed out on their next click, and a new sign-in shows `sso/inactive` or `sso/deleted`.',
    '4. Name a break-glass admin, enforce SSO, and check that a password sign-in of another admin is refused and appears in the Activity log.',
    '',
    '## Troubleshooting',
    '',
    'A refused sign-in shows a page with a reference `sso/<reason>` and a request id. The reasons:',
    '',
    '| reference | HTTP | page title | what to do |',
    '|---|---|---|---|',
    ...rows,
    '| `sso_required` | 403 | Password sign-in refused: your organisation requires single sign-on | Use Sign in with Microsoft, or a break-glass admin account. |',
    '',
    'Entra’s own errors (`AADSTS…` codes, for example AADSTS50020 “user account from identity provider does not exist in tenant”, AADSTS65001 “consent not granted”, AADSTS700027 “client assertion failed signature validation” when the uploaded certificate does not match WiggleDesk’s key) appear on Microsoft’s page before the user returns to WiggleDesk; look them up at https://login.microsoftonline.com/error.',
    '',
    '## Support',
    '',
    `Email **${SUPPORT_EMAIL}** ([${SUPPORT_EMAIL}](mailto:${SUPPORT_EMAIL})) with your organisation name, the reference (\`sso/…\`) and the request id shown on the page.`,
    '',
  ].join('\n');
}
