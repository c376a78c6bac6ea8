import { lib } from './sodium.ts';
import { DecryptionError, expectLength } from './errors.ts';

export const STREAM_HEADER_BYTES = 24;
export const STREAM_CHUNK_OVERHEAD = 17;

/** Encrypts a file as a sequence of chunks (libsodium secretstream XChaCha20-Poly1305). */
export class EncryptStream {
  readonly header: Uint8Array;
  #state: unknown;
  #finished = false;

  constructor(key: Uint8Array) {
    expectLength('key', key, 32);
    const { state, header } = lib().crypto_secretstream_xchacha20poly1305_init_push(key);
    this.#state = state;
    this.header = header;
  }

  /** Encrypts one chunk; the last chunk must be pushed with `final = true`. */
  push(chunk: Uint8Array, final: boolean, associatedData: Uint8Array | null = null): Uint8Array {
    if (this.#finished) throw new Error('stream already finished');
    const sodium = lib();
    const tag = final
      ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
      : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    this.#finished = final;
    return sodium.crypto_secretstream_xchacha20poly1305_push(
      this.#state as Parameters<typeof sodium.crypto_secretstream_xchacha20poly1305_push>[0],
      chunk,
      associatedData,
      tag,
    );
  }
}

/**
 * Decrypts what {@link EncryptStream} produced, chunk by chunk, in order.
 * Reordered, dropped, altered or truncated chunks are rejected: call
 * {@link DecryptStream.finish} to make sure the final chunk was seen.
 */
export class DecryptStream {
  #state: unknown;
  #finished = false;

  constructor(key: Uint8Array, header: Uint8Array) {
    expectLength('key', key, 32);
    expectLength('header', header, STREAM_HEADER_BYTES);
    try {
      this.#state = lib().crypto_secretstream_xchacha20poly1305_init_pull(header, key);
    } catch {
      throw new DecryptionError('invalid stream header');
    }
  }

  get finished(): boolean {
    return this.#finished;
  }

  pull(chunk: Uint8Array, associatedData: Uint8Array | null = null): Uint8Array {
    if (this.#finished) throw new DecryptionError('data after the final chunk');
    const sodium = lib();
    if (chunk.length < STREAM_CHUNK_OVERHEAD) throw new DecryptionError('chunk is too short');
    let result: { message: Uint8Array; tag: number } | false;
    try {
      result = sodium.crypto_secretstream_xchacha20poly1305_pull(
        this.#state as Parameters<typeof sodium.crypto_secretstream_xchacha20poly1305_pull>[0],
        chunk,
        associatedData,
      );
    } catch {
      throw new DecryptionError();
    }
    if (result === false) throw new DecryptionError();
    if (result.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) this.#finished = true;
    return result.message;
  }

  /** Throws when the stream ended before its final chunk (truncation). */
  finish(): void {
    if (!this.#finished) throw new DecryptionError('stream is truncated: the final chunk is missing');
  }
}
