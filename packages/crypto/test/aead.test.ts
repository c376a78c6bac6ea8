import { describe, it, expect, beforeAll } from 'vitest';
import {
  ready,
  aeadEncrypt,
  aeadDecrypt,
  seal,
  open,
  generateSymmetricKey,
  randomBytes,
  fromHex,
  toHex,
  DecryptionError,
  CryptoInputError,
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  SYMMETRIC_KEY_BYTES,
} from '../src/index.ts';
import { everyBitFlip, outcome, sequence, utf8 } from './helpers.ts';

beforeAll(async () => {
  await ready();
});

// draft-irtf-cfrg-xchacha-03, appendix A.3.1 (AEAD_XChaCha20_Poly1305).
const XCHACHA_VECTOR = {
  plaintext:
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  aad: '50515253c0c1c2c3c4c5c6c7',
  key: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  iv: '404142434445464748494a4b4c4d4e4f5051525354555657',
  ciphertext:
    'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb' +
    '731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452' +
    '2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9' +
    '21f9664c97637da9768812f615c68b13b52e',
  tag: 'c0875924c1c7987947deafd8780acf49',
};

describe('XChaCha20-Poly1305 against draft-irtf-cfrg-xchacha-03 A.3.1', () => {
  const plaintext = utf8(XCHACHA_VECTOR.plaintext);
  // fromHex needs libsodium, so decode inside the tests (after ready()).
  const key = (): Uint8Array => fromHex(XCHACHA_VECTOR.key);
  const nonce = (): Uint8Array => fromHex(XCHACHA_VECTOR.iv);
  const aad = (): Uint8Array => fromHex(XCHACHA_VECTOR.aad);

  it('aeadEncrypt outputs exactly ciphertext || tag', () => {
    expect(plaintext).toHaveLength(114);
    expect(toHex(aeadEncrypt(key(), nonce(), plaintext, aad()))).toBe(XCHACHA_VECTOR.ciphertext + XCHACHA_VECTOR.tag);
  });

  it('aeadDecrypt of ciphertext || tag returns the plaintext', () => {
    const opened = aeadDecrypt(key(), nonce(), fromHex(XCHACHA_VECTOR.ciphertext + XCHACHA_VECTOR.tag), aad());
    expect(new TextDecoder().decode(opened)).toBe(XCHACHA_VECTOR.plaintext);
  });
});

describe('aeadEncrypt / aeadDecrypt', () => {
  const key = sequence(SYMMETRIC_KEY_BYTES, 0x20);
  const nonce = sequence(AEAD_NONCE_BYTES, 0x90);
  const plaintext = sequence(16, 0xa0);
  const associatedData = sequence(8, 0x10);

  it('round-trips, including an empty plaintext and empty associated data', () => {
    const ciphertext = aeadEncrypt(key, nonce, plaintext, associatedData);
    expect(ciphertext).toHaveLength(plaintext.length + AEAD_TAG_BYTES);
    expect(aeadDecrypt(key, nonce, ciphertext, associatedData)).toEqual(plaintext);

    const empty = aeadEncrypt(key, nonce, new Uint8Array(0), new Uint8Array(0));
    expect(empty).toHaveLength(AEAD_TAG_BYTES);
    expect(aeadDecrypt(key, nonce, empty, new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it('rejects every single-bit flip of key, nonce, associated data and ciphertext (including tag) with DecryptionError', () => {
    const ciphertext = aeadEncrypt(key, nonce, plaintext, associatedData);
    expect(outcome(() => aeadDecrypt(key, nonce, ciphertext, associatedData))).toBe('accepted');

    const failures: string[] = [];
    const check = (label: string, attempt: () => unknown): void => {
      const result = outcome(attempt);
      if (result !== 'rejected') failures.push(`${label}: ${result}`);
    };
    for (const [bit, flipped] of everyBitFlip(key)) {
      check(`key bit ${bit}`, () => aeadDecrypt(flipped, nonce, ciphertext, associatedData));
    }
    for (const [bit, flipped] of everyBitFlip(nonce)) {
      check(`nonce bit ${bit}`, () => aeadDecrypt(key, flipped, ciphertext, associatedData));
    }
    for (const [bit, flipped] of everyBitFlip(associatedData)) {
      check(`associated data bit ${bit}`, () => aeadDecrypt(key, nonce, ciphertext, flipped));
    }
    for (const [bit, flipped] of everyBitFlip(ciphertext)) {
      check(`ciphertext bit ${bit}`, () => aeadDecrypt(key, nonce, flipped, associatedData));
    }
    expect(failures).toEqual([]);
  });

  it('rejects truncated, extended and tag-only-short ciphertexts with DecryptionError', () => {
    const ciphertext = aeadEncrypt(key, nonce, plaintext, associatedData);
    expect(() => aeadDecrypt(key, nonce, ciphertext.subarray(0, ciphertext.length - 1), associatedData)).toThrow(
      DecryptionError,
    );
    expect(() => aeadDecrypt(key, nonce, ciphertext.subarray(1), associatedData)).toThrow(DecryptionError);
    const extended = new Uint8Array(ciphertext.length + 1);
    extended.set(ciphertext);
    expect(() => aeadDecrypt(key, nonce, extended, associatedData)).toThrow(DecryptionError);
    expect(() => aeadDecrypt(key, nonce, new Uint8Array(AEAD_TAG_BYTES - 1), associatedData)).toThrow(DecryptionError);
    expect(() => aeadDecrypt(key, nonce, new Uint8Array(0), associatedData)).toThrow(DecryptionError);
  });

  it('rejects missing associated data and a different key', () => {
    const ciphertext = aeadEncrypt(key, nonce, plaintext, associatedData);
    expect(() => aeadDecrypt(key, nonce, ciphertext, new Uint8Array(0))).toThrow(DecryptionError);
    expect(() => aeadDecrypt(generateSymmetricKey(), nonce, ciphertext, associatedData)).toThrow(DecryptionError);
  });

  it('rejects keys and nonces of the wrong length with CryptoInputError', () => {
    expect(() => aeadEncrypt(key.subarray(1), nonce, plaintext, associatedData)).toThrow(CryptoInputError);
    expect(() => aeadEncrypt(key, nonce.subarray(1), plaintext, associatedData)).toThrow(CryptoInputError);
    expect(() => aeadEncrypt(key, new Uint8Array(12), plaintext, associatedData)).toThrow(CryptoInputError);
    expect(() => aeadDecrypt(key.subarray(1), nonce, new Uint8Array(32), associatedData)).toThrow(CryptoInputError);
    expect(() => aeadDecrypt(key, nonce.subarray(1), new Uint8Array(32), associatedData)).toThrow(CryptoInputError);
  });
});

describe('seal / open', () => {
  const plaintext = sequence(16, 0x41);
  const associatedData = sequence(8, 0xf0);

  it('round-trips with nonce || ciphertext || tag layout', () => {
    const key = generateSymmetricKey();
    expect(key).toHaveLength(SYMMETRIC_KEY_BYTES);
    const sealed = seal(key, plaintext, associatedData);
    expect(sealed).toHaveLength(AEAD_NONCE_BYTES + plaintext.length + AEAD_TAG_BYTES);
    expect(open(key, sealed, associatedData)).toEqual(plaintext);
    // The prefix is the nonce that aeadEncrypt used.
    const nonce = sealed.subarray(0, AEAD_NONCE_BYTES);
    expect(toHex(aeadEncrypt(key, nonce, plaintext, associatedData))).toBe(toHex(sealed.subarray(AEAD_NONCE_BYTES)));
  });

  it('uses a fresh random nonce every time', () => {
    const key = generateSymmetricKey();
    const nonces = new Set<string>();
    for (let index = 0; index < 50; index += 1) {
      nonces.add(toHex(seal(key, plaintext, associatedData).subarray(0, AEAD_NONCE_BYTES)));
    }
    expect(nonces.size).toBe(50);
  });

  it('rejects every single-bit flip of key, nonce, associated data and ciphertext (including tag) with DecryptionError', () => {
    const key = randomBytes(SYMMETRIC_KEY_BYTES);
    const sealed = seal(key, plaintext, associatedData);
    expect(outcome(() => open(key, sealed, associatedData))).toBe('accepted');

    const failures: string[] = [];
    const check = (label: string, attempt: () => unknown): void => {
      const result = outcome(attempt);
      if (result !== 'rejected') failures.push(`${label}: ${result}`);
    };
    for (const [bit, flipped] of everyBitFlip(key)) {
      check(`key bit ${bit}`, () => open(flipped, sealed, associatedData));
    }
    // The sealed bytes hold the nonce (first 24 bytes) then ciphertext || tag.
    for (const [bit, flipped] of everyBitFlip(sealed)) {
      const part = bit < AEAD_NONCE_BYTES * 8 ? 'nonce' : 'ciphertext';
      check(`${part} bit ${bit}`, () => open(key, flipped, associatedData));
    }
    for (const [bit, flipped] of everyBitFlip(associatedData)) {
      check(`associated data bit ${bit}`, () => open(key, sealed, flipped));
    }
    expect(failures).toEqual([]);
  });

  it('rejects sealed data shorter than nonce + tag, and truncation, with DecryptionError', () => {
    const key = generateSymmetricKey();
    const sealed = seal(key, plaintext, associatedData);
    expect(() => open(key, new Uint8Array(0), associatedData)).toThrow(DecryptionError);
    expect(() => open(key, new Uint8Array(AEAD_NONCE_BYTES + AEAD_TAG_BYTES - 1), associatedData)).toThrow(
      DecryptionError,
    );
    expect(() => open(key, sealed.subarray(0, sealed.length - 1), associatedData)).toThrow(DecryptionError);
  });

  it('opens an empty plaintext', () => {
    const key = generateSymmetricKey();
    const sealed = seal(key, new Uint8Array(0), new Uint8Array(0));
    expect(sealed).toHaveLength(AEAD_NONCE_BYTES + AEAD_TAG_BYTES);
    expect(open(key, sealed, new Uint8Array(0))).toEqual(new Uint8Array(0));
  });
});

describe('randomBytes', () => {
  it('fills exactly the length asked for, past the 64 KiB a single getRandomValues call takes', () => {
    for (const length of [0, 1, 24, 65_536, 65_537, 200_000]) {
      const bytes = randomBytes(length);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes.length).toBe(length);
    }
    // The tail past the first 64 KiB is random too, not left zero.
    const large = randomBytes(200_000);
    expect(large.subarray(65_536).some((byte) => byte !== 0)).toBe(true);
    expect(large.subarray(131_072).some((byte) => byte !== 0)).toBe(true);
  });

  it('never repeats a nonce in a run of draws', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 10_000; index += 1) seen.add(toHex(randomBytes(AEAD_NONCE_BYTES)));
    expect(seen.size).toBe(10_000);
  });
});
