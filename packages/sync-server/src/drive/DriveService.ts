import { hash, toHex } from '@coffre/crypto';
import {
  CoffreError,
  type DocumentId,
  type DriveUsageResponse,
  ErrorCode,
  MAX_SEALED_CHUNK_BYTES,
  type TenantId,
} from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import { type BlobStore, checkBlobId } from '../blobs/BlobStore.ts';
import type { Logger } from '../logger.ts';
import { DocumentRepository } from '../sharing/DocumentRepository.ts';
import { requireAccess } from '../sharing/requireAccess.ts';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantScope } from '../storage/TenantScope.ts';
import { ChunkRepository } from './ChunkRepository.ts';

export interface DriveServiceOptions {
  database: SqlDatabase;
  blobs: BlobStore;
  logger: Logger;
  /** Bytes each organisation may keep in the Drive (chunks counted once per space); null or absent: no limit. */
  quotaBytes?: number | null;
}

interface DriveRepositories {
  documents: DocumentRepository;
  chunks: ChunkRepository;
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
 */
export class DriveService {
  readonly #scope: TenantScope<DriveRepositories>;
  readonly #blobs: BlobStore;
  readonly #logger: Logger;
  readonly quotaBytes: number | null;

  constructor(options: DriveServiceOptions) {
    this.#scope = new TenantScope(options.database, (sql, tenant) => ({
      documents: new DocumentRepository(sql, tenant),
      chunks: new ChunkRepository(sql, tenant),
    }));
    this.#blobs = options.blobs;
    this.#logger = options.logger;
    this.quotaBytes = options.quotaBytes ?? null;
  }

  /**
   * Stores a chunk of `space`; `stored` is false when the space held it
   * already. Refuses bytes that are not what `address` names
   * (CHUNK_MISMATCH), viewers (READ_ONLY) and uploads over the quota
   * (QUOTA_EXCEEDED), each before anything is written.
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
    if (toHex(hash(bytes, 32)) !== address) throw new CoffreError(ErrorCode.ChunkMismatch);
    const { tenant } = session;

    // A cheap first look, so a chunk already held, a viewer or a full organisation writes nothing.
    const held = await this.#scope.run(tenant, async (repositories) => {
      await requireWriter(repositories, session, space);
      if ((await repositories.chunks.held(space, [address])).size > 0) return true;
      await this.#checkQuota(repositories.chunks, bytes.length);
      return false;
    });
    if (held) return { stored: false };

    await this.#blobs.put(tenant, space, address, bytes);
    return this.#scope.run(tenant, async (repositories) => {
      const { chunks } = repositories;
      // One upload of the tenant at a time from here: the quota holds, and no chunk is recorded while it is deleted.
      await chunks.lockTenant();
      if ((await chunks.held(space, [address])).size > 0) {
        await requireWriter(repositories, session, space);
        return { stored: false };
      }
      try {
        await requireWriter(repositories, session, space);
        await this.#checkQuota(chunks, bytes.length);
      } catch (refusal) {
        // Not recorded, so nothing relies on the bytes just written (a concurrent upload of the
        // same chunk checks again below, under the same lock, before it records it).
        if (refusal instanceof CoffreError) await this.#blobs.delete(tenant, space, address);
        throw refusal;
      }
      if (!(await this.#blobs.has(tenant, space, [address])).has(address)) {
        await this.#blobs.put(tenant, space, address, bytes);
      }
      return { stored: await chunks.insert(space, address, bytes.length) };
    });
  }

  /** A chunk's ciphertext, for any member of the space; NOT_FOUND when the space holds no such chunk. */
  async getChunk(session: AccountSession, space: DocumentId, address: string): Promise<Uint8Array> {
    checkBlobId(address);
    const { tenant } = session;
    await this.#scope.run(tenant, async ({ documents, chunks }) => {
      await requireAccess(documents, session, space, {});
      if ((await chunks.held(space, [address])).size === 0) throw new CoffreError(ErrorCode.NotFound);
    });
    const bytes = await this.#blobs.get(tenant, space, address);
    if (!bytes) {
      this.#logger.error({ tenant, space, address }, 'a recorded chunk is missing from the blob store');
      throw new CoffreError(ErrorCode.Internal);
    }
    return bytes;
  }

  /** Which of `addresses` the space holds, for any member ("which do you have", before an upload). */
  async heldChunks(session: AccountSession, space: DocumentId, addresses: readonly string[]): Promise<string[]> {
    for (const address of addresses) checkBlobId(address);
    const held = await this.#scope.run(session.tenant, async ({ documents, chunks }) => {
      await requireAccess(documents, session, space, {});
      return chunks.held(space, addresses);
    });
    return addresses.filter((address) => held.has(address));
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
    });
  }

  /** What the caller's organisation stores in the Drive, and its quota. */
  async usage(session: AccountSession): Promise<DriveUsageResponse> {
    return { bytes: await this.tenantUsage(session.tenant), quotaBytes: this.quotaBytes };
  }

  /** Bytes a tenant stores in the Drive (operators, metrics). */
  tenantUsage(tenant: TenantId): Promise<number> {
    return this.#scope.run(tenant, ({ chunks }) => chunks.usage());
  }

  async #checkQuota(chunks: ChunkRepository, adding: number): Promise<void> {
    if (this.quotaBytes === null) return;
    if ((await chunks.usage()) + adding > this.quotaBytes) throw new CoffreError(ErrorCode.QuotaExceeded);
  }
}

async function requireWriter(
  { documents }: DriveRepositories,
  session: AccountSession,
  space: DocumentId,
): Promise<void> {
  const { role } = await requireAccess(documents, session, space, {});
  if (role === 'viewer') throw new CoffreError(ErrorCode.ReadOnly, 'Only owners and editors can add files here.');
}
