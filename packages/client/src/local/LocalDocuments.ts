import type { ContentEngine } from '../engines/ContentEngine.ts';
import type { DeviceIdentity } from '../keys.ts';
import type { OpenDocuments } from '../sharing/OpenDocuments.ts';
import type { DocumentAccess } from '../sharing/DocumentAccess.ts';
import { type LocalDocumentOptions, LocalDocument } from './LocalDocument.ts';

/** What opening a local-first document takes from the workspace. */
export interface LocalDocumentsContext {
  /** The document's keys and devices: from the relay, or this device's sealed cache offline. */
  access(documentId: string): Promise<DocumentAccess>;
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

  /** Opens a document without waiting for it to load (see `LocalDocument.whenLoaded`). */
  async open<E extends ContentEngine>(
    documentId: string,
    engine: E,
    options: OpenLocalDocumentOptions<E> = {},
  ): Promise<OpenedLocalDocument<E>> {
    const access = await this.#context.access(documentId);
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
    return { document, access };
  }
}
