import { fromBase64Url } from '@coffre/crypto';
import { type DocumentAddress, deviceId, documentId as parseDocumentId, isValidId } from '@coffre/protocol';
import { EncryptedDocument, type EncryptedDocumentOptions } from '../EncryptedDocument.ts';
import type { ContentEngine } from '../engines/ContentEngine.ts';
import { DeviceDirectory, DocumentKeyring } from '../keys.ts';
import { AccountError } from './AccountError.ts';
import type { AccountClient } from './AccountClient.ts';
import { deriveSoloDocumentKey } from './deriveSoloDocumentKey.ts';

/** Why a document's last token request failed, when it did. */
const tokenFailures = new WeakMap<EncryptedDocument, AccountError>();

export interface OpenSoloDocumentOptions<E extends ContentEngine> {
  /** Relay WebSocket URL; by default the account's relay address with ws(s): and /sync. */
  url?: string;
  /** Milliseconds to wait for the document to load (default 30 s). */
  timeoutMs?: number;
  /** Anything else EncryptedDocument takes (batching, compaction, a shared socket...). */
  extra?: Partial<EncryptedDocumentOptions<E>>;
}

/** The relay's sync endpoint for an HTTP base URL: http -> ws, https -> wss, path /sync. */
export function syncUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/sync`;
  return url.toString();
}

/**
 * Opens, and waits until it has loaded, a document only the signed-in user
 * reads: its key is derived from the user's identity
 * ({@link deriveSoloDocumentKey}), this device signs with its own key, and
 * entries of the user's other devices verify with the keys the relay lists
 * for them. Such documents cannot be shared yet (grants come next).
 *
 * Device keys come from the relay, which could add one of its own; it still
 * cannot forge an entry, because it never holds the document key.
 * Revoked devices stay trusted for what they wrote before.
 *
 * Rejects with an {@link AccountError} when the relay refuses the session or
 * the document, or does not answer in time; the document is then destroyed.
 */
export async function openSoloDocument<E extends ContentEngine>(
  account: AccountClient,
  documentId: string,
  engine: E,
  options: OpenSoloDocumentOptions<E> = {},
): Promise<EncryptedDocument<E>> {
  const session = account.session;
  if (!session) throw new AccountError('UNAUTHENTICATED');
  if (!isValidId(documentId)) {
    throw new AccountError('INVALID_DOCUMENT_NAME', { detail: "use 1-64 letters, digits, '-' or '_'" });
  }
  const address: DocumentAddress = { tenantId: session.tenant, documentId: parseDocumentId(documentId) };
  const directory = new DeviceDirectory();
  for (const device of await account.listDevices()) {
    directory.set(deviceId(device.id), fromBase64Url(device.signingPublicKey));
  }
  directory.set(session.deviceId, session.device.signing.publicKey);
  const document = new EncryptedDocument({
    address,
    engine,
    device: { id: session.deviceId, signingKeyPair: session.device.signing },
    keyring: new DocumentKeyring([[0, deriveSoloDocumentKey(session.identity, address)]]),
    devices: directory,
    url: options.url ?? syncUrlFor(account.api.baseUrl),
    token: async () => {
      try {
        return await account.getAccessToken();
      } catch (error) {
        // The provider only reports "permission denied" in words: keep the code for settle().
        if (error instanceof AccountError) tokenFailures.set(document, error);
        throw error;
      }
    },
    ...options.extra,
  });
  try {
    await settle(document, document.whenSynced(), options.timeoutMs ?? 30_000);
  } catch (error) {
    document.destroy();
    throw error;
  }
  return document;
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
