import { beforeAll, describe, expect, it } from 'vitest';
import { ready, toHex } from '@coffre/crypto';
import { type ChunkSizes, ContentChunker, DRIVE_CHUNK_SIZES, chunkBytes } from '../../src/files/ContentChunker.ts';
import { concatBytes } from '../harness/concatBytes.ts';
import { SeededRandom } from '../harness/SeededRandom.ts';

const SMALL: ChunkSizes = { min: 64, average: 256, max: 1024 };

beforeAll(async () => {
  await ready();
});

const key = (fill: number) => new Uint8Array(32).fill(fill);

const ids = (chunks: Uint8Array[]) => chunks.map((chunk) => toHex(chunk));

describe('content-defined chunks (keyed FastCDC)', () => {
  it('cuts the same bytes the same way however they are streamed, within the size bounds (200 seeded runs)', () => {
    const random = new SeededRandom(3);
    for (let run = 0; run < 200; run += 1) {
      const bytes = random.bytes(random.int(6000));
      const whole = chunkBytes(key(1), bytes, SMALL);
      const chunker = new ContentChunker(key(1), SMALL);
      const streamed: Uint8Array[] = [];
      for (let offset = 0; offset < bytes.length;) {
        const size = 1 + random.int(700);
        streamed.push(...chunker.push(bytes.subarray(offset, offset + size)));
        offset += size;
      }
      const last = chunker.finish();
      if (last) streamed.push(last);
      expect(ids(streamed), `run ${run}`).toEqual(ids(whole));
      expect(concatBytes(whole)).toEqual(bytes);
      for (const chunk of whole.slice(0, -1)) {
        expect(chunk.length).toBeGreaterThan(SMALL.min);
        expect(chunk.length).toBeLessThanOrEqual(SMALL.max);
      }
      expect(whole.at(-1)?.length ?? 0).toBeLessThanOrEqual(SMALL.max);
    }
  });

  it('averages close to the asked size on random bytes, and the Drive default is about 1 MiB', () => {
    const random = new SeededRandom(7);
    const bytes = random.bytes(400_000);
    const chunks = chunkBytes(key(2), bytes, SMALL);
    const average = bytes.length / chunks.length;
    expect(average).toBeGreaterThan(SMALL.average * 0.6);
    expect(average).toBeLessThan(SMALL.average * 1.8);

    const large = random.bytes(24 * 1024 * 1024);
    const driveChunks = chunkBytes(key(2), large);
    const driveAverage = large.length / driveChunks.length;
    expect(driveAverage).toBeGreaterThan(DRIVE_CHUNK_SIZES.average * 0.6);
    expect(driveAverage).toBeLessThan(DRIVE_CHUNK_SIZES.average * 1.8);
  });

  it('shares all but the chunks around an edit with the unedited bytes', () => {
    const random = new SeededRandom(11);
    const original = random.bytes(200_000);
    const edited = concatBytes([original.subarray(0, 100_000), random.bytes(37), original.subarray(100_000)]);
    const before = new Set(ids(chunkBytes(key(3), original, SMALL)));
    const after = ids(chunkBytes(key(3), edited, SMALL));
    const changed = after.filter((id) => !before.has(id));
    expect(after.length).toBeGreaterThan(400);
    expect(changed.length).toBeLessThanOrEqual(3);
  });

  it('cuts differently under another space’s key, so chunk sizes do not fingerprint a known file', () => {
    const bytes = new SeededRandom(13).bytes(100_000);
    const sizes = (fill: number) => chunkBytes(key(fill), bytes, SMALL).map((chunk) => chunk.length);
    expect(sizes(4)).toEqual(sizes(4));
    expect(sizes(4)).not.toEqual(sizes(5));
  });

  it('refuses a key of the wrong length and sizes out of order', () => {
    expect(() => new ContentChunker(new Uint8Array(16))).toThrow(RangeError);
    expect(() => new ContentChunker(key(1), { min: 512, average: 256, max: 1024 })).toThrow(RangeError);
  });
  it('cuts where it always has: the chunk sizes of fixed bytes under a fixed key (a change would end dedup with chunks already stored)', () => {
    const key = new Uint8Array(32).map((_, index) => index);
    const bytes = (length: number, seed: number) => {
      const out = new Uint8Array(length);
      let x = seed;
      for (let index = 0; index < length; index += 1) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        out[index] = x & 255;
      }
      return out;
    };
    expect(chunkBytes(key, bytes(20_000, 1), SMALL).map((chunk) => chunk.length)).toEqual([
      319, 209, 266, 281, 260, 400, 192, 160, 314, 372, 286, 377, 340, 271, 294, 330, 260, 286, 346, 299, 266, 320, 263,
      291, 266, 282, 283, 342, 341, 323, 141, 336, 646, 268, 273, 98, 284, 413, 282, 277, 288, 258, 302, 397, 288, 165,
      267, 271, 261, 447, 314, 280, 278, 303, 306, 221, 323, 357, 261, 304, 329, 273, 327, 307, 348, 238, 245, 185,
    ]);
    expect(chunkBytes(key, bytes(6 * 1024 * 1024, 2), DRIVE_CHUNK_SIZES).map((chunk) => chunk.length)).toEqual([
      811315, 1079854, 1352560, 1209035, 1232730, 605962,
    ]);
  });
});
