import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemBlobStore } from '../../src/blobs/FileSystemBlobStore.ts';
import { runBlobStoreContractTests } from '../../src/blobs/runBlobStoreContractTests.ts';

async function filesUnder(folder: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(new Uint8Array(await readFile(join(entry.parentPath, entry.name))));
  }
  return out;
}

runBlobStoreContractTests('file system', async () => {
  const root = await mkdtemp(join(tmpdir(), 'coffre-blobs-'));
  return {
    store: new FileSystemBlobStore(root),
    dump: () => filesUnder(root),
    teardown: () => rm(root, { recursive: true, force: true }),
  };
});
