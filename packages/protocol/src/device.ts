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
