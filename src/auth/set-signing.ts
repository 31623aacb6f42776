// Signing Security Event Tokens (RFC 8417) with `jose`: ES256 keys (RFC 7518 §3.4), a `kid` that is
// the key's RFC 7638 thumbprint, the explicit type `secevent+jwt` (RFC 8417 §2.3), and the public
// halves as a JWK Set (RFC 7517 §5) for the JWKS URL receivers verify against.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { SET_JWT_TYPE, type SetClaims } from '../scim/events/set-profile.js';

export const SET_SIGNING_ALG = 'ES256';

export interface NewSigningKey {
  readonly kid: string;
  readonly alg: string;
  /** The private JWK as JSON: stored server-side only, never served. */
  readonly privateJwk: string;
  /** The public JWK as JSON (with kid, alg, use), as published in the JWKS. */
  readonly publicJwk: string;
}

export async function generateSigningKey(): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SET_SIGNING_ALG, { extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub, 'sha256');
  const priv = await exportJWK(privateKey);
  return {
    kid,
    alg: SET_SIGNING_ALG,
    privateJwk: JSON.stringify({ ...priv, kid, alg: SET_SIGNING_ALG }),
    publicJwk: JSON.stringify({ ...pub, kid, alg: SET_SIGNING_ALG, use: 'sig' }),
  };
}

// Imported keys by kid: importing a JWK costs more than signing with it.
const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();

async function privateKeyFor(kid: string, privateJwk: string): Promise<CryptoKey | Uint8Array> {
  let k = imported.get(kid);
  if (!k) {
    k = importJWK(JSON.parse(privateJwk) as JWK, SET_SIGNING_ALG);
    if (imported.size > 10_000) imported.clear();
    imported.set(kid, k);
  }
  return k;
}

/** The compact JWS of one SET (RFC 7515 §7.1), header `{alg, kid, typ: "secevent+jwt"}`. */
export async function signSet(claims: SetClaims, key: { kid: string; privateJwk: string }): Promise<string> {
  const privateKey = await privateKeyFor(key.kid, key.privateJwk);
  // RFC 8417 §2.2: no `exp` and no `sub` (RFC 9967 §2.1: `sub_id` instead) — the claims are used as given.
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: SET_SIGNING_ALG, kid: key.kid, typ: SET_JWT_TYPE }).sign(privateKey);
}

/** RFC 7517 §5: `{"keys":[…]}` from stored public JWKs. */
export const jwkSet = (publicJwks: readonly string[]): { keys: JWK[] } => ({ keys: publicJwks.map((j) => JSON.parse(j) as JWK) });
