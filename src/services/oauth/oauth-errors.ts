// Every refusal of the token endpoint (RFC 6749 §5.2 error codes) with a stable WiggleDesk
// reference and the message the client sees as `error_description`. One table: the endpoint
// answers from it and the customer documentation (/docs/provisioning) lists it, so they cannot drift.
//
// Which RFC 6749 code, and why:
//  - invalid_request  (400) the request is malformed: missing or repeated parameter, two client
//                     authentication methods at once (§2.3), wrong client_assertion_type.
//  - invalid_client   (401 + WWW-Authenticate) client authentication failed (§5.2): unknown client,
//                     wrong secret, and every invalid client assertion (RFC 7521 §4.2.1 and
//                     RFC 7523 §3.2 require invalid_client for an assertion used to authenticate).
//  - invalid_grant    (400) the credentials were right but can no longer grant a token: a client
//                     secret past its expiry date (in the client credentials grant the client's
//                     credentials are the authorization grant, §1.3.4, and §5.2 names "expired").
//  - unauthorized_client (400) the organisation is not approved for API access.
//  - unsupported_grant_type (400) anything but client_credentials.
//  - invalid_scope    (400) a scope other than `scim` (or the federated client's audience).

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'temporarily_unavailable';

export interface OAuthErrorSpec {
  readonly error: OAuthErrorCode;
  readonly status: 400 | 401 | 429;
  /** What the client receives as error_description. */
  readonly description: string;
  /** What the admin should do (documentation only). */
  readonly fix: string;
}

export const OAUTH_ERRORS = {
  OAUTH_E_REQ_GRANT_MISSING: { error: 'invalid_request', status: 400, description: 'The grant_type parameter is missing; send grant_type=client_credentials.', fix: 'Send a form-encoded body with grant_type=client_credentials.' },
  OAUTH_E_REQ_DUPLICATE: { error: 'invalid_request', status: 400, description: 'A request parameter was sent more than once (RFC 6749 §3.2).', fix: 'Send each parameter once.' },
  OAUTH_E_REQ_CONTENT_TYPE: { error: 'invalid_request', status: 400, description: 'The token request must be sent as application/x-www-form-urlencoded (RFC 6749 §4.4.2).', fix: 'Send the parameters form-encoded in the body of a POST.' },
  OAUTH_E_REQ_TWO_METHODS: { error: 'invalid_request', status: 400, description: 'More than one client authentication method was used; use exactly one of HTTP Basic, client_secret in the body, or client_assertion (RFC 6749 §2.3).', fix: 'Configure one authentication method in the identity provider.' },
  OAUTH_E_REQ_CLIENT_ID_MISMATCH: { error: 'invalid_request', status: 400, description: 'The client_id in the body differs from the one in the Authorization header.', fix: 'Send the same client ID in both places, or only in one.' },
  OAUTH_E_REQ_CLIENT_ID_MISSING: { error: 'invalid_request', status: 400, description: 'The client_id parameter is missing.', fix: 'Paste the WiggleDesk client ID into the identity provider.' },
  OAUTH_E_REQ_ASSERTION_TYPE: { error: 'invalid_request', status: 400, description: 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer (RFC 7523 §2.2).', fix: 'Send the assertion type exactly as shown.' },
  OAUTH_E_GRANT_TYPE: { error: 'unsupported_grant_type', status: 400, description: 'Only grant_type=client_credentials is supported.', fix: 'Use the OAuth 2.0 client credentials grant.' },
  OAUTH_E_CLIENT_NO_AUTH: { error: 'invalid_client', status: 401, description: 'No client authentication was sent: use HTTP Basic, client_id with client_secret, or a client_assertion.', fix: 'Enter the client ID and client secret (or set up workload identity federation) in the identity provider.' },
  OAUTH_E_CLIENT_UNKNOWN: { error: 'invalid_client', status: 401, description: 'Client authentication failed: unknown client or wrong secret.', fix: 'Copy the client ID and secret again from WiggleDesk (Provisioning credentials); a deleted client or secret cannot be restored — create a new one.' },
  OAUTH_E_CLIENT_WRONG_METHOD_SECRET: { error: 'invalid_client', status: 401, description: 'This client uses workload identity federation: authenticate with a client_assertion, not a secret.', fix: 'In Entra choose “Workload Identity Federation”, or create an OAuth client with a secret in WiggleDesk.' },
  OAUTH_E_CLIENT_WRONG_METHOD_ASSERTION: { error: 'invalid_client', status: 401, description: 'This client authenticates with a client secret, not a client_assertion.', fix: 'Set up workload identity federation in WiggleDesk (Provisioning credentials) to get a federated client ID.' },
  OAUTH_E_SECRET_EXPIRED: { error: 'invalid_grant', status: 400, description: 'The client secret has expired; add a new secret in WiggleDesk and update the identity provider.', fix: 'Provisioning credentials → Add a secret; paste it into Entra; then delete the expired one.' },
  OAUTH_E_ASSERTION_MALFORMED: { error: 'invalid_client', status: 401, description: 'The client_assertion is not a signed JWT (RFC 7523 §3).', fix: 'Check that the identity provider sends its own signed token as client_assertion.' },
  OAUTH_E_ASSERTION_ALG: { error: 'invalid_client', status: 401, description: 'The client_assertion is signed with an algorithm WiggleDesk does not accept (RS256/384/512, PS256/384/512, ES256/384/512).', fix: 'Use an asymmetric signing algorithm.' },
  OAUTH_E_ASSERTION_KID: { error: 'invalid_client', status: 401, description: 'No key in the configured JWKS matches the client_assertion’s key id (kid).', fix: 'Check the JWKS URL entered in WiggleDesk; WiggleDesk refetches the key set when it sees a new kid.' },
  OAUTH_E_ASSERTION_SIGNATURE: { error: 'invalid_client', status: 401, description: 'The client_assertion’s signature does not verify against the configured JWKS.', fix: 'Check that the JWKS URL in WiggleDesk belongs to the issuer that signs the assertion.' },
  OAUTH_E_ASSERTION_ISS: { error: 'invalid_client', status: 401, description: 'The client_assertion’s issuer (iss) is not the issuer configured for this client.', fix: 'Copy the issuer from Entra again (https://login.microsoftonline.com/<tenant id>/v2.0).' },
  OAUTH_E_ASSERTION_SUB: { error: 'invalid_client', status: 401, description: 'The client_assertion’s subject (sub) is not the subject configured for this client.', fix: 'Copy the subject (the provisioning workload identity’s object id) from Entra again.' },
  OAUTH_E_ASSERTION_AUD: { error: 'invalid_client', status: 401, description: 'The client_assertion’s audience (aud) is not the audience configured for this client.', fix: 'Copy the audience from Entra again.' },
  OAUTH_E_ASSERTION_TID: { error: 'invalid_client', status: 401, description: 'The client_assertion’s tenant (tid) does not match the tenant of the configured issuer.', fix: 'Use the issuer of the Entra tenant that provisions to this organisation.' },
  OAUTH_E_ASSERTION_EXPIRED: { error: 'invalid_client', status: 401, description: 'The client_assertion has expired (exp).', fix: 'Check the identity provider’s clock; it sends a fresh assertion with each token request.' },
  OAUTH_E_ASSERTION_NOT_YET_VALID: { error: 'invalid_client', status: 401, description: 'The client_assertion is not valid yet (nbf or iat in the future).', fix: 'Check the identity provider’s clock.' },
  OAUTH_E_ASSERTION_CLAIMS: { error: 'invalid_client', status: 401, description: 'The client_assertion lacks a required claim (exp) or carries an invalid one.', fix: 'The assertion must carry iss, sub, aud and exp.' },
  OAUTH_E_ASSERTION_TOO_LONG: { error: 'invalid_client', status: 401, description: 'The client_assertion lives longer than 24 hours; WiggleDesk accepts short-lived assertions only.', fix: 'Issue assertions that expire within a day (Entra’s last about an hour).' },
  OAUTH_E_ASSERTION_REPLAY: { error: 'invalid_client', status: 401, description: 'This client_assertion has already been used (jti replay, RFC 7523 §3).', fix: 'Send a new assertion with each token request.' },
  OAUTH_E_JWKS_UNAVAILABLE: { error: 'invalid_client', status: 401, description: 'WiggleDesk could not fetch the configured JWKS URL and has no cached keys for it.', fix: 'Check that the JWKS URL is right and reachable over https from the internet.' },
  OAUTH_E_NOT_APPROVED: { error: 'unauthorized_client', status: 400, description: 'Your organisation is not approved for API access; ask your WiggleDesk account manager to enable it.', fix: 'Contact your WiggleDesk account manager.' },
  OAUTH_E_SCOPE: { error: 'invalid_scope', status: 400, description: 'The requested scope is not available; request scope=scim (or nothing).', fix: 'Leave the scope empty or set it to scim.' },
  OAUTH_E_RATE_LIMIT: { error: 'temporarily_unavailable', status: 429, description: 'Too many token requests for this client; retry after the number of seconds in Retry-After.', fix: 'Cache access tokens until they expire instead of requesting one per call.' },
} as const satisfies Record<string, OAuthErrorSpec>;

export type OAuthErrorRef = keyof typeof OAUTH_ERRORS;

export class OAuthError extends Error {
  readonly spec: OAuthErrorSpec;
  constructor(readonly ref: OAuthErrorRef) {
    super(OAUTH_ERRORS[ref].description);
    this.name = 'OAuthError';
    this.spec = OAUTH_ERRORS[ref];
  }
}
