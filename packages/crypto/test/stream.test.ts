import { describe, it, expect, beforeAll } from 'vitest';
import {
  ready,
  EncryptStream,
  DecryptStream,
  generateSymmetricKey,
  DecryptionError,
  CryptoInputError,
  STREAM_HEADER_BYTES,
  STREAM_CHUNK_OVERHEAD,
} from '../src/index.ts';
import { everyBitFlip, outcome, sequence } from './helpers.ts';

beforeAll(async () => {
  await ready();
});

interface Encrypted {
  key: Uint8Array;
  header: Uint8Array;
  chunks: Uint8Array[];
  plaintexts: Uint8Array[];
}

function encrypt(plaintexts: Uint8Array[], associatedData: Uint8Array | null = null): Encrypted {
  const key = generateSymmetricKey();
  const stream = new EncryptStream(key);
  const chunks = plaintexts.map((plaintext, index) =>
    stream.push(plaintext, index === plaintexts.length - 1, associatedData),
  );
  return { key, header: stream.header, chunks, plaintexts };
}

function chunkAt(chunks: Uint8Array[], index: number): Uint8Array {
  const chunk = chunks[index];
  if (!chunk) throw new Error(`no chunk ${index}`);
  return chunk;
}

const PLAINTEXTS = [sequence(16, 1), sequence(100, 2), new Uint8Array(0), sequence(16, 3)];

describe('EncryptStream / DecryptStream', () => {
  it('round-trips a multi-chunk stream and reports finished only after the final chunk', () => {
    const { key, header, chunks, plaintexts } = encrypt(PLAINTEXTS);
    expect(header).toHaveLength(STREAM_HEADER_BYTES);
    chunks.forEach((chunk, index) =>
      expect(chunk).toHaveLength((plaintexts[index]?.length ?? 0) + STREAM_CHUNK_OVERHEAD),
    );

    const decrypt = new DecryptStream(key, header);
    chunks.forEach((chunk, index) => {
      expect(decrypt.finished).toBe(false);
      expect(() => decrypt.finish()).toThrow(DecryptionError);
      expect(decrypt.pull(chunk)).toEqual(plaintexts[index]);
    });
    expect(decrypt.finished).toBe(true);
    expect(() => decrypt.finish()).not.toThrow();
  });

  it('round-trips a single final chunk', () => {
    const { key, header, chunks } = encrypt([sequence(5)]);
    const decrypt = new DecryptStream(key, header);
    expect(decrypt.pull(chunkAt(chunks, 0))).toEqual(sequence(5));
    decrypt.finish();
  });

  it('round-trips with associated data and rejects different associated data', () => {
    const associatedData = sequence(8, 0x55);
    const { key, header, chunks } = encrypt(PLAINTEXTS, associatedData);
    const decrypt = new DecryptStream(key, header);
    for (const [index, chunk] of chunks.entries())
      expect(decrypt.pull(chunk, associatedData)).toEqual(PLAINTEXTS[index]);
    decrypt.finish();

    expect(() => new DecryptStream(key, header).pull(chunkAt(chunks, 0))).toThrow(DecryptionError);
    expect(() => new DecryptStream(key, header).pull(chunkAt(chunks, 0), sequence(8, 0x56))).toThrow(DecryptionError);
  });

  it('rejects reordered chunks', () => {
    const { key, header, chunks } = encrypt(PLAINTEXTS);
    const decrypt = new DecryptStream(key, header);
    expect(() => decrypt.pull(chunkAt(chunks, 1))).toThrow(DecryptionError);

    const swapped = new DecryptStream(key, header);
    swapped.pull(chunkAt(chunks, 0));
    expect(() => swapped.pull(chunkAt(chunks, 2))).toThrow(DecryptionError);
  });

  it('rejects a dropped chunk', () => {
    const { key, header, chunks } = encrypt(PLAINTEXTS);
    const decrypt = new DecryptStream(key, header);
    decrypt.pull(chunkAt(chunks, 0));
    decrypt.pull(chunkAt(chunks, 1));
    // chunk 2 dropped: the final chunk no longer authenticates.
    expect(() => decrypt.pull(chunkAt(chunks, 3))).toThrow(DecryptionError);
  });

  it('detects a truncated stream: finish() throws DecryptionError when the final chunk is missing', () => {
    const { key, header, chunks } = encrypt(PLAINTEXTS);
    const decrypt = new DecryptStream(key, header);
    for (const chunk of chunks.slice(0, -1)) decrypt.pull(chunk);
    expect(decrypt.finished).toBe(false);
    expect(() => decrypt.finish()).toThrow(DecryptionError);

    const nothing = new DecryptStream(key, header);
    expect(() => nothing.finish()).toThrow(DecryptionError);
  });

  it('rejects data after the final chunk', () => {
    const { key, header, chunks } = encrypt(PLAINTEXTS);
    const decrypt = new DecryptStream(key, header);
    for (const chunk of chunks) decrypt.pull(chunk);
    expect(() => decrypt.pull(chunkAt(chunks, 0))).toThrow(DecryptionError);
  });

  it('rejects every single-bit flip of the header', () => {
    const { key, header, chunks } = encrypt(PLAINTEXTS);
    const failures: string[] = [];
    for (const [bit, flipped] of everyBitFlip(header)) {
      const result = outcome(() => new DecryptStream(key, flipped).pull(chunkAt(chunks, 0)));
      if (result !== 'rejected') failures.push(`header bit ${bit}: ${result}`);
    }
    expect(failures).toEqual([]);
  });

  it('rejects every single-bit flip of a middle chunk and of the final chunk', () => {
    const { key, header, chunks } = encrypt([sequence(16, 1), sequence(16, 2), sequence(16, 3)]);
    const failures: string[] = [];
    for (const target of [1, 2]) {
      for (const [bit, flipped] of everyBitFlip(chunkAt(chunks, target))) {
        const result = outcome(() => {
          const decrypt = new DecryptStream(key, header);
          for (let index = 0; index < target; index += 1) decrypt.pull(chunkAt(chunks, index));
          decrypt.pull(flipped);
        });
        if (result !== 'rejected') failures.push(`chunk ${target} bit ${bit}: ${result}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects a chunk from a different stream and the wrong key', () => {
    const first = encrypt(PLAINTEXTS);
    const second = encrypt(PLAINTEXTS);
    expect(() => new DecryptStream(first.key, first.header).pull(chunkAt(second.chunks, 0))).toThrow(DecryptionError);
    expect(() => new DecryptStream(second.key, first.header).pull(chunkAt(first.chunks, 0))).toThrow(DecryptionError);
  });

  it('rejects chunks shorter than the overhead with DecryptionError', () => {
    const { key, header, chunks } = encrypt(PLAINTEXTS);
    const decrypt = new DecryptStream(key, header);
    expect(() => decrypt.pull(new Uint8Array(STREAM_CHUNK_OVERHEAD - 1))).toThrow(DecryptionError);
    expect(() => decrypt.pull(chunkAt(chunks, 0).subarray(0, STREAM_CHUNK_OVERHEAD))).toThrow(DecryptionError);
  });

  it('refuses to push after the final chunk', () => {
    const stream = new EncryptStream(generateSymmetricKey());
    stream.push(sequence(4), true);
    expect(() => stream.push(sequence(4), false)).toThrow();
  });

  it('rejects keys and headers of the wrong length with CryptoInputError', () => {
    const { key, header } = encrypt(PLAINTEXTS);
    expect(() => new EncryptStream(key.subarray(1))).toThrow(CryptoInputError);
    expect(() => new DecryptStream(key.subarray(1), header)).toThrow(CryptoInputError);
    expect(() => new DecryptStream(key, header.subarray(1))).toThrow(CryptoInputError);
  });
});
