import { randomBytes } from 'node:crypto';
import { hash, toHex } from '@coffre/crypto';
import {
  type BatchChunk,
  CoffreError,
  type DocumentId,
  type DriveUsageResponse,
  ErrorCode,
  MAX_SEALED_CHUNK_BYTES,
  MAX_SWEEP_PAGE,
  type ReleaseChunksResponse,
  type StartedSweepResponse,
  type StoredChunksResponse,
  type SweepChunksResponse,
  type TenantId,
} from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import { type BlobStore, checkBlobId } from '../blobs/BlobStore.ts';
import type { Logger } from '../logger.ts';
import { DocumentRepository } from '../sharing/DocumentRepository.ts';
import { LinkRepository } from '../sharing/LinkRepository.ts';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantScope } from '../storage/TenantScope.ts';
import { ChunkRepository } from './ChunkRepository.ts';
import { ChunkUploads } from './ChunkUploads.ts';
import type { DriveReader } from './DriveReader.ts';
import { type DriveRepositories, requireOwner, requireReader, requireSweep } from './driveAccess.ts';
import { SweepRepository } from './SweepRepository.ts';

/** Default grace period of a sweep: chunks claimed less than this before it started are never released. */
export const DEFAULT_SWEEP_GRACE_MS = 24 * 60 * 60 * 1000;
/** How long a sweep id stays good. */
export const SWEEP_LIFETIME_MS = 60 * 60 * 1000;
/** Released chunks whose bytes one transaction deletes (the tenant's uploads wait meanwhile). */
const BLOB_DELETES_PER_TRANSACTION = 100;
/** Blob deletions in flight at once. */
const BLOB_DELETE_CONCURRENCY = 16;

export interface DriveServiceOptions {
  database: SqlDatabase;
  blobs: BlobStore;
  logger: Logger;
  /** Bytes each organisation may keep in the Drive (chunks counted once per space); null or absent: no limit. */
  quotaBytes?: number | null;
  /**
   * The largest file devices may upload, announced by `usage` (the relay
   * sees chunks, never files, so it cannot check it; the quota bounds what
   * a device that ignores it stores); null or absent: no limit.
   */
  maxFileBytes?: number | null;
  /**
   * A sweep releases only chunks last claimed more than this before it
   * started (default {@link DEFAULT_SWEEP_GRACE_MS}): a device that claimed
   * chunks and saves its manifest within this time is safe whatever it does
   * after (see `startSweep`). 0 in tests.
   */
  sweepGraceMs?: number;
  /** How long a sweep id stays good (default {@link SWEEP_LIFETIME_MS}). */
  sweepLifetimeMs?: number;
}

/**
 * The Drive on the relay: encrypted chunks in and out of a space, for its
 * members. The relay checks what it can without any key: that the bytes
 * are what their address names (BLAKE2b-256 of the ciphertext), that the
 * caller may write the space (owner or editor) or read it (any member),
 * and the organisation's quota.
 *
 * "Stored" means durable: a chunk is recorded in `drive_chunks` only after
 * the blob store flushed it, and "which do you hold" and reads answer from
 * that table, so an acknowledged chunk is never missing after a crash.
 *
 * Garbage collection is a sweep an owner's device drives (see
 * {@link startSweep}); what makes it safe here: every upload and every
 * writer's "which do you hold" claims its chunks (`claimed_at`), a release
 * deletes only chunks unclaimed since its sweep's `claimedBefore`, and
 * every transaction that deletes chunk bytes bumps the tenant's generation,
 * so an upload whose bytes may have been deleted under it writes them again
 * before recording them.
 */
export class DriveService {
  readonly #scope: TenantScope<DriveRepositories>;
  readonly #uploads: ChunkUploads;
  readonly #blobs: BlobStore;
  readonly #logger: Logger;
  readonly quotaBytes: number | null;
  readonly maxFileBytes: number | null;
  readonly sweepGraceMs: number;
  readonly #sweepLifetimeMs: number;

  constructor(options: DriveServiceOptions) {
    this.#scope = new TenantScope(options.database, (sql, tenant) => ({
      documents: new DocumentRepository(sql, tenant),
      chunks: new ChunkRepository(sql, tenant),
      sweeps: new SweepRepository(sql, tenant),
      links: new LinkRepository(sql, tenant),
    }));
    this.#blobs = options.blobs;
    this.#logger = options.logger;
    this.quotaBytes = options.quotaBytes ?? null;
    this.maxFileBytes = options.maxFileBytes ?? null;
    this.sweepGraceMs = options.sweepGraceMs ?? DEFAULT_SWEEP_GRACE_MS;
    this.#sweepLifetimeMs = options.sweepLifetimeMs ?? SWEEP_LIFETIME_MS;
    if (!(Number.isSafeInteger(this.sweepGraceMs) && this.sweepGraceMs >= 0)) {
      throw new RangeError('sweepGraceMs must be a whole number of milliseconds, 0 or more');
    }
    this.#uploads = new ChunkUploads(this.#scope, this.#blobs, this.quotaBytes);
  }

  /**
   * Stores a chunk of `space`; `stored` is false when the space held it
   * already. Refuses bytes that are not what `address` names
   * (CHUNK_MISMATCH), viewers (READ_ONLY) and uploads over the quota
   * (QUOTA_EXCEEDED), each before anything is written (see
   * {@link ChunkUploads}: concurrent uploads of a tenant share transactions).
   */
  async putChunk(
    session: AccountSession,
    space: DocumentId,
    address: string,
    bytes: Uint8Array,
  ): Promise<{ stored: boolean }> {
    checkBlobId(address);
    if (bytes.length === 0) throw new CoffreError(ErrorCode.ValidationFailed, 'A chunk cannot be empty.');
    if (bytes.length > MAX_SEALED_CHUNK_BYTES) throw new CoffreError(ErrorCode.PayloadTooLarge);
    const { stored } = await this.putChunks(session, space, [{ address, bytes }]);
    return { stored: stored.length > 0 };
  }

  /**
   * Stores several chunks of `space` (a batch upload's, decoded by
   * `decodeChunkBatch`) as one upload: refused whole, before anything is
   * kept, when any chunk is not what its address names (CHUNK_MISMATCH),
   * for a viewer (READ_ONLY), or when those the space lacks do not fit the
   * quota (QUOTA_EXCEEDED). A chunk listed twice is stored once.
   */
  async putChunks(
    session: AccountSession,
    space: DocumentId,
    chunks: readonly BatchChunk[],
  ): Promise<StoredChunksResponse> {
    const unique = new Map<string, BatchChunk>();
    for (const chunk of chunks) {
      checkBlobId(chunk.address);
      if (toHex(hash(chunk.bytes, 32)) !== chunk.address) throw new CoffreError(ErrorCode.ChunkMismatch);
      unique.set(chunk.address, chunk);
    }
    const addresses = [...unique.keys()];
    const { stored, held } = await this.#uploads.put({ session, space, chunks: [...unique.values()] });
    return {
      stored: addresses.filter((address) => stored.has(address)),
      held: addresses.filter((address) => held.has(address)),
    };
  }

  /**
   * A chunk's ciphertext, for any member of the space or a live share link
   * of it; NOT_FOUND when the space holds no such chunk.
   */
  async getChunk(reader: DriveReader, space: DocumentId, address: string): Promise<Uint8Array> {
    checkBlobId(address);
    const { tenant } = reader;
    await this.#scope.run(tenant, async (repositories) => {
      await requireReader(repositories, reader, space);
      if ((await repositories.chunks.held(space, [address])).size === 0) throw new CoffreError(ErrorCode.NotFound);
    });
    const bytes = await this.#blobs.get(tenant, space, address);
    if (!bytes) {
      this.#logger.error({ tenant, space, address }, 'a recorded chunk is missing from the blob store');
      throw new CoffreError(ErrorCode.Internal);
    }
    return bytes;
  }

  /**
   * Which of `addresses` the space holds, for any member or a live share
   * link of it ("which do you have", before an upload or a download). Asked
   * by an owner or an editor, it claims the chunks held: the device is
   * about to name them in a manifest, so a sweep started from now on cannot
   * release them. A viewer's or a link's question claims nothing (they write
   * no manifest, and must not be able to keep unreferenced chunks alive).
   */
  async heldChunks(reader: DriveReader, space: DocumentId, addresses: readonly string[]): Promise<string[]> {
    for (const address of addresses) checkBlobId(address);
    const held = await this.#scope.run(reader.tenant, async (repositories) => {
      const role = await requireReader(repositories, reader, space);
      const { chunks } = repositories;
      return role === 'owner' || role === 'editor' ? chunks.claim(space, addresses) : chunks.held(space, addresses);
    });
    return addresses.filter((address) => held.has(address));
  }

  /**
   * Starts a sweep of a space (its owners only: an owner can delete the
   * whole space already; an editor must not be able to destroy chunks).
   *
   * The device that started it then reads the space's document as the
   * relay holds it after this answer, lists the chunks it references, and
   * releases the others among {@link sweepChunks}. Why that never releases
   * a chunk a saved manifest names: a manifest the device read is in its
   * list; one it did not read was saved after the sweep started, by a device
   * that claimed its chunks before saving it (an upload, or "which do you
   * hold"). If that claim came after `claimedBefore`, the chunk is kept
   * ({@link releaseChunks} checks it at the moment it deletes); it can only
   * have come before if the manifest took longer than the grace period to
   * be saved after its chunks were claimed, which a device rules out by
   * claiming again once its manifest is saved (`reclaimChunks` in
   * @coffre/client) and sending what is missing.
   *
   * Also finishes the deletion of a crashed release's bytes, and forgets
   * expired sweeps.
   */
  async startSweep(session: AccountSession, space: DocumentId): Promise<StartedSweepResponse> {
    const { tenant } = session;
    const { sweep, unfinished } = await this.#scope.run(tenant, async (repositories) => {
      await requireOwner(repositories, session, space);
      await repositories.sweeps.deleteExpired();
      const started = await repositories.sweeps.create(
        space,
        randomBytes(16).toString('hex'),
        session.userId,
        this.sweepGraceMs,
        this.#sweepLifetimeMs,
      );
      return { sweep: started, unfinished: await repositories.chunks.anyReleases(space) };
    });
    if (unfinished) await this.#deleteReleasedBytes(tenant, space);
    this.#logger.info({ tenant, space, user: session.userId, sweep: sweep.id }, 'drive sweep started');
    return {
      sweepId: sweep.id,
      startedAt: sweep.startedAt.toISOString(),
      claimedBefore: sweep.claimedBefore.toISOString(),
      expiresAt: sweep.expiresAt.toISOString(),
    };
  }

  /**
   * A page of the chunks a sweep may release: the space's, last claimed
   * before its `claimedBefore`, by address after `after`. For the owner who
   * started it, until it expires (else NOT_FOUND).
   */
  async sweepChunks(
    session: AccountSession,
    space: DocumentId,
    sweepId: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<SweepChunksResponse> {
    if (page.after !== undefined) checkBlobId(page.after);
    const limit = Math.min(MAX_SWEEP_PAGE, Math.max(1, Math.floor(page.limit ?? MAX_SWEEP_PAGE)));
    const chunks = await this.#scope.run(session.tenant, async (repositories) => {
      const sweep = await requireSweep(repositories, session, space, sweepId);
      return repositories.chunks.unclaimedSince(space, sweep.claimedBefore, page.after ?? null, limit);
    });
    return { chunks, next: chunks.length === limit ? (chunks.at(-1)?.address ?? null) : null };
  }

  /**
   * Deletes those of `addresses` (at most {@link MAX_SWEEP_PAGE}) the space
   * holds that nobody claimed since the sweep's `claimedBefore`; the others
   * are kept, and answered as such. For the owner who started the sweep.
   *
   * Rows first, in one transaction under the tenant lock that also records
   * each in `drive_releases` and commits: from then on the chunk is not held
   * (usage drops, an upload of it stores it again). Then its bytes, in
   * transactions under the tenant lock that take those records and bump the
   * generation. A crash between the two leaves bytes no row names (deleted
   * at the next sweep of the space), never a row whose bytes are gone.
   */
  async releaseChunks(
    session: AccountSession,
    space: DocumentId,
    sweepId: string,
    addresses: readonly string[],
  ): Promise<ReleaseChunksResponse> {
    for (const address of addresses) checkBlobId(address);
    if (addresses.length > MAX_SWEEP_PAGE) {
      throw new CoffreError(ErrorCode.ValidationFailed, `At most ${MAX_SWEEP_PAGE} chunks at once.`);
    }
    const asked = [...new Set(addresses)];
    const { tenant } = session;
    const released = await this.#scope.run(tenant, async (repositories) => {
      await repositories.chunks.lockTenant();
      const sweep = await requireSweep(repositories, session, space, sweepId);
      const rows = await repositories.chunks.release(space, asked, sweep.claimedBefore);
      if (rows.length > 0) await repositories.chunks.bumpGeneration();
      return rows;
    });
    if (released.length > 0) {
      // Released either way (no row names them); bytes left by a failure here are deleted at the next sweep.
      await this.#deleteReleasedBytes(tenant, space).catch((error: unknown) => {
        this.#logger.error({ err: error, tenant, space }, "released chunks' bytes stay until the next sweep");
      });
    }
    const gone = new Set(released.map((row) => row.address));
    const bytesFreed = released.reduce((sum, row) => sum + row.size, 0);
    // Counts only: which chunks a space holds is not for the logs.
    this.#logger.info(
      {
        tenant,
        space,
        user: session.userId,
        sweep: sweepId,
        released: gone.size,
        kept: asked.length - gone.size,
        bytesFreed,
      },
      'drive chunks released',
    );
    return {
      released: asked.filter((address) => gone.has(address)),
      kept: asked.filter((address) => !gone.has(address)),
      bytesFreed,
    };
  }

  /**
   * Removes the chunks of a deleted document (its `drive_chunks` rows went
   * with it). Under the tenant lock, so no upload records a chunk of a new
   * document under the same id meanwhile (an upload checks its bytes are
   * still there before it records them); if one already did, the bytes stay
   * (a chunk left over from the old space costs room until garbage
   * collection, never a read).
   */
  async deleteSpace(tenant: TenantId, space: DocumentId): Promise<void> {
    await this.#scope.run(tenant, async ({ chunks }) => {
      await chunks.lockTenant();
      if (await chunks.any(space)) return;
      await this.#blobs.deleteSpace(tenant, space);
      // An upload to a new space of the same id that wrote its bytes before this writes them again.
      await chunks.bumpGeneration();
    });
  }

  /** What the caller's organisation stores in the Drive, its quota and the largest file it allows. */
  async usage(session: AccountSession): Promise<DriveUsageResponse> {
    return {
      bytes: await this.tenantUsage(session.tenant),
      quotaBytes: this.quotaBytes,
      maxFileBytes: this.maxFileBytes,
    };
  }

  /** Bytes a tenant stores in the Drive (operators, metrics). */
  tenantUsage(tenant: TenantId): Promise<number> {
    return this.#scope.run(tenant, ({ chunks }) => chunks.usage());
  }

  /**
   * Deletes the bytes of the space's released chunks, a batch per
   * transaction under the tenant lock: uploads wait meanwhile, and one that
   * wrote its bytes before sees the generation move and writes them again.
   * If a transaction fails after deleting bytes, its records stay and are
   * taken again later; the bytes they name have no row either way.
   */
  async #deleteReleasedBytes(tenant: TenantId, space: DocumentId): Promise<void> {
    for (;;) {
      const deleted = await this.#scope.run(tenant, async ({ chunks }) => {
        await chunks.lockTenant();
        const addresses = await chunks.takeReleases(space, BLOB_DELETES_PER_TRANSACTION);
        for (let start = 0; start < addresses.length; start += BLOB_DELETE_CONCURRENCY) {
          await Promise.all(
            addresses
              .slice(start, start + BLOB_DELETE_CONCURRENCY)
              .map((address) => this.#blobs.delete(tenant, space, address)),
          );
        }
        if (addresses.length > 0) await chunks.bumpGeneration();
        return addresses.length;
      });
      if (deleted < BLOB_DELETES_PER_TRANSACTION) return;
    }
  }
}
