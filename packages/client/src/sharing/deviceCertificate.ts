import { fromBase64Url, sign, toBase64Url, verify } from '@coffre/crypto';
import {
  type DeviceCertificate,
  type DeviceId,
  type TenantId,
  type UserId,
  DEVICE_SIGNATURE_DOMAIN,
  encodeDeviceStatement,
} from '@coffre/protocol';

/** One device's public keys, as its user certifies them. */
export interface DeviceKeysStatement {
  tenantId: TenantId;
  userId: UserId;
  deviceId: DeviceId;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
}

/**
 * The user's identity signature over one of its devices' keys: what
 * `POST /me/devices/{deviceId}/certificate` stores, so that other members
 * trust the entries that device signs without trusting the relay.
 */
export function signDeviceCertificate(identitySigningSecretKey: Uint8Array, statement: DeviceKeysStatement): string {
  return toBase64Url(sign(identitySigningSecretKey, DEVICE_SIGNATURE_DOMAIN, encodeDeviceStatement(statement)));
}

/**
 * True when `certificate` is the identity signature of the user `userId`
 * (whose identity signing key is `identitySigningPublicKey`) over the
 * device's keys. Anything unreadable is simply not a valid certificate.
 */
export function verifyDeviceCertificate(
  tenantId: TenantId,
  userId: UserId,
  identitySigningPublicKey: Uint8Array,
  certificate: DeviceCertificate,
): boolean {
  try {
    const statement = encodeDeviceStatement({
      tenantId,
      userId,
      deviceId: certificate.deviceId,
      signingPublicKey: fromBase64Url(certificate.signingPublicKey),
      boxPublicKey: fromBase64Url(certificate.boxPublicKey),
    });
    return verify(
      identitySigningPublicKey,
      DEVICE_SIGNATURE_DOMAIN,
      statement,
      fromBase64Url(certificate.identitySignature),
    );
  } catch {
    return false;
  }
}
