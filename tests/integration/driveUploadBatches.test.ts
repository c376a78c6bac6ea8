import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, ready } from '@coffre/crypto';
import { ChunkSealer } from '@coffre/client';
import { type TenantId, documentId } from '@coffre/protocol';
import { DriveService, FileSystemBlobStore, type SqlDatabase, createLogger } from '@coffre/sync-server';
import { ApiClient, createTestTenant } from './support/accountApi.ts';
import { blobStoreWith, sessionOf } from './support/driveService.ts';
import { type RelayHarness, randomId, readAllFiles, startRelay, storageEngine } from './support/relayHarness.ts';
import { type TestUser, addTestMember, createTestDocument, registerTestUser } from './support/sharingApi.ts';

await ready();

/**
 * Chunk uploads of one organisation that arrive together share their
 * transactions (`ChunkUploads`, a group commit); each still gets the answer
 * it would get alone.
 */
describe(`concurrent chunk uploads of an organisation (${storageEngine})`, () => {
  let harness: RelayHarness;
  const QUOTA = 9.5 * 1024 * 1024;

  beforeAll(async () => {
    harness = await startRelay();
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('share two transactions per batch, and each gets its own answer: stored, held already, read-only, over quota', async () => {
    const api = new ApiClient(harness.httpUrl);
    const tenant = await createTestTenant(harness, randomId('tenant'));
    const owner = await registerTestUser(api, tenant, 'olga');
    const viewer = await registerTestUser(api, tenant, 'vic');
    const space = await createTestDocument(api, tenant, owner);
    await addTestMember(api, tenant, space, owner, viewer, 'viewer');
    const spaceId = documentId(space.id);
    const sealer = new ChunkSealer(randomBytes(32));
    const fresh = Array.from({ length: 8 }, () => sealer.seal(randomBytes(1024 * 1024)));
    const twice = sealer.seal(randomBytes(100_000));
    const tooMuch = sealer.seal(randomBytes(2.5 * 1024 * 1024));
    const byViewer = sealer.seal(randomBytes(50_000));

    // Counts the service's transactions; the blob store holds every write until all have arrived, so the
    // batches are what they are under load, on every run.
    let transactions = 0;
    const counted: SqlDatabase = Object.assign(Object.create(harness.relay.database) as SqlDatabase, {
      withTenant: <T>(id: TenantId, fn: Parameters<SqlDatabase['withTenant']>[1]) => {
        transactions += 1;
        return harness.relay.database.withTenant(id, fn) as Promise<T>;
      },
    });
    const files = new FileSystemBlobStore(harness.blobDir);
    // The first look refuses the viewer's upload, and the last one (what the uploads before it in the batch
    // would add goes over the quota): ten writes.
    const expectedWrites = fresh.length + 2;
    const waiting: (() => void)[] = [];
    const gated = blobStoreWith(files, {
      put: async (...args) => {
        const written = await files.put(...args);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === expectedWrites) for (const release of waiting) release();
        });
        return written;
      },
    });
    const service = new DriveService({
      database: counted,
      blobs: gated,
      logger: createLogger('silent'),
      quotaBytes: QUOTA,
    });
    const put = (user: TestUser, chunk: { id: string; ciphertext: Uint8Array }) =>
      service.putChunk(sessionOf(tenant, user), spaceId, chunk.id, chunk.ciphertext).then(
        (answer) => answer,
        (error: { code?: string }) => error.code,
      );

    const answers = await Promise.all([
      ...fresh.map((chunk) => put(owner, chunk)),
      put(owner, twice),
      put(owner, twice),
      put(viewer, byViewer),
      put(owner, tooMuch),
    ]);
    expect(answers.slice(0, fresh.length)).toEqual(fresh.map(() => ({ stored: true })));
    // The same chunk twice at once: both write it, one records it, whichever comes first.
    expect(answers.slice(fresh.length, fresh.length + 2)).toEqual(
      expect.arrayContaining([{ stored: true }, { stored: false }]),
    );
    expect(answers.slice(fresh.length + 2)).toEqual(['READ_ONLY', 'QUOTA_EXCEEDED']);
    // The first upload alone, the other eleven together; then their rows: the first written alone again, the
    // rest together. Alone, each upload takes two. The refused uploads left no bytes behind.
    expect(transactions).toBe(4);
    const stored = await readAllFiles(`${harness.blobDir}/${tenant}/${space.id}`);
    const names = stored.map(({ path }) => path.slice(path.lastIndexOf('/') + 1)).sort();
    expect(names).toEqual([...fresh.map((chunk) => chunk.id), twice.id].sort());
    expect((await service.usage(sessionOf(tenant, owner))).bytes).toBe(
      [...fresh, twice].reduce((sum, chunk) => sum + chunk.ciphertext.length, 0),
    );
  });
});
