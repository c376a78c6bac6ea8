import { describe, it, expect, beforeAll } from 'vitest';
import {
  ready,
  generateBoxKeyPair,
  sealToPublicKey,
  openSealedBox,
  toHex,
  DecryptionError,
  CryptoInputError,
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  SEALED_BOX_OVERHEAD,
} from '../src/index.ts';
import { everyBitFlip, outcome, sequence } from './helpers.ts';

beforeAll(async () => {
  await ready();
});

describe('generateBoxKeyPair', () => {
  it('is deterministic for a seed and random without one', () => {
    const seed = sequence(32, 3);
    const first = generateBoxKeyPair(seed);
    const second = generateBoxKeyPair(seed);
    expect(first.publicKey).toHaveLength(BOX_PUBLIC_KEY_BYTES);
    expect(first.secretKey).toHaveLength(BOX_SECRET_KEY_BYTES);
    expect(toHex(first.publicKey)).toBe(toHex(second.publicKey));
    expect(toHex(first.secretKey)).toBe(toHex(second.secretKey));
    expect(toHex(generateBoxKeyPair().publicKey)).not.toBe(toHex(generateBoxKeyPair().publicKey));
  });

  it('rejects a seed that is not 32 bytes', () => {
    expect(() => generateBoxKeyPair(new Uint8Array(16))).toThrow(CryptoInputError);
  });
});

describe('sealToPublicKey / openSealedBox', () => {
  const plaintext = sequence(16, 0x70);

  it('round-trips with 48 bytes of overhead, including an empty plaintext', () => {
    const recipient = generateBoxKeyPair();
    const sealed = sealToPublicKey(recipient.publicKey, plaintext);
    expect(sealed).toHaveLength(plaintext.length + SEALED_BOX_OVERHEAD);
    expect(openSealedBox(recipient, sealed)).toEqual(plaintext);

    const empty = sealToPublicKey(recipient.publicKey, new Uint8Array(0));
    expect(empty).toHaveLength(SEALED_BOX_OVERHEAD);
    expect(openSealedBox(recipient, empty)).toEqual(new Uint8Array(0));
  });

  it('is randomised: sealing the same plaintext twice gives different boxes', () => {
    const recipient = generateBoxKeyPair();
    expect(toHex(sealToPublicKey(recipient.publicKey, plaintext))).not.toBe(
      toHex(sealToPublicKey(recipient.publicKey, plaintext)),
    );
  });

  it('rejects every single-bit flip of the sealed box with DecryptionError', () => {
    const recipient = generateBoxKeyPair(sequence(32, 9));
    const sealed = sealToPublicKey(recipient.publicKey, plaintext);
    const failures: string[] = [];
    for (const [bit, flipped] of everyBitFlip(sealed)) {
      const result = outcome(() => openSealedBox(recipient, flipped));
      if (result !== 'rejected') failures.push(`bit ${bit}: ${result}`);
    }
    expect(failures).toEqual([]);
  });

  it('fails with DecryptionError for the wrong key pair', () => {
    const recipient = generateBoxKeyPair();
    const stranger = generateBoxKeyPair();
    const sealed = sealToPublicKey(recipient.publicKey, plaintext);
    expect(() => openSealedBox(stranger, sealed)).toThrow(DecryptionError);
    // The recipient's secret key with someone else's public key fails too
    // (the public key is part of the nonce derivation).
    expect(() => openSealedBox({ publicKey: stranger.publicKey, secretKey: recipient.secretKey }, sealed)).toThrow(
      DecryptionError,
    );
    expect(() => openSealedBox({ publicKey: recipient.publicKey, secretKey: stranger.secretKey }, sealed)).toThrow(
      DecryptionError,
    );
  });

  it('rejects boxes shorter than the overhead, and truncated boxes, with DecryptionError', () => {
    const recipient = generateBoxKeyPair();
    const sealed = sealToPublicKey(recipient.publicKey, plaintext);
    expect(() => openSealedBox(recipient, new Uint8Array(0))).toThrow(DecryptionError);
    expect(() => openSealedBox(recipient, new Uint8Array(SEALED_BOX_OVERHEAD - 1))).toThrow(DecryptionError);
    expect(() => openSealedBox(recipient, sealed.subarray(0, sealed.length - 1))).toThrow(DecryptionError);
  });

  it('rejects keys of the wrong length with CryptoInputError', () => {
    const recipient = generateBoxKeyPair();
    expect(() => sealToPublicKey(recipient.publicKey.subarray(1), plaintext)).toThrow(CryptoInputError);
    const sealed = sealToPublicKey(recipient.publicKey, plaintext);
    expect(() =>
      openSealedBox({ publicKey: recipient.publicKey, secretKey: recipient.secretKey.subarray(1) }, sealed),
    ).toThrow(CryptoInputError);
    expect(() =>
      openSealedBox({ publicKey: recipient.publicKey.subarray(1), secretKey: recipient.secretKey }, sealed),
    ).toThrow(CryptoInputError);
  });
});
