import { parentPort } from 'node:worker_threads';
import { ready } from '@coffre/crypto';
import { type SealRequest, createSealHandler } from '@coffre/client/seal-worker';

// A sealing worker thread for benches and tests (sealWorkerThreads.ts): the web app's seal.worker.ts under Node.
await ready();
const handle = createSealHandler();
parentPort?.on('message', (request: SealRequest) => {
  const { reply, transfer } = handle(request);
  parentPort?.postMessage(reply, transfer);
});
