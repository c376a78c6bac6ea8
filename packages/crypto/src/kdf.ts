import { lib } from './sodium.ts';
import { CryptoInputError, expectLength } from './errors.ts';

/**
 * A 32-byte sub-key of a 32-byte root key (BLAKE2b, libsodium crypto_kdf).
 * `context` is exactly 8 ASCII characters naming the purpose, e.g. "authkey_".
 */
export function deriveSubkey(rootKey: Uint8Array, subkeyId: number, context: string, length = 32): Uint8Array {
  expectLength('rootKey', rootKey, 32);
  if (!/^[\x20-\x7e]{8}$/.test(context)) throw new CryptoInputError('KDF context must be 8 printable ASCII characters');
  if (!Number.isSafeInteger(subkeyId) || subkeyId < 0)
    throw new CryptoInputError('subkeyId must be a non-negative integer');
  if (!Number.isInteger(length) || length < 16 || length > 64)
    throw new CryptoInputError('sub-key length must be 16..64 bytes');
  // As a bigint: libsodium.js only accepts numbers below 2^31 but takes a bigint up to 2^64 - 1.
  return lib().crypto_kdf_derive_from_key(length, BigInt(subkeyId), context, rootKey);
}

/** Keyed or unkeyed BLAKE2b. */
export function hash(message: Uint8Array, length = 32, key?: Uint8Array): Uint8Array {
  return lib().crypto_generichash(length, message, key ?? null);
}
