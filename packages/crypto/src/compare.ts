import { lib } from './sodium.ts';
import { hash } from './kdf.ts';

/** Constant-time equality for secrets of equal length; false when lengths differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  return lib().memcmp(a, b);
}

/**
 * A safety number for a public key: 60 decimal digits in 12 groups of 5,
 * from an iterated BLAKE2b of the key, easy to read aloud and compare.
 */
export function fingerprint(publicKey: Uint8Array): string {
  let digest = hash(publicKey, 64);
  for (let round = 0; round < 1024; round += 1) digest = hash(digest, 64);
  const groups: string[] = [];
  for (let index = 0; index < 12; index += 1) {
    const offset = index * 5;
    let value = 0;
    for (let byte = 0; byte < 5; byte += 1) value = value * 256 + (digest[offset + byte] ?? 0);
    groups.push(String(value % 100000).padStart(5, '0'));
  }
  return groups.join(' ');
}
