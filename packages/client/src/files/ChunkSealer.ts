import { AEAD_NONCE_BYTES, aeadDecrypt, aeadEncrypt, deriveSubkey, hash, toHex } from '@coffre/crypto';
import { CHUNKER_KEY_BYTES, type ChunkSizes, ContentChunker } from './ContentChunker.ts';

/** Bytes of a space's secret, from which its chunker and chunk keys derive. */
export const SPACE_SECRET_BYTES = 32;
/** Bytes of a chunk's key (a keyed hash of its plaintext). */
export const CHUNK_KEY_BYTES = 32;

/** Where a chunk is and how to open it: what a file manifest lists, in order. */
export interface ChunkRef {
  /** The chunk's address: hex BLAKE2b-256 of its ciphertext, which the relay can check on upload. */
  id: string;
  /** Its XChaCha20-Poly1305 key: BLAKE2b-256 of the plaintext, keyed with the space's chunk-key secret. */
  key: Uint8Array;
  /** Plaintext bytes. */
  size: number;
}

export interface SealedChunk extends ChunkRef {
  ciphertext: Uint8Array;
}

/**
 * Chunks sealed off the thread that cuts them: the keyed hash, the
 * encryption and the address (three passes over each chunk, the larger part
 * of an upload's work on the device) run on other cores while this thread
 * cuts the next chunks and sends the last ones. `sealFile` keeps
 * `parallelism` chunks in flight and stores them in order. A seal that fails
 * on a worker is done on the cutting thread instead ({@link ChunkSealer.sealWith}), so a
 * worker that cannot start or dies never fails an upload.
 */
export interface SealWorkers {
  /** Chunks worth having in flight at once (the workers' count). */
  readonly parallelism: number;
  seal(spaceSecret: Uint8Array, plaintext: Uint8Array): Promise<SealedChunk>;
}

/** Why a chunk was refused; each is a different way a relay or a member could cheat. */
export const ChunkRefusal = {
  /** The bytes served are not the ciphertext the address names (swapped, truncated, corrupted). */
  AddressMismatch: 'chunk-address-mismatch',
  /** They do not open with the manifest's key (a chunk of another file, space or tenant under a forged address). */
  DecryptionFailed: 'chunk-decryption-failed',
  /** They open, but to other bytes than the manifest's key was made from, or another size. */
  ContentMismatch: 'chunk-content-mismatch',
} as const;
export type ChunkRefusal = (typeof ChunkRefusal)[keyof typeof ChunkRefusal];

export class ChunkRefusedError extends Error {
  readonly reason: ChunkRefusal;
  readonly chunkId: string;
  constructor(reason: ChunkRefusal, chunkId: string, message: string) {
    super(message);
    this.name = 'ChunkRefusedError';
    this.reason = reason;
    this.chunkId = chunkId;
  }
}

/** Associated data of every chunk: a chunk is never taken for another kind of ciphertext. */
const CHUNK_AD = new TextEncoder().encode('coffre/chunk-v1');
/**
 * Every chunk is encrypted under a key made from its own plaintext, and only
 * that plaintext is ever encrypted under it: a fixed nonce is safe, and it is
 * what makes identical chunks identical ciphertext within a space.
 */
const CHUNK_NONCE = new Uint8Array(AEAD_NONCE_BYTES);

/**
 * Seals and opens the chunks of one space (a user's drive, a shared folder).
 * Identical chunks within the space seal to identical ciphertext under the
 * same address, so the relay stores them once; it cannot test a guess of a
 * chunk's content without the space's secret, and nothing is equal across
 * spaces (see `docs/drive.md` for what the relay and members learn).
 */
export class ChunkSealer {
  readonly #spaceSecret: Uint8Array;
  readonly #chunkerKey: Uint8Array;
  readonly #keyOfContent: Uint8Array;

  constructor(spaceSecret: Uint8Array) {
    if (spaceSecret.length !== SPACE_SECRET_BYTES) throw new RangeError('a space secret is 32 bytes');
    this.#spaceSecret = spaceSecret.slice();
    this.#chunkerKey = deriveSubkey(spaceSecret, 1, 'fcdcgear', CHUNKER_KEY_BYTES);
    this.#keyOfContent = deriveSubkey(spaceSecret, 2, 'chunkkey', 32);
  }

  /** A chunker cutting as every device of this space cuts. */
  chunker(sizes?: ChunkSizes): ContentChunker {
    return new ContentChunker(this.#chunkerKey, sizes);
  }

  seal(plaintext: Uint8Array): SealedChunk {
    const key = hash(plaintext, CHUNK_KEY_BYTES, this.#keyOfContent);
    const ciphertext = aeadEncrypt(key, CHUNK_NONCE, plaintext, CHUNK_AD);
    return { id: chunkAddress(ciphertext), key, size: plaintext.length, ciphertext };
  }

  /**
   * Seals on `workers` when given (the same chunk as {@link seal}, made on
   * another core), on this thread when not, or when the workers fail.
   */
  sealWith(workers: SealWorkers | undefined, plaintext: Uint8Array): Promise<SealedChunk> {
    if (!workers || workers.parallelism === 0) return Promise.resolve(this.seal(plaintext));
    return workers.seal(this.#spaceSecret, plaintext).catch(() => this.seal(plaintext));
  }

  /** Opens a chunk the manifest lists; throws {@link ChunkRefusedError} unless it is exactly that chunk. */
  open(ref: ChunkRef, ciphertext: Uint8Array): Uint8Array {
    if (chunkAddress(ciphertext) !== ref.id) {
      throw new ChunkRefusedError(ChunkRefusal.AddressMismatch, ref.id, `chunk ${ref.id} came back altered`);
    }
    let plaintext: Uint8Array;
    try {
      plaintext = aeadDecrypt(ref.key, CHUNK_NONCE, ciphertext, CHUNK_AD);
    } catch {
      throw new ChunkRefusedError(ChunkRefusal.DecryptionFailed, ref.id, `chunk ${ref.id} does not open with its key`);
    }
    const expected = hash(plaintext, CHUNK_KEY_BYTES, this.#keyOfContent);
    if (plaintext.length !== ref.size || !sameBytes(expected, ref.key)) {
      throw new ChunkRefusedError(ChunkRefusal.ContentMismatch, ref.id, `chunk ${ref.id} is not the listed content`);
    }
    return plaintext;
  }
}

/** A chunk's address: what the relay stores it under and checks it against. */
export function chunkAddress(ciphertext: Uint8Array): string {
  return toHex(hash(ciphertext, 32));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= (a[index] as number) ^ (b[index] as number);
  return difference === 0;
}
