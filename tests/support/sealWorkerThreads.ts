import { Worker } from 'node:worker_threads';
import { type SealPort, type SealReply, SealWorkerPool } from '@coffre/client/seal-worker';

/** One sealing worker thread (sealWorker.thread.ts) as the pool sees it. */
function threadPort(): SealPort {
  const worker = new Worker(new URL('./sealWorker.thread.ts', import.meta.url));
  worker.unref();
  return {
    post: (request) => worker.postMessage(request),
    listen: (onReply, onFailure) => {
      worker.on('message', (reply: SealReply) => onReply(reply));
      worker.on('error', onFailure);
      worker.on('exit', (code) => onFailure(new Error(`the sealing worker exited (${code})`)));
    },
    terminate: () => void worker.terminate(),
  };
}

/** `count` sealing worker threads, as a device with that many spare cores would seal (the web app's Web Workers). */
export function sealWorkerThreads(count: number): SealWorkerPool {
  return new SealWorkerPool(Array.from({ length: count }, threadPort));
}
