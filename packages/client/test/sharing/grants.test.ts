import { beforeAll, describe, expect, it } from 'vitest';
import { generateBoxKeyPair, generateSigningKeyPair, generateSymmetricKey, ready } from '@coffre/crypto';
import { documentId, tenantId, userId } from '@coffre/protocol';
import { GrantRejectedError, createGrant, openGrant } from '../../src/sharing/grants.ts';

describe('key grants', () => {
  beforeAll(async () => {
    await ready();
  });

  const setup = () => {
    const owner = { signing: generateSigningKeyPair(), box: generateBoxKeyPair() };
    const bob = { signing: generateSigningKeyPair(), box: generateBoxKeyPair() };
    const documentKey = generateSymmetricKey();
    const grant = createGrant({
      tenantId: tenantId('acme'),
      documentId: documentId('plans'),
      keyEpoch: 2,
      granter: userId('alice'),
      recipient: userId('bob'),
      role: 'editor',
      documentKey,
      recipientBoxPublicKey: bob.box.publicKey,
      granterSigningSecretKey: owner.signing.secretKey,
    });
    const expected = { tenantId: tenantId('acme'), documentId: documentId('plans'), recipient: userId('bob') };
    return { owner, bob, documentKey, grant, expected };
  };

  it('the recipient verifies and opens the document key', () => {
    const { owner, bob, documentKey, grant, expected } = setup();
    expect(
      openGrant({ grant, granterSigningPublicKey: owner.signing.publicKey, recipientBoxKeyPair: bob.box, expected }),
    ).toEqual(documentKey);
  });

  it('refuses a grant whose statement the relay altered (epoch, role, recipient, sealed key)', () => {
    const { owner, bob, grant, expected } = setup();
    const altered = [
      { ...grant, keyEpoch: 3 },
      { ...grant, role: 'owner' },
      { ...grant, granter: userId('mallory') },
      { ...grant, sealedKey: grant.sealedKey.map((byte, index) => (index === 5 ? byte ^ 1 : byte)) },
    ];
    for (const candidate of altered) {
      expect(() =>
        openGrant({
          grant: candidate,
          granterSigningPublicKey: owner.signing.publicKey,
          recipientBoxKeyPair: bob.box,
          expected,
        }),
      ).toThrow(GrantRejectedError);
    }
  });

  it('refuses a grant signed by someone other than the granter it names (a swapped key)', () => {
    const { bob, grant, expected } = setup();
    const impostor = generateSigningKeyPair();
    expect(() =>
      openGrant({ grant, granterSigningPublicKey: impostor.publicKey, recipientBoxKeyPair: bob.box, expected }),
    ).toThrow(/not signed/);
  });

  it('refuses a grant moved to another document or recipient', () => {
    const { owner, bob, grant, expected } = setup();
    for (const other of [
      { ...expected, documentId: documentId('other') },
      { ...expected, recipient: userId('carol') },
      { ...expected, tenantId: tenantId('globex') },
    ]) {
      expect(() =>
        openGrant({
          grant,
          granterSigningPublicKey: owner.signing.publicKey,
          recipientBoxKeyPair: bob.box,
          expected: other,
        }),
      ).toThrow(/another document or person/);
    }
  });

  it('a removed member cannot open a grant sealed to someone else', () => {
    const { owner, grant, expected } = setup();
    const removed = generateBoxKeyPair();
    expect(() =>
      openGrant({ grant, granterSigningPublicKey: owner.signing.publicKey, recipientBoxKeyPair: removed, expected }),
    ).toThrow(/does not open/);
  });
});
