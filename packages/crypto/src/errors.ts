/** A ciphertext, signature or sealed box failed to authenticate. */
export class DecryptionError extends Error {
  readonly code = 'DECRYPTION_FAILED';
  constructor(message = 'the data could not be authenticated with this key') {
    super(message);
    this.name = 'DecryptionError';
  }
}

/** An argument has the wrong length or shape. */
export class CryptoInputError extends Error {
  readonly code = 'CRYPTO_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'CryptoInputError';
  }
}

export function expectLength(name: string, value: Uint8Array, length: number): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new CryptoInputError(`${name} must be ${length} bytes`);
  }
}
