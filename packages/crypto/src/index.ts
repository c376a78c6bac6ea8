export { ready } from './sodium.ts';
export { DecryptionError, CryptoInputError } from './errors.ts';
export {
  SYMMETRIC_KEY_BYTES,
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  generateSymmetricKey,
  randomBytes,
  aeadEncrypt,
  aeadDecrypt,
  seal,
  open,
} from './aead.ts';
export {
  SIGNING_PUBLIC_KEY_BYTES,
  SIGNING_SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  type SigningKeyPair,
  generateSigningKeyPair,
  ed25519Sign,
  ed25519Verify,
  sign,
  verify,
} from './signing.ts';
export {
  BOX_PUBLIC_KEY_BYTES,
  BOX_SECRET_KEY_BYTES,
  SEALED_BOX_OVERHEAD,
  type BoxKeyPair,
  generateBoxKeyPair,
  sealToPublicKey,
  openSealedBox,
} from './box.ts';
export { deriveSubkey, hash } from './kdf.ts';
export {
  PASSWORD_SALT_BYTES,
  type Argon2idParameters,
  ARGON2ID_INTERACTIVE,
  ARGON2ID_MODERATE,
  generatePasswordSalt,
  deriveKeyFromPassword,
} from './password.ts';
export { STREAM_HEADER_BYTES, STREAM_CHUNK_OVERHEAD, EncryptStream, DecryptStream } from './stream.ts';
export { constantTimeEqual, fingerprint } from './compare.ts';
export { toBase64Url, fromBase64Url, toHex, fromHex } from './encoding.ts';
