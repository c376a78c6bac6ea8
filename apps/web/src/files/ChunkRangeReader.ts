import type { ChunkRef, ChunkSealer, FetchChunk, FileManifest } from '@coffre/client';

/** Opened chunks a reader keeps, in plaintext bytes: a PDF's pages and its cross-reference table. */
const DEFAULT_BUDGET_BYTES = 32 * 1024 * 1024;

/**
 * Reads byte ranges of one file version for a viewer that asks for many
 * small, overlapping ranges (pdf.js asks 256 KiB at a time, and back and
 * forth as pages are turned): each chunk is fetched and opened once, then
 * kept, decrypted, in memory while this reader lives (the dialog is open),
 * the least recently read dropped past a budget. `readFileRange` would
 * fetch and open the same 1 MiB chunk again for every range within it.
 * Every chunk is checked (`ChunkSealer.open`); a refusal rejects the read.
 */
export class ChunkRangeReader {
  readonly size: number;
  readonly #chunks: readonly ChunkRef[];
  /** Where each chunk starts in the file. */
  readonly #offsets: number[];
  readonly #sealer: ChunkSealer;
  readonly #fetchChunk: FetchChunk;
  readonly #budget: number;
  /** Opened chunks by index, least recently read first (a Map keeps insertion order). */
  readonly #opened = new Map<number, Promise<Uint8Array>>();
  #held = 0;

  constructor(manifest: FileManifest, sealer: ChunkSealer, fetchChunk: FetchChunk, budget = DEFAULT_BUDGET_BYTES) {
    this.size = manifest.size;
    this.#chunks = manifest.chunks;
    this.#sealer = sealer;
    this.#fetchChunk = fetchChunk;
    this.#budget = budget;
    let offset = 0;
    this.#offsets = manifest.chunks.map((chunk) => {
      const at = offset;
      offset += chunk.size;
      return at;
    });
  }

  /** Bytes `start` (inclusive) to `end` (exclusive). */
  read = async (start: number, end: number): Promise<Uint8Array> => {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start <= end && end <= this.size)) {
      throw new RangeError(`a range of ${this.size} bytes cannot be ${start}-${end}`);
    }
    const out = new Uint8Array(end - start);
    if (start === end) return out;
    const first = this.#indexOf(start);
    const last = this.#indexOf(end - 1);
    const parts = await Promise.all(Array.from({ length: last - first + 1 }, (_, step) => this.#chunk(first + step)));
    parts.forEach((bytes, step) => {
      const at = this.#offsets[first + step] as number;
      const from = Math.max(start, at);
      const to = Math.min(end, at + bytes.length);
      out.set(bytes.subarray(from - at, to - at), from - start);
    });
    return out;
  };

  /** The chunk holding byte `position` (binary search over the offsets). */
  #indexOf(position: number): number {
    let low = 0;
    let high = this.#offsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.#offsets[middle] as number) <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  #chunk(index: number): Promise<Uint8Array> {
    const found = this.#opened.get(index);
    if (found) {
      // Read again: now the most recent.
      this.#opened.delete(index);
      this.#opened.set(index, found);
      return found;
    }
    const ref = this.#chunks[index] as ChunkRef;
    const opened = this.#fetchChunk(ref.id).then((ciphertext) => this.#sealer.open(ref, ciphertext));
    this.#opened.set(index, opened);
    this.#held += ref.size;
    // A failure is not kept: the next read tries again (the network may be back).
    opened.catch(() => this.#forget(index, opened));
    this.#evict(index);
    return opened;
  }

  #forget(index: number, opened: Promise<Uint8Array>): void {
    if (this.#opened.get(index) !== opened) return;
    this.#opened.delete(index);
    this.#held -= (this.#chunks[index] as ChunkRef).size;
  }

  /** Drops the least recently read chunks past the budget, never the one just asked for. */
  #evict(keep: number): void {
    for (const [index, opened] of this.#opened) {
      if (this.#held <= this.#budget) return;
      if (index !== keep) this.#forget(index, opened);
    }
  }
}
