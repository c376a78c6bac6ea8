import { fromBase64Url } from '@coffre/crypto';
import { CoffreError, ErrorCode } from '@coffre/protocol';

/** base64url of `min`..`max` bytes, else a `VALIDATION_FAILED` {@link CoffreError}. */
export function decodeBytes(text: string, min: number, max: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    throw new CoffreError(ErrorCode.ValidationFailed);
  }
  if (bytes.byteLength < min || bytes.byteLength > max) throw new CoffreError(ErrorCode.ValidationFailed);
  return bytes;
}
