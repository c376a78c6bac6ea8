import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DocumentId,
  type TenantId,
  documentId as parseDocumentId,
  tenantId as parseTenantId,
} from '@coffre/protocol';
import { type BlobStore, checkBlobId } from './BlobStore.ts';

/**
 * Chunks as files: `<root>/<tenant>/<space>/<first two hex>/<address>`.
 * Tenant and space ids are the protocol's (letters, digits, '-' and '_':
 * never a path separator or '..'), checked again here, and addresses are
 * hex, so no input reaches outside `root`. A chunk is written to a
 * temporary file in its folder, flushed to disk, then renamed into place
 * and the folder flushed: a crash leaves either the whole chunk or none.
 */
export class FileSystemBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async put(tenant: TenantId, space: DocumentId, id: string, bytes: Uint8Array): Promise<boolean> {
    const path = this.#path(tenant, space, id);
    if (await exists(path)) return false;
    const folder = join(path, '..');
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `.${id}.${randomUUID()}.tmp`);
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    if (await exists(path)) {
      // Another upload of the same chunk got there first: identical bytes, keep theirs.
      await rm(temporary, { force: true });
      return false;
    }
    await rename(temporary, path);
    await syncFolder(folder);
    return true;
  }

  async get(tenant: TenantId, space: DocumentId, id: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.#path(tenant, space, id)));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async has(tenant: TenantId, space: DocumentId, ids: readonly string[]): Promise<Set<string>> {
    const held = new Set<string>();
    await Promise.all(
      ids.map(async (id) => {
        if (await exists(this.#path(tenant, space, id))) held.add(id);
      }),
    );
    return held;
  }

  async delete(tenant: TenantId, space: DocumentId, id: string): Promise<void> {
    await rm(this.#path(tenant, space, id), { force: true });
  }

  async deleteSpace(tenant: TenantId, space: DocumentId): Promise<void> {
    await rm(join(this.#root, parseTenantId(tenant), parseDocumentId(space)), { recursive: true, force: true });
  }

  async usage(tenant: TenantId): Promise<number> {
    const folder = join(this.#root, parseTenantId(tenant));
    return sizeOf(folder);
  }

  #path(tenant: TenantId, space: DocumentId, id: string): string {
    checkBlobId(id);
    return join(this.#root, parseTenantId(tenant), parseDocumentId(space), id.slice(0, 2), id);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Flushes a folder's entries (the rename) to disk, where the platform allows it. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the file itself was flushed.
  } finally {
    await handle.close();
  }
}

/** Bytes of the finished chunks under a folder (temporary files excluded). */
async function sizeOf(folder: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
  let total = 0;
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += await sizeOf(path);
    else if (entry.isFile() && !entry.name.startsWith('.')) total += (await stat(path)).size;
  }
  return total;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
