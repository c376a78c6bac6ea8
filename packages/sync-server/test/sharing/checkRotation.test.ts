import { describe, expect, it } from 'vitest';
import { CoffreError, type DocumentRole, type UserId, userId } from '@coffre/protocol';
import { checkRotation, type RotationCheck } from '../../src/sharing/checkRotation.ts';
import type { NewGrant } from '../../src/sharing/GrantRepository.ts';

const owner = userId('u_owner');
const editor = userId('u_editor');
const viewer = userId('u_viewer');
const linkA = 'a'.repeat(32);
const linkB = 'b'.repeat(32);

const grant = (recipient: UserId, role: DocumentRole, keyEpoch = 4, granter = owner): NewGrant => ({
  keyEpoch,
  granterUserId: granter,
  recipientUserId: recipient,
  role,
  sealedKey: new Uint8Array(80),
  signature: new Uint8Array(64),
});

/** The owner removes the viewer, moves from epoch 3 to 4, re-seals link A and leaves link B out. */
function rotation(overrides: Partial<RotationCheck> = {}): RotationCheck {
  return {
    caller: owner,
    currentEpoch: 3,
    newEpoch: 4,
    removeUserIds: [viewer],
    grants: [grant(owner, 'owner'), grant(editor, 'editor')],
    resealed: [{ linkId: linkA, keyEpoch: 4, sealedKey: new Uint8Array(72) }],
    members: new Map<UserId, DocumentRole>([
      [owner, 'owner'],
      [editor, 'editor'],
      [viewer, 'viewer'],
    ]),
    liveLinks: [linkA, linkB],
    ...overrides,
  };
}

const codeOf = (check: RotationCheck): string | undefined => {
  try {
    checkRotation(check);
    return undefined;
  } catch (error) {
    if (error instanceof CoffreError) return error.code;
    throw error;
  }
};

describe('checkRotation', () => {
  it('accepts a complete rotation and revokes the live links that were not re-sealed', () => {
    expect(checkRotation(rotation())).toEqual({ revokedLinks: [linkB] });
  });

  it('answers EPOCH_CONFLICT unless the new epoch is the current one + 1', () => {
    expect(codeOf(rotation({ newEpoch: 5 }))).toBe('EPOCH_CONFLICT');
    expect(codeOf(rotation({ newEpoch: 3 }))).toBe('EPOCH_CONFLICT');
  });

  it('refuses removing the caller, a member twice, or someone who is not a member', () => {
    expect(codeOf(rotation({ removeUserIds: [owner] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(rotation({ removeUserIds: [viewer, viewer] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(rotation({ removeUserIds: [userId('u_stranger')] }))).toBe('VALIDATION_FAILED');
  });

  it('needs exactly one grant of the new epoch from the caller for each remaining member, with their role', () => {
    expect(codeOf(rotation({ grants: [grant(owner, 'owner')] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(rotation({ grants: [grant(owner, 'owner'), grant(editor, 'viewer')] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(rotation({ grants: [grant(owner, 'owner'), grant(editor, 'editor', 3)] }))).toBe('VALIDATION_FAILED');
    expect(codeOf(rotation({ grants: [grant(owner, 'owner'), grant(editor, 'editor', 4, editor)] }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(
      codeOf(rotation({ grants: [grant(owner, 'owner'), grant(editor, 'editor'), grant(editor, 'editor')] })),
    ).toBe('VALIDATION_FAILED');
    expect(
      codeOf(rotation({ grants: [grant(owner, 'owner'), grant(editor, 'editor'), grant(viewer, 'viewer')] })),
    ).toBe('VALIDATION_FAILED');
  });

  it("re-seals only the document's live links, once each, with the new epoch's key", () => {
    const sealedKey = new Uint8Array(72);
    expect(codeOf(rotation({ resealed: [{ linkId: 'c'.repeat(32), keyEpoch: 4, sealedKey }] }))).toBe(
      'VALIDATION_FAILED',
    );
    expect(codeOf(rotation({ resealed: [{ linkId: linkA, keyEpoch: 3, sealedKey }] }))).toBe('VALIDATION_FAILED');
    expect(
      codeOf(
        rotation({
          resealed: [
            { linkId: linkA, keyEpoch: 4, sealedKey },
            { linkId: linkA, keyEpoch: 4, sealedKey },
          ],
        }),
      ),
    ).toBe('VALIDATION_FAILED');
  });
});
