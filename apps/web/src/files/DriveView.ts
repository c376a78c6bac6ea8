import {
  type DriveClient,
  type DriveFile,
  type OutgoingSource,
  DriveSpace,
  type LocalDocument,
  type CollectGarbageOptions,
  type GarbageCollection,
  type OutgoingFile,
  TRASH_RETENTION_MS,
  catchUpWithRelay,
  type UploadOutbox,
  type YjsEngine,
} from '@coffre/client';
import type { DocumentId, DocumentRole } from '@coffre/protocol';
import { FilePreviews } from './FilePreviews.ts';
import { type SaveMode, type SaveOptions, saveDriveFile } from './saveStream.ts';
import { chunksToKeep, makeThumbnail } from './thumbnails.ts';

/** Where this device keeps the ids of the files it keeps offline (sealed: see AccountWorkspace). */
export interface KeptFiles {
  load(): Promise<string[]>;
  save(ids: string[]): Promise<void>;
}

/** Runs a garbage collection of the space on the relay (see `collectGarbage`); the account's API and token are filled in. */
export type CollectSpace = (
  options: Pick<CollectGarbageOptions, 'space' | 'caughtUp' | 'saved' | 'trashRetentionMs'>,
) => Promise<GarbageCollection>;

/** What a {@link DriveView} is built from, besides its document. */
export interface DriveViewParts {
  /** The user's role in the space: viewers read only (the relay refuses their uploads anyway). */
  role: DocumentRole;
  client: DriveClient;
  keptFiles: KeptFiles;
  outbox: (space: DriveSpace) => UploadOutbox;
  collect: CollectSpace;
  /** When this device last collected the space (kept sealed, see AccountWorkspace). */
  lastCollection: { load(): Promise<number>; save(at: number): Promise<void> };
  /** The space's name, sealed in its document (a shared folder's; '' for the user's own Drive). */
  title: { get(): string; set(title: string): void };
}

/** How often a device of the owner collects the space by itself (the trash's 30 days and the chunks they free). */
const COLLECTION_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** A file kept offline, as this device has it: every chunk of its newest version here, or being fetched. */
export type OfflineState = 'fetching' | 'kept' | 'failed';

/**
 * A space of the Drive, open for the whole session (the user's own, or a
 * shared folder: the same code, by document id): the space document (its
 * folder tree and file versions, see `DriveSpace`) from this device first,
 * synced through the relay, and its chunks through the relay's Drive
 * routes. Uploads go through the device's outbox (`UploadOutbox`): sealed
 * onto this device first, so they survive going offline, a reload or a
 * browser restart, and run here, not in a component, so leaving the screen
 * does not stop them.
 */
export class DriveView {
  readonly id: DocumentId;
  readonly space: DriveSpace;
  /** What previews and thumbnails read (FilePreview.tsx, FileThumbnail.tsx). */
  readonly previews: FilePreviews;
  readonly #document: LocalDocument<YjsEngine>;
  readonly #engine: YjsEngine;
  readonly #client: DriveClient;
  readonly #keptFiles: KeptFiles;
  /** Files kept offline on this device, and how far each is. */
  readonly #kept = new Map<string, OfflineState>();
  /** Kept files whose chunks are being fetched now (one fetch per file at a time). */
  readonly #fetching = new Set<string>();
  readonly #listeners = new Set<() => void>();
  readonly outbox: UploadOutbox;
  #refusals: { name: string; error: unknown }[] = [];
  #version = 0;
  /** Files given to {@link upload} and not sealed yet: sealed one after another. */
  #sealing: Promise<void> = Promise.resolve();
  readonly #unsubscribeOutbox: () => void;
  readonly #parts: DriveViewParts;
  #collecting: Promise<GarbageCollection> | null = null;
  /** The folder the screen shows, kept while the user goes elsewhere and comes back. */
  current: string | null = null;

  constructor(id: DocumentId, document: LocalDocument<YjsEngine>, engine: YjsEngine, parts: DriveViewParts) {
    const { client, keptFiles, outbox } = parts;
    this.id = id;
    this.#document = document;
    this.#engine = engine;
    this.#client = client;
    this.#keptFiles = keptFiles;
    this.#parts = parts;
    this.space = new DriveSpace(engine.doc);
    this.outbox = outbox(this.space);
    this.#unsubscribeOutbox = this.outbox.subscribe(this.#changed);
    this.previews = new FilePreviews(this.space, client);
    engine.doc.on('update', this.#changed);
    engine.doc.on('update', this.#refreshKept);
    globalThis.addEventListener?.('online', this.#online);
  }

  get role(): DocumentRole {
    return this.#parts.role;
  }

  /** Owners and editors add, rename and trash; viewers read. */
  get canWrite(): boolean {
    return this.#parts.role !== 'viewer';
  }

  /** The space's name (a shared folder's), as its members see it. */
  get name(): string {
    return this.#parts.title.get();
  }

  rename(name: string): void {
    this.#parts.title.set(name);
  }

  /**
   * Puts one file into the outbox and resolves once the relay holds it and
   * it is recorded in the space (rejects when the upload fails or is
   * cancelled): what a copy from another space waits for before the
   * original goes to the trash.
   */
  async uploadAndWait(source: OutgoingSource, parent: string | null): Promise<void> {
    const id = await this.outbox.add(source, { parent });
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        const upload = this.outbox.uploads.find((item) => item.id === id);
        if (upload?.state === 'done') finish(resolve);
        else if (!upload) finish(() => reject(new Error('The copy was cancelled.')));
        else if (upload.state === 'failed' || upload.state === 'interrupted') {
          const { error } = upload;
          finish(() => reject(error instanceof Error ? error : new Error('The copy was interrupted: try again.')));
        }
      };
      const finish = (then: () => void) => {
        unsubscribe();
        then();
      };
      const unsubscribe = this.outbox.subscribe(check);
      check();
    });
  }

  /**
   * After a member left or a link was revoked (the document key rotated
   * already): a new secret for what is uploaded from now on, sealed under
   * the new key, so they can neither read nor test for new files. Old
   * files keep their secret and keep opening.
   */
  async rotateSecret(): Promise<void> {
    this.space.rotateSecret();
    await this.#document.whenSaved();
  }

  /** Starts sending what earlier sessions left in the outbox. */
  async startOutbox(): Promise<void> {
    await this.outbox.start();
  }

  /** Reads which files this device keeps offline, and fetches what their newest versions lack. */
  async loadKept(): Promise<void> {
    for (const fileId of await this.#keptFiles.load()) this.#kept.set(fileId, 'fetching');
    this.#refreshKept();
  }

  /** Whether this device keeps the file offline, and how far. */
  offlineState(fileId: string): OfflineState | null {
    return this.#kept.get(fileId) ?? null;
  }

  /** Keeps a file on this device (still encrypted), so it opens with no network. */
  async keepOffline(file: DriveFile): Promise<void> {
    this.#kept.set(file.id, 'fetching');
    this.#changed();
    await this.#keptFiles.save([...this.#kept.keys()]);
    await this.#fetchKept(file.id);
  }

  /** Stops keeping a file offline; chunks other kept files share stay. */
  async stopKeeping(file: DriveFile): Promise<void> {
    this.#kept.delete(file.id);
    this.#changed();
    await this.#keptFiles.save([...this.#kept.keys()]);
    const needed = new Set<string>();
    for (const fileId of this.#kept.keys()) {
      for (const chunk of chunksToKeep(this.space.versions(fileId).at(-1)?.manifest) ?? []) needed.add(chunk.id);
    }
    for (const version of this.space.versions(file.id))
      await this.#client.forgetOffline(chunksToKeep(version.manifest) ?? [], needed);
  }

  whenLoaded(): Promise<void> {
    return this.#document.whenLoaded();
  }

  get uploads(): readonly OutgoingFile[] {
    return this.outbox.uploads;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getVersion = (): number => this.#version;

  /**
   * Puts files into the outbox for a folder, sealed one after another (each
   * shows in {@link uploads} at once and is sent as it is sealed); a file
   * the outbox refuses (a name it cannot take) is reported in the list.
   */
  upload(files: readonly File[], parent: string | null): Promise<void> {
    for (const file of files) this.#add(file, { parent });
    return this.#sealing;
  }

  /**
   * Puts a file into the outbox as the next version of `existing`: it keeps
   * its name, its place and its earlier versions.
   */
  uploadVersion(file: File, existing: DriveFile): Promise<void> {
    this.#add(file, { fileId: existing.id }, existing.name);
    return this.#sealing;
  }

  #add(file: File, where: { parent?: string | null; fileId?: string }, name = file.name): void {
    this.#sealing = this.#sealing.then(() =>
      this.outbox
        .add(
          {
            stream: () => readStream(file),
            name,
            mediaType: file.type,
            modifiedAt: file.lastModified,
            size: file.size,
            // Made on this device and sealed with the file; a file that gets none is uploaded all the same.
            thumbnail: () => makeThumbnail(file).catch(() => null),
          },
          where,
        )
        .then(
          () => undefined,
          (error: unknown) => this.#refused(file, error),
        ),
    );
  }

  /** Forgets the uploads that finished, failed or were interrupted (the list under the toolbar). */
  clearUploads(): void {
    this.#refusals = [];
    void this.outbox.clearFinished();
    this.#changed();
  }

  /** Files the outbox would not take, with why (shown beside the uploads until cleared). */
  get refusals(): readonly { name: string; error: unknown }[] {
    return this.#refusals;
  }

  /**
   * Deletes for good what is in the trash (`olderThanMs` 0: everything) and
   * lets the relay free the chunks nothing names any more. Runs in the tab
   * that holds the Drive's connection (another tab of Coffre may hold it).
   */
  emptyTrash(olderThanMs = 0): Promise<GarbageCollection> {
    const connected = this.#document.connected;
    if (!connected) {
      return Promise.reject(
        new Error('Another tab of Coffre holds your Drive: empty the trash there, or close it and try again.'),
      );
    }
    this.#collecting ??= this.#parts
      .collect({
        space: this.space,
        caughtUp: () => catchUpWithRelay(connected),
        saved: () => this.#document.whenSaved(),
        trashRetentionMs: olderThanMs,
      })
      .then(async (result) => {
        await this.#parts.lastCollection.save(Date.now());
        return result;
      })
      .finally(() => {
        this.#collecting = null;
        this.#changed();
      });
    this.#changed();
    return this.#collecting;
  }

  /** Whether a collection is running (the trash being emptied). */
  get collecting(): boolean {
    return this.#collecting !== null;
  }

  /**
   * Once a day at most, in the background: what has been in the trash for
   * 30 days goes, with the chunks it alone named. Quietly tried again next
   * time when offline or when another tab holds the Drive.
   */
  async collectWhenDue(now = Date.now()): Promise<void> {
    if ((await this.#parts.lastCollection.load()) > now - COLLECTION_INTERVAL_MS) return;
    if (!this.#document.connected || globalThis.navigator?.onLine === false) return;
    await this.emptyTrash(TRASH_RETENTION_MS).catch(() => undefined);
  }

  /** A file's content as it is read, chunk by chunk, each checked. */
  read(fileId: string): AsyncGenerator<Uint8Array> {
    return this.space.read(this.#client, fileId);
  }

  /**
   * Saves a file (the newest version unless told) to the person's disk,
   * decrypted and checked chunk by chunk as it is written (see
   * `saveStream`): a large file is not held whole in memory where a
   * service worker controls the page. `onProgress` gets the bytes saved.
   */
  save(file: DriveFile, options: SaveOptions = {}): Promise<SaveMode> {
    return saveDriveFile(this.space, this.#client, file, options);
  }

  async destroy(): Promise<void> {
    globalThis.removeEventListener?.('online', this.#online);
    this.#unsubscribeOutbox();
    this.outbox.close();
    this.#engine.doc.off('update', this.#changed);
    this.#engine.doc.off('update', this.#refreshKept);
    this.#listeners.clear();
    await this.#document.destroy();
    this.#engine.destroy();
  }

  #refused(file: File, error: unknown): void {
    this.#refusals = [...this.#refusals, { name: file.name, error }];
    this.#changed();
  }

  /** The network is back: what waits in the outbox goes now rather than at its next try. */
  #online = (): void => this.outbox.retryNow();

  /** A kept file's newest version may be new (from another device): fetch what this device lacks. */
  #refreshKept = (): void => {
    for (const fileId of this.#kept.keys()) void this.#fetchKept(fileId);
  };

  async #fetchKept(fileId: string): Promise<void> {
    if (this.#fetching.has(fileId)) return;
    this.#fetching.add(fileId);
    try {
      // Until the newest version is all here: another device may add one meanwhile.
      for (;;) {
        const chunks = chunksToKeep(this.space.versions(fileId).at(-1)?.manifest);
        if (!chunks || !this.#kept.has(fileId)) return;
        if (await this.#client.isKeptOffline(chunks)) {
          this.#setKept(fileId, 'kept');
          return;
        }
        this.#setKept(fileId, 'fetching');
        await this.#client.keepOffline(chunks);
      }
    } catch {
      // Offline, or the relay is away: tried again at the next change or the next session.
      this.#setKept(fileId, 'failed');
    } finally {
      this.#fetching.delete(fileId);
    }
  }

  #setKept(fileId: string, state: OfflineState): void {
    if (!this.#kept.has(fileId) || this.#kept.get(fileId) === state) return;
    this.#kept.set(fileId, state);
    this.#changed();
  }

  #changed = (): void => {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  };
}

/** A File's bytes as they are read from disk, one piece at a time. */
async function* readStream(file: File): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
