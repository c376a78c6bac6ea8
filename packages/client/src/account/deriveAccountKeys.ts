import { type Argon2idParameters, deriveKeyFromPassword, deriveSubkey } from '@coffre/crypto';

/** KDF contexts (exactly 8 characters): one purpose each, so the keys are independent. */
const AUTH_KEY_CONTEXT = 'cofauth1';
const WRAPPING_KEY_CONTEXT = 'cofwrap1';
const VAULT_KEY_CONTEXT = 'cofvlt01';

export interface AccountKeys {
  /** Sent to the relay at registration and login; the relay stores only a salted hash of it. */
  authKey: Uint8Array;
  /** Seals the user's identity private keys into the key bundle; never leaves the client. */
  wrappingKey: Uint8Array;
  /**
   * Seals what this device keeps at rest (the saved session, local
   * keyrings and catalogs); never leaves the client. The same on every
   * device, so it can be derived again offline from the password and the
   * account's salt and parameters.
   */
  vaultKey: Uint8Array;
}

/**
 * Password -> Argon2id master key -> three BLAKE2b sub-keys. Knowing the
 * authentication key (as the relay does) tells nothing about the wrapping
 * or vault key. Deterministic: the same password, salt and parameters give the same
 * keys on every device. Takes ~100 ms with {@link ACCOUNT_KDF_PARAMETERS}.
 *
 * @example
 * const { salt, kdf } = await relay.kdf(email);
 * const { authKey, wrappingKey, vaultKey } = deriveAccountKeys(password, salt, kdf);
 */
export function deriveAccountKeys(password: string, salt: Uint8Array, parameters: Argon2idParameters): AccountKeys {
  return accountKeysFromMasterKey(deriveKeyFromPassword(password, salt, parameters));
}

/**
 * The second half of {@link deriveAccountKeys}: the three sub-keys of an
 * Argon2id master key (`deriveKeyFromPassword(password, salt, parameters)`),
 * which it wipes. For a caller that runs Argon2id itself, elsewhere (the web
 * app's Web Worker); a few microseconds.
 */
export function accountKeysFromMasterKey(masterKey: Uint8Array): AccountKeys {
  try {
    return {
      authKey: deriveSubkey(masterKey, 1, AUTH_KEY_CONTEXT),
      wrappingKey: deriveSubkey(masterKey, 2, WRAPPING_KEY_CONTEXT),
      vaultKey: deriveSubkey(masterKey, 3, VAULT_KEY_CONTEXT),
    };
  } finally {
    masterKey.fill(0);
  }
}

/**
 * How an {@link AccountClient} turns a password into {@link AccountKeys}:
 * {@link deriveAccountKeys}, or the same function run elsewhere (the web app
 * runs it in a Web Worker so the page never freezes during Argon2id). It must
 * give exactly what {@link deriveAccountKeys} gives.
 */
export type AccountKeyDerivation = (
  password: string,
  salt: Uint8Array,
  parameters: Argon2idParameters,
) => Promise<AccountKeys>;

/** {@link deriveAccountKeys} in the calling thread: the default (Node, the CLI, tests). */
export const deriveAccountKeysInThread: AccountKeyDerivation = (password, salt, parameters) =>
  Promise.resolve().then(() => deriveAccountKeys(password, salt, parameters));
