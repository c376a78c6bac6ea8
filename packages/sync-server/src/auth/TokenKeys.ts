import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, calculateJwkThumbprint, type JWK, type CryptoKey } from 'jose';
import { type AccessClaims, TOKEN_AUDIENCE } from '@coffre/protocol';

export const TOKEN_ALGORITHM = 'EdDSA';
export const DEFAULT_ISSUER = 'coffre-relay';

export interface TokenKeys {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

interface StoredKeys {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A new Ed25519 token-signing key pair. */
export async function generateTokenKeys(): Promise<TokenKeys> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicKey, publicJwk: { ...publicJwk, kid, alg: TOKEN_ALGORITHM, use: 'sig' } };
}

/**
 * Loads the token-signing keys from a JSON file (created with mode 0600 on
 * first use), so that tokens survive a restart of the relay.
 */
export async function loadOrCreateTokenKeys(file: string): Promise<TokenKeys> {
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as StoredKeys;
    const privateKey = (await importJWK(stored.privateJwk, TOKEN_ALGORITHM)) as CryptoKey;
    const publicKey = (await importJWK(stored.publicJwk, TOKEN_ALGORITHM)) as CryptoKey;
    return { kid: stored.kid, privateKey, publicKey, publicJwk: stored.publicJwk };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const keys = await generateTokenKeys();
  const stored: StoredKeys = { kid: keys.kid, privateJwk: await exportJWK(keys.privateKey), publicJwk: keys.publicJwk };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
  return keys;
}

export interface MintOptions {
  issuer?: string;
  /** Lifetime in seconds. */
  expiresIn?: number;
}

/** Signs an access token for the given claims. */
export async function mintAccessToken(
  keys: TokenKeys,
  claims: AccessClaims,
  options: MintOptions = {},
): Promise<string> {
  const payload: Record<string, string> = { tenant: claims.tenant, role: claims.role };
  if (claims.device) payload.device = claims.device;
  if (claims.sid) payload.sid = claims.sid;
  if (claims.doc) payload.doc = claims.doc;
  if (claims.access) payload.access = claims.access;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: keys.kid, typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(options.issuer ?? DEFAULT_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.expiresIn ?? 900}s`)
    .sign(keys.privateKey);
}
