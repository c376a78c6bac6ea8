import { type BoxKeyPair, type SigningKeyPair, generateBoxKeyPair, generateSigningKeyPair } from '@coffre/crypto';

/**
 * A user's identity, the same on every device: Ed25519 to sign key grants,
 * X25519 to receive document keys sealed to the user. The private keys
 * leave a device only inside the key bundle, sealed with the wrapping key.
 */
export interface UserIdentity {
  signing: SigningKeyPair;
  box: BoxKeyPair;
}

/** New random identity key pairs, made once at registration. */
export function createIdentity(): UserIdentity {
  return { signing: generateSigningKeyPair(), box: generateBoxKeyPair() };
}
