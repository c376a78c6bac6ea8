import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, ready } from '@coffre/crypto';
import { ChunkSealer, type SealedChunk } from '../../src/files/ChunkSealer.ts';
import { sealFile } from '../../src/files/FileManifest.ts';
import { type SealPort, type SealReply, SealWorkerPool, createSealHandler } from '../../src/files/SealWorkerPool.ts';
import { SeededRandom } from '../harness/SeededRandom.ts';

beforeAll(async () => {
  await ready();
});

/**
 * A worker in this thread: it answers after a seeded delay, so replies
 * come back out of order; `failAfter` requests it dies, its work undone.
 */
function slowPort(random: SeededRandom, failAfter = Number.POSITIVE_INFINITY): SealPort & { served: number } {
  const handle = createSealHandler();
  let onReply: (reply: SealReply) => void = () => undefined;
  let onFailure: (error: Error) => void = () => undefined;
  let dead = false;
  const port = {
    served: 0,
    post: (request: Parameters<SealPort['post']>[0]) => {
      if (dead) throw new Error('posted to a dead worker');
      if (port.served >= failAfter) {
        dead = true;
        setTimeout(() => onFailure(new Error('the worker crashed')), 1);
        return;
      }
      port.served += 1;
      // The request is copied, as postMessage copies it.
      const copy = { ...request, plaintext: request.plaintext.slice() };
      setTimeout(() => {
        if (!dead) onReply(handle(copy).reply);
      }, random.int(5));
    },
    listen: (reply: (reply: SealReply) => void, failure: (error: Error) => void) => {
      onReply = reply;
      onFailure = failure;
    },
    terminate: () => {
      dead = true;
    },
  };
  return port;
}

async function sealAll(file: Uint8Array, sealer: ChunkSealer, pool?: SealWorkerPool) {
  const stored: SealedChunk[] = [];
  const pieces = Array.from({ length: Math.ceil(file.length / 70_000) }, (_, index) =>
    file.subarray(index * 70_000, (index + 1) * 70_000),
  );
  const result = await sealFile(
    pieces,
    sealer,
    async (chunk) => {
      stored.push(chunk);
      await Promise.resolve();
    },
    pool,
  );
  return { ...result, stored };
}

/** The pool's logic with workers in this thread; tests/integration/sealWorkerThreads.test.ts runs real threads. */
describe('sealing on workers (SealWorkerPool, sealFile)', () => {
  let sealer: ChunkSealer;
  let file: Uint8Array;
  let inThread: Awaited<ReturnType<typeof sealAll>>;

  beforeAll(async () => {
    sealer = new ChunkSealer(randomBytes(32));
    file = randomBytes(9 * 1024 * 1024 + 1234);
    inThread = await sealAll(file, sealer);
  });

  it('keeps the order when workers answer out of order, and spreads the work', async () => {
    const random = new SeededRandom(11);
    const ports = [slowPort(random), slowPort(random), slowPort(random)];
    const pool = new SealWorkerPool(ports);
    const result = await sealAll(file, sealer, pool);
    expect(result.stored).toEqual(inThread.stored);
    for (const port of ports) expect(port.served).toBeGreaterThan(0);
  });

  it('finishes the file on this thread when a worker dies midway, or none is left', async () => {
    const random = new SeededRandom(12);
    const pool = new SealWorkerPool([slowPort(random, 2), slowPort(random, 1)]);
    const result = await sealAll(file, sealer, pool);
    expect(result.stored).toEqual(inThread.stored);
    expect(pool.parallelism).toBe(0);
    // A pool with no worker left, and one closed: sealed here, the same chunks.
    expect((await sealAll(file, sealer, pool)).stored).toEqual(inThread.stored);
    const closed = new SealWorkerPool([slowPort(random)]);
    closed.close();
    expect((await sealAll(file, sealer, closed)).chunks).toEqual(inThread.chunks);
  });

  it('stops at the first failure of the store, as without workers', async () => {
    let calls = 0;
    const failing = sealFile(
      [file],
      sealer,
      async () => {
        calls += 1;
        if (calls === 2) throw new Error('the disk is full');
        await Promise.resolve();
      },
      new SealWorkerPool([slowPort(new SeededRandom(13)), slowPort(new SeededRandom(14))]),
    );
    await expect(failing).rejects.toThrow('the disk is full');
    expect(calls).toBe(2);
  });
});
