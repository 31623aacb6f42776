// A real token issuer in the test process, standing in for Microsoft Entra's workload identity
// federation: RSA keys from jose, its JWKS served over HTTP on 127.0.0.1 (reached through the
// outbound guard with ALLOW_PRIVATE_TARGETS=1), client assertions signed with SignJWT. Keys can be
// rotated, and the JWKS endpoint can be taken down, to test caching and refetching.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface TestIssuer {
  /** e.g. http://127.0.0.1:12345/<tenant>/v2.0 (shaped like Entra's). */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly tenantId: string;
  /** How many times the JWKS was fetched. */
  fetches(): number;
  /** Signs a client assertion: sub/aud given, iat/nbf/exp around `nowMs`, a fresh jti unless overridden. */
  assertion(claims: { sub: string; aud: string; nowMs: number } & Partial<JWTPayload>, options?: { kid?: string; key?: 'current' | 'unpublished'; lifetimeS?: number }): Promise<string>;
  /** A new key is published (and the old kept, as Entra does during rotation) and becomes the signing key. */
  rotate(options?: { publish?: boolean }): Promise<string>;
  /** Publishes the keys generated but not yet published. */
  publishAll(): void;
  /** The JWKS endpoint answers 503 while down. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startTestIssuer(tenantId = randomUUID()): Promise<TestIssuer> {
  let current = await newKey();
  const unpublished = await newKey(); // signs "wrong signature" assertions under the current kid
  const published: SigningKey[] = [current];
  const pending: SigningKey[] = [];
  let fetches = 0;
  let down = false;

  const server = http.createServer((req, res) => {
    if (req.url === `/${tenantId}/discovery/v2.0/keys`) {
      fetches++;
      if (down) {
        res.writeHead(503).end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((k) => k.publicJwk) }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/${tenantId}/v2.0`;

  return {
    issuer,
    jwksUrl: `${base}/${tenantId}/discovery/v2.0/keys`,
    tenantId,
    fetches: () => fetches,
    async assertion(claims, options = {}) {
      const { sub, aud, nowMs, ...rest } = claims;
      const iat = Math.floor(nowMs / 1000);
      const key = options.key === 'unpublished' ? unpublished : current;
      return new SignJWT({ tid: tenantId, ver: '2.0', jti: randomUUID(), ...rest })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: options.kid ?? current.kid })
        .setIssuer(typeof rest.iss === 'string' ? rest.iss : issuer)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt(typeof rest.iat === 'number' ? rest.iat : iat)
        .setNotBefore(typeof rest.nbf === 'number' ? rest.nbf : iat)
        .setExpirationTime(typeof rest.exp === 'number' ? rest.exp : iat + (options.lifetimeS ?? 3600))
        .sign(key.privateKey);
    },
    async rotate(options = {}) {
      current = await newKey();
      if (options.publish === false) pending.push(current);
      else published.push(current);
      return current.kid;
    },
    publishAll() {
      published.push(...pending.splice(0));
    },
    setDown(d) {
      down = d;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
