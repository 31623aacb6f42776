// Issue #20, sign-in half: WiggleDesk authenticates to Microsoft with a certificate
// (private_key_jwt) instead of a client secret when SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE and
// SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE are set. The token request the code exchange sends is
// captured (a stand-in Microsoft authority through the client's fetch) and its client assertion
// verified against the certificate's public key.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { loadConfig, ConfigError } from '../../src/config/config.js';
import { createOidcClient } from '../../src/auth/oidc.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const CERT = fixture('sso-test-client.cert.pem');
const KEY = fixture('sso-test-client.key.pem');
const AUTHORITY = 'https://login.microsoftonline.test/organizations/v2.0';
const TOKEN_ENDPOINT = 'https://login.microsoftonline.test/organizations/oauth2/v2.0/token';

describe('Sign in with Microsoft: certificate instead of a client secret (private_key_jwt)', () => {
  it('config: the certificate replaces the secret; both files are required, and must match', () => {
    const base = { SSO_MICROSOFT_CLIENT_ID: 'app-id', SSO_MICROSOFT_ISSUER: AUTHORITY };
    const c = loadConfig({ ...base, SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE: CERT, SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE: KEY });
    const ms = c.sso.providers[0]!;
    const der = new X509Certificate(readFileSync(CERT)).raw;
    expect(ms.clientCertificate?.x5t).toBe(Buffer.from(new X509Certificate(der).fingerprint.replace(/:/g, ''), 'hex').toString('base64url'));
    expect(JSON.stringify(ms)).not.toContain('PRIVATE KEY');
    expect(() => loadConfig({ ...base, SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE: CERT })).toThrow(/must be set together/);
    expect(() => loadConfig({ ...base, SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE: CERT, SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE: CERT })).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/SSO_MICROSOFT_CLIENT_SECRET must be set .*certificate/);
  });

  it('the code exchange authenticates with an RS256 assertion carrying the certificate thumbprint, and no secret', async () => {
    const config = loadConfig({ SSO_MICROSOFT_CLIENT_ID: 'app-id', SSO_MICROSOFT_ISSUER: AUTHORITY, SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE: CERT, SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE: KEY });
    const requests: Array<{ url: string; body: string; headers: Headers }> = [];
    const stub = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/.well-known/openid-configuration')) {
        return Response.json({
          issuer: 'https://login.microsoftonline.test/{tenantid}/v2.0',
          authorization_endpoint: 'https://login.microsoftonline.test/organizations/oauth2/v2.0/authorize',
          token_endpoint: TOKEN_ENDPOINT,
          jwks_uri: 'https://login.microsoftonline.test/organizations/discovery/v2.0/keys',
          response_types_supported: ['code'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
      }
      requests.push({ url, body: String(init?.body ?? ''), headers: new Headers(init?.headers) });
      return Response.json({ error: 'invalid_grant', error_description: 'stand-in: code not issued' }, { status: 400 });
    };
    const oidc = createOidcClient({ ...config.sso.providers[0]!, allowInsecureHttp: false }, { fetch: stub as typeof fetch });
    const begun = await oidc.begin('https://wiggledesk.test/auth/microsoft/callback');
    const callback = new URL(`https://wiggledesk.test/auth/microsoft/callback?code=abc&state=${begun.state}`);
    await expect(oidc.complete(callback, begun)).rejects.toThrow();

    const tokenRequest = requests.find((r) => r.url === TOKEN_ENDPOINT);
    expect(tokenRequest).toBeDefined();
    const form = new URLSearchParams(tokenRequest!.body);
    expect(form.get('client_secret')).toBeNull();
    expect(tokenRequest!.headers.get('authorization')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = form.get('client_assertion')!;
    const header = decodeProtectedHeader(assertion);
    expect(header.alg).toBe('RS256');
    expect(header.x5t).toBe(config.sso.providers[0]!.clientCertificate!.x5t);
    const { payload } = await jwtVerify(assertion, await importX509(readFileSync(CERT, 'utf8'), 'RS256'), { issuer: 'app-id', subject: 'app-id' });
    expect([payload.aud].flat()).toContain(TOKEN_ENDPOINT);
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
  });
});

describe('"Sign in with Microsoft" button (Microsoft branding guidelines)', () => {
  it('shows the four-square logo and the exact text, light theme', async () => {
    const { buildTestApp } = await import('../support/test-app.js');
    const t = await buildTestApp('sqlite', { env: { SSO_MICROSOFT_CLIENT_ID: 'app-id', SSO_MICROSOFT_CLIENT_CERTIFICATE_FILE: CERT, SSO_MICROSOFT_CLIENT_PRIVATE_KEY_FILE: KEY } });
    try {
      const r = await t.app.inject({ method: 'GET', url: '/console/login' });
      const button = /<a class="btn-ms" href="\/auth\/microsoft\/start">([\s\S]*?)<\/a>/.exec(r.body)?.[1];
      expect(button).toBeDefined();
      expect(button).toContain('<span>Sign in with Microsoft</span>');
      expect([...button!.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1])).toEqual(['#f25022', '#7fba00', '#00a4ef', '#ffb900']);
      const css = await t.app.inject({ method: 'GET', url: String(/href="([^"]+console[^"]*\.css[^"]*)"/.exec(r.body)?.[1]) });
      expect(css.body).toMatch(/\.btn-ms \{[^}]*height: 41px[^}]*border: 1px solid #8c8c8c[^}]*color: #5e5e5e[^}]*font-size: 15px/);
    } finally {
      await t.close();
    }
  });
});
