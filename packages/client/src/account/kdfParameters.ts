import { type Argon2idParameters, ARGON2ID_INTERACTIVE } from '@coffre/crypto';

/**
 * Argon2id parameters for new accounts: libsodium's INTERACTIVE preset,
 * 2 passes over 64 MiB.
 *
 * Measured with libsodium-wrappers-sumo (WebAssembly) on Node 24, on the
 * 2-core development machine, median of 5 derivations:
 *
 * | parameters                 | time   |
 * |----------------------------|--------|
 * | 2 passes, 64 MiB (INTERACTIVE) | 115 ms |
 * | 3 passes, 64 MiB           | 157 ms |
 * | 3 passes, 128 MiB          | 334 ms |
 * | 3 passes, 256 MiB (MODERATE)   | 673 ms |
 *
 * MODERATE is under a second here but not well under it: this is a server
 * CPU running one derivation at a time, while the same WebAssembly runs in
 * browsers on phones and old laptops two to four times slower, and a 256 MiB
 * WebAssembly heap is refused by some mobile browsers. SENSITIVE (1 GiB) is
 * out of the question. So INTERACTIVE is the strongest preset that stays
 * well under a second everywhere; it is also the floor the client accepts
 * from a relay (see {@link MINIMUM_KDF_PARAMETERS}).
 *
 * The parameters are chosen at registration and stored by the relay with the
 * salt, so raising them later only affects new accounts and password changes.
 */
export const ACCOUNT_KDF_PARAMETERS: Argon2idParameters = ARGON2ID_INTERACTIVE;

/**
 * The weakest parameters the client will derive with at login. The relay
 * returns the parameters with the salt, so a malicious relay could answer
 * with cheap ones and brute-force the password from the authentication key
 * the client then sends; the client refuses anything below this floor.
 */
export const MINIMUM_KDF_PARAMETERS: Argon2idParameters = ARGON2ID_INTERACTIVE;

/** True when `parameters` are at least as costly as `floor` in both passes and memory. */
export function meetsKdfFloor(parameters: Argon2idParameters, floor: Argon2idParameters): boolean {
  return parameters.opsLimit >= floor.opsLimit && parameters.memLimit >= floor.memLimit;
}
