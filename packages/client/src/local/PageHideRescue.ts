import { fromBase64Url, toBase64Url } from '@coffre/crypto';

export interface PageHideRescueOptions {
  /** The Web Storage key of this document and device. */
  key: string;
  /** Synchronous storage (`localStorage`); nothing is kept without one. */
  storage: Storage | undefined;
  /** Where `pagehide` and `visibilitychange` fire (the window); not watched without one. */
  lifecycle: EventTarget | undefined;
  /**
   * The page is going away: seal what is pending and return what IndexedDB
   * has not confirmed yet (sealed entries, ciphertext only), or null.
   */
  onHide(): Uint8Array | null;
}

/**
 * Keeps what a closing page may lose. IndexedDB writes still in flight when
 * a page goes away may never commit, so on `pagehide` or a hidden
 * `visibilitychange` the uncommitted update is copied into synchronous
 * storage too; the next page that opens the document {@link take}s it back.
 */
export class PageHideRescue {
  readonly #options: PageHideRescueOptions;
  readonly #onHide = (): void => {
    const hidden = typeof document === 'undefined' || document.visibilityState === 'hidden';
    if (hidden) this.#keep();
  };

  constructor(options: PageHideRescueOptions) {
    this.#options = options;
    options.lifecycle?.addEventListener('pagehide', this.#onHide);
    options.lifecycle?.addEventListener('visibilitychange', this.#onHide);
  }

  /** What a previous page kept when it closed, removed from storage; null when nothing (readable) was. */
  take(): Uint8Array | null {
    const { storage, key } = this.#options;
    const saved = storage?.getItem(key);
    if (!storage || saved === null || saved === undefined) return null;
    storage.removeItem(key);
    try {
      return fromBase64Url(saved);
    } catch {
      return null;
    }
  }

  destroy(): void {
    this.#options.lifecycle?.removeEventListener('pagehide', this.#onHide);
    this.#options.lifecycle?.removeEventListener('visibilitychange', this.#onHide);
  }

  #keep(): void {
    const update = this.#options.onHide();
    const storage = this.#options.storage;
    // An empty Yjs update is 2 bytes (no structs, empty delete set).
    if (!update || update.length <= 2 || !storage) return;
    try {
      storage.setItem(this.#options.key, toBase64Url(update));
    } catch {
      // Over quota: IndexedDB's in-flight writes are all there is.
    }
  }
}
