import { type BoxKeyPair, type SigningKeyPair, generateBoxKeyPair, generateSigningKeyPair } from '@coffre/crypto';

/**
 * One device's own keys: Ed25519 signs the document entries it writes,
 * X25519 can receive keys meant for this device only. Their private halves
 * never leave the device, not even sealed.
 */
export interface DeviceKeys {
  signing: SigningKeyPair;
  box: BoxKeyPair;
}

/** New random key pairs for a device that signs in for the first time. */
export function createDeviceKeys(): DeviceKeys {
  return { signing: generateSigningKeyPair(), box: generateBoxKeyPair() };
}
