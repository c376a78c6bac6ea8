import { randomBytes, toBase64Url } from '@coffre/crypto';

/**
 * A random id (128 bits) with a one-letter kind prefix, e.g. `u_Yc3…` for a
 * user: valid under the protocol's id rules (it starts with a letter).
 */
export function newId(kind: 'u' | 'd' | 's'): string {
  return `${kind}_${toBase64Url(randomBytes(16))}`;
}
