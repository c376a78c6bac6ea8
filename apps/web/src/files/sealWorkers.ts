import type { SealWorkers, SealedChunk } from '@coffre/client';
import { type SealPort, type SealReply, SealWorkerPool } from '@coffre/client/seal-worker';

/** The name sealing workers run under, in devtools. */
export const SEAL_WORKER_NAME = 'coffre-seal';

/** One sealing Web Worker (seal.worker.ts) as the pool sees it. */
function webWorkerPort(): SealPort {
  const worker = new Worker(new URL('./seal.worker.ts', import.meta.url), { type: 'module', name: SEAL_WORKER_NAME });
  return {
    post: (request) => worker.postMessage(request),
    listen: (onReply, onFailure) => {
      worker.onmessage = (event: MessageEvent<SealReply>) => onReply(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        worker.terminate();
        onFailure(new Error(event.message || 'the sealing worker stopped'));
      };
    },
    terminate: () => worker.terminate(),
  };
}

/**
 * The page's sealing workers, started at the first chunk sealed: one per
 * core but one (the page cuts the chunks and sends them), 1 to 4. Where no
 * worker can start, uploads seal on the page's thread (`ChunkSealer.sealWith`).
 */
class PageSealWorkers implements SealWorkers {
  readonly parallelism = Math.max(1, Math.min(4, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1));
  #pool: SealWorkerPool | null = null;

  seal(spaceSecret: Uint8Array, plaintext: Uint8Array): Promise<SealedChunk> {
    this.#pool ??= new SealWorkerPool(Array.from({ length: this.parallelism }, webWorkerPort));
    return this.#pool.seal(spaceSecret, plaintext);
  }
}

/** The sealing workers of this page, or undefined where Web Workers do not exist. */
export const pageSealWorkers: SealWorkers | undefined =
  typeof Worker === 'undefined' ? undefined : new PageSealWorkers();
