import { fromBase64Url } from '@coffre/crypto';
import { ByteWriter } from './bytes.ts';

/** Domain of the identity key's signature over a device's keys. */
export const DEVICE_SIGNATURE_DOMAIN = 'coffre/device';

/** The bytes an identity signs to certify one of its devices. */
export function encodeDeviceStatement(input: {
  tenantId: string;
  userId: string;
  deviceId: string;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
}): Uint8Array {
  return new ByteWriter()
    .u8(1)
    .shortString(input.tenantId)
    .shortString(input.userId)
    .shortString(input.deviceId)
    .bytes(input.signingPublicKey)
    .bytes(input.boxPublicKey)
    .finish();
}

const LINK_DEVICE = /^link-([A-Za-z0-9_-]{43})$/;

/**
 * The Ed25519 public key a share-link device's id carries (`link-` followed
 * by the key in base64url), or undefined for any other id. Link devices have
 * no certificate: their id is their key, so both clients and the relay can
 * verify what they sign.
 */
export function linkDevicePublicKey(id: string): Uint8Array | undefined {
  const match = LINK_DEVICE.exec(id);
  if (!match) return undefined;
  try {
    const publicKey = fromBase64Url(match[1] ?? '');
    return publicKey.length === 32 ? publicKey : undefined;
  } catch {
    return undefined;
  }
}
