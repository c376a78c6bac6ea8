import {
  type DriveClient,
  type DriveFile,
  DriveSpace,
  type LocalDocument,
  type YjsEngine,
  isValidMediaType,
} from '@coffre/client';
import { FilePreviews } from './FilePreviews.ts';
import { chunksToKeep, thumbnailFor } from './thumbnails.ts';

/** Where this device keeps the ids of the files it keeps offline (sealed: see AccountWorkspace). */
export interface KeptFiles {
  load(): Promise<string[]>;
  save(ids: string[]): Promise<void>;
}

/** A file kept offline, as this device has it: every chunk of its newest version here, or being fetched. */
export type OfflineState = 'fetching' | 'kept' | 'failed';

/** One file being sent: how far it got, or why it stopped. */
export interface Upload {
  id: number;
  name: string;
  size: number;
  /** Bytes the relay holds. */
  saved: number;
  state: 'sending' | 'done' | 'failed';
  error: unknown;
}

/**
 * The user's Drive, open for the whole session: the space document (its
 * folder tree and file versions, see `DriveSpace`) from this device first,
 * synced through the relay, and its chunks through the relay's Drive
 * routes. Uploads run here, not in a component, so leaving the screen does
 * not stop them.
 */
export class DriveView {
  readonly id: string;
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
  #version = 0;
  #uploads: Upload[] = [];
  #nextUpload = 1;
  /** The folder the screen shows, kept while the user goes elsewhere and comes back. */
  current: string | null = null;

  constructor(
    id: string,
    document: LocalDocument<YjsEngine>,
    engine: YjsEngine,
    client: DriveClient,
    keptFiles: KeptFiles,
  ) {
    this.id = id;
    this.#document = document;
    this.#engine = engine;
    this.#client = client;
    this.#keptFiles = keptFiles;
    this.space = new DriveSpace(engine.doc);
    this.previews = new FilePreviews(this.space, client);
    engine.doc.on('update', this.#changed);
    engine.doc.on('update', this.#refreshKept);
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

  get uploads(): readonly Upload[] {
    return this.#uploads;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getVersion = (): number => this.#version;

  /** Sends files into a folder one after another; each shows its progress in {@link uploads}. */
  async upload(files: readonly File[], parent: string | null): Promise<void> {
    const queued = files.map((file) => ({ file, upload: this.#track(file) }));
    for (const { file, upload } of queued) {
      try {
        // Made and sent first (one small chunk); a file that gets none is uploaded all the same.
        const thumbnail = await thumbnailFor(file, this.space.sealer(), this.#client);
        await this.space.upload(
          this.#client,
          readStream(file),
          {
            name: file.name,
            mediaType: isValidMediaType(file.type) ? file.type : 'application/octet-stream',
            modifiedAt: file.lastModified,
            parent,
            thumbnail,
          },
          (progress) => this.#update(upload, { saved: progress.saved }),
        );
        this.#update(upload, { state: 'done', saved: file.size });
      } catch (error) {
        this.#update(upload, { state: 'failed', error });
      }
    }
  }

  /** Forgets the uploads that finished or failed (the list under the toolbar). */
  clearUploads(): void {
    this.#uploads = this.#uploads.filter((upload) => upload.state === 'sending');
    this.#changed();
  }

  /** A file's content, every chunk checked, as a Blob of its type. */
  async download(file: DriveFile): Promise<Blob> {
    const parts: BlobPart[] = [];
    for await (const part of this.space.read(this.#client, file.id)) parts.push(part as Uint8Array<ArrayBuffer>);
    return new Blob(parts, { type: file.latest.mediaType });
  }

  async destroy(): Promise<void> {
    this.#engine.doc.off('update', this.#changed);
    this.#engine.doc.off('update', this.#refreshKept);
    this.#listeners.clear();
    await this.#document.destroy();
    this.#engine.destroy();
  }

  #track(file: File): Upload {
    const upload: Upload = {
      id: this.#nextUpload++,
      name: file.name,
      size: file.size,
      saved: 0,
      state: 'sending',
      error: null,
    };
    this.#uploads = [...this.#uploads, upload];
    this.#changed();
    return upload;
  }

  #update(upload: Upload, change: Partial<Upload>): void {
    this.#uploads = this.#uploads.map((found) => (found.id === upload.id ? { ...found, ...change } : found));
    this.#changed();
  }

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
