import { beforeAll, describe, expect, it } from 'vitest';
import { ChunkRefusedError, ChunkSealer, type FileManifest } from '@coffre/client';
import { randomBytes, ready } from '@coffre/crypto';
import { ChunkRangeReader } from '../src/files/ChunkRangeReader.ts';
import { decodeText, imageBlobType } from '../src/files/FilePreviews.ts';
import { makesThumbnail, previewKindOf } from '../src/files/previewKinds.ts';
import { chunksToKeep, fit, thumbnailType } from '../src/files/thumbnails.ts';

beforeAll(async () => {
  await ready();
});

/** A sealed file of `bytes` in small chunks, its ciphertexts in a map, and a counter of fetches. */
function sealed(bytes: Uint8Array) {
  const sealer = new ChunkSealer(randomBytes(32));
  const stored = new Map<string, Uint8Array>();
  const chunks: FileManifest['chunks'] = [];
  const manifest: FileManifest = {
    fileId: 'file-id-0001',
    version: 1,
    name: 'big.pdf',
    mediaType: 'application/pdf',
    size: 0,
    modifiedAt: 0,
    chunks,
  };
  let offset = 0;
  // Fixed 5000-byte chunks keep the test's arithmetic plain (the reader takes any sizes a manifest lists).
  while (offset < bytes.length) {
    const piece = bytes.subarray(offset, Math.min(bytes.length, offset + 5000));
    const chunk = sealer.seal(piece);
    stored.set(chunk.id, chunk.ciphertext);
    chunks.push({ id: chunk.id, key: chunk.key, size: chunk.size });
    offset += piece.length;
  }
  manifest.size = bytes.length;
  const fetched: string[] = [];
  const fetchChunk = (id: string) => {
    fetched.push(id);
    const found = stored.get(id);
    return found ? Promise.resolve(found) : Promise.reject(new Error('missing'));
  };
  return { sealer, stored, manifest, fetchChunk, fetched };
}

describe('file previews', () => {
  it('knows what can be previewed, by type or by name, text and code first', () => {
    expect(previewKindOf('photo.JPG', '')).toBe('image');
    expect(previewKindOf('logo.svg', 'image/svg+xml')).toBe('image');
    expect(previewKindOf('scan', 'application/pdf')).toBe('pdf');
    expect(previewKindOf('README.md', '')).toBe('text');
    // Browsers call a TypeScript file an MPEG transport stream.
    expect(previewKindOf('main.ts', 'video/mp2t')).toBe('text');
    expect(previewKindOf('data', 'application/json')).toBe('text');
    expect(previewKindOf('song.mp3', 'audio/mpeg')).toBe('audio');
    expect(previewKindOf('clip.webm', '')).toBe('video');
    expect(previewKindOf('archive.zip', 'application/zip')).toBeNull();
    expect(makesThumbnail('photo.jpg', 'image/jpeg')).toBe(true);
    expect(makesThumbnail('report.pdf', 'application/pdf')).toBe(true);
    expect(makesThumbnail('logo.svg', 'image/svg+xml')).toBe(false);
    expect(makesThumbnail('notes.txt', 'text/plain')).toBe(false);
    expect(imageBlobType('logo.svg', 'application/octet-stream')).toBe('image/svg+xml');
  });

  it('decodes the start of a text, drops a character cut in two, and tells binary from text', () => {
    const bytes = new TextEncoder().encode('déjà vu');
    expect(decodeText(bytes, false)).toEqual({ text: 'déjà vu', truncated: false, binary: false });
    // Cut inside the "à" (two bytes): the half is held back, not shown as U+FFFD.
    expect(decodeText(bytes.subarray(0, 5), true).text).toBe('déj');
    expect(decodeText(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), false).binary).toBe(true);
    const utf16 = new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]);
    expect(decodeText(utf16, false)).toMatchObject({ text: 'hi', binary: false });
  });

  it('fits a thumbnail in its square, never enlarged, and knows its type from its bytes', () => {
    expect(fit(4000, 3000)).toEqual({ width: 256, height: 192 });
    expect(fit(1000, 4000)).toEqual({ width: 64, height: 256 });
    expect(fit(100, 50)).toEqual({ width: 100, height: 50 });
    expect(thumbnailType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(thumbnailType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(thumbnailType(new TextEncoder().encode('<svg onload="alert(1)"/>'))).toBeNull();
    const ref = { id: 'a'.repeat(64), key: new Uint8Array(32), size: 1 };
    const manifest = { chunks: [ref], thumbnail: { ...ref, id: 'b'.repeat(64) } } as FileManifest;
    expect(chunksToKeep(manifest)?.map((chunk) => chunk.id)).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
  });

  it('reads ranges across chunks, fetching and opening each chunk once', async () => {
    const bytes = randomBytes(23_000);
    const { sealer, manifest, fetchChunk, fetched } = sealed(bytes);
    const reader = new ChunkRangeReader(manifest, sealer, fetchChunk);
    expect(await reader.read(0, 10)).toEqual(bytes.subarray(0, 10));
    expect(await reader.read(4990, 10_010)).toEqual(bytes.subarray(4990, 10_010));
    expect(await reader.read(22_000, 23_000)).toEqual(bytes.subarray(22_000));
    expect(await reader.read(5, 5)).toEqual(new Uint8Array(0));
    // pdf.js asks again and again: every chunk came once.
    for (let start = 0; start < 23_000; start += 1000) await reader.read(start, Math.min(23_000, start + 1500));
    expect(fetched).toHaveLength(manifest.chunks.length);
    expect(new Set(fetched).size).toBe(manifest.chunks.length);
    await expect(reader.read(0, 23_001)).rejects.toThrow(RangeError);
  });

  it('drops the least recently read chunks past its budget, and refuses a tampered chunk', async () => {
    const bytes = randomBytes(25_000);
    const { sealer, stored, manifest, fetchChunk, fetched } = sealed(bytes);
    const reader = new ChunkRangeReader(manifest, sealer, fetchChunk, 10_000);
    for (let start = 0; start < 25_000; start += 5000) await reader.read(start, start + 5000);
    expect(fetched).toHaveLength(5);
    await reader.read(20_000, 25_000); // kept (most recent)
    expect(fetched).toHaveLength(5);
    await reader.read(0, 100); // dropped past the budget: fetched again
    expect(fetched).toHaveLength(6);

    const first = manifest.chunks[0]?.id as string;
    const original = stored.get(first) as Uint8Array;
    const altered = new Uint8Array(original);
    altered[10] = (altered[10] as number) ^ 1;
    stored.set(first, altered);
    const fresh = new ChunkRangeReader(manifest, sealer, fetchChunk);
    await expect(fresh.read(0, 10)).rejects.toBeInstanceOf(ChunkRefusedError);
    // A failure is not kept: once the relay serves the right bytes again, the same reader reads.
    stored.set(first, original);
    expect(await fresh.read(0, 10)).toEqual(bytes.subarray(0, 10));
  });
});
