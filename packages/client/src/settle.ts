import { AccountError } from './account/AccountError.ts';
import type { EncryptedDocument } from './EncryptedDocument.ts';

/** Why a document's last token request failed, when it did. */
const tokenFailures = new WeakMap<EncryptedDocument, AccountError>();

/**
 * A document's `token` option that remembers why getting a token failed
 * (the provider only reports "permission denied" in words), so that
 * {@link settle} can reject with the account's own error code.
 */
export function trackedToken(
  document: () => EncryptedDocument | undefined,
  getToken: () => Promise<string>,
): () => Promise<string> {
  return async () => {
    try {
      return await getToken();
    } catch (error) {
      const target = document();
      if (target && error instanceof AccountError) tokenFailures.set(target, error);
      throw error;
    }
  };
}

/**
 * Waits for `promise` unless the document reports an error first or time
 * runs out, and rejects with an {@link AccountError}: the account's own
 * error when no access token could be had (e.g. `TOKEN_REVOKED`), else the
 * relay's code. Use it around `whenSynced()` and `whenSaved()`.
 */
export function settle<T>(document: EncryptedDocument, promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new AccountError('RELAY_UNREACHABLE', { detail: `the document did not answer within ${timeoutMs} ms` }));
    }, timeoutMs);
    const off = document.on('error', (error) => {
      // The document falls back to the relay when the device's copy fails: not a reason to give up.
      if (error.code === 'LOCAL_STORE_FAILED') return;
      clearTimeout(timer);
      off();
      reject(tokenFailures.get(document) ?? new AccountError(error.code));
    });
    promise.then(
      (value) => {
        clearTimeout(timer);
        off();
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        off();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
