import { fromHex, toHex } from '@coffre/crypto';
import { CoffreError, ErrorCode } from './codes.ts';
import { CHUNK_ADDRESS_PATTERN, MAX_SEALED_CHUNK_BYTES } from './driveApi.ts';

/*
 * The body of a batch upload (`POST .../spaces/{space}/chunks`): several
 * sealed chunks in one request, so a file of a hundred chunks costs a few
 * requests and a few transactions on the relay instead of a hundred of each.
 * Each chunk is framed as its address (32 bytes: the BLAKE2b-256 of its
 * ciphertext), its length (4 bytes, big-endian) and its ciphertext. Nothing
 * else: no name, no order within a file, no key.
 */

/** Bytes in front of each chunk of a batch: its address and its length. */
export const CHUNK_FRAME_HEADER_BYTES = 32 + 4;
/** Most chunks one batch carries. */
export const MAX_BATCH_CHUNKS = 64;
/** Most chunk bytes one batch carries (room for the largest chunk; devices send smaller batches). */
export const MAX_BATCH_CHUNK_BYTES = 16 * 1024 * 1024;
/** Largest body of a batch upload: its chunks and their frames. */
export const MAX_CHUNK_BATCH_BODY_BYTES = MAX_BATCH_CHUNK_BYTES + MAX_BATCH_CHUNKS * CHUNK_FRAME_HEADER_BYTES;

/** A chunk of a batch: its address (lowercase hex) and its ciphertext. */
export interface BatchChunk {
  address: string;
  bytes: Uint8Array;
}

/** The body of a batch upload. Throws when the chunks do not fit one batch (a caller's mistake). */
export function encodeChunkBatch(chunks: readonly BatchChunk[]): Uint8Array {
  if (chunks.length === 0 || chunks.length > MAX_BATCH_CHUNKS) {
    throw new RangeError(`a batch holds 1 to ${MAX_BATCH_CHUNKS} chunks, not ${chunks.length}`);
  }
  const size = chunks.reduce((sum, chunk) => sum + CHUNK_FRAME_HEADER_BYTES + chunk.bytes.length, 0);
  if (size > MAX_CHUNK_BATCH_BODY_BYTES) throw new RangeError(`a batch of ${size} bytes is too large`);
  const body = new Uint8Array(size);
  const view = new DataView(body.buffer);
  let offset = 0;
  for (const { address, bytes } of chunks) {
    if (!CHUNK_ADDRESS_PATTERN.test(address)) throw new RangeError(`not a chunk address: ${address}`);
    body.set(fromHex(address), offset);
    view.setUint32(offset + 32, bytes.length);
    body.set(bytes, offset + CHUNK_FRAME_HEADER_BYTES);
    offset += CHUNK_FRAME_HEADER_BYTES + bytes.length;
  }
  return body;
}

/**
 * The chunks of a batch upload's body, as framed, without checking them
 * against their addresses (the relay hashes each). Refuses an empty,
 * truncated or overlong body, an empty chunk or too many chunks
 * (`VALIDATION_FAILED`) and a chunk larger than any the chunker makes
 * (`PAYLOAD_TOO_LARGE`). The chunks are views of `body`, not copies.
 */
export function decodeChunkBatch(body: Uint8Array): BatchChunk[] {
  if (body.length > MAX_CHUNK_BATCH_BODY_BYTES) throw new CoffreError(ErrorCode.PayloadTooLarge);
  const invalid = (problem: string) => new CoffreError(ErrorCode.ValidationFailed, `A chunk batch ${problem}.`);
  if (body.length === 0) throw invalid('is empty');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const chunks: BatchChunk[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (chunks.length === MAX_BATCH_CHUNKS) throw invalid(`holds more than ${MAX_BATCH_CHUNKS} chunks`);
    if (body.length - offset < CHUNK_FRAME_HEADER_BYTES) throw invalid('ends inside a chunk header');
    const length = view.getUint32(offset + 32);
    if (length === 0) throw invalid('holds an empty chunk');
    if (length > MAX_SEALED_CHUNK_BYTES) throw new CoffreError(ErrorCode.PayloadTooLarge);
    const start = offset + CHUNK_FRAME_HEADER_BYTES;
    if (body.length - start < length) throw invalid('ends inside a chunk');
    chunks.push({ address: toHex(body.subarray(offset, offset + 32)), bytes: body.subarray(start, start + length) });
    offset = start + length;
  }
  return chunks;
}
