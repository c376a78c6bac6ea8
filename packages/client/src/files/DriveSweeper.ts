import {
  type DocumentId,
  ReleaseChunksResponseSchema,
  StartedSweepResponseSchema,
  SweepChunksResponseSchema,
  type TenantId,
  drivePaths,
} from '@coffre/protocol';
import { AccountError } from '../account/AccountError.ts';
import type { RelayApi, RelayRequest } from '../account/RelayApi.ts';
import type { EncryptedDocument } from '../EncryptedDocument.ts';
import type { ChunkSealer, SealedChunk } from './ChunkSealer.ts';
import { type DriveClient, RETRIED_CODES, type RetryPolicy } from './DriveClient.ts';
import { type DriveSpace, type PurgedNode, TRASH_RETENTION_MS } from './DriveSpace.ts';
import { type FileManifest, sealFile } from './FileManifest.ts';

/** Why a collection stopped before releasing anything it was not sure of. */
export class DriveSweepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriveSweepError';
  }
}

export interface CollectGarbageOptions {
  /** The space as this device holds it: its owner's copy, kept current by its document. */
  space: DriveSpace;
  /** The space's id (its document's). */
  spaceId: DocumentId;
  /** The relay's API (`AccountClient.api`). */
  api: RelayApi;
  /** A valid access token of an owner of the space. */
  token: () => Promise<string>;
  tenant: TenantId;
  /**
   * Resolves once `space` holds every entry the relay held at some moment
   * after it is called (it is called once the sweep has started), every one
   * of them applied; rejects when that cannot be had. For a space opened as
   * an `EncryptedDocument`: `() => catchUpWithRelay(document)`.
   */
  caughtUp: () => Promise<void>;
  /** Resolves once the relay holds this device's edits to the space (the purge): `() => document.whenSaved()`. */
  saved: () => Promise<void>;
  /** Whether to purge the trash first (default true): what has been there longer than `trashRetentionMs`. */
  purgeTrash?: boolean;
  /** Default {@link TRASH_RETENTION_MS}, 30 days. */
  trashRetentionMs?: number;
  now?: () => number;
  /** How a request that failed for a passing reason is tried again (as `DriveClient` does). */
  retry?: Partial<RetryPolicy>;
}

/** What a collection did. */
export interface GarbageCollection {
  sweepId: string;
  /** Nodes removed from the trash (edits of the space, saved before anything was released). */
  purged: PurgedNode[];
  /** Chunk addresses the space's nodes name after the purge. */
  referenced: number;
  /** Chunks the sweep listed (unclaimed since it started, less the relay's grace period). */
  candidates: number;
  /** Chunks deleted, and the bytes they took. */
  released: number;
  bytesFreed: number;
  /** Chunks no node names that the relay kept: claimed since the sweep started (an upload under way). */
  kept: number;
}

/**
 * Garbage collection of a space's chunks, run by a device of one of its
 * owners: mark on the device (only members can read the manifests), sweep
 * on the relay. In this order:
 *
 * 1. Start a sweep on the relay. From now on the relay keeps whatever is
 *    claimed: every upload, and every "which do you hold" a writer asks.
 * 2. Catch up with the relay (`caughtUp`): this device now holds every
 *    manifest the relay held at some moment after the sweep started.
 * 3. Purge the trash (a sealed edit like any other) and wait until the
 *    relay holds the purge, so no device can still show a purged file
 *    once its chunks go.
 * 4. List the chunks every node names ({@link DriveSpace.referencedChunks}),
 *    page through the sweep's candidates, and release those not named,
 *    a thousand at a time.
 *
 * Why no chunk a saved manifest names is released. A manifest saved on the
 * relay before the catch-up is in the list. One saved after it was written
 * by a device that claimed its chunks before writing it (`DriveSpace.upload`
 * saves a version only after `DriveClient.uploadFile`, which asks "which do
 * you hold" for every chunk and uploads the rest). A claim made after the
 * sweep started (less the grace period) makes the relay keep the chunk, at
 * the moment it deletes, whatever this device asks. The hole: a device that
 * claimed before that and saved its manifest after the catch-up, i.e. whose
 * manifest took longer than the relay's grace period (24 hours unless the
 * operator says otherwise) to reach the relay. The relay's grace period
 * closes it for every delay shorter than that; {@link reclaimChunks},
 * called once a manifest is saved, closes it for longer ones: its claim
 * comes after the manifest was saved, so after any catch-up that missed it,
 * and what a sweep released meanwhile is sent again.
 *
 * Not covered: a version of the space's document restored from its history
 * (`VersionHistory`) brings back manifests as they were, whose chunks a
 * collection since may have released; and an edit made on another device at
 * the same time as the purge, to a node the purge removes (see
 * {@link DriveSpace.purgeTrash}), is lost with it.
 */
export async function collectGarbage(options: CollectGarbageOptions): Promise<GarbageCollection> {
  const { space, spaceId, tenant } = options;
  const request = requester(options);

  const sweep = await request({
    method: 'POST',
    path: drivePaths.sweeps(tenant, spaceId),
    schema: StartedSweepResponseSchema,
  });
  await options.caughtUp();
  const { store } = space.doc;
  if (store.pendingStructs !== null || store.pendingDs !== null) {
    throw new DriveSweepError('the space holds changes it cannot apply yet (some are missing): nothing was released');
  }

  let purged: PurgedNode[] = [];
  if (options.purgeTrash ?? true) {
    purged = space.purgeTrash(options.trashRetentionMs ?? TRASH_RETENTION_MS, (options.now ?? Date.now)());
    if (purged.length > 0) await options.saved();
  }

  const referenced = space.referencedChunks();
  const result: GarbageCollection = {
    sweepId: sweep.sweepId,
    purged,
    referenced: referenced.size,
    candidates: 0,
    released: 0,
    bytesFreed: 0,
    kept: 0,
  };
  let after: string | undefined;
  do {
    const page = await request({
      method: 'GET',
      path: drivePaths.sweepChunks(tenant, spaceId, sweep.sweepId, after === undefined ? {} : { after }),
      schema: SweepChunksResponseSchema,
    });
    result.candidates += page.chunks.length;
    // A page holds at most as many chunks as one release may name.
    const unreferenced = page.chunks.map((chunk) => chunk.address).filter((address) => !referenced.has(address));
    if (unreferenced.length > 0) {
      const answer = await request({
        method: 'POST',
        path: drivePaths.sweepRelease(tenant, spaceId, sweep.sweepId),
        body: { addresses: unreferenced },
        schema: ReleaseChunksResponseSchema,
      });
      result.released += answer.released.length;
      result.bytesFreed += answer.bytesFreed;
      result.kept += answer.kept.length;
    }
    after = page.next ?? undefined;
  } while (after !== undefined);
  return result;
}

/**
 * Resolves once `document` holds every entry the relay holds now, each one
 * applied to its content: it reconnects (a fresh sync: the relay sends
 * everything this device lacks) and waits for that sync. Rejects
 * ({@link DriveSweepError}) when entries are held back after it, waiting
 * for a device, key or role this device does not know yet, or missing
 * (a gap): acting on the content then could forget what they hold.
 * Made for {@link CollectGarbageOptions.caughtUp}.
 */
export async function catchUpWithRelay(document: EncryptedDocument, timeoutMs = 30_000): Promise<void> {
  const { transport } = document;
  await new Promise<void>((resolve, reject) => {
    // Only a sync of a connection opened from now on counts: its first message is sent after this call.
    let opened = false;
    const offOpen = transport.on('open', () => {
      opened = true;
    });
    const offSynced = transport.on('synced', () => {
      if (!opened) return;
      done();
      resolve();
    });
    const timer = setTimeout(() => {
      done();
      reject(new DriveSweepError(`the space did not sync with the relay within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      offOpen();
      offSynced();
    };
    // Connect again once the old socket has closed: asked while it closes, the provider waits its reconnect delay.
    const offStatus = transport.on('status', (status) => {
      if (status !== 'disconnected') return;
      offStatus();
      document.connect();
    });
    document.disconnect();
    if (transport.connection === 'disconnected') {
      offStatus();
      document.connect();
    }
  });
  const waiting = document.envelope.waitingEntries;
  const missing = [...document.integrity.missing.values()].reduce((sum, counters) => sum + counters.length, 0);
  if (waiting > 0 || missing > 0) {
    throw new DriveSweepError(
      `the space has ${waiting} change(s) this device cannot read yet and ${missing} missing: nothing was released`,
    );
  }
}

/** What {@link reclaimChunks} found and did. */
export interface Reclaim {
  /** The manifest's chunks the relay no longer held (released by a sweep that missed the manifest). */
  missing: string[];
  /** How many of them were sent again (all of them when `source` was given). */
  resent: number;
}

/**
 * Claims a saved manifest's chunks again, and sends those the relay no
 * longer holds: call it once the relay holds the manifest (after
 * `EncryptedDocument.whenSaved`), from the device that uploaded the file.
 * Its "which do you hold" comes after the manifest reached the relay, so a
 * sweep that started before the manifest was there keeps the chunks (see
 * {@link collectGarbage}), and anything such a sweep released before this
 * is found missing here. `source` is the file's content again (sealing is
 * deterministic: the same bytes under the same secret give the same chunks);
 * without it, the missing chunks are only reported.
 */
export async function reclaimChunks(
  client: DriveClient,
  manifest: Pick<FileManifest, 'chunks' | 'thumbnail'>,
  source?: { content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; sealer: ChunkSealer },
): Promise<Reclaim> {
  const ids = [...new Set([...manifest.chunks, ...(manifest.thumbnail ? [manifest.thumbnail] : [])].map((c) => c.id))];
  const held = await client.held(ids);
  const missing = ids.filter((id) => !held.has(id));
  if (missing.length === 0 || !source) return { missing, resent: 0 };
  const wanted = new Set(missing);
  let resent = 0;
  await sealFile(source.content, source.sealer, async (chunk: SealedChunk) => {
    if (!wanted.delete(chunk.id)) return;
    await client.upload([chunk]);
    resent += 1;
  });
  return { missing, resent };
}

/** The relay's API with the caller's token, tried again after a passing failure. */
function requester(options: CollectGarbageOptions) {
  const retry: RetryPolicy = {
    attempts: 6,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...options.retry,
  };
  return async <T>(request: Omit<RelayRequest<T>, 'token'>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await options.api.request({ ...request, token: await options.token() });
      } catch (error) {
        if (attempt >= retry.attempts || !(error instanceof AccountError) || !RETRIED_CODES.has(error.code))
          throw error;
        const asked = error.retryAfterSeconds === undefined ? 0 : error.retryAfterSeconds * 1000;
        await retry.sleep(Math.min(retry.maxDelayMs, Math.max(asked, retry.baseDelayMs * 2 ** (attempt - 1))));
      }
    }
  };
}
