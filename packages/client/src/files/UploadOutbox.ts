import { fromBase64Url, randomBytes, toBase64Url, toHex } from '@coffre/crypto';
import { type LocalDatabase, SealedRecords, UploadChunks, type Vault } from '@coffre/storage';
import { AccountError } from '../account/AccountError.ts';
import type { ChunkRef, SealWorkers, SealedChunk } from './ChunkSealer.ts';
import { type DriveClient, RETRIED_CODES, UPLOAD_WINDOW } from './DriveClient.ts';
import { type DriveFile, type DriveSpace, DriveSpaceError } from './DriveSpace.ts';
import { isValidFileName, isValidMediaType, sealFile } from './FileManifest.ts';

/** Where an upload is. */
export type OutgoingState =
  /** Being read and sealed onto this device (only the tab that was given the file can). */
  | 'sealing'
  /** Sealed on this device, waiting for the relay (offline, the relay away, or its turn). */
  | 'waiting'
  /** Chunks going to the relay. */
  | 'sending'
  /** Stopped by the person; kept on this device until resumed or cancelled. */
  | 'paused'
  /** Recorded in the space: the file is there (its entry reaches the relay with the space's other changes). */
  | 'done'
  /** Refused for good (no access any more, the quota, the file or folder gone): see `error`. */
  | 'failed'
  /** The page closed before the file was read whole: it must be added again. */
  | 'interrupted';

/** One upload as the screen shows it. */
export interface OutgoingFile {
  id: string;
  name: string;
  /** Plaintext bytes of the file. */
  size: number;
  /** Bytes sealed onto this device so far. */
  sealed: number;
  /** Bytes the relay holds. */
  saved: number;
  state: OutgoingState;
  /** Why it failed or is waiting (an `AccountError`, a `DriveSpaceError` ...), or null. */
  error: unknown;
  /** The file it became, once recorded. */
  fileId: string | null;
}

/** A file to upload: its bytes (read once, as they are sealed) and what the manifest says of it. */
export interface OutgoingSource {
  stream: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  name: string;
  mediaType: string;
  modifiedAt: number;
  size: number;
  /**
   * A small image of the content made on the device (plaintext), sealed and
   * sent with the file; null when it gets none. A failure here never fails
   * the upload.
   */
  thumbnail?: () => Promise<Uint8Array | null>;
}

export interface UploadOutboxOptions {
  /** The account's database on this device: upload records (sealed) and their sealed chunks. */
  database: LocalDatabase;
  /** Seals the upload records (names, folders, chunk keys). */
  vault: Vault;
  /** The space's id: records of several spaces share the tables. */
  spaceId: string;
  space: DriveSpace;
  client: DriveClient;
  /** Resolves once the space document's changes are committed by the relay (`LocalDocument.whenSaved`). */
  whenSaved: () => Promise<void>;
  /** Where files are sealed (Web Workers, other cores); on this thread without. */
  sealWorkers?: SealWorkers;
  /** The first wait after the relay could not be reached (default 2 s), doubled up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  /** The longest wait between tries (default 60 s); {@link UploadOutbox.retryNow} cuts it short. */
  maxRetryDelayMs?: number;
  now?: () => number;
}

/** An upload as kept on this device (sealed with the vault key). */
interface UploadRecord {
  name: string;
  mediaType: string;
  modifiedAt: number;
  size: number;
  parent: string | null;
  /** The file this is a new version of, or null for a new file. */
  fileId: string | null;
  secretId: string;
  createdAt: number;
  /** When the sealing tab last wrote (a record still sealing and not touched for long was interrupted). */
  touchedAt: number;
  /** The chunk list once the whole file is sealed here; null while it is read. */
  chunks: ChunkJSON[] | null;
  /** The sealed thumbnail, sent with the chunks, or null. */
  thumbnail: ChunkJSON | null;
  paused: boolean;
}

interface ChunkJSON {
  id: string;
  key: string;
  size: number;
}

/** A record still sealing whose tab has not written for this long was interrupted (the page closed). */
const STALE_SEALING_MS = 60_000;
/** Chunks sent (or asked about) at once: the client's window. */
const SEND_WINDOW = UPLOAD_WINDOW;

class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

interface Item {
  view: OutgoingFile;
  /** The chunks sealed so far by this tab (the record has none until sealing ends). */
  sealing: ChunkRef[] | null;
  /** Wakes the sender when sealing adds chunks or ends. */
  progressed: () => void;
  cancelled: boolean;
}

/**
 * The Drive's outbox: a file given to {@link add} is sealed onto this
 * device first (its chunks in IndexedDB, its name, folder and chunk keys in
 * a record sealed with the vault key), then sent to the relay whenever it
 * can be: at once when online (sending starts while the file is still
 * being sealed), later when offline or when the relay is away, after a
 * reload or a browser restart too, since everything it needs is on the
 * device. Only once the relay holds every chunk is the version recorded in
 * the space (`DriveSpace.addVersion`), so no one is shown a file that
 * cannot be read; the record and its chunks go once that entry is
 * committed and the chunks are claimed again (`DriveClient.held`), so an
 * upload is never lost between the device and the relay.
 *
 * What it cannot do: finish a file whose reading a reload interrupted (the
 * bytes came from a `File` the page no longer has); it says so
 * (`interrupted`) and the person adds the file again.
 *
 * Sending runs in one tab at a time per space (a Web Lock where there is
 * one), so two tabs never record one upload twice.
 */
export class UploadOutbox {
  readonly #records: SealedRecords<UploadRecord>;
  readonly #chunks: UploadChunks;
  readonly #space: DriveSpace;
  readonly #spaceId: string;
  readonly #client: DriveClient;
  readonly #whenSaved: () => Promise<void>;
  readonly #sealWorkers: SealWorkers | undefined;
  readonly #firstDelay: number;
  readonly #maxDelay: number;
  readonly #now: () => number;
  readonly #items = new Map<string, Item>();
  readonly #listeners = new Set<() => void>();
  #version = 0;
  #pumping: Promise<void> | null = null;
  #again = false;
  #delay = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wake: (() => void) | null = null;
  #closed = false;

  constructor(options: UploadOutboxOptions) {
    this.#records = new SealedRecords({
      table: options.database.uploads,
      vault: options.vault,
      prefix: `${options.spaceId}/`,
      parse: parseRecord,
    });
    this.#chunks = new UploadChunks(options.database);
    this.#space = options.space;
    this.#spaceId = options.spaceId;
    this.#client = options.client;
    this.#whenSaved = options.whenSaved;
    this.#sealWorkers = options.sealWorkers;
    this.#firstDelay = options.retryDelayMs ?? 2000;
    this.#maxDelay = options.maxRetryDelayMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** The uploads of this space known to this tab, oldest first. */
  get uploads(): readonly OutgoingFile[] {
    return [...this.#items.values()].map((item) => item.view);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getVersion = (): number => this.#version;

  /** Reads what earlier sessions left to send, and sends it. */
  async start(): Promise<void> {
    await this.#refresh();
    this.#kick();
  }

  /**
   * Seals a file onto this device and queues it; resolves with its upload
   * id once it is sealed (from then on it survives a reload). Refuses at
   * once what the manifest would refuse (a bad name, an unknown file).
   */
  async add(source: OutgoingSource, where: { parent?: string | null; fileId?: string } = {}): Promise<string> {
    const mediaType = isValidMediaType(source.mediaType) ? source.mediaType : 'application/octet-stream';
    if (where.fileId !== undefined && this.#space.get(where.fileId)?.kind !== 'file') {
      throw new DriveSpaceError(`no file ${where.fileId} in this space`);
    }
    if (!isValidFileName(source.name)) {
      throw new DriveSpaceError('a name has 1 to 255 characters, with no slash, backslash or control character');
    }
    // Known at once when the relay can be asked; a file added offline is checked before it is sent.
    await this.#client.checkFileSize(source.size, { quick: true });
    const id = toHex(randomBytes(16));
    const secretId = this.#space.currentSecretId();
    const now = this.#now();
    const record: UploadRecord = {
      name: source.name,
      mediaType,
      modifiedAt: source.modifiedAt,
      size: source.size,
      parent: where.parent ?? null,
      fileId: where.fileId ?? null,
      secretId,
      createdAt: now,
      touchedAt: now,
      chunks: null,
      thumbnail: null,
      paused: false,
    };
    await this.#records.put(id, record);
    const item = this.#track(id, record, 'sealing');
    item.sealing = [];
    this.#kick();
    try {
      let sinceTouch = 0;
      // Re-read before each write: the person may pause meanwhile.
      const touch = async (change: Partial<UploadRecord>) => {
        await this.#records.put(id, {
          ...((await this.#records.get(id)) ?? record),
          touchedAt: this.#now(),
          ...change,
        });
      };
      const sealer = this.#space.sealer(secretId);
      const { chunks, size } = await sealFile(
        source.stream(),
        sealer,
        async (chunk) => {
          if (item.cancelled || this.#closed) throw new Cancelled();
          await this.#chunks.put(this.#chunkKey(id), chunk.id, chunk.ciphertext);
          item.sealing?.push({ id: chunk.id, key: chunk.key, size: chunk.size });
          this.#set(item, { sealed: item.view.sealed + chunk.size });
          item.progressed();
          if (++sinceTouch >= SEND_WINDOW) {
            sinceTouch = 0;
            await touch({});
          }
        },
        this.#sealWorkers,
      );
      const thumbnail = await source.thumbnail?.().catch(() => null);
      let sealedThumbnail: ChunkJSON | null = null;
      if (thumbnail) {
        const sealed = sealer.seal(thumbnail);
        await this.#chunks.put(this.#chunkKey(id), sealed.id, sealed.ciphertext);
        sealedThumbnail = chunkToJSON(sealed);
      }
      if (item.cancelled) throw new Cancelled();
      await touch({ size, chunks: chunks.map(chunkToJSON), thumbnail: sealedThumbnail });
      item.sealing = null;
      this.#set(item, { size, state: item.view.state === 'sealing' ? 'waiting' : item.view.state });
      item.progressed();
      this.#kick();
      return id;
    } catch (error) {
      item.sealing = null;
      item.progressed();
      await this.#forget(id);
      if (error instanceof Cancelled) return id;
      throw error;
    }
  }

  /** Stops sending an upload (the chunk in flight finishes); it stays on this device. */
  async pause(id: string): Promise<void> {
    await this.#setPaused(id, true);
  }

  async resume(id: string): Promise<void> {
    await this.#setPaused(id, false);
    this.retryNow();
  }

  /** Drops an upload that is not recorded yet (its sealed chunks too); a finished one stays in the space. */
  async cancel(id: string): Promise<void> {
    const item = this.#items.get(id);
    if (!item || item.view.state === 'done') return;
    item.cancelled = true;
    item.progressed();
    if (item.sealing === null) await this.#forget(id);
  }

  /** Drops every upload not recorded yet, from this tab or another (the space is being deleted). */
  async cancelAll(): Promise<void> {
    await this.#refresh();
    for (const id of [...this.#items.keys()]) await this.cancel(id);
  }

  /** Forgets finished, failed and interrupted uploads in the list (the latter two with their bytes). */
  async clearFinished(): Promise<void> {
    for (const [id, item] of this.#items) {
      if (item.view.state === 'done') this.#items.delete(id);
      else if (item.view.state === 'failed' || item.view.state === 'interrupted') await this.#forget(id);
    }
    this.#changed();
  }

  /** Tries what waits now (the network came back, or the person asked). */
  retryNow(): void {
    this.#delay = 0;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#wake?.();
    this.#kick();
  }

  /** Stops sending (the page goes away); what is left is sent next time. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    for (const item of this.#items.values()) item.progressed();
    this.#wake?.();
    this.#listeners.clear();
  }

  /** Resolves once nothing is left to send that can be sent now (tests, and a page about to close). */
  async idle(): Promise<void> {
    while (this.#pumping) await this.#pumping;
  }

  #kick(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = this.#underLock(() => this.#pump()).finally(() => {
      this.#pumping = null;
      if (this.#again) {
        this.#again = false;
        this.#kick();
      }
    });
  }

  /** One tab of the account sends a space's uploads at a time (the others wait their turn). */
  async #underLock(run: () => Promise<void>): Promise<void> {
    const locks = globalThis.navigator?.locks;
    if (!locks) return run();
    await locks.request(`coffre-drive-outbox/${this.#spaceId}`, run);
  }

  /** Sends every upload that can go, oldest first; waits and tries again when the relay cannot be reached. */
  async #pump(): Promise<void> {
    for (;;) {
      if (this.#closed) return;
      await this.#refresh();
      // Waiting uploads, and those this tab is sealing (sent as they are sealed); not another tab's.
      const next = [...this.#items.entries()].find(
        ([, item]) =>
          !item.cancelled &&
          (item.view.state === 'waiting' || (item.view.state === 'sealing' && item.sealing !== null)),
      );
      if (!next) return;
      const [id, item] = next;
      try {
        await this.#send(id, item);
        this.#delay = 0;
      } catch (error) {
        if (item.cancelled || error instanceof Cancelled) continue;
        if (isPassing(error)) {
          // The relay cannot be reached: everything waits, and is tried again later or when told.
          this.#set(item, { state: 'waiting', error });
          await this.#waitBeforeRetry();
          continue;
        }
        this.#set(item, { state: 'failed', error });
      }
    }
  }

  async #send(id: string, item: Item): Promise<void> {
    const record = await this.#records.get(id);
    if (!record) return;
    this.#set(item, { state: item.sealing ? 'sealing' : 'sending', error: null });
    // A version already recorded (the page closed before the record went): finish it, record nothing twice.
    let file = this.#space.findUpload(id);
    if (!file) {
      await this.#client.checkFileSize(record.size);
      const chunks = await this.#sendChunks(id, item);
      const sealed = await this.#records.get(id);
      if (!sealed?.chunks || item.cancelled) return;
      if (sealed.thumbnail) await this.#client.upload(await this.#loadChunks(id, [chunkFromJSON(sealed.thumbnail)]));
      file = this.#record(id, sealed, chunks);
    }
    this.#set(item, { state: 'done', saved: record.size, fileId: file.id, error: null });
    void this.#finish(id);
  }

  /**
   * Drops a recorded upload from this device once the relay committed the
   * version and still holds every chunk it names (claimed again, or sent
   * again from here: see the Drive's garbage collection in docs/drive.md).
   * Apart from the queue: committing waits for the space document's own
   * connection, which must not hold up the next file.
   */
  async #finish(id: string): Promise<void> {
    for (let delay = this.#firstDelay; !this.#closed; delay = Math.min(this.#maxDelay, delay * 2)) {
      try {
        await this.#whenSaved();
        const record = await this.#records.get(id);
        if (record?.chunks) {
          await this.#ensureHeld(
            id,
            [...record.chunks, ...(record.thumbnail ? [record.thumbnail] : [])].map(chunkFromJSON),
          );
        }
        await this.#records.delete(id);
        await this.#chunks.deleteUpload(this.#chunkKey(id));
        return;
      } catch (error) {
        if (!isPassing(error)) return; // kept on the device; tried again next session
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Sends the chunks the relay lacks, a window at a time, as sealing makes them; returns the full list. */
  async #sendChunks(id: string, item: Item): Promise<ChunkRef[]> {
    let sent = 0;
    let saved = 0;
    for (;;) {
      if (item.cancelled || this.#closed) throw new Cancelled();
      const record = await this.#records.get(id);
      if (record?.paused) {
        this.#set(item, { state: 'paused' });
        throw new Cancelled();
      }
      const sealing = item.sealing !== null;
      const all = item.sealing ?? record?.chunks?.map(chunkFromJSON) ?? [];
      if (!sealing && sent >= all.length) return all;
      if (sealing && all.length - sent < SEND_WINDOW) {
        // A full window at a time while sealing goes on (fewer questions to the relay).
        await new Promise<void>((resolve) => (item.progressed = resolve));
        continue;
      }
      const batch = all.slice(sent, sent + SEND_WINDOW);
      await this.#client.upload(await this.#loadChunks(id, batch));
      sent += batch.length;
      saved += batch.reduce((sum, chunk) => sum + chunk.size, 0);
      this.#set(item, { saved, state: item.sealing ? 'sealing' : 'sending' });
    }
  }

  /** After the version is committed: every chunk still held (claimed again), or sent again from here. */
  async #ensureHeld(id: string, chunks: ChunkRef[]): Promise<void> {
    const held = await this.#client.held([...new Set(chunks.map((chunk) => chunk.id))]);
    const missing = chunks.filter((chunk) => !held.has(chunk.id));
    for (let at = 0; at < missing.length; at += SEND_WINDOW) {
      await this.#client.upload(await this.#loadChunks(id, missing.slice(at, at + SEND_WINDOW)));
    }
  }

  async #loadChunks(id: string, refs: readonly ChunkRef[]): Promise<SealedChunk[]> {
    return Promise.all(
      refs.map(async (ref) => {
        const ciphertext = await this.#chunks.get(this.#chunkKey(id), ref.id);
        if (!ciphertext) throw new DriveSpaceError('a sealed chunk of this upload is missing from this device');
        return { ...ref, ciphertext };
      }),
    );
  }

  /** Records the version: in its folder, or at the top level when the folder went meanwhile. */
  #record(id: string, record: UploadRecord, chunks: ChunkRef[]): DriveFile {
    return this.#space.addVersion({
      uploadId: id,
      name: record.name,
      mediaType: record.mediaType,
      modifiedAt: record.modifiedAt,
      size: record.size,
      chunks,
      secretId: record.secretId,
      ...(record.thumbnail ? { thumbnail: chunkFromJSON(record.thumbnail) } : {}),
      ...(record.fileId === null ? {} : { fileId: record.fileId }),
      parent: this.#space.hasFolder(record.parent) ? record.parent : null,
    });
  }

  /** Brings the list in line with the records on this device (another session's or tab's uploads). */
  async #refresh(): Promise<void> {
    const records = await this.#records.list();
    const now = this.#now();
    for (const [id, record] of records) {
      const item = this.#items.get(id);
      if (item) {
        if (record.paused && item.view.state === 'waiting') this.#set(item, { state: 'paused' });
        continue;
      }
      const state: OutgoingState = record.chunks
        ? record.paused
          ? 'paused'
          : 'waiting'
        : now - record.touchedAt > STALE_SEALING_MS
          ? 'interrupted'
          : 'sealing';
      this.#track(id, record, state);
    }
    // Sealed chunks no record names (an upload cancelled or finished as the page closed).
    const named = new Set((await this.#records.ids()).map((id) => this.#chunkKey(id)));
    for (const upload of await this.#chunks.uploads()) {
      if (upload.startsWith(this.#chunkKey('')) && !named.has(upload)) await this.#chunks.deleteUpload(upload);
    }
  }

  /** Chunks are kept by space and upload, so each space's outbox clears only its own. */
  #chunkKey(id: string): string {
    return `${this.#spaceId}/${id}`;
  }

  #track(id: string, record: UploadRecord, state: OutgoingState): Item {
    const item: Item = {
      view: {
        id,
        name: record.name,
        size: record.size,
        sealed: record.chunks ? record.size : 0,
        saved: 0,
        state,
        error: null,
        fileId: record.fileId,
      },
      sealing: null,
      progressed: () => undefined,
      cancelled: false,
    };
    this.#items.set(id, item);
    this.#changed();
    return item;
  }

  async #setPaused(id: string, paused: boolean): Promise<void> {
    const record = await this.#records.get(id);
    const item = this.#items.get(id);
    if (!record || !item) return;
    await this.#records.put(id, { ...record, paused });
    if (item.view.state === 'done') return;
    if (paused) this.#set(item, { state: 'paused' });
    else if (item.view.state === 'paused') this.#set(item, { state: item.sealing ? 'sealing' : 'waiting' });
  }

  async #forget(id: string): Promise<void> {
    this.#items.delete(id);
    await this.#records.delete(id);
    await this.#chunks.deleteUpload(this.#chunkKey(id));
    this.#changed();
  }

  async #waitBeforeRetry(): Promise<void> {
    this.#delay = this.#delay === 0 ? this.#firstDelay : Math.min(this.#maxDelay, this.#delay * 2);
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, this.#delay);
    });
    this.#wake = null;
    this.#timer = null;
  }

  #set(item: Item, change: Partial<OutgoingFile>): void {
    item.view = { ...item.view, ...change };
    this.#changed();
  }

  #changed(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }
}

/** A failure the next try may not have: the network, the relay down or busy (see `RETRIED_CODES`). */
function isPassing(error: unknown): boolean {
  return error instanceof AccountError && RETRIED_CODES.has(error.code);
}

function chunkToJSON(chunk: ChunkRef): ChunkJSON {
  return { id: chunk.id, key: toBase64Url(chunk.key), size: chunk.size };
}

function chunkFromJSON(chunk: ChunkJSON): ChunkRef {
  return { id: chunk.id, key: fromBase64Url(chunk.key), size: chunk.size };
}

function parseRecord(value: unknown): UploadRecord | null {
  if (value === null || typeof value !== 'object') return null;
  const record = value as Partial<UploadRecord>;
  const ok =
    typeof record.name === 'string' &&
    typeof record.mediaType === 'string' &&
    typeof record.modifiedAt === 'number' &&
    typeof record.size === 'number' &&
    (record.parent === null || typeof record.parent === 'string') &&
    (record.fileId === null || typeof record.fileId === 'string') &&
    typeof record.secretId === 'string' &&
    typeof record.createdAt === 'number' &&
    typeof record.touchedAt === 'number' &&
    typeof record.paused === 'boolean' &&
    (record.chunks === null || (Array.isArray(record.chunks) && record.chunks.every(isChunkJSON))) &&
    (record.thumbnail === null || isChunkJSON(record.thumbnail));
  return ok ? (record as UploadRecord) : null;
}

function isChunkJSON(chunk: unknown): chunk is ChunkJSON {
  const value = chunk as Partial<ChunkJSON> | null;
  return typeof value?.id === 'string' && typeof value.key === 'string' && typeof value.size === 'number';
}
