import { type BatchChunk, CoffreError, type DocumentId, ErrorCode, type TenantId } from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import type { BlobStore } from '../blobs/BlobStore.ts';
import { type BatchOutcome, GroupCommit } from '../storage/GroupCommit.ts';
import type { TenantScope } from '../storage/TenantScope.ts';
import type { ChunkRepository } from './ChunkRepository.ts';
import { type DriveRepositories, WriterCheck } from './driveAccess.ts';

/** Chunks a caller uploads to a space at once (one, or a batch), their addresses checked already. */
export interface ChunkUpload {
  session: AccountSession;
  space: DocumentId;
  chunks: readonly BatchChunk[];
}

/** What an upload stored, and what the space held already. */
export interface StoredChunks {
  stored: Set<string>;
  held: Set<string>;
}

/** An upload past its first look: the chunks to write, and the tenant's Drive generation before they were. */
interface WrittenUpload extends ChunkUpload {
  missing: readonly BatchChunk[];
  held: Set<string>;
  seen: number;
}

/** After a first look: the chunks the space lacks (maybe none), those it holds, and the generation. */
interface FirstLook {
  missing: BatchChunk[];
  held: Set<string>;
  seen: number;
}

/**
 * Stores uploaded chunks in three steps: a first look (may the caller
 * write, which chunks are held already, do the others fit the quota), the
 * missing bytes written durably to the blob store, then the rows that say
 * the space holds them, under the tenant's lock. Each database step is a
 * group commit ({@link GroupCommit}): the uploads of one tenant that arrive
 * while a transaction runs share the next one, so a device sending four
 * requests at once costs two transactions per batch, not two per request.
 * Within a batch the uploads are taken in order, each exactly as it would
 * be alone. An upload of several chunks is stored whole or refused whole:
 * an access refusal or a full quota keeps none of its new chunks.
 */
export class ChunkUploads {
  readonly #scope: TenantScope<DriveRepositories>;
  readonly #blobs: BlobStore;
  readonly #quotaBytes: number | null;
  readonly #firstLooks: GroupCommit<ChunkUpload, FirstLook>;
  readonly #records: GroupCommit<WrittenUpload, StoredChunks>;

  constructor(scope: TenantScope<DriveRepositories>, blobs: BlobStore, quotaBytes: number | null) {
    this.#scope = scope;
    this.#blobs = blobs;
    this.#quotaBytes = quotaBytes;
    this.#firstLooks = new GroupCommit((tenant, uploads) => this.#firstLook(tenant as TenantId, uploads));
    this.#records = new GroupCommit((tenant, uploads) => this.#record(tenant as TenantId, uploads));
  }

  async put(upload: ChunkUpload): Promise<StoredChunks> {
    const { tenant } = upload.session;
    const look = await this.#firstLooks.submit(tenant, upload);
    if (look.missing.length === 0) return { stored: new Set(), held: look.held };
    await Promise.all(look.missing.map((chunk) => this.#blobs.put(tenant, upload.space, chunk.address, chunk.bytes)));
    return this.#records.submit(tenant, { ...upload, ...look });
  }

  /**
   * A cheap first look, so chunks already held, a viewer or a full
   * organisation write nothing: the chunks the space holds are claimed now
   * (one statement, so a row a release is deleting is waited for, then
   * answered as not held); the others are to be written, with the
   * generation read before they are, which tells the last step whether
   * bytes were deleted since.
   */
  #firstLook(tenant: TenantId, uploads: ChunkUpload[]): Promise<BatchOutcome<FirstLook>[]> {
    return this.#scope.run(tenant, async (repositories) => {
      const { chunks } = repositories;
      const writers = new WriterCheck(repositories);
      const quota = new QuotaTally(chunks, this.#quotaBytes);
      let generation: number | undefined;
      const outcomes: BatchOutcome<FirstLook>[] = [];
      for (const upload of uploads) {
        const refusal = await writers.refusal(upload.session, upload.space);
        if (refusal) {
          outcomes.push(refusal);
          continue;
        }
        const held = await chunks.claim(upload.space, addressesOf(upload.chunks));
        const missing = upload.chunks.filter((chunk) => !held.has(chunk.address));
        const adding = sizeOf(missing);
        if (!(await quota.fits(adding))) {
          outcomes.push(new CoffreError(ErrorCode.QuotaExceeded));
          continue;
        }
        quota.add(adding);
        generation ??= missing.length > 0 ? await chunks.generation() : undefined;
        outcomes.push({ missing, held, seen: generation ?? 0 });
      }
      return outcomes;
    });
  }

  /**
   * Records the written chunks, one upload of the tenant at a time from the
   * lock on: the quota holds, and no chunk bytes are deleted meanwhile.
   */
  #record(tenant: TenantId, uploads: WrittenUpload[]): Promise<BatchOutcome<StoredChunks>[]> {
    return this.#scope.run(tenant, async (repositories) => {
      const { chunks } = repositories;
      let generation = await chunks.lockTenant();
      const writers = new WriterCheck(repositories);
      const quota = new QuotaTally(chunks, this.#quotaBytes);
      const outcomes: BatchOutcome<StoredChunks>[] = [];
      for (const upload of uploads) {
        const { space, missing } = upload;
        const addresses = addressesOf(missing);
        // A release whose bytes are not deleted yet is called off: this upload records the chunk again.
        const releasing = await chunks.cancelReleases(space, addresses);
        const refusal = await writers.refusal(upload.session, space);
        const heldNow = refusal ? await chunks.held(space, addresses) : await chunks.claim(space, addresses);
        const writing = missing.filter((chunk) => !heldNow.has(chunk.address));
        if (refusal || !(await quota.fits(sizeOf(writing)))) {
          // Not recorded, so nothing relies on the bytes just written. Another upload of the same chunks
          // that found them there sees the generation move and writes them again.
          if (writing.length > 0) {
            await Promise.all(writing.map((chunk) => this.#blobs.delete(tenant, space, chunk.address)));
            await chunks.bumpGeneration();
            generation += 1;
          }
          outcomes.push(refusal ?? new CoffreError(ErrorCode.QuotaExceeded));
          continue;
        }
        // Bytes deleted since the first look (a release, a deleted space, a refused upload of the same chunk)
        // may have been these: write them again (from memory) before the rows say they are there.
        const again = writing.filter((chunk) => generation !== upload.seen || releasing.has(chunk.address));
        await Promise.all(again.map((chunk) => this.#blobs.put(tenant, space, chunk.address, chunk.bytes)));
        const stored = await chunks.insert(
          space,
          writing.map((chunk) => ({ address: chunk.address, size: chunk.bytes.length })),
        );
        quota.add(sizeOf(writing.filter((chunk) => stored.has(chunk.address))));
        const held = new Set(upload.held);
        for (const chunk of missing) if (!stored.has(chunk.address)) held.add(chunk.address);
        outcomes.push({ stored, held });
      }
      return outcomes;
    });
  }
}

function addressesOf(chunks: readonly BatchChunk[]): string[] {
  return chunks.map((chunk) => chunk.address);
}

function sizeOf(chunks: readonly BatchChunk[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.bytes.length, 0);
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
