import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { ChunkRefusal, ChunkRefusedError, ChunkSealer, type SealedChunk } from '../../src/files/ChunkSealer.ts';
import {
  type FileManifest,
  ManifestError,
  manifestToJSON,
  parseManifest,
  readFile,
  readFileRange,
  sealFile,
} from '../../src/files/FileManifest.ts';
import { concatBytes } from '../harness/concatBytes.ts';
import { flipBit } from '../harness/flipBit.ts';
import { SeededRandom } from '../harness/SeededRandom.ts';

beforeAll(async () => {
  await ready();
});

const MiB = 1024 * 1024;

type WireChunkLike = { id: string; key: string; size: number };

/** A relay stand-in: chunks by address, as uploaded (what a real one may also alter). */
class ChunkStore {
  readonly chunks = new Map<string, Uint8Array>();
  uploads = 0;
  put = async (chunk: SealedChunk): Promise<void> => {
    this.uploads += 1;
    this.chunks.set(chunk.id, chunk.ciphertext);
    await Promise.resolve();
  };
  fetch = async (id: string): Promise<Uint8Array> => {
    const found = this.chunks.get(id);
    if (!found) throw new Error(`no chunk ${id}`);
    return Promise.resolve(found);
  };
}

/** The file as a browser or Node stream reads it: pieces of `size` bytes, one per turn. */
async function* pieces(bytes: Uint8Array, size = 200_000): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    await Promise.resolve();
    yield bytes.subarray(offset, offset + size);
  }
}

async function upload(sealer: ChunkSealer, store: ChunkStore, bytes: Uint8Array, name = 'report.pdf') {
  const { chunks, size } = await sealFile(pieces(bytes), sealer, store.put);
  const manifest: FileManifest = {
    fileId: 'file-0001',
    version: 1,
    name,
    mediaType: 'application/pdf',
    size,
    modifiedAt: 1_700_000_000_000,
    chunks,
  };
  return parseManifest(JSON.parse(JSON.stringify(manifestToJSON(manifest))));
}

async function readAll(manifest: FileManifest, sealer: ChunkSealer, store: ChunkStore): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of readFile(manifest, sealer, store.fetch)) parts.push(part);
  return concatBytes(parts);
}

describe('files: sealed chunks and manifests', () => {
  const random = new SeededRandom(21);
  let spaceA: ChunkSealer;
  let spaceB: ChunkSealer;
  const file = random.bytes(6 * MiB + 12_345);
  beforeAll(() => {
    spaceA = new ChunkSealer(random.bytes(32));
    spaceB = new ChunkSealer(random.bytes(32));
  });

  it('seals a file into chunks that read back whole and by range, and names nothing in the clear', async () => {
    const store = new ChunkStore();
    const manifest = await upload(spaceA, store, file);
    expect(manifest.size).toBe(file.length);
    expect(manifest.chunks.length).toBeGreaterThan(2);
    expect(await readAll(manifest, spaceA, store)).toEqual(file);
    for (const [start, end] of [
      [0, 10],
      [MiB - 3, MiB + 5],
      [3 * MiB, 5 * MiB + 17],
      [file.length - 1, file.length],
      [1234, 1234],
    ] as const) {
      expect(await readFileRange(manifest, spaceA, store.fetch, start, end)).toEqual(file.subarray(start, end));
    }
    // A read from the middle fetches only the chunks that hold it.
    const fetched: string[] = [];
    await readFileRange(manifest, spaceA, (id) => (fetched.push(id), store.fetch(id)), 3 * MiB, 3 * MiB + 10);
    expect(fetched.length).toBeLessThanOrEqual(2);
    // The stored bytes are ciphertext: no run of the plaintext is in them.
    const probe = Buffer.from(file.subarray(2 * MiB, 2 * MiB + 32));
    for (const ciphertext of store.chunks.values()) expect(Buffer.from(ciphertext).includes(probe)).toBe(false);
  });

  it('stores a second copy as nothing new, an edited copy as only the changed chunks, and shares nothing across spaces', async () => {
    const store = new ChunkStore();
    await upload(spaceA, store, file);
    const stored = store.chunks.size;
    await upload(spaceA, store, file, 'copy of report.pdf');
    expect(store.chunks.size).toBe(stored);
    const edited = Uint8Array.from(file);
    edited.set(random.bytes(100), 4 * MiB);
    await upload(spaceA, store, edited);
    expect(store.chunks.size - stored).toBeGreaterThanOrEqual(1);
    expect(store.chunks.size - stored).toBeLessThanOrEqual(2);
    const other = new ChunkStore();
    const inB = await upload(spaceB, other, file);
    expect(inB.chunks.some((ref) => store.chunks.has(ref.id))).toBe(false);
  });

  it('refuses chunks altered, swapped from another file or another space, with the reason', async () => {
    const store = new ChunkStore();
    const manifest = await upload(spaceA, store, file);
    const refusal = async (fetch: (id: string) => Promise<Uint8Array>, forged = manifest) => {
      try {
        await readFileRange(forged, spaceA, fetch);
        return 'read';
      } catch (error) {
        return error instanceof ChunkRefusedError ? error.reason : String(error);
      }
    };
    const [first, second] = manifest.chunks;
    if (!first || !second) throw new Error('expected two chunks');
    // The relay serves altered bytes, or another chunk's bytes, at an address.
    const flipped = async (id: string) => (id === first.id ? flipBit(await store.fetch(id), 100) : store.fetch(id));
    expect(await refusal(flipped)).toBe(ChunkRefusal.AddressMismatch);
    const swapped = async (id: string) => store.fetch(id === first.id ? second.id : id);
    expect(await refusal(swapped)).toBe(ChunkRefusal.AddressMismatch);
    const truncated = async (id: string) => (await store.fetch(id)).subarray(0, 1000);
    expect(await refusal(truncated)).toBe(ChunkRefusal.AddressMismatch);
    // A manifest listing another space's chunk of the same bytes, with its own key: the content check catches it.
    const other = new ChunkStore();
    const inB = await upload(spaceB, other, file);
    const mixed: FileManifest = { ...manifest, chunks: [inB.chunks[0] ?? first, ...manifest.chunks.slice(1)] };
    const both = async (id: string) => other.chunks.get(id) ?? store.fetch(id);
    expect(await refusal(both, mixed)).toBe(ChunkRefusal.ContentMismatch);
    // A key that is not the chunk's.
    const wrongKey: FileManifest = {
      ...manifest,
      chunks: [{ ...first, key: second.key }, ...manifest.chunks.slice(1)],
    };
    expect(await refusal(store.fetch, wrongKey)).toBe(ChunkRefusal.DecryptionFailed);
  });

  it('refuses manifests that do not add up: truncated, padded, malformed', async () => {
    const store = new ChunkStore();
    const manifest = await upload(spaceA, store, file);
    const json = manifestToJSON(manifest);
    const variants: Record<string, unknown>[] = [
      { ...json, chunks: (json.chunks as unknown[]).slice(0, -1) },
      { ...json, size: manifest.size + 1 },
      { ...json, name: '../etc/passwd' },
      { ...json, name: '' },
      { ...json, version: 0 },
      { ...json, mediaType: 'not a type' },
      { ...json, chunks: [{ id: 'zz', key: 'AAAA', size: 1 }] },
      { ...json, chunks: [{ ...(json.chunks as WireChunkLike[])[0], size: 0 }] },
    ];
    for (const [index, variant] of variants.entries()) {
      expect(() => parseManifest(variant), `variant ${index}`).toThrow(ManifestError);
    }
    expect(() => parseManifest(null)).toThrow(ManifestError);
    expect(parseManifest(json)).toEqual(manifest);
  });

  it('refuses ranges outside the file', async () => {
    const store = new ChunkStore();
    const manifest = await upload(spaceA, store, random.bytes(1000));
    await expect(readFileRange(manifest, spaceA, store.fetch, 10, 5)).rejects.toThrow(RangeError);
    await expect(readFileRange(manifest, spaceA, store.fetch, 0, 1001)).rejects.toThrow(RangeError);
  });
});
