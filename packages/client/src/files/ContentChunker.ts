import { hash } from '@coffre/crypto';

/** Chunk sizes of the Drive: about 1 MiB on average, never under 256 KiB (but the last) nor over 4 MiB. */
export interface ChunkSizes {
  min: number;
  average: number;
  max: number;
}

export const DRIVE_CHUNK_SIZES: ChunkSizes = { min: 256 * 1024, average: 1024 * 1024, max: 4 * 1024 * 1024 };

/** Bytes of the key a space derives its chunker from (`ContentChunker`). */
export const CHUNKER_KEY_BYTES = 32;

/**
 * Cuts a stream of bytes into content-defined chunks (FastCDC, Xia et al.
 * 2016/2020: a gear rolling hash with normalized chunking), so that an
 * edited version or a second copy of a file cuts into mostly the same
 * chunks and shares them.
 *
 * The gear table comes from a key of the space (a user's drive, a shared
 * folder), not from a published constant: with public boundaries, the
 * sequence of chunk sizes the relay sees would fingerprint a known file;
 * keyed, the same file cuts differently in every space. Same key, same
 * bytes: same chunks, on every device.
 *
 * Streaming: {@link push} takes the bytes as they are read and returns the
 * chunks it could cut; {@link finish} returns the rest. Memory stays within
 * one chunk of `max` bytes.
 */
export class ContentChunker {
  /** The gear table as signed 32-bit values (the same bits as the unsigned table the key makes). */
  readonly #gear: Int32Array;
  readonly #sizes: ChunkSizes;
  /** Mask for positions before the average size (more bits: cuts less likely) and after (fewer bits). */
  readonly #maskSmall: number;
  readonly #maskLarge: number;
  #buffer: Uint8Array;
  #length = 0;
  /** How far the current chunk was scanned, and the hash there: a scan resumes, never restarts. */
  #scanned = 0;
  #fingerprint = 0;

  constructor(key: Uint8Array, sizes: ChunkSizes = DRIVE_CHUNK_SIZES) {
    if (key.length !== CHUNKER_KEY_BYTES) throw new RangeError('a chunker key is 32 bytes');
    if (!(sizes.min > 0 && sizes.min <= sizes.average && sizes.average <= sizes.max)) {
      throw new RangeError('chunk sizes must satisfy 0 < min <= average <= max');
    }
    this.#sizes = sizes;
    const table = gearTable(key);
    this.#gear = new Int32Array(table.buffer, table.byteOffset, table.length);
    const bits = Math.round(Math.log2(sizes.average));
    // Normalized chunking (level 2): two bits more before the average, two fewer after.
    this.#maskSmall = spreadMask(bits + 2) | 0;
    this.#maskLarge = spreadMask(Math.max(1, bits - 2)) | 0;
    this.#buffer = new Uint8Array(Math.max(sizes.max, 64 * 1024));
  }

  /** Adds bytes; returns the chunks now complete (each a copy the caller owns). */
  push(bytes: Uint8Array): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const taken = Math.min(this.#sizes.max - this.#length, bytes.length - offset);
      this.#buffer.set(bytes.subarray(offset, offset + taken), this.#length);
      this.#length += taken;
      offset += taken;
      for (let cut = this.#findCut(); cut !== null; cut = this.#findCut()) chunks.push(this.#take(cut));
    }
    return chunks;
  }

  /** The bytes left after the last cut, as the final chunk (null when none). */
  finish(): Uint8Array | null {
    return this.#length === 0 ? null : this.#take(this.#length);
  }

  /**
   * Where the next chunk ends: the first boundary after `min` (the hash at a
   * position depends only on the bytes up to it, so a boundary found is
   * final), or `max`; null while neither is in the buffer.
   */
  #findCut(): number | null {
    const { min, average, max } = this.#sizes;
    const length = this.#length;
    if (length <= min) return null;
    // Locals, and 32-bit signed arithmetic throughout (the same bits as unsigned): the loop stays in
    // int32 registers, with no private field read and no unsigned value beyond V8's small integers.
    const gear = this.#gear;
    const data = this.#buffer;
    const maskSmall = this.#maskSmall;
    const maskLarge = this.#maskLarge;
    const normal = Math.min(average, length);
    const end = Math.min(max, length);
    let fingerprint = this.#fingerprint;
    let index = Math.max(min, this.#scanned);
    for (; index < normal; index += 1) {
      fingerprint = ((fingerprint << 1) + (gear[data[index] as number] as number)) | 0;
      if ((fingerprint & maskSmall) === 0) return index + 1;
    }
    for (; index < end; index += 1) {
      fingerprint = ((fingerprint << 1) + (gear[data[index] as number] as number)) | 0;
      if ((fingerprint & maskLarge) === 0) return index + 1;
    }
    if (end === max) return max;
    this.#scanned = index;
    this.#fingerprint = fingerprint;
    return null;
  }

  #take(cut: number): Uint8Array {
    const chunk = this.#buffer.slice(0, cut);
    this.#buffer.copyWithin(0, cut, this.#length);
    this.#length -= cut;
    this.#scanned = 0;
    this.#fingerprint = 0;
    return chunk;
  }
}

/** Cuts a whole buffer (tests, small files). */
export function chunkBytes(key: Uint8Array, bytes: Uint8Array, sizes?: ChunkSizes): Uint8Array[] {
  const chunker = new ContentChunker(key, sizes);
  const chunks = chunker.push(bytes);
  const last = chunker.finish();
  if (last) chunks.push(last);
  return chunks;
}

/** 256 pseudo-random 32-bit values from the key (BLAKE2b keyed, as a stream). */
function gearTable(key: Uint8Array): Uint32Array {
  const table = new Uint32Array(256);
  const label = new TextEncoder().encode('coffre/fastcdc-gear');
  for (let block = 0; block < 16; block += 1) {
    const input = new Uint8Array(label.length + 1);
    input.set(label);
    input[label.length] = block;
    const bytes = hash(input, 64, key);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let word = 0; word < 16; word += 1) table[block * 16 + word] = view.getUint32(word * 4, true);
  }
  return table;
}

/**
 * A mask with `bits` one-bits spread over the upper 32-bit word (FastCDC's
 * padded masks): the gear hash's high bits mix more bytes of the window.
 */
function spreadMask(bits: number): number {
  let mask = 0;
  const step = 32 / bits;
  for (let index = 0; index < bits; index += 1) mask |= 1 << (31 - Math.floor(index * step));
  return mask >>> 0;
}
