import { deriveSubkey, hash, randomBytes, ready } from '@coffre/crypto';

/** Keys the relay derives from its server secret, and a dummy login hash. */
export interface ServerKeys {
  /** Keys the fake KDF salts answered for unknown emails. */
  kdfSaltKey: Uint8Array;
  /** Keys the stored hashes of recovery codes. */
  recoveryKey: Uint8Array;
  /** An unknown email's login is hashed and compared against these: the same work as a wrong password. */
  dummySalt: Uint8Array;
  dummyHash: Uint8Array;
}

/** Derives {@link ServerKeys} once libsodium is ready; a secret longer than 32 bytes is hashed to 32 first. */
export async function deriveServerKeys(serverSecret: Uint8Array): Promise<ServerKeys> {
  await ready();
  const root = serverSecret.byteLength === 32 ? serverSecret : hash(serverSecret, 32);
  const dummySalt = randomBytes(32);
  return {
    kdfSaltKey: deriveSubkey(root, 1, 'kdfsalt_'),
    recoveryKey: deriveSubkey(root, 2, 'recovery'),
    dummySalt,
    dummyHash: hash(randomBytes(32), 32, dummySalt),
  };
}
