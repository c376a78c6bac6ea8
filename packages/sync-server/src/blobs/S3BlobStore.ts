import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import {
  type DocumentId,
  type TenantId,
  documentId as parseDocumentId,
  tenantId as parseTenantId,
} from '@coffre/protocol';
import { type BlobStore, checkBlobId } from './BlobStore.ts';

export interface S3BlobStoreOptions {
  /**
   * A client for the S3-compatible service, configured by the caller
   * (endpoint, region, credentials, `forcePathStyle` for most self-hosted
   * services) and destroyed by the caller: the store never closes it, so one
   * client can serve several stores.
   */
  client: S3Client;
  /** The bucket, which must exist: the store never creates one. */
  bucket: string;
  /**
   * Put in front of every key, so the chunks can share a bucket with other
   * data: empty (the default) or ending with '/', so that one prefix is never
   * the start of another's tenant folder.
   */
  prefix?: string;
}

/** HEAD requests in flight at once for one `has`: a few hundred ids must not open a few hundred connections. */
const HAS_CONCURRENCY = 16;

/**
 * Times `put` asks again when S3 answers 409 ConditionalRequestConflict
 * (another conditional write of the key was in flight): the other write may
 * still fail, so "not new" cannot be answered until it has finished.
 */
const PUT_ATTEMPTS = 3;

/**
 * Chunks as objects of an S3-compatible bucket:
 * `<prefix><tenant>/<space>/<address>`. Tenant and space ids are parsed
 * again with the protocol's parsers (letters, digits, '-' and '_': never a
 * '/') and addresses are hex, so no input reaches another tenant's or
 * space's keys.
 *
 * An S3 PUT answers once the object is stored durably and is atomic (an
 * object is whole or absent), which gives `put` its guarantees without a
 * temporary key. `put` asks HEAD first, so a chunk already held costs no
 * upload, then sends the PUT with `If-None-Match: *`: where the service
 * honours it (AWS S3 since 2024, recent MinIO), a concurrent upload of the
 * same chunk is refused (412) and answered "not new". Services that ignore
 * the header (s3rver does) let the later PUT overwrite: the bytes are
 * identical, since the address is the ciphertext's hash, so only the
 * `true`/`false` answer can be wrong (two callers both told "new", as the
 * contract allows).
 *
 * Not-found is told from other errors by S3's answer, and everything else
 * (a missing bucket, denied access, the network) propagates, except in
 * `has`: a HEAD answer has no body, so a missing bucket reads as "holds
 * none of these" there (the `put` that follows fails with NoSuchBucket).
 *
 * @example
 * const client = new S3Client({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true });
 * const store = new S3BlobStore({ client, bucket: 'coffre', prefix: 'blobs/' });
 */
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3BlobStoreOptions) {
    const prefix = options.prefix ?? '';
    if (prefix !== '' && !prefix.endsWith('/')) {
      throw new Error(`the S3 key prefix must be empty or end with '/': ${JSON.stringify(prefix)}`);
    }
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = prefix;
  }

  async put(tenant: TenantId, space: DocumentId, id: string, bytes: Uint8Array): Promise<boolean> {
    const key = this.#key(tenant, space, id);
    for (let attempt = 1; ; attempt += 1) {
      if (await this.#exists(key)) return false;
      try {
        await this.#client.send(
          new PutObjectCommand({
            Bucket: this.#bucket,
            Key: key,
            Body: bytes,
            ContentLength: bytes.byteLength,
            ContentType: 'application/octet-stream',
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        if (statusOf(error) === 412) return false;
        if (statusOf(error) === 409 && attempt < PUT_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  async get(tenant: TenantId, space: DocumentId, id: string): Promise<Uint8Array | null> {
    const key = this.#key(tenant, space, id);
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      if (response.Body === undefined) throw new Error(`S3 answered no body for ${key}`);
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (nameOf(error) === 'NoSuchKey') return null;
      throw error;
    }
  }

  async has(tenant: TenantId, space: DocumentId, ids: readonly string[]): Promise<Set<string>> {
    const keys = ids.map((id) => this.#key(tenant, space, id));
    const held = new Set<string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const index = next;
        next += 1;
        if (await this.#exists(keys[index]!)) held.add(ids[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(HAS_CONCURRENCY, ids.length) }, worker));
    return held;
  }

  async delete(tenant: TenantId, space: DocumentId, id: string): Promise<void> {
    // S3 answers a delete of an absent key with success, as the interface asks.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(tenant, space, id) }));
  }

  async deleteSpace(tenant: TenantId, space: DocumentId): Promise<void> {
    const pages = paginateListObjectsV2(
      { client: this.#client },
      { Bucket: this.#bucket, Prefix: `${this.#prefix}${parseTenantId(tenant)}/${parseDocumentId(space)}/` },
    );
    for await (const page of pages) {
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      // A listing page holds at most 1,000 keys, as many as one DeleteObjects request takes.
      if (keys.length > 0) {
        await this.#client.send(
          new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys, Quiet: true } }),
        );
      }
    }
  }

  async usage(tenant: TenantId): Promise<number> {
    const pages = paginateListObjectsV2(
      { client: this.#client },
      { Bucket: this.#bucket, Prefix: `${this.#prefix}${parseTenantId(tenant)}/` },
    );
    let total = 0;
    for await (const page of pages) {
      for (const object of page.Contents ?? []) total += object.Size ?? 0;
    }
    return total;
  }

  async #exists(key: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  #key(tenant: TenantId, space: DocumentId, id: string): string {
    checkBlobId(id);
    return `${this.#prefix}${parseTenantId(tenant)}/${parseDocumentId(space)}/${id}`;
  }
}

/** The HTTP status of S3's answer, or undefined for an error that is not one (the network, a bad id). */
function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** The S3 error code (the SDK names its errors after it), or undefined for an error that is not S3's. */
function nameOf(error: unknown): string | undefined {
  return error instanceof S3ServiceException ? error.name : undefined;
}
