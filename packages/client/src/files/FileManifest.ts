import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import { CHUNK_KEY_BYTES, type ChunkRef, type ChunkSealer, type SealWorkers, type SealedChunk } from './ChunkSealer.ts';
import { DRIVE_CHUNK_SIZES } from './ContentChunker.ts';

/**
 * One version of a file: what it is and the ordered chunks that hold it.
 * A manifest travels only inside the space's encrypted document (sealed and
 * signed as that document's entries are), so the relay never reads a name,
 * a type, a size or a chunk list, and no one without the space's keys can
 * write one; {@link parseManifest} refuses any that does not add up.
 */
export interface FileManifest {
  /** The file's id in its space (random; the same for all its versions). */
  fileId: string;
  /** 1 for the first upload, then one more per new version. */
  version: number;
  name: string;
  mediaType: string;
  /** Plaintext bytes: the sum of the chunks' sizes. */
  size: number;
  /** When the file was last modified where it came from (ms since the epoch). */
  modifiedAt: number;
  chunks: ChunkRef[];
  /** A small image of the content made on the device, sealed like a chunk. */
  thumbnail?: ChunkRef;
}

/** Why a manifest was refused. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(`file manifest refused: ${message}`);
    this.name = 'ManifestError';
  }
}

export const MAX_FILE_NAME_LENGTH = 255;
/** Largest file a manifest can describe (the relay's quota may allow less). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024 * 1024;
const CHUNK_ID = /^[0-9a-f]{64}$/;

/** A media type a manifest takes (`type/subtype`, no parameters); anything else is stored as `application/octet-stream`. */
export function isValidMediaType(mediaType: string): boolean {
  return mediaType.length <= 127 && MEDIA_TYPE.test(mediaType);
}

/** A file or folder name: 1 to 255 characters, no control character, no slash or backslash. */
export function isValidFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_FILE_NAME_LENGTH &&
    ![...name].some((character) => character < ' ' || character === '/' || character === '\\')
  );
}
const FILE_ID = /^[A-Za-z0-9_-]{8,64}$/;
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

interface WireChunk {
  id: string;
  key: string;
  size: number;
}

/** The manifest as stored in the space's document (JSON-safe). */
export function manifestToJSON(manifest: FileManifest): Record<string, unknown> {
  const chunk = (ref: ChunkRef): WireChunk => ({ id: ref.id, key: toBase64Url(ref.key), size: ref.size });
  return {
    fileId: manifest.fileId,
    version: manifest.version,
    name: manifest.name,
    mediaType: manifest.mediaType,
    size: manifest.size,
    modifiedAt: manifest.modifiedAt,
    chunks: manifest.chunks.map(chunk),
    ...(manifest.thumbnail ? { thumbnail: chunk(manifest.thumbnail) } : {}),
  };
}

/** Reads and checks a stored manifest; throws {@link ManifestError} on anything that does not add up. */
export function parseManifest(value: unknown): FileManifest {
  if (!value || typeof value !== 'object') throw new ManifestError('not an object');
  const record = value as Record<string, unknown>;
  const text = (field: string, pattern?: RegExp, max = MAX_FILE_NAME_LENGTH): string => {
    const found = record[field];
    if (typeof found !== 'string' || found.length === 0 || found.length > max || (pattern && !pattern.test(found))) {
      throw new ManifestError(`${field} is missing or not valid`);
    }
    return found;
  };
  const count = (field: string, found: unknown, max: number): number => {
    if (typeof found !== 'number' || !Number.isSafeInteger(found) || found < 0 || found > max) {
      throw new ManifestError(`${field} is not a valid count`);
    }
    return found;
  };
  const chunk = (found: unknown, where: string): ChunkRef => {
    const wire = found as Partial<WireChunk> | null;
    if (!wire || typeof wire !== 'object' || typeof wire.id !== 'string' || !CHUNK_ID.test(wire.id)) {
      throw new ManifestError(`${where} has no valid address`);
    }
    let key: Uint8Array;
    try {
      key = fromBase64Url(String(wire.key));
    } catch {
      throw new ManifestError(`${where} has no valid key`);
    }
    if (key.length !== CHUNK_KEY_BYTES) throw new ManifestError(`${where} has no valid key`);
    const size = count(`${where} size`, wire.size, DRIVE_CHUNK_SIZES.max);
    return { id: wire.id, key, size };
  };
  const fileId = text('fileId', FILE_ID, 64);
  const version = count('version', record.version, Number.MAX_SAFE_INTEGER);
  if (version < 1) throw new ManifestError('versions start at 1');
  const name = text('name');
  if (!isValidFileName(name)) throw new ManifestError('name holds a control character or a slash');
  const mediaType = text('mediaType', MEDIA_TYPE, 127);
  const size = count('size', record.size, MAX_FILE_BYTES);
  const modifiedAt = count('modifiedAt', record.modifiedAt, Number.MAX_SAFE_INTEGER);
  if (!Array.isArray(record.chunks)) throw new ManifestError('chunks is not a list');
  const chunks = record.chunks.map((found, index) => chunk(found, `chunk ${index}`));
  const total = chunks.reduce((sum, ref) => sum + ref.size, 0);
  if (total !== size) throw new ManifestError(`its chunks hold ${total} bytes, not the ${size} it says`);
  if (chunks.some((ref, index) => ref.size === 0 || (index < chunks.length - 1 && ref.size < DRIVE_CHUNK_SIZES.min))) {
    throw new ManifestError('a chunk other than the last is smaller than chunking allows');
  }
  const manifest: FileManifest = { fileId, version, name, mediaType, size, modifiedAt, chunks };
  if (record.thumbnail !== undefined) manifest.thumbnail = chunk(record.thumbnail, 'thumbnail');
  return manifest;
}

/** Fetches a chunk's ciphertext by address (from the relay, or the device's offline copy). */
export type FetchChunk = (id: string) => Promise<Uint8Array>;

/**
 * Cuts and seals a file read as a stream, chunk by chunk: memory stays
 * within a few chunks whatever the file's size. Returns the chunk list (in
 * order) for the manifest; each sealed chunk goes to `store` (an upload, or
 * the outbox), in order. With `workers`, chunks are sealed on them, a few
 * in flight while this thread cuts the next ones; without, each is sealed
 * here before the next is cut.
 */
export async function sealFile(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  sealer: ChunkSealer,
  store: (chunk: SealedChunk) => Promise<void>,
  workers?: SealWorkers,
): Promise<{ chunks: ChunkRef[]; size: number }> {
  const chunker = sealer.chunker();
  const chunks: ChunkRef[] = [];
  let size = 0;
  // Seals under way, oldest first; one more than the workers, so none waits while this thread stores.
  const inFlight: Promise<SealedChunk>[] = [];
  const depth = workers ? workers.parallelism + 1 : 0;
  const storeOldest = async () => {
    const sealed = await (inFlight.shift() as Promise<SealedChunk>);
    await store(sealed);
    chunks.push({ id: sealed.id, key: sealed.key, size: sealed.size });
    size += sealed.size;
  };
  const put = async (plaintext: Uint8Array) => {
    const sealing = sealer.sealWith(workers, plaintext);
    // Awaited in turn below; until then a failure must not count as unhandled.
    sealing.catch(() => undefined);
    inFlight.push(sealing);
    while (inFlight.length > depth) await storeOldest();
  };
  for await (const bytes of source) {
    for (const plaintext of chunker.push(bytes)) await put(plaintext);
  }
  const last = chunker.finish();
  if (last) await put(last);
  while (inFlight.length > 0) await storeOldest();
  return { chunks, size };
}

/**
 * Reads bytes `start` (inclusive) to `end` (exclusive) of a file, fetching
 * and opening only the chunks that hold them: a video, an audio file or a
 * PDF read from the middle. Every chunk is checked (`ChunkSealer.open`).
 */
export async function readFileRange(
  manifest: FileManifest,
  sealer: ChunkSealer,
  fetchChunk: FetchChunk,
  start = 0,
  end = manifest.size,
): Promise<Uint8Array> {
  if (!(
    Number.isSafeInteger(start) &&
    Number.isSafeInteger(end) &&
    0 <= start &&
    start <= end &&
    end <= manifest.size
  )) {
    throw new RangeError(`a range of ${manifest.size} bytes cannot be ${start}-${end}`);
  }
  const wanted: { ref: ChunkRef; offset: number }[] = [];
  let offset = 0;
  for (const ref of manifest.chunks) {
    if (offset < end && offset + ref.size > start) wanted.push({ ref, offset });
    offset += ref.size;
  }
  const opened = await Promise.all(
    wanted.map(async ({ ref, offset: at }) => ({ at, bytes: sealer.open(ref, await fetchChunk(ref.id)) })),
  );
  const out = new Uint8Array(end - start);
  for (const { at, bytes } of opened) {
    const from = Math.max(start, at);
    const to = Math.min(end, at + bytes.length);
    out.set(bytes.subarray(from - at, to - at), from - start);
  }
  return out;
}

/** The whole file as a stream of checked plaintext chunks, fetched `ahead` at a time. */
export async function* readFile(
  manifest: FileManifest,
  sealer: ChunkSealer,
  fetchChunk: FetchChunk,
  ahead = 4,
): AsyncGenerator<Uint8Array> {
  const pending: Promise<Uint8Array>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < ahead && next < manifest.chunks.length) {
      const ref = manifest.chunks[next] as ChunkRef;
      next += 1;
      const opened = fetchChunk(ref.id).then((ciphertext) => sealer.open(ref, ciphertext));
      opened.catch(() => undefined); // seen when its turn comes: a failure ahead is not unhandled meanwhile
      pending.push(opened);
    }
  };
  fill();
  while (pending.length > 0) {
    const bytes = await (pending.shift() as Promise<Uint8Array>);
    fill();
    yield bytes;
  }
}
