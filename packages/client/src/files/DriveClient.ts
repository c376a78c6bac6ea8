import {
  type BatchChunk,
  type DocumentId,
  type DriveUsageResponse,
  DriveUsageResponseSchema,
  HeldChunksResponseSchema,
  MAX_BATCH_CHUNKS,
  MAX_HELD_QUERY,
  StoredChunksResponseSchema,
  type TenantId,
  drivePaths,
  encodeChunkBatch,
} from '@coffre/protocol';
import type { ChunkCache } from '@coffre/storage';
import { AccountError } from '../account/AccountError.ts';
import type { RelayApi } from '../account/RelayApi.ts';
import type { ChunkRef, ChunkSealer, SealWorkers, SealedChunk } from './ChunkSealer.ts';
import { type FetchChunk, sealFile } from './FileManifest.ts';

/**
 * Chunk bytes one upload request carries at most, by default: about seven
 * average chunks, so a relay spends its transactions and its request
 * handling once per batch (`./run bench-files`: sealed chunks up about twice
 * as fast as one per request; larger batches gained nothing more).
 */
export const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
/** Sealed chunks held before the relay is asked which it lacks, by default: two batches of average chunks. */
export const UPLOAD_WINDOW = 16;

/** How long the organisation's limits are taken as known (see {@link DriveClient.limits}). */
const LIMITS_TTL_MS = 60_000;

/**
 * Chunks cut into upload requests of at most `batchBytes` of chunks (and
 * {@link MAX_BATCH_CHUNKS} chunks) each, in order; a chunk larger than
 * `batchBytes` goes alone.
 */
function batchesOf(chunks: readonly Pick<SealedChunk, 'id' | 'ciphertext'>[], batchBytes: number): BatchChunk[][] {
  const batches: BatchChunk[][] = [];
  let batch: BatchChunk[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    const size = chunk.ciphertext.length;
    if (batch.length > 0 && (bytes + size > batchBytes || batch.length === MAX_BATCH_CHUNKS)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ address: chunk.id, bytes: chunk.ciphertext });
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export interface DriveClientOptions {
  /** The relay's API (`AccountClient.api`). */
  api: RelayApi;
  /** A valid access token (`() => account.getAccessToken()`). */
  token: () => Promise<string>;
  tenant: TenantId;
  /** The space: the document the files belong to. */
  space: DocumentId;
  /** Requests uploading chunks at once (default 4). */
  concurrency?: number;
  /** Chunk bytes one request carries at most (default 4 MiB; a larger chunk goes alone). */
  batchBytes?: number;
  /**
   * Sealed chunks held in memory before the relay is asked which it lacks
   * (default {@link UPLOAD_WINDOW}, ~18 MiB; fewer when they reach two batches' bytes).
   */
  window?: number;
  /** How a request that failed for a passing reason is tried again (see {@link RETRIED_CODES}). */
  retry?: Partial<RetryPolicy>;
  /** Chunks kept on this device (files available offline): read from here first, no network needed. */
  cache?: ChunkCache;
  /** Where {@link DriveClient.uploadFile} seals chunks (other cores); on the calling thread without. */
  sealWorkers?: SealWorkers;
}

export interface RetryPolicy {
  /** Tries of one request in all (default 6). */
  attempts: number;
  /** The first wait, doubled at each try (default 500 ms), unless the relay says how long (Retry-After). */
  baseDelayMs: number;
  /** The longest wait (default 30 s). */
  maxDelayMs: number;
  /** Waits (replace in tests). */
  sleep: (ms: number) => Promise<void>;
}

/**
 * Failures worth another try: the network or the relay was down a moment,
 * it asked to slow down, or a chunk arrived damaged (the bytes are sent
 * again, from memory). Anything else (no access, the quota, bad input) is
 * final and reported at once.
 */
export const RETRIED_CODES: ReadonlySet<string> = new Set([
  'RELAY_UNREACHABLE',
  'RATE_LIMITED',
  'STORAGE_UNAVAILABLE',
  'SHUTTING_DOWN',
  'INTERNAL',
  'CHUNK_MISMATCH',
]);

/** How an upload went, in bytes of plaintext. */
export interface UploadProgress {
  /** Bytes cut and sealed so far. */
  sealed: number;
  /** Bytes the relay holds now, sent by this upload or held already. */
  saved: number;
  /** Bytes this upload did not send because the space held them (a second copy, an old version). */
  deduplicated: number;
}

export interface UploadResult extends UploadProgress {
  /** The file's chunk list, in order, for its manifest. */
  chunks: ChunkRef[];
  size: number;
}

/**
 * A space's encrypted chunks on the relay: uploads that send only what the
 * space lacks, and downloads by address. Everything it sends is ciphertext
 * sealed by {@link ChunkSealer}; the relay checks each upload against its
 * address, and {@link ChunkSealer.open} checks each download again.
 */
export class DriveClient {
  readonly #api: RelayApi;
  readonly #token: () => Promise<string>;
  readonly #tenant: TenantId;
  readonly #space: DocumentId;
  readonly #concurrency: number;
  readonly #batchBytes: number;
  readonly #window: number;
  readonly #retry: RetryPolicy;
  readonly #cache: ChunkCache | null;
  readonly #sealWorkers: SealWorkers | undefined;
  /** The organisation's usage and limits as last asked, and when (see {@link limits}). */
  #usage: { answer: DriveUsageResponse; at: number } | null = null;

  constructor(options: DriveClientOptions) {
    this.#api = options.api;
    this.#token = options.token;
    this.#tenant = options.tenant;
    this.#space = options.space;
    this.#concurrency = options.concurrency ?? 4;
    this.#batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.#window = options.window ?? UPLOAD_WINDOW;
    this.#cache = options.cache ?? null;
    this.#sealWorkers = options.sealWorkers;
    this.#retry = {
      attempts: 6,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options.retry,
    };
  }

  /**
   * Cuts, seals and uploads a file read as a stream (a `File.stream()`, a
   * Node read stream, or pieces in memory). A window of sealed chunks at a
   * time: the relay is asked which it holds and the rest is sent a few at
   * once while the next window is cut and sealed, so sealing and sending
   * overlap and memory stays within two windows whatever the file's size.
   * Resolves once the relay holds every chunk (each upload is answered when
   * durable); a failure stops the sealing at its next chunk.
   */
  async uploadFile(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    sealer: ChunkSealer,
    onProgress?: (progress: UploadProgress) => void,
  ): Promise<UploadResult> {
    const progress: UploadProgress = { sealed: 0, saved: 0, deduplicated: 0 };
    let pending: SealedChunk[] = [];
    let pendingBytes = 0;
    // The window being sent, and the first failure of any (thrown at the next step: never left unhandled).
    let sending: Promise<void> = Promise.resolve();
    let failure: { error: unknown } | null = null;
    const send = (batch: SealedChunk[]) =>
      this.upload(batch).then(
        ({ sent, held }) => {
          for (const chunk of batch) {
            progress.saved += chunk.size;
            if (held.has(chunk.id) && !sent.has(chunk.id)) progress.deduplicated += chunk.size;
          }
          onProgress?.({ ...progress });
        },
        (error: unknown) => {
          failure ??= { error };
        },
      );
    const flush = async () => {
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      await sending;
      if (failure) throw failure.error;
      sending = send(batch);
    };
    const { chunks, size } = await sealFile(
      source,
      sealer,
      async (chunk) => {
        if (failure) throw failure.error;
        pending.push(chunk);
        pendingBytes += chunk.ciphertext.length;
        progress.sealed += chunk.size;
        if (pending.length >= this.#window || pendingBytes >= 2 * this.#batchBytes) await flush();
      },
      this.#sealWorkers,
    );
    if (pending.length > 0) await flush();
    await sending;
    if (failure) throw (failure as { error: unknown }).error;
    return { chunks, size, ...progress };
  }

  /**
   * Uploads the chunks the space lacks, a few per request (`batchBytes`),
   * `concurrency` requests at once; `held` are those it had, `sent` those
   * this call stored.
   */
  async upload(
    chunks: readonly Pick<SealedChunk, 'id' | 'ciphertext'>[],
  ): Promise<{ sent: Set<string>; held: Set<string> }> {
    const unique = [...new Map(chunks.map((chunk) => [chunk.id, chunk])).values()];
    const held = await this.held(unique.map((chunk) => chunk.id));
    const missing = unique.filter((chunk) => !held.has(chunk.id));
    if (missing.length > 0) await this.#checkRoom(missing);
    const sent = new Set<string>();
    const batches = batchesOf(missing, this.#batchBytes);
    let next = 0;
    // Once one batch fails for good the call fails: the other workers take no further batch.
    let failed = false;
    const worker = async () => {
      while (next < batches.length && !failed) {
        const batch = batches[next++] as BatchChunk[];
        const answer = await this.#withRetries(async () =>
          this.#api.request({
            method: 'POST',
            path: drivePaths.chunks(this.#tenant, this.#space),
            bytes: encodeChunkBatch(batch),
            token: await this.#token(),
            schema: StoredChunksResponseSchema,
          }),
        );
        for (const address of answer.stored) sent.add(address);
        for (const address of answer.held) held.add(address);
      }
    };
    // Settled before answering, so no request of this call is still under way once it failed.
    const outcomes = await Promise.allSettled(
      Array.from({ length: Math.min(this.#concurrency, batches.length) }, () =>
        worker().catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    return { sent, held };
  }

  /** Which of `addresses` the space holds (asked {@link MAX_HELD_QUERY} at a time). */
  async held(addresses: readonly string[]): Promise<Set<string>> {
    const held = new Set<string>();
    for (let start = 0; start < addresses.length; start += MAX_HELD_QUERY) {
      const answer = await this.#withRetries(async () =>
        this.#api.request({
          method: 'POST',
          path: drivePaths.heldChunks(this.#tenant, this.#space),
          body: { addresses: addresses.slice(start, start + MAX_HELD_QUERY) },
          token: await this.#token(),
          schema: HeldChunksResponseSchema,
        }),
      );
      for (const address of answer.held) held.add(address);
    }
    return held;
  }

  /**
   * A chunk's ciphertext, for `readFile` and `readFileRange` (which check
   * it against the manifest): from this device's cache when it is kept
   * there, else from the relay.
   */
  readonly fetchChunk: FetchChunk = async (id) => (await this.#cache?.get(this.#space, id)) ?? this.#download(id);

  /**
   * Keeps a file version's chunks on this device, so it opens offline;
   * fetches only those not kept yet. Resolves with the bytes it fetched.
   */
  async keepOffline(chunks: readonly ChunkRef[]): Promise<number> {
    const cache = this.#requireCache();
    const ids = [...new Set(chunks.map((chunk) => chunk.id))];
    const kept = await cache.held(this.#space, ids);
    let fetched = 0;
    for (const id of ids) {
      if (kept.has(id)) continue;
      const bytes = await this.#download(id);
      await cache.put(this.#space, id, bytes);
      fetched += bytes.length;
    }
    return fetched;
  }

  /** Whether every one of the chunks is kept on this device. */
  async isKeptOffline(chunks: readonly ChunkRef[]): Promise<boolean> {
    if (!this.#cache) return false;
    const ids = [...new Set(chunks.map((chunk) => chunk.id))];
    return (await this.#cache.held(this.#space, ids)).size === ids.length;
  }

  /** Drops kept chunks, except those `keep` lists (chunks other kept files share). */
  async forgetOffline(chunks: readonly ChunkRef[], keep: ReadonlySet<string> = new Set()): Promise<void> {
    const ids = chunks.map((chunk) => chunk.id).filter((id) => !keep.has(id));
    await this.#requireCache().delete(this.#space, ids);
  }

  #download(id: string): Promise<Uint8Array> {
    return this.#withRetries(async () =>
      this.#api.requestBytes({
        method: 'GET',
        path: drivePaths.chunk(this.#tenant, this.#space, id),
        token: await this.#token(),
      }),
    );
  }

  #requireCache(): ChunkCache {
    if (!this.#cache) throw new Error('this DriveClient keeps nothing offline: give it a cache');
    return this.#cache;
  }

  /** Runs a request, trying again after a passing failure (see {@link RETRIED_CODES}), with backoff. */
  async #withRetries<T>(request: () => Promise<T>): Promise<T> {
    const { attempts, baseDelayMs, maxDelayMs, sleep } = this.#retry;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await request();
      } catch (error) {
        if (attempt >= attempts || !(error instanceof AccountError) || !RETRIED_CODES.has(error.code)) throw error;
        // The browser knows it has no network: say so now rather than after a minute of tries.
        if (error.code === 'RELAY_UNREACHABLE' && globalThis.navigator?.onLine === false) throw error;
        const asked = error.retryAfterSeconds === undefined ? 0 : error.retryAfterSeconds * 1000;
        await sleep(Math.min(maxDelayMs, Math.max(asked, baseDelayMs * 2 ** (attempt - 1))));
      }
    }
  }

  /** What the organisation stores in the Drive, its quota and the largest file it allows. */
  async usage(): Promise<DriveUsageResponse> {
    const answer = await this.#api.request({
      method: 'GET',
      path: drivePaths.usage(this.#tenant),
      token: await this.#token(),
      schema: DriveUsageResponseSchema,
    });
    this.#usage = { answer, at: Date.now() };
    return answer;
  }

  /**
   * The organisation's limits, asked at most once a minute (an operator
   * changes them by restarting the relay). With `quick`, one try, and null
   * when the relay cannot be reached (a file added offline is checked when
   * it is sent).
   */
  async limits(options: { quick?: boolean } = {}): Promise<DriveUsageResponse | null> {
    if (this.#usage && Date.now() - this.#usage.at < LIMITS_TTL_MS) return this.#usage.answer;
    if (!options.quick) return this.#withRetries(() => this.usage());
    return this.usage().catch((error: unknown) => {
      if (error instanceof AccountError && RETRIED_CODES.has(error.code)) return null;
      throw error;
    });
  }

  /** Refuses a file larger than the organisation allows (`FILE_TOO_LARGE`), before any of it is sent. */
  async checkFileSize(size: number, options: { quick?: boolean } = {}): Promise<void> {
    const limits = await this.limits(options);
    if (limits?.maxFileBytes != null && size > limits.maxFileBytes) {
      throw new AccountError('FILE_TOO_LARGE', {
        detail: `the largest file allowed is ${megabytes(limits.maxFileBytes)}`,
      });
    }
  }

  /**
   * Refuses chunks that would take the organisation over its quota
   * (`QUOTA_EXCEEDED`) before sending any: the relay would refuse them one
   * by one and leave the file half-stored. The relay still checks each
   * chunk under its lock (two devices may both fit alone, not together).
   */
  async #checkRoom(missing: readonly Pick<SealedChunk, 'ciphertext'>[]): Promise<void> {
    const known = this.#usage && Date.now() - this.#usage.at < LIMITS_TTL_MS ? this.#usage.answer : null;
    if (known?.quotaBytes === null) return;
    // One try: when the usage cannot be asked (the network, a link session), the uploads' own answers decide.
    const usage = await this.usage().catch(() => null);
    if (usage?.quotaBytes == null) return;
    const { bytes, quotaBytes } = usage;
    const adding = missing.reduce((sum, chunk) => sum + chunk.ciphertext.length, 0);
    if (bytes + adding > quotaBytes) {
      throw new AccountError('QUOTA_EXCEEDED', {
        status: 507,
        detail: `${megabytes(Math.max(0, quotaBytes - bytes))} left, ${megabytes(adding)} more needed`,
      });
    }
  }
}
