import { CoffreError, type DocumentRole, ErrorCode, type UserId } from '@coffre/protocol';
import type { NewGrant } from './GrantRepository.ts';
import type { LinkKey } from './LinkRepository.ts';

/** A rotation as asked, decoded, with what the relay holds for the document. */
export interface RotationCheck {
  caller: UserId;
  currentEpoch: number;
  newEpoch: number;
  /** As sent (duplicates included, so they can be refused). */
  removeUserIds: readonly UserId[];
  grants: readonly NewGrant[];
  resealed: readonly (LinkKey & { linkId: string })[];
  /** Every member's role before the rotation. */
  members: ReadonlyMap<UserId, DocumentRole>;
  liveLinks: readonly string[];
}

/**
 * The rules of a key rotation, checked before anything is written: each
 * member to remove listed once, a member and not the caller; `newEpoch` is
 * the current epoch + 1 (`EPOCH_CONFLICT`); exactly one grant of the new
 * epoch from the caller to each remaining member, with their role; only
 * this document's live links re-sealed, once each, with the new epoch's key.
 * Resolves with the live links not re-sealed: the rotation revokes them.
 * Refusals are `VALIDATION_FAILED` unless said otherwise.
 */
export function checkRotation(check: RotationCheck): { revokedLinks: string[] } {
  const removed = new Set(check.removeUserIds);
  if (removed.size !== check.removeUserIds.length || removed.has(check.caller)) {
    throw new CoffreError(ErrorCode.ValidationFailed, 'List each member to remove once, and not yourself.');
  }
  if (new Set(check.resealed.map((link) => link.linkId)).size !== check.resealed.length) {
    throw new CoffreError(ErrorCode.ValidationFailed, 'List each link once.');
  }
  if (check.newEpoch !== check.currentEpoch + 1) throw new CoffreError(ErrorCode.EpochConflict);
  if ([...removed].some((userId) => !check.members.has(userId))) {
    throw new CoffreError(ErrorCode.ValidationFailed, 'Only members can be removed.');
  }
  const remaining = new Map(check.members);
  for (const userId of removed) remaining.delete(userId);
  const recipients = new Set<string>();
  for (const grant of check.grants) {
    if (
      grant.keyEpoch !== check.newEpoch ||
      grant.granterUserId !== check.caller ||
      remaining.get(grant.recipientUserId) !== grant.role ||
      recipients.has(grant.recipientUserId)
    ) {
      throw new CoffreError(
        ErrorCode.ValidationFailed,
        'Send one grant of the new epoch from you to each remaining member, with their role.',
      );
    }
    recipients.add(grant.recipientUserId);
  }
  if (recipients.size !== remaining.size) {
    throw new CoffreError(ErrorCode.ValidationFailed, 'Every remaining member needs a grant of the new epoch.');
  }
  if (check.resealed.some((link) => !check.liveLinks.includes(link.linkId) || link.keyEpoch !== check.newEpoch)) {
    throw new CoffreError(
      ErrorCode.ValidationFailed,
      "Re-seal only this document's live links, with the new epoch's key.",
    );
  }
  return { revokedLinks: check.liveLinks.filter((linkId) => !check.resealed.some((link) => link.linkId === linkId)) };
}
