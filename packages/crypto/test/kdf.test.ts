import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import {
  ready,
  deriveSubkey,
  hash,
  deriveKeyFromPassword,
  generatePasswordSalt,
  toHex,
  CryptoInputError,
  PASSWORD_SALT_BYTES,
  type Argon2idParameters,
} from '../src/index.ts';
import { sequence, utf8 } from './helpers.ts';

beforeAll(async () => {
  await ready();
});

describe('deriveSubkey (crypto_kdf)', () => {
  const rootKey = sequence(32);

  it('is deterministic for the same root key, id and context', () => {
    const first = deriveSubkey(rootKey, 1, 'authkey_');
    expect(first).toHaveLength(32);
    expect(toHex(deriveSubkey(rootKey, 1, 'authkey_'))).toBe(toHex(first));
  });

  it('gives different keys for different ids, contexts and root keys', () => {
    const keys = [
      deriveSubkey(rootKey, 0, 'authkey_'),
      deriveSubkey(rootKey, 1, 'authkey_'),
      deriveSubkey(rootKey, 2, 'authkey_'),
      deriveSubkey(rootKey, 0, 'docsKey_'),
      deriveSubkey(rootKey, 1, 'docsKey_'),
      deriveSubkey(sequence(32, 1), 0, 'authkey_'),
    ].map(toHex);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('honours the requested length (16..64) and rejects lengths outside it', () => {
    expect(deriveSubkey(rootKey, 1, 'authkey_', 16)).toHaveLength(16);
    expect(deriveSubkey(rootKey, 1, 'authkey_', 64)).toHaveLength(64);
    expect(() => deriveSubkey(rootKey, 1, 'authkey_', 15)).toThrow(CryptoInputError);
    expect(() => deriveSubkey(rootKey, 1, 'authkey_', 65)).toThrow(CryptoInputError);
  });

  it('rejects a context that is not exactly 8 printable ASCII characters', () => {
    for (const context of ['', 'authkey', 'authkey__', 'authkéy_', 'auth\nkey', 'authkey\u0000']) {
      expect(() => deriveSubkey(rootKey, 1, context), JSON.stringify(context)).toThrow(CryptoInputError);
    }
  });

  it('rejects negative, fractional and unsafe sub-key ids', () => {
    for (const id of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => deriveSubkey(rootKey, id, 'authkey_'), String(id)).toThrow(CryptoInputError);
    }
  });

  it('accepts every safe non-negative integer id, and ids above 32 bits do not collide with smaller ones', () => {
    const small = toHex(deriveSubkey(rootKey, 0, 'authkey_'));
    const ids = [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    const derived = ids.map((id) => toHex(deriveSubkey(rootKey, id, 'authkey_')));
    expect(new Set([small, toHex(deriveSubkey(rootKey, 1, 'authkey_')), ...derived]).size).toBe(ids.length + 2);
  });

  it('rejects a root key that is not 32 bytes', () => {
    expect(() => deriveSubkey(sequence(16), 1, 'authkey_')).toThrow(CryptoInputError);
  });
});

describe('hash (BLAKE2b)', () => {
  it('matches the RFC 7693 appendix A BLAKE2b-512("abc") vector', () => {
    expect(toHex(hash(utf8('abc'), 64))).toBe(
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1' +
        '7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    );
  });

  it('agrees with node:crypto blake2b512 for unkeyed 64-byte output', () => {
    const message = sequence(200, 17);
    expect(toHex(hash(message, 64))).toBe(createHash('blake2b512').update(message).digest('hex'));
  });

  it('defaults to 32 bytes, and keyed hashes differ from unkeyed and from other keys', () => {
    const message = utf8('message');
    expect(hash(message)).toHaveLength(32);
    const unkeyed = toHex(hash(message));
    const keyedA = toHex(hash(message, 32, sequence(32, 1)));
    const keyedB = toHex(hash(message, 32, sequence(32, 2)));
    expect(new Set([unkeyed, keyedA, keyedB]).size).toBe(3);
    expect(toHex(hash(message, 32, sequence(32, 1)))).toBe(keyedA);
  });
});

describe('deriveKeyFromPassword (Argon2id)', () => {
  const fast: Argon2idParameters = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
  const salt = sequence(PASSWORD_SALT_BYTES, 0x33);

  it('is deterministic for the same password, salt and parameters', () => {
    const first = deriveKeyFromPassword('correct horse battery staple', salt, fast);
    expect(first).toHaveLength(32);
    expect(toHex(deriveKeyFromPassword('correct horse battery staple', salt, fast))).toBe(toHex(first));
  });

  it('differs for different salts, passwords and parameters', () => {
    const keys = [
      deriveKeyFromPassword('correct horse battery staple', salt, fast),
      deriveKeyFromPassword('correct horse battery staple', sequence(PASSWORD_SALT_BYTES, 0x34), fast),
      deriveKeyFromPassword('correct horse battery stapler', salt, fast),
      deriveKeyFromPassword('correct horse battery staple', salt, { opsLimit: 2, memLimit: fast.memLimit }),
      deriveKeyFromPassword('correct horse battery staple', salt, { opsLimit: 1, memLimit: 16 * 1024 * 1024 }),
    ].map(toHex);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('honours the requested output length', () => {
    expect(deriveKeyFromPassword('pw', salt, fast, 64)).toHaveLength(64);
  });

  it('rejects an empty password and a salt that is not 16 bytes', () => {
    expect(() => deriveKeyFromPassword('', salt, fast)).toThrow(CryptoInputError);
    expect(() => deriveKeyFromPassword('pw', sequence(15), fast)).toThrow(CryptoInputError);
    expect(() => deriveKeyFromPassword('pw', sequence(32), fast)).toThrow(CryptoInputError);
  });

  it('generatePasswordSalt returns fresh 16-byte salts', () => {
    const first = generatePasswordSalt();
    expect(first).toHaveLength(PASSWORD_SALT_BYTES);
    expect(toHex(generatePasswordSalt())).not.toBe(toHex(first));
  });
});
