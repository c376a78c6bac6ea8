import { type AccountKeyDerivation, accountKeysFromMasterKey, deriveAccountKeysInThread } from '@coffre/client';
import type { Argon2Reply, Argon2Request } from './argon2Messages.ts';

/** The name the Argon2id worker runs under, in devtools. */
export const ARGON2_WORKER_NAME = 'coffre-argon2';
/**
 * The User Timing measure of each derivation, `detail.worker` saying where it
 * ran: shown in a performance trace, and read by the end-to-end test that
 * checks the page kept drawing meanwhile.
 */
export const ARGON2_MEASURE = 'coffre-argon2';

function measured(started: number, worker: boolean): void {
  performance.measure(ARGON2_MEASURE, { start: started, detail: { worker } });
}

/**
 * Derives the account keys with Argon2id in a module Web Worker (argon2.worker.ts), so the
 * page keeps drawing while Argon2id fills its 64 MiB: sign-up, log-in and
 * unlock show their progress instead of freezing. One worker per derivation,
 * terminated once it answered. Where no worker can start (no Worker, or its
 * script failed to load), derives in this thread rather than not at all.
 */
export const deriveKeysInWorker: AccountKeyDerivation = (password, salt, parameters) => {
  const started = performance.now();
  const inThread = async () => {
    try {
      return await deriveAccountKeysInThread(password, salt, parameters);
    } finally {
      measured(started, false);
    }
  };
  if (typeof Worker === 'undefined') return inThread();
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./argon2.worker.ts', import.meta.url), {
      type: 'module',
      name: ARGON2_WORKER_NAME,
    });
    worker.onmessage = (event: MessageEvent<Argon2Reply>) => {
      worker.terminate();
      measured(started, true);
      const reply = event.data;
      if (reply.ok) {
        resolve(accountKeysFromMasterKey(reply.masterKey));
        return;
      }
      const error = new Error(reply.message);
      error.name = reply.name;
      reject(error);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      console.warn('Coffre could not start its Argon2id worker; deriving the keys in the page instead:', event.message);
      resolve(inThread());
    };
    const request: Argon2Request = { password, salt: salt.slice(), parameters: { ...parameters } };
    worker.postMessage(request);
  });
};
