import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import {
  ready,
  constantTimeEqual,
  fingerprint,
  generateSigningKeyPair,
  toBase64Url,
  fromBase64Url,
  toHex,
  fromHex,
  randomBytes,
} from '../src/index.ts';
import { flipBit, sequence } from './helpers.ts';

beforeAll(async () => {
  await ready();
});

describe('constantTimeEqual', () => {
  it('is true for equal contents, including distinct arrays and empty arrays', () => {
    expect(constantTimeEqual(sequence(32), sequence(32))).toBe(true);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    const bytes = sequence(8);
    expect(constantTimeEqual(bytes, bytes)).toBe(true);
  });

  it('is false when any single bit differs', () => {
    const bytes = sequence(8, 0x80);
    for (let bit = 0; bit < bytes.length * 8; bit += 1) {
      expect(constantTimeEqual(bytes, flipBit(bytes, bit)), `bit ${bit}`).toBe(false);
    }
  });

  it('is false, without throwing, for different lengths', () => {
    expect(constantTimeEqual(sequence(32), sequence(31))).toBe(false);
    expect(constantTimeEqual(sequence(31), sequence(32))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), sequence(1))).toBe(false);
  });
});

/** Independent re-implementation of the documented fingerprint with node:crypto. */
function referenceFingerprint(publicKey: Uint8Array): string {
  let digest = createHash('blake2b512').update(publicKey).digest();
  for (let round = 0; round < 1024; round += 1) digest = createHash('blake2b512').update(digest).digest();
  const groups: string[] = [];
  for (let index = 0; index < 12; index += 1) {
    const value = digest.readUIntBE(index * 5, 5);
    groups.push(String(value % 100000).padStart(5, '0'));
  }
  return groups.join(' ');
}

describe('fingerprint', () => {
  it('has the format of 12 space-separated groups of 5 digits', () => {
    for (let index = 0; index < 10; index += 1) {
      expect(fingerprint(generateSigningKeyPair().publicKey)).toMatch(/^(\d{5} ){11}\d{5}$/);
    }
  });

  it('is stable for the same key and differs between keys', () => {
    const key = sequence(32, 5);
    expect(fingerprint(key)).toBe(fingerprint(Uint8Array.from(key)));
    expect(fingerprint(key)).not.toBe(fingerprint(flipBit(key, 0)));
    expect(fingerprint(generateSigningKeyPair().publicKey)).not.toBe(fingerprint(generateSigningKeyPair().publicKey));
  });

  it('matches an independent implementation (iterated BLAKE2b-512, 5-byte big-endian groups mod 100000)', () => {
    for (const key of [sequence(32), new Uint8Array(32), sequence(32, 200)]) {
      expect(fingerprint(key)).toBe(referenceFingerprint(key));
    }
  });
});

describe('encoding', () => {
  it('base64url round-trips every length from 0 to 64 without padding or +/ characters', () => {
    for (let length = 0; length <= 64; length += 1) {
      const bytes = randomBytes(length);
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(text)).toEqual(bytes);
    }
  });

  it('base64url uses the URL-safe alphabet', () => {
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(fromBase64Url('-_8')).toEqual(Uint8Array.of(0xfb, 0xff));
    expect(toBase64Url(new Uint8Array(0))).toBe('');
  });

  it('fromBase64Url rejects characters of the standard alphabet', () => {
    expect(() => fromBase64Url('+/8=')).toThrow();
  });

  it('hex round-trips and is lowercase', () => {
    const bytes = Uint8Array.of(0x00, 0x0f, 0xab, 0xff);
    expect(toHex(bytes)).toBe('000fabff');
    expect(fromHex('000fabff')).toEqual(bytes);
    expect(fromHex('000FABFF')).toEqual(bytes);
  });
});
