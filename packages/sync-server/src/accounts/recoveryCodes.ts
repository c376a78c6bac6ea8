import { hash, randomBytes } from '@coffre/crypto';

/** How many recovery codes confirming two-factor authentication hands out. */
export const RECOVERY_CODE_COUNT = 10;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** The largest multiple of the alphabet size below 256: bytes above it are skipped, so every character is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

/** A random code like `k3f9-a0qz-7mxe`: 12 characters of [a-z0-9], about 62 bits. */
export function generateRecoveryCode(): string {
  let characters = '';
  while (characters.length < 12) {
    for (const byte of randomBytes(16)) {
      if (byte < UNBIASED_LIMIT && characters.length < 12) characters += ALPHABET[byte % ALPHABET.length];
    }
  }
  return `${characters.slice(0, 4)}-${characters.slice(4, 8)}-${characters.slice(8, 12)}`;
}

/** What is stored for a recovery code: keyed BLAKE2b of the user id and the code. */
export function hashRecoveryCode(key: Uint8Array, userId: string, code: string): Uint8Array {
  return hash(new TextEncoder().encode(`${userId}\n${code.toLowerCase()}`), 32, key);
}
