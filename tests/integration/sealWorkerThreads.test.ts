import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkSealer, type SealWorkerPool, type SealedChunk, sealFile } from '@coffre/client';
import { randomBytes, ready } from '@coffre/crypto';
import { sealWorkerThreads } from '../support/sealWorkerThreads.ts';

/**
 * Sealing on real worker threads (the Node twin of the web app's Web
 * Workers, used by `./run bench-files`): the same chunks as on the cutting
 * thread, in order, without failing over.
 */
describe('sealing a file on worker threads', () => {
  let threads: SealWorkerPool;
  beforeAll(async () => {
    await ready();
    threads = sealWorkerThreads(2);
  });
  afterAll(() => threads.close());

  it('seals exactly what the cutting thread seals, stored in order', async () => {
    const sealer = new ChunkSealer(randomBytes(32));
    const file = randomBytes(9 * 1024 * 1024 + 1234);
    const seal = async (workers?: SealWorkerPool) => {
      const stored: SealedChunk[] = [];
      const result = await sealFile(
        [file.subarray(0, 5_000_000), file.subarray(5_000_000)],
        sealer,
        async (chunk) => {
          stored.push(chunk);
          await Promise.resolve();
        },
        workers,
      );
      return { ...result, stored };
    };
    const here = await seal();
    const onThreads = await seal(threads);
    expect(onThreads.chunks.length).toBeGreaterThan(3);
    expect(onThreads).toEqual(here);
    // Both threads are still up: none failed over to this thread (which would seal the same chunks).
    expect(threads.parallelism).toBe(2);
  });
});
