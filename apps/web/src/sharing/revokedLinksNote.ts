import type { RotationResult } from '@coffre/client';

/**
 * What a key rotation did to links made elsewhere, in words: the relay
 * revokes the links whose secrets this device does not hold (it cannot
 * re-seal them for the new key). Empty when there were none.
 */
export function revokedLinksNote(result: RotationResult, except?: string): string {
  const others = result.revokedLinks.filter((linkId) => linkId !== except).length;
  if (others === 0) return '';
  return ` ${others} link${others === 1 ? '' : 's'} made on another device stopped working.`;
}
