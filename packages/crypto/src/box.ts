import { lib } from './sodium.ts';
import { DecryptionError, expectLength } from './errors.ts';

export const BOX_PUBLIC_KEY_BYTES = 32;
export const BOX_SECRET_KEY_BYTES = 32;
export const SEALED_BOX_OVERHEAD = 48;

export interface BoxKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** A new X25519 key pair for sealed boxes; deterministic when a seed is given. */
export function generateBoxKeyPair(seed?: Uint8Array): BoxKeyPair {
  const sodium = lib();
  if (seed) {
    expectLength('seed', seed, 32);
    const { publicKey, privateKey } = sodium.crypto_box_seed_keypair(seed);
    return { publicKey, secretKey: privateKey };
  }
  const { publicKey, privateKey } = sodium.crypto_box_keypair();
  return { publicKey, secretKey: privateKey };
}

/**
 * Anonymous sealed box (X25519 + XSalsa20-Poly1305): only the holder of the
 * recipient's secret key can open it. Used to wrap document keys for members.
 */
export function sealToPublicKey(recipientPublicKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  expectLength('recipientPublicKey', recipientPublicKey, BOX_PUBLIC_KEY_BYTES);
  return lib().crypto_box_seal(plaintext, recipientPublicKey);
}

/** Opens a sealed box addressed to this key pair; throws {@link DecryptionError}. */
export function openSealedBox(keyPair: BoxKeyPair, sealed: Uint8Array): Uint8Array {
  expectLength('publicKey', keyPair.publicKey, BOX_PUBLIC_KEY_BYTES);
  expectLength('secretKey', keyPair.secretKey, BOX_SECRET_KEY_BYTES);
  if (sealed.length < SEALED_BOX_OVERHEAD) throw new DecryptionError('sealed box is too short');
  try {
    return lib().crypto_box_seal_open(sealed, keyPair.publicKey, keyPair.secretKey);
  } catch {
    throw new DecryptionError();
  }
}
