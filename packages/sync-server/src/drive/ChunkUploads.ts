import { CoffreError, type DocumentId, ErrorCode, type TenantId } from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import type { BlobStore } from '../blobs/BlobStore.ts';
import { type BatchOutcome, GroupCommit } from '../storage/GroupCommit.ts';
import type { TenantScope } from '../storage/TenantScope.ts';
import type { ChunkRepository } from './ChunkRepository.ts';
import { type DriveRepositories, WriterCheck } from './driveAccess.ts';

/** A chunk a caller uploads, its address checked already. */
export interface ChunkUpload {
  session: AccountSession;
  space: DocumentId;
  address: string;
  bytes: Uint8Array;
}

/** An upload past its first look: the tenant's Drive generation then, before its bytes were written. */
interface WrittenUpload extends ChunkUpload {
  seen: number;
}

/**
 * Stores uploaded chunks in three steps: a first look (may the caller
 * write, is the chunk held already, does it fit the quota), the bytes
 * written durably to the blob store, then the row that says the space holds
 * them, under the tenant's lock. Each database step is a group commit
 * ({@link GroupCommit}): the uploads of one tenant that arrive while a
 * transaction runs share the next one, so a device sending four chunks at
 * once costs two transactions per batch, not two per chunk. Within a batch
 * the uploads are taken in order, each exactly as it would be alone.
 */
export class ChunkUploads {
  readonly #scope: TenantScope<DriveRepositories>;
  readonly #blobs: BlobStore;
  readonly #quotaBytes: number | null;
  readonly #firstLooks: GroupCommit<ChunkUpload, number | null>;
  readonly #records: GroupCommit<WrittenUpload, { stored: boolean }>;

  constructor(scope: TenantScope<DriveRepositories>, blobs: BlobStore, quotaBytes: number | null) {
    this.#scope = scope;
    this.#blobs = blobs;
    this.#quotaBytes = quotaBytes;
    this.#firstLooks = new GroupCommit((tenant, uploads) => this.#firstLook(tenant as TenantId, uploads));
    this.#records = new GroupCommit((tenant, uploads) => this.#record(tenant as TenantId, uploads));
  }

  async put(upload: ChunkUpload): Promise<{ stored: boolean }> {
    const { tenant } = upload.session;
    const seen = await this.#firstLooks.submit(tenant, upload);
    if (seen === null) return { stored: false };
    await this.#blobs.put(tenant, upload.space, upload.address, upload.bytes);
    return this.#records.submit(tenant, { ...upload, seen });
  }

  /**
   * A cheap first look, so a chunk already held, a viewer or a full
   * organisation writes nothing: null when the space holds the chunk (it is
   * claimed now; one statement, so a row a release is deleting is waited
   * for, then answered as not held), else the generation, read before the
   * bytes are written, which tells the last step whether bytes were deleted
   * since.
   */
  #firstLook(tenant: TenantId, uploads: ChunkUpload[]): Promise<BatchOutcome<number | null>[]> {
    return this.#scope.run(tenant, async (repositories) => {
      const { chunks } = repositories;
      const writers = new WriterCheck(repositories);
      const quota = new QuotaTally(chunks, this.#quotaBytes);
      let generation: number | undefined;
      const outcomes: BatchOutcome<number | null>[] = [];
      for (const upload of uploads) {
        const refusal = await writers.refusal(upload.session, upload.space);
        if (refusal) outcomes.push(refusal);
        else if ((await chunks.claim(upload.space, [upload.address])).size > 0) outcomes.push(null);
        else if (!(await quota.fits(upload.bytes.length))) outcomes.push(new CoffreError(ErrorCode.QuotaExceeded));
        else {
          quota.add(upload.bytes.length);
          generation ??= await chunks.generation();
          outcomes.push(generation);
        }
      }
      return outcomes;
    });
  }

  /**
   * Records the written chunks, one upload of the tenant at a time from the
   * lock on: the quota holds, and no chunk bytes are deleted meanwhile.
   */
  #record(tenant: TenantId, uploads: WrittenUpload[]): Promise<BatchOutcome<{ stored: boolean }>[]> {
    return this.#scope.run(tenant, async (repositories) => {
      const { chunks } = repositories;
      let generation = await chunks.lockTenant();
      const writers = new WriterCheck(repositories);
      const quota = new QuotaTally(chunks, this.#quotaBytes);
      const outcomes: BatchOutcome<{ stored: boolean }>[] = [];
      for (const upload of uploads) {
        const { space, address, bytes } = upload;
        // A release whose bytes are not deleted yet is called off: this upload records the chunk again.
        const releasing = await chunks.cancelRelease(space, address);
        const refusal = await writers.refusal(upload.session, space);
        const held = refusal
          ? (await chunks.held(space, [address])).size > 0
          : (await chunks.claim(space, [address])).size > 0;
        if (held) {
          outcomes.push(refusal ?? { stored: false });
          continue;
        }
        if (refusal || !(await quota.fits(bytes.length))) {
          // Not recorded, so nothing relies on the bytes just written. Another upload of the same chunk
          // that found them there sees the generation move and writes them again.
          await this.#blobs.delete(tenant, space, address);
          await chunks.bumpGeneration();
          generation += 1;
          outcomes.push(refusal ?? new CoffreError(ErrorCode.QuotaExceeded));
          continue;
        }
        // Bytes deleted since the first look (a release, a deleted space, a refused upload of the same chunk)
        // may have been these: write them again (from memory) before the row says they are there.
        if (generation !== upload.seen || releasing) await this.#blobs.put(tenant, space, address, bytes);
        const stored = await chunks.insert(space, address, bytes.length);
        if (stored) quota.add(bytes.length);
        outcomes.push({ stored });
      }
      return outcomes;
    });
  }
}

/** The organisation's Drive usage, read once per transaction, plus what the transaction adds. */
class QuotaTally {
  readonly #chunks: ChunkRepository;
  readonly #quotaBytes: number | null;
  #used: number | null = null;

  constructor(chunks: ChunkRepository, quotaBytes: number | null) {
    this.#chunks = chunks;
    this.#quotaBytes = quotaBytes;
  }

  async fits(adding: number): Promise<boolean> {
    if (this.#quotaBytes === null) return true;
    this.#used ??= await this.#chunks.usage();
    return this.#used + adding <= this.#quotaBytes;
  }

  add(bytes: number): void {
    if (this.#used !== null) this.#used += bytes;
  }
}
