import { beforeAll, describe, expect, it } from 'vitest';
import {
  type SigningKeyPair,
  generateBoxKeyPair,
  generateSigningKeyPair,
  generateSymmetricKey,
  ready,
  toBase64Url,
} from '@coffre/crypto';
import {
  type DocumentRole,
  type GrantWire,
  type UserId,
  deviceId,
  documentId,
  tenantId,
  userId,
} from '@coffre/protocol';
import { DeviceDirectory } from '../../src/keys.ts';
import { createGrant } from '../../src/sharing/grants.ts';
import { verifyMembership } from '../../src/sharing/membership.ts';

const address = { tenantId: tenantId('acme'), documentId: documentId('plans') };

describe('verifyMembership (who could write in each key epoch)', () => {
  const people = new Map<UserId, SigningKeyPair>();

  beforeAll(async () => {
    await ready();
    for (const name of ['alice', 'bob', 'carol', 'victor', 'mallory'])
      people.set(userId(name), generateSigningKeyPair());
  });

  const grant = (keyEpoch: number, granter: string, recipient: string, role: DocumentRole, signer = granter) => {
    const signing = people.get(userId(signer));
    if (!signing) throw new Error(`no ${signer}`);
    const signed = createGrant({
      ...address,
      keyEpoch,
      granter: userId(granter),
      recipient: userId(recipient),
      role,
      documentKey: generateSymmetricKey(),
      recipientBoxPublicKey: generateBoxKeyPair().publicKey,
      granterSigningSecretKey: signing.secretKey,
    });
    return {
      keyEpoch,
      granterUserId: granter,
      recipientUserId: recipient,
      role,
      sealedKey: toBase64Url(signed.sealedKey),
      signature: toBase64Url(signed.signature),
    } satisfies GrantWire;
  };

  const verify = (grants: GrantWire[], knownCreator?: string) =>
    verifyMembership({
      address,
      grants,
      signingKeyOf: (user) => people.get(user)?.publicKey,
      ...(knownCreator ? { knownCreator: userId(knownCreator) } : {}),
    });

  const epochsOf = (membership: ReturnType<typeof verify>, user: string) =>
    [...(membership.writers.get(userId(user)) ?? [])].sort((a, b) => a - b);

  /** Alice creates; Bob edits and Victor views from epoch 0; Alice removes Bob at epoch 1. */
  const history = () => [
    grant(0, 'alice', 'alice', 'owner'),
    grant(0, 'alice', 'bob', 'editor'),
    grant(0, 'alice', 'victor', 'viewer'),
    grant(1, 'alice', 'alice', 'owner'),
    grant(1, 'alice', 'victor', 'viewer'),
  ];

  it('gives owners and editors the epochs of their grants, viewers none, past members their past epochs', () => {
    const membership = verify(history());
    expect(membership.creator).toBe('alice');
    expect(membership.problem).toBeUndefined();
    expect(epochsOf(membership, 'alice')).toEqual([0, 1]);
    expect(epochsOf(membership, 'bob')).toEqual([0]);
    expect(epochsOf(membership, 'victor')).toEqual([]);
    expect(membership.refused).toBe(0);
  });

  it('does not count a grant a viewer gave themselves, or one the relay signed with a made-up key', () => {
    const forgedSelf = grant(1, 'victor', 'victor', 'editor');
    const underAlicesName = grant(1, 'alice', 'victor', 'editor', 'mallory');
    const membership = verify([...history(), forgedSelf, underAlicesName]);
    expect(epochsOf(membership, 'victor')).toEqual([]);
    expect(membership.refused).toBe(2);
  });

  it('does not count grants from a member who never was an owner, nor from one whose key is not trusted', () => {
    const removedGrants = grant(2, 'bob', 'victor', 'editor');
    const membership = verifyMembership({
      address,
      grants: [...history(), grant(2, 'alice', 'alice', 'owner'), removedGrants, grant(2, 'alice', 'carol', 'editor')],
      signingKeyOf: (user) => (user === 'carol' ? undefined : people.get(user)?.publicKey),
    });
    expect(epochsOf(membership, 'victor')).toEqual([]);
    expect(epochsOf(membership, 'carol')).toEqual([2]);
    expect(membership.refused).toBe(1);
  });

  it('lets an owner made by the creator grant, including the epochs after a rotation it did', () => {
    const membership = verify([
      grant(0, 'alice', 'alice', 'owner'),
      grant(0, 'alice', 'carol', 'owner'),
      grant(1, 'carol', 'carol', 'owner'),
      grant(1, 'carol', 'alice', 'owner'),
      grant(1, 'carol', 'bob', 'editor'),
    ]);
    expect(epochsOf(membership, 'carol')).toEqual([0, 1]);
    expect(epochsOf(membership, 'bob')).toEqual([1]);
    expect([...(membership.owners.get(1) ?? [])].sort()).toEqual(['alice', 'carol']);
  });

  it('finds no root when the log has no creator or two, or another creator than this device saw', () => {
    expect(verify([grant(0, 'alice', 'bob', 'editor')]).problem).toBe('no-creator');
    const two = verify([grant(0, 'alice', 'alice', 'owner'), grant(0, 'victor', 'victor', 'owner')]);
    expect(two.problem).toBe('several-creators');
    expect(two.writers.size).toBe(0);
    // A relay hiding Alice's creation and presenting Victor's: refused where Alice was seen as the creator.
    const swapped = verify([grant(0, 'victor', 'victor', 'owner'), grant(0, 'victor', 'alice', 'owner')], 'alice');
    expect(swapped.problem).toBe('other-creator');
    expect(swapped.writers.size).toBe(0);
    expect(verify(history(), 'alice').problem).toBeUndefined();
  });
});

describe('DeviceDirectory writer epochs', () => {
  it('lets every trusted device write until restricted, then only in its epochs', () => {
    const laptop = deviceId('laptop');
    const phone = deviceId('phone');
    const directory = new DeviceDirectory([
      [laptop, new Uint8Array(32)],
      [phone, new Uint8Array(32)],
    ]);
    expect(directory.mayWrite(phone, 7)).toBe(true);
    directory.restrictWriters([[laptop, [0, 1]]]);
    expect(directory.mayWrite(laptop, 1)).toBe(true);
    expect(directory.mayWrite(laptop, 2)).toBe(false);
    expect(directory.mayWrite(phone, 0)).toBe(false);
    expect(directory.writerEntries()).toEqual([[laptop, [0, 1]]]);

    // A fresher directory brings new devices and replaces the epochs (a rotation gave the laptop epoch 2).
    const fresher = new DeviceDirectory([[deviceId('tablet'), new Uint8Array(32)]], {
      writers: [
        [laptop, [0, 1, 2]],
        [deviceId('tablet'), [2]],
      ],
    });
    directory.update(fresher);
    expect(directory.mayWrite(laptop, 2)).toBe(true);
    expect(directory.mayWrite(deviceId('tablet'), 2)).toBe(true);
    expect(directory.has(deviceId('tablet'))).toBe(true);
  });

  it('leaves share-link editors, which it only resolves, to the relay', () => {
    const directory = new DeviceDirectory([], { resolve: () => new Uint8Array(32), writers: [] });
    expect(directory.mayWrite(deviceId('link-abc'), 3)).toBe(true);
    expect(new DeviceDirectory([], { writers: [] }).mayWrite(deviceId('stranger'), 0)).toBe(false);
  });
});
