import { type DriveClient, type DriveFile, type DriveSpace, DriveSpaceError, type DriveVersion } from '@coffre/client';
import { ChunkRangeReader } from './ChunkRangeReader.ts';
import { extensionOf } from './previewKinds.ts';
import { thumbnailType } from './thumbnails.ts';

/** How much of a text file the preview reads and shows. */
export const TEXT_PREVIEW_BYTES = 1024 * 1024;
/** Thumbnails fetched at once while the list scrolls. */
const THUMBNAIL_FETCHES = 4;
/** A thumbnail listed bigger than this is not fetched (made elsewhere, or a writer's mistake): the icon shows. */
const MAX_THUMBNAIL_BYTES = 512 * 1024;

/** The start of a text file, decoded. */
export interface TextPreview {
  text: string;
  /** Whether the file goes on past what was read. */
  truncated: boolean;
  /** Whether the bytes do not look like text at all (NUL bytes in a file with no UTF-16 mark). */
  binary: boolean;
}

interface SharedThumbnail {
  users: number;
  url: Promise<string | null>;
}

/**
 * What the preview dialog and the list's thumbnails read of the Drive's
 * files, decrypted on this device: chunks come from the device's copy when
 * the file is kept offline, else from the relay, and every one is checked
 * (`ChunkSealer.open`), so a tampered chunk fails with a `ChunkRefusedError`
 * and shows nothing of it.
 */
export class FilePreviews {
  readonly #space: DriveSpace;
  readonly #client: DriveClient;
  /** Thumbnails' blob: URLs by chunk address, shared by the rows that show them; revoked when the last one goes. */
  readonly #thumbnails = new Map<string, SharedThumbnail>();
  #fetching = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(space: DriveSpace, client: DriveClient) {
    this.#space = space;
    this.#client = client;
  }

  /** The whole file as a Blob of `type` (images, audio and video are read whole: see docs/drive.md). */
  async readBlob(file: DriveFile, type = file.latest.mediaType, onProgress?: (bytes: number) => void): Promise<Blob> {
    const parts: BlobPart[] = [];
    let read = 0;
    for await (const part of this.#space.read(this.#client, file.id, file.latest.version)) {
      parts.push(part as Uint8Array<ArrayBuffer>);
      read += part.length;
      onProgress?.(read);
    }
    return new Blob(parts, { type });
  }

  /** The first {@link TEXT_PREVIEW_BYTES} of a file as text (UTF-8, or UTF-16 with its byte-order mark). */
  async readText(file: DriveFile, limit = TEXT_PREVIEW_BYTES): Promise<TextPreview> {
    const end = Math.min(file.latest.size, limit);
    const bytes = await this.#space.readRange(this.#client, file.id, 0, end, file.latest.version);
    return decodeText(bytes, end < file.latest.size);
  }

  /** A reader of byte ranges of the file's version, for pdf.js (see {@link ChunkRangeReader}). */
  rangeReader(file: DriveFile): ChunkRangeReader {
    const version = this.#version(file);
    return new ChunkRangeReader(version.manifest, this.#space.sealer(version.secretId), this.#client.fetchChunk);
  }

  /**
   * Asks for a file's thumbnail: `show` gets its blob: URL once fetched and
   * opened (never, when there is none or it cannot be read now: offline and
   * not kept, or refused). Returns the release, which revokes the URL once no
   * row shows it any more.
   */
  thumbnail(file: DriveFile, show: (url: string) => void): () => void {
    const ref = file.latest.thumbnail;
    if (!ref || ref.size > MAX_THUMBNAIL_BYTES) return () => undefined;
    let shared = this.#thumbnails.get(ref.id);
    if (!shared) {
      shared = { users: 0, url: this.#loadThumbnail(file) };
      this.#thumbnails.set(ref.id, shared);
    }
    const entry = shared;
    entry.users += 1;
    let released = false;
    void entry.url.then((url) => {
      if (url && !released) show(url);
    });
    return () => {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      this.#thumbnails.delete(ref.id);
      void entry.url.then((url) => {
        if (url) URL.revokeObjectURL(url);
      });
    };
  }

  /** The newest version's thumbnail, fetched and opened; null when it has none. */
  async thumbnailBytes(file: DriveFile): Promise<Uint8Array | null> {
    const version = this.#version(file);
    const ref = version.manifest.thumbnail;
    if (!ref) return null;
    return this.#space.sealer(version.secretId).open(ref, await this.#client.fetchChunk(ref.id));
  }

  async #loadThumbnail(file: DriveFile): Promise<string | null> {
    await this.#turn();
    try {
      const bytes = await this.thumbnailBytes(file);
      if (!bytes) return null;
      const type = thumbnailType(bytes);
      // Only the raster types thumbnails are made in: never markup, whatever a writer recorded.
      return type ? URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type })) : null;
    } catch {
      return null; // offline and not kept, or refused: the row keeps its icon
    } finally {
      this.#fetching -= 1;
      this.#waiting.shift()?.();
    }
  }

  /** Waits until fewer than {@link THUMBNAIL_FETCHES} thumbnails are being fetched. */
  async #turn(): Promise<void> {
    if (this.#fetching >= THUMBNAIL_FETCHES) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#fetching += 1;
  }

  /** The version `file` shows (its newest when it was listed), with the secret it was sealed under. */
  #version(file: DriveFile): DriveVersion {
    const version = this.#space.versions(file.id).findLast((found) => found.manifest.version === file.latest.version);
    if (!version) throw new DriveSpaceError(`no readable version ${file.latest.version} of file ${file.id}`);
    return version;
  }
}

/** Decodes the start of a text file; the last character may be cut in two when the file goes on, and is dropped. */
export function decodeText(bytes: Uint8Array, truncated: boolean): TextPreview {
  let encoding = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  const binary = encoding === 'utf-8' && bytes.subarray(0, 8192).includes(0);
  // `stream: true` holds back an incomplete last character instead of showing U+FFFD for it.
  const text = new TextDecoder(encoding).decode(bytes, { stream: truncated });
  return { text, truncated, binary };
}

/** The type an image's blob is given: an `<img>` shows SVG only when the blob says `image/svg+xml`. */
export function imageBlobType(name: string, mediaType: string): string {
  if (mediaType.startsWith('image/')) return mediaType;
  const extension = extensionOf(name);
  if (extension === 'svg') return 'image/svg+xml';
  if (extension === 'jpg') return 'image/jpeg';
  return extension ? `image/${extension}` : 'application/octet-stream';
}
