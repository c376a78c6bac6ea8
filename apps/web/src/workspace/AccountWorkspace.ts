import {
  type AccountClient,
  type DocumentInfo,
  type LocalDocument,
  AccountError,
  DocumentAccessCache,
  DocumentAttachments,
  SealedSharingStore,
  UploadOutbox,
  Workspace,
  collectGarbage,
  forgetPendingAttachments,
  YjsEngine,
  syncUrlFor,
} from '@coffre/client';
import { toHex } from '@coffre/crypto';
import { type DocumentId, type DocumentRole, documentId as parseDocumentId, isValidId } from '@coffre/protocol';
import { ChunkCache, LocalDatabase, SealedRecords, UploadChunks, Vault, envelopeDatabaseName } from '@coffre/storage';
import { type CatalogEntry, DocumentCatalog } from './DocumentCatalog.ts';
import { type DocumentKind, type DocumentSummary, givenTitle, setKind, setTitle, summarize } from './documentMeta.ts';
import { DriveView } from '../files/DriveView.ts';
import { driveSource } from '../search/driveSource.ts';
import { SealedSearchIndex } from '../search/SealedSearchIndex.ts';
import { SearchIndexer } from '../search/SearchIndexer.ts';
import { driveDocumentId } from '../files/driveDocumentId.ts';
import { pageSealWorkers } from '../files/sealWorkers.ts';
import { isSharedFolderId, newSharedFolderId } from '../files/sharedFolderId.ts';
import { FolderSpace } from './FolderSpace.ts';
import { folderDocumentId } from './folderTree.ts';

/** A document open in this tab, with the engine holding its decrypted content. */
export interface OpenedDocument {
  documentId: DocumentId;
  document: LocalDocument<YjsEngine>;
  engine: YjsEngine;
  role: DocumentRole;
}

/** A document as the list shows it. */
export interface ListedDocument {
  id: DocumentId;
  title: string;
  /** Unknown when listed from this device only (offline). */
  role: DocumentRole | null;
  createdAt: string | null;
  kind: DocumentKind;
}

export interface DocumentListing {
  documents: ListedDocument[];
  /** True when the relay could not be reached: the list is what this device knows. */
  offline: boolean;
  /** True when the relay lists the user's folder document (which the list itself leaves out). */
  hasFolders: boolean;
}

/** A shared folder as the Files screen lists it. */
export interface SharedFolderInfo {
  id: DocumentId;
  role: DocumentRole;
  createdAt: string;
}

/** A new document id: 128 random bits. */
export function newDocumentId(): DocumentId {
  return parseDocumentId(toHex(crypto.getRandomValues(new Uint8Array(16))));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export interface AccountWorkspaceOptions {
  account: AccountClient;
  /** The local vault key of the signed-in session (copied: the controller wipes its own on sign-out). */
  vaultKey: Uint8Array;
  /** Relay base URL (the page's origin). */
  baseUrl: string;
}

/**
 * Everything the document screens share for one signed-in session: the
 * account's LocalDatabase (named per account), the vault that seals what it
 * holds, one `Workspace` whose document keys are cached sealed for offline
 * use, the catalog of known documents, the decrypted summaries of the
 * documents read in this tab, and the search index (`SearchIndexer`), kept
 * on this device sealed with the vault key and never sent anywhere.
 */
export class AccountWorkspace {
  readonly account: AccountClient;
  readonly database: LocalDatabase;
  readonly catalog: DocumentCatalog;
  readonly syncUrl: string;
  /** The search box's index of documents, notes, folders and files. */
  readonly search: SearchIndexer;
  readonly #vaultKey: Uint8Array;
  readonly #vault: Vault;
  readonly #accessCache: DocumentAccessCache;
  readonly #summaries = new Map<string, DocumentSummary>();
  /** The kind and title last sealed into the catalog, by document. */
  readonly #persisted = new Map<string, string>();
  readonly #listeners = new Set<() => void>();
  readonly #reading = new Map<string, Promise<DocumentSummary | null>>();
  #workspace: Promise<Workspace> | null = null;
  #folders: Promise<FolderSpace> | null = null;
  #folderId: Promise<DocumentId> | null = null;
  #drive: Promise<DriveView> | null = null;
  /** Shared folders open in this tab, by id (each a space like the user's own Drive). */
  readonly #sharedFolders = new Map<string, Promise<DriveView>>();
  #driveId: Promise<DocumentId> | null = null;
  #closed = false;
  #version = 0;

  constructor(options: AccountWorkspaceOptions) {
    const session = options.account.session;
    if (!session) throw new AccountError('UNAUTHENTICATED');
    this.account = options.account;
    this.#vaultKey = options.vaultKey.slice();
    this.#vault = new Vault(this.#vaultKey);
    this.database = new LocalDatabase(`${session.tenant}/${session.userId}`);
    this.catalog = new DocumentCatalog(this.database, this.#vault);
    this.#accessCache = new DocumentAccessCache(this.database, this.#vault);
    this.search = new SearchIndexer({ store: new SealedSearchIndex(this.database.keyring, this.#vault) });
    this.syncUrl = syncUrlFor(options.baseUrl);
    // The index is saved a moment after it changes: a reload or a closed tab meanwhile must not lose the change.
    globalThis.addEventListener?.('pagehide', this.#saveSearch);
    globalThis.document?.addEventListener('visibilitychange', this.#saveSearchWhenHidden);
  }

  #saveSearch = (): void => void this.search.flush();
  #saveSearchWhenHidden = (): void => {
    if (globalThis.document?.visibilityState === 'hidden') this.#saveSearch();
  };

  get closed(): boolean {
    return this.#closed;
  }

  /** Changes whenever a summary changes (for useSyncExternalStore). */
  get version(): number {
    return this.#version;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getVersion = (): number => this.#version;

  workspace(): Promise<Workspace> {
    this.#workspace ??= Workspace.open({
      account: this.account,
      store: new SealedSharingStore(this.database, this.#vault),
      accessCache: this.#accessCache,
      syncUrl: this.syncUrl,
    }).catch((error: unknown) => {
      this.#workspace = null;
      throw error;
    });
    return this.#workspace;
  }

  /** The decrypted title and text of a document, when this tab has read it. */
  summary(id: string): DocumentSummary | undefined {
    return this.#summaries.get(id);
  }

  /** Keeps a document's title and text in memory for the search box, and its title sealed in the catalog. */
  async remember(id: string, summary: DocumentSummary): Promise<void> {
    const previous = this.#summaries.get(id);
    this.#summaries.set(id, summary);
    if (!this.#closed) this.search.noteDocument(id, summary);
    if (previous?.title !== summary.title || previous.text !== summary.text || previous.kind !== summary.kind) {
      this.#changed();
    }
    if (this.#closed) return;
    const key = `${summary.kind}:${summary.title}`;
    const entry = this.#persisted.has(id) ? null : await this.catalog.get(id);
    const stored = this.#persisted.get(id) ?? (entry ? `${entry.kind}:${entry.title}` : undefined);
    if (stored === key || this.#closed) return;
    this.#persisted.set(id, key);
    await this.catalog.remember(id, summary.title, summary.kind);
  }

  /**
   * The signed-in user's documents from the relay, titled from what this
   * device knows; when the relay is unreachable, the documents in the
   * catalog of this device.
   */
  async listDocuments(): Promise<DocumentListing> {
    const known = new Map((await this.catalog.list()).map((entry): [string, CatalogEntry] => [entry.id, entry]));
    const folderId = await this.folderDocumentId();
    const driveId = await this.driveDocumentId();
    let remote: DocumentInfo[];
    try {
      remote = await (await this.workspace()).listDocuments();
    } catch (error) {
      if (!(error instanceof AccountError && error.code === 'RELAY_UNREACHABLE')) throw error;
      const documents = [...known.values()]
        // The catalog keeps rows under the ids of documents opened here only: a row under anything else is none.
        .filter((entry) => isValidId(entry.id) && !isSharedFolderId(entry.id))
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .map((entry) => ({
          id: parseDocumentId(entry.id),
          title: this.#title(entry.id, entry.title),
          role: null,
          createdAt: null,
          kind: this.#kind(entry.id, entry.kind),
        }));
      return { documents, offline: true, hasFolders: false };
    }
    // Documents deleted or no longer shared: forget them here too.
    const listed = new Set<string>(remote.map((info) => info.id));
    for (const id of await this.catalog.ids()) if (!listed.has(id)) await this.#forgetLocally(id);
    this.search.keepDocuments(listed);
    const documents = remote
      .filter((info) => info.id !== folderId && info.id !== driveId && !isSharedFolderId(info.id))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((info) => ({
        id: info.id,
        title: this.#title(info.id, known.get(info.id)?.title ?? ''),
        role: info.role,
        createdAt: info.createdAt,
        kind: this.#kind(info.id, known.get(info.id)?.kind ?? 'document'),
      }));
    return { documents, offline: false, hasFolders: remote.some((info) => info.id === folderId) };
  }

  /** Creates a document (or a note: its meta says so) on the relay and lists it on this device. */
  async createDocument(kind: DocumentKind = 'document'): Promise<DocumentId> {
    const id = newDocumentId();
    await (await this.workspace()).createDocument(id);
    await this.catalog.remember(id, '', kind);
    this.#persisted.set(id, `${kind}:`);
    if (kind === 'note') await this.withDocument(id, ({ engine }) => setKind(engine.doc, 'note'));
    return id;
  }

  /** The id of the user's folder document (the same on each of their devices). */
  folderDocumentId(): Promise<DocumentId> {
    const session = this.account.session;
    if (!session) return Promise.reject(new AccountError('UNAUTHENTICATED'));
    this.#folderId ??= folderDocumentId(session.userId);
    return this.#folderId;
  }

  /**
   * The user's folders, open for the rest of the session: from this device
   * (offline too, once it has opened them before) and synced through the
   * relay. `create` creates the folder document on the relay first, for the
   * user's first folder.
   */
  folders(create: boolean): Promise<FolderSpace> {
    this.#folders ??= (async () => {
      const id = await this.folderDocumentId();
      // Another device of the user may have just created it: then it opens below.
      if (create) await (await this.workspace()).createDocument(id).catch(() => undefined);
      const { document, engine } = await this.openDocument(id);
      const space = new FolderSpace(id, document, engine);
      if (this.#closed) await space.destroy();
      return space;
    })().catch((error: unknown) => {
      this.#folders = null;
      throw error;
    });
    return this.#folders;
  }

  /** The id of the user's Drive document (the same on each of their devices). */
  driveDocumentId(): Promise<DocumentId> {
    const session = this.account.session;
    if (!session) return Promise.reject(new AccountError('UNAUTHENTICATED'));
    this.#driveId ??= driveDocumentId(session.userId);
    return this.#driveId;
  }

  /**
   * The user's Drive, open for the rest of the session (created on the
   * relay the first time, by whichever device gets there first).
   */
  drive(): Promise<DriveView> {
    this.#drive ??= (async () => {
      const id = await this.driveDocumentId();
      await (await this.workspace()).createDocument(id).catch(() => undefined);
      const view = await this.#openDrive(id);
      // Not before it is loaded: an empty space, not loaded yet, would take every file out of the index.
      void view.whenLoaded().then(() => {
        if (!this.#closed) this.search.followDrive(driveSource(view));
      });
      return view;
    })().catch((error: unknown) => {
      this.#drive = null;
      throw error;
    });
    return this.#drive;
  }

  /** The shared folders the user is a member of, newest first (from the relay). */
  async sharedFolders(): Promise<SharedFolderInfo[]> {
    const documents = await (await this.workspace()).listDocuments();
    return documents
      .filter((info) => isSharedFolderId(info.id))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map(({ id, role, createdAt }) => ({ id, role, createdAt }));
  }

  /** A shared folder, open for the rest of the session: a space of its own, shared like a document. */
  sharedFolder(id: DocumentId): Promise<DriveView> {
    let view = this.#sharedFolders.get(id);
    if (!view) {
      view = this.#openDrive(id).catch((error: unknown) => {
        this.#sharedFolders.delete(id);
        throw error;
      });
      this.#sharedFolders.set(id, view);
    }
    return view;
  }

  /** Creates a shared folder (a new space document, its name sealed in it); the user is its owner. */
  async createSharedFolder(name: string): Promise<DocumentId> {
    const id = newSharedFolderId();
    await (await this.workspace()).createDocument(id);
    const view = await this.sharedFolder(id);
    await view.whenLoaded();
    view.rename(name);
    await this.catalog.remember(id, name, 'document');
    return id;
  }

  /** A space's Drive: its document open from this device first, its chunks, outbox and collections. */
  async #openDrive(id: DocumentId): Promise<DriveView> {
    const workspace = await this.workspace();
    const { document, engine, role } = await this.openDocument(id);
    const { kept, lastCollection } = this.#driveRecords();
    const client = workspace.driveClient(id, { cache: new ChunkCache(this.database) });
    const session = this.account.session;
    if (!session) throw new AccountError('UNAUTHENTICATED');
    const view = new DriveView(id, document, engine, {
      role,
      client,
      keptFiles: {
        load: async () => (await kept.get(id)) ?? [],
        save: (ids) => kept.put(id, ids),
      },
      outbox: (space) =>
        new UploadOutbox({
          database: this.database,
          vault: this.#vault,
          spaceId: id,
          space,
          client,
          whenSaved: () => document.whenSaved(),
          sealWorkers: pageSealWorkers,
        }),
      collect: (options) =>
        collectGarbage({
          ...options,
          spaceId: id,
          api: this.account.api,
          token: () => this.account.getAccessToken(),
          tenant: session.tenant,
        }),
      lastCollection: {
        load: async () => (await lastCollection.get(id)) ?? 0,
        save: (at) => lastCollection.put(id, at),
      },
      title: {
        get: () => givenTitle(engine.doc),
        set: (title) => setTitle(engine.doc, title),
      },
    });
    await view.loadKept();
    if (view.canWrite) await view.startOutbox();
    // Only an owner may sweep a space (the relay refuses others).
    if (role === 'owner') void view.whenLoaded().then(() => view.collectWhenDue());
    if (this.#closed) await view.destroy();
    return view;
  }

  async deleteDocument(id: DocumentId): Promise<void> {
    const workspace = await this.workspace();
    await workspace.deleteDocument(id);
    await this.#forgetLocally(id);
  }

  /**
   * Deletes a shared folder for every member (its owners only: the relay
   * refuses others, and deletes its chunks with it), then what this device
   * kept of it: uploads still waiting, files kept offline, its copy.
   */
  async deleteSharedFolder(id: DocumentId): Promise<void> {
    await (await this.workspace()).deleteDocument(id);
    const opened = this.#sharedFolders.get(id);
    this.#sharedFolders.delete(id);
    const view = await opened?.catch(() => null);
    if (view) {
      await view.outbox.cancelAll();
      await view.destroy();
    }
    const { kept, lastCollection } = this.#driveRecords();
    await kept.delete(id);
    await lastCollection.delete(id);
    await new ChunkCache(this.database).deleteSpace(id);
    await this.#forgetLocally(id);
  }

  /** What this device keeps of each Drive space, sealed with the vault key: files kept offline, last collection. */
  #driveRecords() {
    return {
      kept: new SealedRecords<string[]>({
        table: this.database.keyring,
        vault: this.#vault,
        prefix: 'drive-offline:',
        parse: (value) => (Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null),
      }),
      lastCollection: new SealedRecords<number>({
        table: this.database.keyring,
        vault: this.#vault,
        prefix: 'drive-collected:',
        parse: (value) => (typeof value === 'number' ? value : null),
      }),
    };
  }

  /**
   * The images attached to an opened document (`DocumentAttachments`): its
   * chunks through the relay with this account's tokens; sealed chunks of
   * images added here wait in this device's IndexedDB until the relay holds
   * them. `onUploadError` is told when one is refused for good.
   */
  async attachments(
    opened: OpenedDocument,
    onUploadError: (name: string, error: unknown) => void,
  ): Promise<DocumentAttachments> {
    const workspace = await this.workspace();
    return new DocumentAttachments({
      doc: opened.engine.doc,
      documentId: opened.documentId,
      client: workspace.driveClient(opened.documentId),
      pending: opened.role === 'viewer' ? null : new UploadChunks(this.database),
      onUploadError,
    });
  }

  /**
   * Opens a document: keys from the relay (or this device's sealed cache
   * offline), content from IndexedDB first (see `Workspace.openLocalDocument`).
   */
  async openDocument(id: DocumentId): Promise<OpenedDocument> {
    const engine = new YjsEngine();
    const { document, access } = await (await this.workspace()).openLocalDocument(id, engine);
    return { documentId: id, document, engine, role: access.role };
  }

  /**
   * Opens a document just long enough to read it (and change it with
   * `edit`), then closes it; resolves with its summary, or null when its
   * content could not be loaded within `timeoutMs`.
   */
  async withDocument(
    id: DocumentId,
    edit: ((doc: OpenedDocument) => void) | null,
    timeoutMs = 15_000,
  ): Promise<DocumentSummary | null> {
    const opened = await this.openDocument(id);
    try {
      if ((await withTimeout(opened.document.whenLoaded(), timeoutMs)) === 'timeout') return null;
      // The device's copy may be empty or behind: take the relay's when it can be reached.
      await withTimeout(whenSyncedOrOffline(opened.document), timeoutMs);
      edit?.(opened);
      const summary = summarize(opened.engine.doc);
      await this.remember(id, summary);
      if (edit) await withTimeout(opened.document.whenSaved(), 5_000);
      return summary;
    } finally {
      await opened.document.destroy();
      opened.engine.destroy();
    }
  }

  /** Reads a document's title and text into memory (one read at a time per document). */
  read(id: DocumentId): Promise<DocumentSummary | null> {
    let reading = this.#reading.get(id);
    if (!reading) {
      reading = this.withDocument(id, null).finally(() => this.#reading.delete(id));
      this.#reading.set(id, reading);
    }
    return reading;
  }

  /** Closes the database and forgets the decrypted text (on sign-out). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#summaries.clear();
    globalThis.removeEventListener?.('pagehide', this.#saveSearch);
    globalThis.document?.removeEventListener('visibilitychange', this.#saveSearchWhenHidden);
    // Sealed before the vault key is wiped below.
    void this.search.close();
    void this.#folders?.then((space) => space.destroy()).catch(() => undefined);
    void this.#drive?.then((view) => view.destroy()).catch(() => undefined);
    for (const view of this.#sharedFolders.values())
      void view.then((opened) => opened.destroy()).catch(() => undefined);
    void this.#workspace?.then((workspace) => workspace.close()).catch(() => undefined);
    this.database.close();
    this.#vaultKey.fill(0);
    this.#changed();
    this.#listeners.clear();
  }

  #title(id: string, stored: string): string {
    return this.#summaries.get(id)?.title ?? stored;
  }

  #kind(id: string, stored: DocumentKind): DocumentKind {
    return this.#summaries.get(id)?.kind ?? stored;
  }

  async #forgetLocally(id: string): Promise<void> {
    this.#summaries.delete(id);
    this.#persisted.delete(id);
    this.search.forget(id);
    await this.catalog.forget(id);
    // Throws for a catalog row that is not a document's, as the database name below did before.
    const document = parseDocumentId(id);
    await this.#accessCache.forget(document);
    await forgetPendingAttachments(new UploadChunks(this.database), document);
    const session = this.account.session;
    if (session) await deleteDatabase(envelopeDatabaseName({ tenantId: session.tenant, documentId: document }));
    this.#changed();
  }

  #changed(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }
}

/** Resolves once the document has caught up with the relay, or once it is known to be offline. */
function whenSyncedOrOffline(document: LocalDocument<YjsEngine>): Promise<void> {
  return new Promise((resolve) => {
    let off: () => void = () => undefined;
    const check = (): boolean => {
      const { state } = document.status;
      if (state !== 'saved' && state !== 'offline') return false;
      off();
      resolve();
      return true;
    };
    if (!check()) off = document.on('status', () => void check());
  });
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    // Blocked or failed: the ciphertext stays, unreadable without the forgotten keys.
    request.onerror = () => resolve();
    request.onblocked = () => resolve();
  });
}
