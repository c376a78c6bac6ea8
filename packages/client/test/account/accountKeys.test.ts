import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoInputError, deriveKeyFromPassword, generatePasswordSalt, ready } from '@coffre/crypto';
import { createDeviceKeys } from '../../src/account/createDeviceKeys.ts';
import { createIdentity } from '../../src/account/createIdentity.ts';
import { accountKeysFromMasterKey, deriveAccountKeys } from '../../src/account/deriveAccountKeys.ts';
import { ACCOUNT_KDF_PARAMETERS, MINIMUM_KDF_PARAMETERS, meetsKdfFloor } from '../../src/account/kdfParameters.ts';

const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };

describe('deriveAccountKeys', () => {
  beforeAll(async () => {
    await ready();
  });

  it('gives the same keys for the same password, salt and parameters', () => {
    const salt = generatePasswordSalt();
    const first = deriveAccountKeys('correct horse battery staple', salt, FAST);
    const second = deriveAccountKeys('correct horse battery staple', salt, FAST);
    expect(first.authKey).toEqual(second.authKey);
    expect(first.wrappingKey).toEqual(second.wrappingKey);
  });

  it('derives a 32-byte authentication key distinct from the 32-byte wrapping key', () => {
    const { authKey, wrappingKey } = deriveAccountKeys('correct horse', generatePasswordSalt(), FAST);
    expect(authKey).toHaveLength(32);
    expect(wrappingKey).toHaveLength(32);
    expect(authKey).not.toEqual(wrappingKey);
  });

  it('derives a local vault key independent of the authentication and wrapping keys, the same every time', () => {
    const salt = generatePasswordSalt();
    const keys = deriveAccountKeys('correct horse', salt, FAST);
    expect(keys.vaultKey).toHaveLength(32);
    expect(keys.vaultKey).not.toEqual(keys.authKey);
    expect(keys.vaultKey).not.toEqual(keys.wrappingKey);
    expect(deriveAccountKeys('correct horse', salt, FAST).vaultKey).toEqual(keys.vaultKey);
    expect(deriveAccountKeys('correct horsf', salt, FAST).vaultKey).not.toEqual(keys.vaultKey);
  });

  it('gives other keys for another password, salt or parameters', () => {
    const salt = generatePasswordSalt();
    const base = deriveAccountKeys('correct horse', salt, FAST);
    const variants = [
      deriveAccountKeys('correct horsf', salt, FAST),
      deriveAccountKeys('correct horse', generatePasswordSalt(), FAST),
      deriveAccountKeys('correct horse', salt, { ...FAST, opsLimit: 2 }),
      deriveAccountKeys('correct horse', salt, { ...FAST, memLimit: 16 * 1024 * 1024 }),
    ];
    for (const variant of variants) {
      expect(variant.authKey).not.toEqual(base.authKey);
      expect(variant.wrappingKey).not.toEqual(base.wrappingKey);
    }
  });

  it('gives the same keys from an Argon2id master key derived elsewhere, and wipes that master key', () => {
    const salt = generatePasswordSalt();
    const masterKey = deriveKeyFromPassword('correct horse', salt, FAST);
    expect(accountKeysFromMasterKey(masterKey)).toEqual(deriveAccountKeys('correct horse', salt, FAST));
    expect(masterKey.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses an empty password and a salt of the wrong length', () => {
    expect(() => deriveAccountKeys('', generatePasswordSalt(), FAST)).toThrow(CryptoInputError);
    expect(() => deriveAccountKeys('password', new Uint8Array(8), FAST)).toThrow(CryptoInputError);
  });

  it('uses at least libsodium INTERACTIVE (2 passes, 64 MiB) for accounts and as the login floor', () => {
    expect(ACCOUNT_KDF_PARAMETERS.opsLimit).toBeGreaterThanOrEqual(2);
    expect(ACCOUNT_KDF_PARAMETERS.memLimit).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect(meetsKdfFloor(ACCOUNT_KDF_PARAMETERS, MINIMUM_KDF_PARAMETERS)).toBe(true);
    expect(meetsKdfFloor(FAST, MINIMUM_KDF_PARAMETERS)).toBe(false);
    expect(meetsKdfFloor({ opsLimit: 10, memLimit: 8 * 1024 * 1024 }, MINIMUM_KDF_PARAMETERS)).toBe(false);
  });
});

describe('identity and device keys', () => {
  beforeAll(async () => {
    await ready();
  });

  it('creates independent random key pairs each time', () => {
    const identity = createIdentity();
    const other = createIdentity();
    const device = createDeviceKeys();
    expect(identity.signing.publicKey).toHaveLength(32);
    expect(identity.signing.secretKey).toHaveLength(64);
    expect(identity.box.publicKey).toHaveLength(32);
    expect(identity.box.secretKey).toHaveLength(32);
    expect(identity.signing.publicKey).not.toEqual(other.signing.publicKey);
    expect(identity.box.publicKey).not.toEqual(device.box.publicKey);
    expect(identity.signing.publicKey).not.toEqual(device.signing.publicKey);
  });
});
