import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ready, toHex } from '@coffre/crypto';
import {
  CHUNK_FRAME_HEADER_BYTES,
  CoffreError,
  MAX_BATCH_CHUNKS,
  MAX_SEALED_CHUNK_BYTES,
  decodeChunkBatch,
  encodeChunkBatch,
} from '../src/index.ts';

const chunkArbitrary = fc.record({
  address: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }),
});

const codeOf = (body: Uint8Array) => {
  try {
    decodeChunkBatch(body);
    return null;
  } catch (error) {
    return error instanceof CoffreError ? error.code : String(error);
  }
};

describe('chunk batches (the body of a batch upload)', () => {
  beforeAll(ready);

  it('decodes what it encodes, in order', () => {
    fc.assert(
      fc.property(fc.array(chunkArbitrary, { minLength: 1, maxLength: MAX_BATCH_CHUNKS }), (chunks) => {
        expect(decodeChunkBatch(encodeChunkBatch(chunks))).toEqual(chunks);
      }),
    );
  });

  it('refuses every cut of a batch short of its end with VALIDATION_FAILED, and never reads past the body', () => {
    fc.assert(
      fc.property(fc.array(chunkArbitrary, { minLength: 1, maxLength: 4 }), fc.nat(), (chunks, cut) => {
        const body = encodeChunkBatch(chunks);
        const frameEnds = new Set<number>();
        let end = 0;
        for (const chunk of chunks) frameEnds.add((end += CHUNK_FRAME_HEADER_BYTES + chunk.bytes.length));
        const length = cut % body.length;
        // A cut at a frame's end is a shorter batch, and a good one.
        if (frameEnds.has(length)) expect(codeOf(body.subarray(0, length))).toBeNull();
        else expect(codeOf(body.subarray(0, length))).toBe('VALIDATION_FAILED');
      }),
    );
  });

  it('refuses an empty chunk, too many chunks, and a chunk larger than any the chunker makes', () => {
    const empty = new Uint8Array(CHUNK_FRAME_HEADER_BYTES);
    expect(codeOf(empty)).toBe('VALIDATION_FAILED');
    const one = encodeChunkBatch([{ address: '0'.repeat(64), bytes: new Uint8Array([1]) }]);
    const tooMany = new Uint8Array(one.length * (MAX_BATCH_CHUNKS + 1));
    for (let at = 0; at < tooMany.length; at += one.length) tooMany.set(one, at);
    expect(codeOf(tooMany)).toBe('VALIDATION_FAILED');
    const large = new Uint8Array(CHUNK_FRAME_HEADER_BYTES);
    new DataView(large.buffer).setUint32(32, MAX_SEALED_CHUNK_BYTES + 1);
    expect(codeOf(large)).toBe('PAYLOAD_TOO_LARGE');
    expect(() => encodeChunkBatch([])).toThrow(RangeError);
    expect(() => encodeChunkBatch([{ address: 'not hex', bytes: new Uint8Array(1) }])).toThrow(RangeError);
  });
});
