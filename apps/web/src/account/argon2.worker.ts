import { deriveKeyFromPassword, ready } from '@coffre/crypto';
import type { Argon2Reply, Argon2Request } from './argon2Messages.ts';

/**
 * Argon2id off the main thread: derives the master key of one request and
 * posts it back (its buffer transferred, so no copy stays here). Only
 * @coffre/crypto is loaded, so the worker's script is libsodium and little
 * else; the page derives the sub-keys (`accountKeysFromMasterKey`). Started
 * by {@link deriveKeysInWorker} for each sign-up, log-in and unlock, then
 * terminated, so the 64 MiB Argon2id used is given back at once.
 */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Argon2Request>) => void) | null;
  postMessage(message: Argon2Reply, transfer: ArrayBuffer[]): void;
};

scope.onmessage = (event) => {
  const { password, salt, parameters } = event.data;
  void ready()
    .then(() => {
      const masterKey = deriveKeyFromPassword(password, salt, parameters);
      scope.postMessage({ ok: true, masterKey }, [masterKey.buffer as ArrayBuffer]);
    })
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error : new Error(String(error));
      scope.postMessage({ ok: false, name: reason.name, message: reason.message }, []);
    });
};
