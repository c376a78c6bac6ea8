import type * as Y from 'yjs';
import { randomBytes, toBase64Url } from '@coffre/crypto';
import type { UploadChunks } from '@coffre/storage';
import { AccountError } from '../account/AccountError.ts';
import {
  AttachmentError,
  type AttachmentReference,
  checkNewAttachment,
  formatAttachmentReference,
  parseAttachmentReference,
} from './AttachmentReference.ts';
import { ChunkRefusedError, type SealedChunk } from './ChunkSealer.ts';
import { type DriveClient, RETRIED_CODES } from './DriveClient.ts';
import { type FileManifest, isValidFileName, readFileRange, sealFile } from './FileManifest.ts';
import { SpaceSecrets } from './SpaceSecrets.ts';

/** An image given to {@link DocumentAttachments.add}. */
export interface NewAttachment {
  bytes: Uint8Array;
  name: string;
  mediaType: string;
  modifiedAt?: number;
}

export interface DocumentAttachmentsOptions {
  /** The document's decrypted content: its chunk secrets live there (see `SpaceSecrets`). */
  doc: Y.Doc;
  /** The document's id, which is its space on the relay. */
  documentId: string;
  /** The document's chunks on the relay (`Workspace.driveClient(documentId)`). */
  client: Pick<DriveClient, 'fetchChunk' | 'upload'>;
  /**
   * Where sealed chunks wait for the relay on this device (IndexedDB), so an
   * image added offline is sent after a reload too; without it they wait in
   * memory only.
   */
  pending?: Pick<UploadChunks, 'put' | 'list' | 'uploads' | 'deleteUpload'> | null;
  /** Bytes of opened images kept in memory, so re-rendering fetches nothing (default 48 MiB). */
  cacheBytes?: number;
  /** The first wait after the relay could not be reached (default 2 s), doubled up to 60 s. */
  retryDelayMs?: number;
  /** Told when an image cannot be sent for good (a viewer, the quota): `name` is the image's. */
  onUploadError?: (name: string, error: unknown) => void;
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Images attached to one document: sealed on this device into chunks of the
 * document's own space (the relay's chunk routes take a document as the
 * space, with the document's members), the secret kept in the document's
 * encrypted content, and each image's manifest in its image node. Adding
 * seals at once and returns the node's reference, so the image shows from
 * the local bytes; its chunks wait on the device (`pending`) until the relay
 * holds them, then leave. Opening fetches the chunks (checked by
 * `ChunkSealer.open`) once per document while they stay in the cache.
 */
export class DocumentAttachments {
  readonly #secrets: SpaceSecrets;
  readonly #options: DocumentAttachmentsOptions;
  readonly #uploadPrefix: string;
  /** Opened images by chunk list, least recently used first. */
  readonly #cache = new Map<string, Blob>();
  #cachedBytes = 0;
  /** Sealed chunks waiting in memory (also when `pending` holds them: the page reads them from here first). */
  readonly #waiting = new Map<string, { name: string; chunks: Map<string, Uint8Array> }>();
  /** Uploads refused for good in this session: said once, not tried again until the document is opened again. */
  readonly #refused = new Set<string>();
  #sending: Promise<void> | null = null;
  #again = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #retryDelay: number;
  #stopped = false;

  constructor(options: DocumentAttachmentsOptions) {
    this.#options = options;
    this.#secrets = new SpaceSecrets(options.doc);
    this.#uploadPrefix = uploadPrefix(options.documentId);
    this.#retryDelay = options.retryDelayMs ?? 2000;
  }

  /**
   * Seals an image into the document's space and returns the reference its
   * image node carries; sending starts at once and goes on until the relay
   * holds every chunk. Throws {@link AttachmentError} for an image too large
   * or of a type documents do not show.
   */
  async add(image: NewAttachment): Promise<string> {
    checkNewAttachment(image.bytes.length, image.mediaType);
    const secretId = this.#secrets.currentId();
    const uploadId = `${this.#uploadPrefix}${toBase64Url(randomBytes(12))}`;
    const waiting = { name: image.name, chunks: new Map<string, Uint8Array>() };
    const { chunks, size } = await sealFile(
      [image.bytes],
      this.#secrets.sealer(secretId),
      async (chunk: SealedChunk) => {
        waiting.chunks.set(chunk.id, chunk.ciphertext);
        await this.#options.pending?.put(uploadId, chunk.id, chunk.ciphertext);
      },
    );
    const manifest: FileManifest = {
      fileId: uploadId.slice(this.#uploadPrefix.length),
      version: 1,
      name: isValidFileName(image.name) ? image.name : 'image',
      mediaType: image.mediaType,
      size,
      modifiedAt: image.modifiedAt ?? Date.now(),
      chunks,
    };
    const reference = formatAttachmentReference({ secretId, manifest });
    this.#waiting.set(uploadId, waiting);
    this.#remember(cacheKey(manifest), new Blob([image.bytes as Uint8Array<ArrayBuffer>], { type: image.mediaType }));
    if (!this.#stopped) this.sendPending();
    return reference;
  }

  /**
   * The image a node's reference names, decrypted on this device. Rejects
   * with an {@link AttachmentError} whose message says why in words: a
   * damaged or tampered description or chunk, an unknown key, the relay out
   * of reach.
   */
  async open(value: unknown): Promise<Blob> {
    const reference = parseAttachmentReference(value);
    const key = cacheKey(reference.manifest);
    const cached = this.#cache.get(key);
    if (cached) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const bytes = await this.#read(reference);
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: reference.manifest.mediaType });
    this.#remember(key, blob);
    return blob;
  }

  /**
   * Sends what waits on this device (after a reload, or when the network
   * returns), and starts again after {@link stop}; runs one pass at a time.
   */
  sendPending(): void {
    this.#stopped = false;
    if (this.#sending) {
      this.#again = true;
      return;
    }
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#sending = this.#sendAll()
      .catch(() => undefined)
      .finally(() => {
        this.#sending = null;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.sendPending();
        }
      });
  }

  /** Resolves once nothing waits on this device, or the last pass stopped on a failure. */
  async whenSent(): Promise<void> {
    while (this.#sending) await this.#sending;
  }

  /** Whether images added here still wait for the relay. */
  get waiting(): boolean {
    return this.#waiting.size > 0;
  }

  /** Stops sending and retrying (the document closed) until {@link sendPending}; what waits on the device stays there. */
  stop(): void {
    this.#stopped = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  async #read({ secretId, manifest }: AttachmentReference): Promise<Uint8Array> {
    if (!this.#secrets.has(secretId)) {
      throw new AttachmentError('unknown-secret', 'the document does not hold its key (yet).');
    }
    const fetchChunk = async (id: string): Promise<Uint8Array> => {
      for (const waiting of this.#waiting.values()) {
        const found = waiting.chunks.get(id);
        if (found) return found;
      }
      return this.#options.client.fetchChunk(id);
    };
    try {
      return await readFileRange(manifest, this.#secrets.sealer(secretId), fetchChunk);
    } catch (error) {
      if (error instanceof ChunkRefusedError) {
        throw new AttachmentError('refused', 'what the relay sent back is not this image (altered or swapped).');
      }
      if (error instanceof AccountError && error.code === 'NOT_FOUND') {
        throw new AttachmentError('unreachable', 'it is not on the relay yet (it may still be on its way).');
      }
      if (error instanceof AccountError && RETRIED_CODES.has(error.code)) {
        throw new AttachmentError('unreachable', 'the relay cannot be reached. It shows once you are back online.');
      }
      if (error instanceof AccountError && error.code === 'FORBIDDEN') {
        throw new AttachmentError('refused', 'you no longer have access to this document’s files.');
      }
      if (error instanceof AccountError) throw new AttachmentError('refused', `the relay refused it (${error.code}).`);
      throw error;
    }
  }

  async #sendAll(): Promise<void> {
    const pending = this.#options.pending;
    if (pending) {
      for (const upload of await pending.uploads()) {
        if (!upload.startsWith(this.#uploadPrefix) || this.#waiting.has(upload) || this.#refused.has(upload)) continue;
        const chunks = new Map((await pending.list(upload)).map((chunk) => [chunk.address, chunk.ciphertext]));
        this.#waiting.set(upload, { name: 'image', chunks });
      }
    }
    for (const [upload, waiting] of [...this.#waiting]) {
      if (this.#stopped) return;
      try {
        await this.#options.client.upload([...waiting.chunks].map(([id, ciphertext]) => ({ id, ciphertext })));
      } catch (error) {
        if (error instanceof AccountError && RETRIED_CODES.has(error.code)) {
          this.#retryLater();
          return;
        }
        // Refused for good (a viewer, the quota): said once; the chunks stay on the device for the next open.
        this.#waiting.delete(upload);
        this.#refused.add(upload);
        this.#options.onUploadError?.(waiting.name, error);
        continue;
      }
      this.#waiting.delete(upload);
      await pending?.deleteUpload(upload);
    }
    this.#retryDelay = this.#options.retryDelayMs ?? 2000;
  }

  #retryLater(): void {
    if (this.#stopped) return;
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(MAX_RETRY_DELAY_MS, delay * 2);
    this.#retryTimer = setTimeout(() => this.sendPending(), delay);
  }

  #remember(key: string, blob: Blob): void {
    const budget = this.#options.cacheBytes ?? 48 * 1024 * 1024;
    const previous = this.#cache.get(key);
    if (previous) this.#cachedBytes -= previous.size;
    this.#cache.delete(key);
    this.#cache.set(key, blob);
    this.#cachedBytes += blob.size;
    for (const [oldest, old] of this.#cache) {
      if (this.#cachedBytes <= budget || oldest === key) break;
      this.#cache.delete(oldest);
      this.#cachedBytes -= old.size;
    }
  }
}

/** Drops the sealed chunks of a document's images still waiting on this device (the document was deleted or left). */
export async function forgetPendingAttachments(
  pending: Pick<UploadChunks, 'uploads' | 'deleteUpload'>,
  documentId: string,
): Promise<void> {
  for (const upload of await pending.uploads()) {
    if (upload.startsWith(uploadPrefix(documentId))) await pending.deleteUpload(upload);
  }
}

/** Where a document's waiting images are kept in the device's upload chunks (apart from the Drive outbox's). */
function uploadPrefix(documentId: string): string {
  return `attachment:${documentId}/`;
}

/** Images with the same chunks and keys are the same bytes: one cache entry. */
function cacheKey(manifest: FileManifest): string {
  return manifest.chunks.map((chunk) => `${chunk.id}:${toBase64Url(chunk.key)}`).join(',');
}
