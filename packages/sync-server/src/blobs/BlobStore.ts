import type { DocumentId, TenantId } from '@coffre/protocol';

/**
 * A chunk's address: the hex BLAKE2b-256 of its ciphertext (`chunkAddress`
 * in @coffre/client). Sixty-four lowercase hex characters, so it is also a
 * safe file name and object key.
 */
export const BLOB_ID_PATTERN = /^[0-9a-f]{64}$/;

export class InvalidBlobIdError extends Error {
  constructor(id: unknown) {
    super(`not a chunk address: ${JSON.stringify(String(id).slice(0, 80))}`);
    this.name = 'InvalidBlobIdError';
  }
}

export function checkBlobId(id: string): void {
  if (typeof id !== 'string' || !BLOB_ID_PATTERN.test(id)) throw new InvalidBlobIdError(id);
}

/**
 * Where the relay keeps the Drive's encrypted chunks: per tenant, per space
 * (the document a file belongs to), by address. Nothing here is readable:
 * chunks are ciphertext. Every question is asked within one tenant and one
 * space, so no answer says anything about another space's chunks (a chunk
 * with the same address in another space is another chunk).
 *
 * Implementations: `FileSystemBlobStore` (under the data folder, the
 * embedded default) and `S3BlobStore` (a bucket of any S3-compatible
 * service). Both keep the rules of `runBlobStoreContractTests`.
 */
export interface BlobStore {
  /**
   * Stores a chunk unless the space holds it already; true when it was new.
   * Resolves once the bytes are durable (an acknowledged chunk survives a
   * crash of the relay), and never leaves a partial chunk under `id`.
   */
  put(tenant: TenantId, space: DocumentId, id: string, bytes: Uint8Array): Promise<boolean>;
  /** The chunk's bytes, or null when the space holds no such chunk. */
  get(tenant: TenantId, space: DocumentId, id: string): Promise<Uint8Array | null>;
  /** Which of `ids` the space holds ("which of these do you have", before an upload). */
  has(tenant: TenantId, space: DocumentId, ids: readonly string[]): Promise<Set<string>>;
  /** Removes a chunk (no error when absent). */
  delete(tenant: TenantId, space: DocumentId, id: string): Promise<void>;
  /** Removes every chunk of a space (its document was deleted); no error when it holds none. */
  deleteSpace(tenant: TenantId, space: DocumentId): Promise<void>;
  /** Bytes stored for the tenant, each chunk counted once per space. */
  usage(tenant: TenantId): Promise<number>;
}
