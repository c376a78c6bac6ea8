import { beforeAll, describe, expect, it } from 'vitest';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { tenantId } from '@coffre/protocol';
import { createIdentity } from '../../src/account/createIdentity.ts';
import { KEY_BUNDLE_VERSION, KeyBundleError, openKeyBundle, sealKeyBundle } from '../../src/account/keyBundle.ts';
import { flipBit } from '../harness/flipBit.ts';

const owner = { tenant: tenantId('acme'), email: 'alice@acme.test' };

function outcome(attempt: () => unknown): string {
  try {
    attempt();
    return 'accepted';
  } catch (error) {
    return error instanceof KeyBundleError ? 'rejected' : `wrong error: ${String(error)}`;
  }
}

describe('key bundle', () => {
  beforeAll(async () => {
    await ready();
  });

  it('opens to the same identity with the same wrapping key, tenant and email', () => {
    const identity = createIdentity();
    const wrappingKey = generateSymmetricKey();
    const bundle = sealKeyBundle(identity, wrappingKey, owner);
    expect(bundle[0]).toBe(KEY_BUNDLE_VERSION);
    expect(openKeyBundle(bundle, wrappingKey, owner)).toEqual(identity);
  });

  it('holds no private key in the clear', () => {
    const identity = createIdentity();
    const bundle = Buffer.from(sealKeyBundle(identity, generateSymmetricKey(), owner));
    expect(bundle.includes(Buffer.from(identity.box.secretKey))).toBe(false);
    expect(bundle.includes(Buffer.from(identity.signing.secretKey.subarray(0, 32)))).toBe(false);
  });

  it('uses a fresh nonce each time it is sealed', () => {
    const identity = createIdentity();
    const wrappingKey = generateSymmetricKey();
    expect(sealKeyBundle(identity, wrappingKey, owner)).not.toEqual(sealKeyBundle(identity, wrappingKey, owner));
  });

  it('rejects another wrapping key (a wrong password)', () => {
    const bundle = sealKeyBundle(createIdentity(), generateSymmetricKey(), owner);
    expect(outcome(() => openKeyBundle(bundle, generateSymmetricKey(), owner))).toBe('rejected');
  });

  it('rejects a bundle moved to another email', () => {
    const wrappingKey = generateSymmetricKey();
    const bundle = sealKeyBundle(createIdentity(), wrappingKey, owner);
    expect(outcome(() => openKeyBundle(bundle, wrappingKey, { ...owner, email: 'mallory@acme.test' }))).toBe(
      'rejected',
    );
  });

  it('rejects a bundle moved to another tenant', () => {
    const wrappingKey = generateSymmetricKey();
    const bundle = sealKeyBundle(createIdentity(), wrappingKey, owner);
    expect(outcome(() => openKeyBundle(bundle, wrappingKey, { ...owner, tenant: tenantId('globex') }))).toBe(
      'rejected',
    );
  });

  it('rejects every single-bit change of the bundle', () => {
    const wrappingKey = generateSymmetricKey();
    const bundle = sealKeyBundle(createIdentity(), wrappingKey, owner);
    const accepted: number[] = [];
    for (let bit = 0; bit < bundle.length * 8; bit += 1) {
      const result = outcome(() => openKeyBundle(flipBit(bundle, bit), wrappingKey, owner));
      if (result !== 'rejected') accepted.push(bit);
    }
    expect(accepted).toEqual([]);
  });

  it('rejects a truncated, extended or empty bundle', () => {
    const wrappingKey = generateSymmetricKey();
    const bundle = sealKeyBundle(createIdentity(), wrappingKey, owner);
    for (const broken of [bundle.subarray(0, bundle.length - 1), Uint8Array.of(...bundle, 0), new Uint8Array(0)]) {
      expect(outcome(() => openKeyBundle(broken, wrappingKey, owner))).toBe('rejected');
    }
  });

  it('rejects a bundle of an unknown format version even with a valid seal behind it', () => {
    const wrappingKey = generateSymmetricKey();
    const bundle = sealKeyBundle(createIdentity(), wrappingKey, owner);
    bundle[0] = KEY_BUNDLE_VERSION + 1;
    expect(() => openKeyBundle(bundle, wrappingKey, owner)).toThrow(/version/);
  });
});
