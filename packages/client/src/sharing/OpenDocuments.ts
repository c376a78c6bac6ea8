import type { DeviceId, DocumentId } from '@coffre/protocol';
import type { EncryptedDocument } from '../EncryptedDocument.ts';
import type { EntryRejectedEvent } from '../EncryptedEnvelope.ts';
import type { DeviceDirectory, DocumentKeyring } from '../keys.ts';

/** Unknown epochs or devices in a document trigger at most one access refresh per this many milliseconds. */
export const REFRESH_INTERVAL_MS = 2_000;

/** An open copy of a document (an `EncryptedDocument`, a `LocalDocument`) whose keys the workspace keeps current. */
export interface OpenCopy {
  readonly destroyed: boolean;
  /**
   * Adds the keys the copy lacks and, with `devices`, the devices it lacks
   * and their writer epochs; the entries that waited for them are read.
   */
  refreshAccess(keys: Iterable<readonly [number, Uint8Array]>, devices?: DeviceDirectory): void;
  on<K extends keyof OpenCopyEvents>(event: K, listener: (payload: OpenCopyEvents[K]) => void): () => void;
}

/** What an open copy tells the registry. */
export interface OpenCopyEvents {
  /** An entry it could not read: of an unknown key epoch or device, it waits for a refresh. */
  'entry-rejected': EntryRejectedEvent;
  /** The relay announced a key rotation. */
  'access-changed': undefined;
  /** Presence of a device or epoch it does not know (a member's new device that only reads). */
  'presence-unknown': { author: DeviceId; epoch: number };
}

interface OpenDocument {
  copies: Set<OpenCopy>;
  lastRefresh: number;
  refreshing: boolean;
  /** An unknown author showed up during a refresh: refresh again after it. */
  again: boolean;
}

/**
 * The documents open through a workspace, by document id: what key
 * rotations, new members and refreshes update. A copy that meets an entry
 * of an unknown key epoch or device (the user's new device, a new member's,
 * a rotated key), or hears from the relay that the key was rotated, makes
 * the registry call `refresh` for its document, at most once per
 * {@link REFRESH_INTERVAL_MS}; entries met meanwhile wait for the next round,
 * so none is left unread.
 */
export class OpenDocuments {
  readonly #documents = new Map<DocumentId, OpenDocument>();
  readonly #refresh: (documentId: DocumentId) => Promise<void>;

  /** `refresh` fetches the document's access again and hands it to {@link update}. */
  constructor(refresh: (documentId: DocumentId) => Promise<void>) {
    this.#refresh = refresh;
  }

  /** Keeps `copy` current until it is destroyed or {@link remove}d. */
  add(documentId: DocumentId, copy: OpenCopy): void {
    // Copies give no word when destroyed: drop them here, so documents opened once (indexing) are not kept.
    for (const id of [...this.#documents.keys()]) this.live(id);
    let open = this.#documents.get(documentId);
    if (!open) {
      open = { copies: new Set(), lastRefresh: 0, refreshing: false, again: false };
      this.#documents.set(documentId, open);
    }
    open.copies.add(copy);
    copy.on('entry-rejected', (event) => {
      if (event.reason === 'unknown-epoch' || event.reason === 'unknown-device' || event.reason === 'not-a-writer') {
        this.#schedule(documentId);
      }
    });
    copy.on('access-changed', () => this.#schedule(documentId));
    // Presence comes often (every caret move): one refresh per unknown author is enough.
    const askedFor = new Set<string>();
    copy.on('presence-unknown', ({ author, epoch }) => {
      const key = `${author}|${epoch}`;
      if (askedFor.has(key)) return;
      askedFor.add(key);
      this.#schedule(documentId);
    });
  }

  remove(documentId: DocumentId, copy: OpenCopy): void {
    this.#documents.get(documentId)?.copies.delete(copy);
    this.live(documentId);
  }

  /** The copies of a document still open. */
  live(documentId: DocumentId): OpenCopy[] {
    const open = this.#documents.get(documentId);
    if (!open) return [];
    for (const copy of [...open.copies]) if (copy.destroyed) open.copies.delete(copy);
    if (open.copies.size === 0 && !open.refreshing) this.#documents.delete(documentId);
    return [...open.copies];
  }

  /** Hands every open copy of a document the keys it lacks and, with `devices`, the devices and writer epochs. */
  update(documentId: DocumentId, keys: Iterable<readonly [number, Uint8Array]>, devices?: DeviceDirectory): void {
    const keyList = [...keys];
    for (const copy of this.live(documentId)) copy.refreshAccess(keyList, devices);
  }

  /** Forgets every copy (they stay open) and stops refreshing. */
  clear(): void {
    this.#documents.clear();
  }

  #schedule(documentId: DocumentId): void {
    const open = this.#documents.get(documentId);
    if (!open) return;
    if (open.refreshing) {
      open.again = true;
      return;
    }
    open.refreshing = true;
    void (async () => {
      try {
        do {
          open.again = false;
          const wait = open.lastRefresh + REFRESH_INTERVAL_MS - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref?.());
          if (this.#documents.get(documentId) !== open || this.live(documentId).length === 0) return;
          open.lastRefresh = Date.now();
          await this.#refresh(documentId).catch(() => undefined);
        } while (open.again);
      } finally {
        open.refreshing = false;
      }
    })();
  }
}

/** An {@link EncryptedDocument} as an {@link OpenCopy}, given the keyring and directory it was opened with. */
export function encryptedDocumentCopy(
  document: EncryptedDocument,
  keyring: DocumentKeyring,
  devices: DeviceDirectory,
): OpenCopy {
  return {
    get destroyed() {
      return document.destroyed;
    },
    refreshAccess(keys, fresher) {
      for (const [epoch, key] of keys) if (!keyring.get(epoch)) keyring.add(epoch, key);
      if (fresher) devices.update(fresher);
      document.envelope.retryPending();
    },
    on: <K extends keyof OpenCopyEvents>(event: K, listener: (payload: OpenCopyEvents[K]) => void) =>
      document.on(event, listener),
  };
}
