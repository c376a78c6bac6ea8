import { lib } from './sodium.ts';
import { CryptoInputError, expectLength } from './errors.ts';

export const SIGNING_PUBLIC_KEY_BYTES = 32;
export const SIGNING_SECRET_KEY_BYTES = 64;
export const SIGNATURE_BYTES = 64;

export interface SigningKeyPair {
  publicKey: Uint8Array;
  /** libsodium's 64-byte form: seed || public key. */
  secretKey: Uint8Array;
}

/** A new Ed25519 key pair; deterministic when a 32-byte seed is given. */
export function generateSigningKeyPair(seed?: Uint8Array): SigningKeyPair {
  const sodium = lib();
  if (seed) {
    expectLength('seed', seed, 32);
    const { publicKey, privateKey } = sodium.crypto_sign_seed_keypair(seed);
    return { publicKey, secretKey: privateKey };
  }
  const { publicKey, privateKey } = sodium.crypto_sign_keypair();
  return { publicKey, secretKey: privateKey };
}

/** Plain Ed25519 (RFC 8032) over the exact message bytes. Prefer {@link sign}. */
export function ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  expectLength('secretKey', secretKey, SIGNING_SECRET_KEY_BYTES);
  return lib().crypto_sign_detached(message, secretKey);
}

/** Plain Ed25519 (RFC 8032) verification. Prefer {@link verify}. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== SIGNING_PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return lib().crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();

/**
 * Frames the message with a domain tag so that a signature made for one
 * purpose (an envelope entry, a key grant, ...) never verifies for another:
 * "coffre-sig-v1" || 0 || len(tag) as one byte || tag || message.
 */
function domainSeparated(domain: string, message: Uint8Array): Uint8Array {
  const tag = encoder.encode(domain);
  if (tag.length === 0 || tag.length > 255) throw new CryptoInputError('signature domain must be 1..255 bytes');
  const prefix = encoder.encode('coffre-sig-v1');
  const out = new Uint8Array(prefix.length + 2 + tag.length + message.length);
  out.set(prefix, 0);
  out[prefix.length] = 0;
  out[prefix.length + 1] = tag.length;
  out.set(tag, prefix.length + 2);
  out.set(message, prefix.length + 2 + tag.length);
  return out;
}

/** Ed25519 signature of `message` under a domain tag. */
export function sign(secretKey: Uint8Array, domain: string, message: Uint8Array): Uint8Array {
  return ed25519Sign(secretKey, domainSeparated(domain, message));
}

/** Verifies a {@link sign} signature; false on any mismatch (throws only for an invalid domain tag). */
export function verify(publicKey: Uint8Array, domain: string, message: Uint8Array, signature: Uint8Array): boolean {
  return ed25519Verify(publicKey, domainSeparated(domain, message), signature);
}
