import { lib } from './sodium.ts';
import { CryptoInputError, expectLength } from './errors.ts';

export const PASSWORD_SALT_BYTES = 16;

export interface Argon2idParameters {
  /** Passes over memory (libsodium opslimit). */
  opsLimit: number;
  /** Memory in bytes (libsodium memlimit). */
  memLimit: number;
}

/** libsodium's INTERACTIVE preset: 2 passes, 64 MiB. */
export const ARGON2ID_INTERACTIVE: Argon2idParameters = { opsLimit: 2, memLimit: 64 * 1024 * 1024 };
/** libsodium's MODERATE preset: 3 passes, 256 MiB. */
export const ARGON2ID_MODERATE: Argon2idParameters = { opsLimit: 3, memLimit: 256 * 1024 * 1024 };

export function generatePasswordSalt(): Uint8Array {
  return lib().randombytes_buf(PASSWORD_SALT_BYTES);
}

/** Argon2id (v1.3) of a password into a 32-byte key. Runs on the client. */
export function deriveKeyFromPassword(
  password: string,
  salt: Uint8Array,
  parameters: Argon2idParameters = ARGON2ID_INTERACTIVE,
  length = 32,
): Uint8Array {
  expectLength('salt', salt, PASSWORD_SALT_BYTES);
  if (password.length === 0) throw new CryptoInputError('password must not be empty');
  const sodium = lib();
  return sodium.crypto_pwhash(
    length,
    password,
    salt,
    parameters.opsLimit,
    parameters.memLimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
}
