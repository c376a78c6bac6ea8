import type { DocumentId } from '@coffre/protocol';
import type { ContentEngine } from '../engines/ContentEngine.ts';
import type { DeviceIdentity } from '../keys.ts';
import type { OpenDocuments } from '../sharing/OpenDocuments.ts';
import type { DocumentAccess } from '../sharing/DocumentAccess.ts';
import { type LocalDocumentOptions, LocalDocument } from './LocalDocument.ts';

/** What opening a local-first document takes from the workspace. */
export interface LocalDocumentsContext {
  /** The document's keys and devices: from the relay, or this device's sealed cache offline. */
  access(documentId: DocumentId): Promise<DocumentAccess>;
  /** What this device kept of the document's access the last time it asked, or null. */
  cachedAccess(documentId: DocumentId): Promise<DocumentAccess | null>;
  /** Fetches the access again and hands it to the open copies, in the background. */
  refresh(documentId: DocumentId): void;
  device(): DeviceIdentity;
  url: string;
  token: () => Promise<string>;
  /** Where the document is kept current (new keys and devices, unknown authors refreshed). */
  open: OpenDocuments;
}

export interface OpenLocalDocumentOptions<E extends ContentEngine> {
  /** Anything else LocalDocument takes (Web Locks, journal, compaction, batching...). */
  extra?: Partial<LocalDocumentOptions<E>>;
}

/** A local-first document opened through a workspace, with the access it was opened with. */
export interface OpenedLocalDocument<E extends ContentEngine> {
  document: LocalDocument<E>;
  access: DocumentAccess;
}

/**
 * The workspace's local-first documents: each opens from this device first
 * (IndexedDB, no network needed once its keys are cached) and syncs through
 * the relay; the workspace then keeps it current like any document it opened.
 */
export class LocalDocuments {
  readonly #context: LocalDocumentsContext;

  constructor(context: LocalDocumentsContext) {
    this.#context = context;
  }

  /**
   * Opens a document without waiting for it to load (see
   * `LocalDocument.whenLoaded`), nor for the relay when this device kept its
   * access: the document mounts from the device at once and its access is
   * fetched again behind it (new keys, devices and writer epochs reach the
   * open copy; entries that need them wait until then).
   */
  async open<E extends ContentEngine>(
    documentId: DocumentId,
    engine: E,
    options: OpenLocalDocumentOptions<E> = {},
  ): Promise<OpenedLocalDocument<E>> {
    const cached = await this.#context.cachedAccess(documentId);
    const access = cached ?? (await this.#context.access(documentId));
    const document = new LocalDocument<E>({
      address: access.address,
      engine,
      device: this.#context.device(),
      keyring: access.keyring,
      devices: access.devices,
      url: this.#context.url,
      token: this.#context.token,
      ...options.extra,
    });
    this.#context.open.add(access.address.documentId, document);
    if (cached) this.#context.refresh(access.address.documentId);
    return { document, access };
  }
}
