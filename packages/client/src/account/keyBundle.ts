import {
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  DecryptionError,
  SIGNING_PUBLIC_KEY_BYTES,
  SIGNING_SECRET_KEY_BYTES,
  constantTimeEqual,
  open,
  seal,
} from '@coffre/crypto';
import { type TenantId, ByteReader, ByteWriter } from '@coffre/protocol';
import type { UserIdentity } from './createIdentity.ts';

/** The first byte of every key bundle; also bound into the associated data. */
export const KEY_BUNDLE_VERSION = 1;
const KEY_BUNDLE_DOMAIN = 'coffre/key-bundle';
const PLAINTEXT_BYTES =
  SIGNING_PUBLIC_KEY_BYTES + SIGNING_SECRET_KEY_BYTES + BOX_PUBLIC_KEY_BYTES + BOX_SECRET_KEY_BYTES;

/** Whose bundle it is: sealed into the associated data, so a bundle moved to another account does not open. */
export interface KeyBundleOwner {
  tenant: TenantId;
  /** Normalised (trimmed, lower-case) email, as the relay stores it. */
  email: string;
}

export class KeyBundleError extends Error {
  readonly code = 'KEY_BUNDLE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'KeyBundleError';
  }
}

function associatedData(version: number, owner: KeyBundleOwner): Uint8Array {
  return new ByteWriter()
    .shortString(KEY_BUNDLE_DOMAIN)
    .u8(version)
    .shortString(owner.tenant)
    .shortString(owner.email)
    .finish();
}

/**
 * Seals the identity private keys with the wrapping key:
 * `version(1) || nonce(24) || XChaCha20-Poly1305(keys) || tag(16)`, with the
 * format version, tenant and email as associated data. The relay stores the
 * result and hands it to any device that proves the password.
 */
export function sealKeyBundle(identity: UserIdentity, wrappingKey: Uint8Array, owner: KeyBundleOwner): Uint8Array {
  const plaintext = new ByteWriter()
    .bytes(identity.signing.publicKey)
    .bytes(identity.signing.secretKey)
    .bytes(identity.box.publicKey)
    .bytes(identity.box.secretKey)
    .finish();
  if (plaintext.length !== PLAINTEXT_BYTES) throw new RangeError('identity keys have the wrong length');
  try {
    const sealed = seal(wrappingKey, plaintext, associatedData(KEY_BUNDLE_VERSION, owner));
    const bundle = new Uint8Array(1 + sealed.length);
    bundle[0] = KEY_BUNDLE_VERSION;
    bundle.set(sealed, 1);
    return bundle;
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Opens a bundle made by {@link sealKeyBundle} for the same tenant and email;
 * throws {@link KeyBundleError} when the key is wrong or the bundle was
 * altered, truncated, or belongs to another account.
 */
export function openKeyBundle(bundle: Uint8Array, wrappingKey: Uint8Array, owner: KeyBundleOwner): UserIdentity {
  const version = bundle[0];
  if (version !== KEY_BUNDLE_VERSION) throw new KeyBundleError(`unknown key bundle version ${String(version)}`);
  let plaintext: Uint8Array;
  try {
    plaintext = open(wrappingKey, bundle.subarray(1), associatedData(version, owner));
  } catch (error) {
    if (error instanceof DecryptionError) throw new KeyBundleError('the key bundle does not open with this password');
    throw error;
  }
  if (plaintext.length !== PLAINTEXT_BYTES) throw new KeyBundleError('the key bundle holds keys of the wrong length');
  const reader = new ByteReader(plaintext);
  const identity: UserIdentity = {
    signing: { publicKey: reader.bytes(SIGNING_PUBLIC_KEY_BYTES), secretKey: reader.bytes(SIGNING_SECRET_KEY_BYTES) },
    box: { publicKey: reader.bytes(BOX_PUBLIC_KEY_BYTES), secretKey: reader.bytes(BOX_SECRET_KEY_BYTES) },
  };
  // libsodium's Ed25519 secret key ends with its public key.
  if (!constantTimeEqual(identity.signing.secretKey.subarray(32), identity.signing.publicKey)) {
    throw new KeyBundleError('the key bundle holds mismatched signing keys');
  }
  return identity;
}
