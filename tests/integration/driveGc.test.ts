import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, ready, toHex } from '@coffre/crypto';
import { ChunkSealer, DriveClient, RelayApi, type SealedChunk } from '@coffre/client';
import {
  type DocumentId,
  MAX_SWEEP_PAGE,
  ReleaseChunksResponseSchema,
  StartedSweepResponseSchema,
  SweepChunksResponseSchema,
  type TenantId,
  documentId,
  drivePaths,
} from '@coffre/protocol';
import { DriveService, FileSystemBlobStore, type SqlExecutor, createLogger } from '@coffre/sync-server';
import { type ApiAnswer, ApiClient, createTestTenant, errorCodeOf } from './support/accountApi.ts';
import { type RelayHarness, readAllFiles, randomId, startRelay, storageEngine } from './support/relayHarness.ts';
import {
  type TestDocument,
  type TestUser,
  addTestMember,
  createTestDocument,
  registerTestUser,
} from './support/sharingApi.ts';
import { driveClientOf, startDriveCast } from './support/driveCast.ts';
import { blobStoreWith, sessionOf } from './support/driveService.ts';

await ready();

/** The blob files of one space, by address. */
async function blobAddresses(harness: RelayHarness, tenant: string, space: string): Promise<string[]> {
  const files = await readAllFiles(`${harness.blobDir}/${tenant}/${space}`).catch(() => []);
  return files.map(({ path }) => path.slice(path.lastIndexOf('/') + 1)).sort();
}

/** The `drive_chunks` rows of a space, as the relay's application role sees them for that tenant. */
async function chunkRows(harness: RelayHarness, tenant: TenantId, space: string): Promise<string[]> {
  const rows = await harness.relay.database.withTenant(tenant, (sql) =>
    sql.query<{ address: string }>('select address from drive_chunks where space_id = $1 order by address', [space]),
  );
  return rows.map((row) => row.address);
}

const answer = (reply: ApiAnswer) => ({ status: reply.status, code: errorCodeOf(reply) });

/**
 * Garbage collection of the Drive's chunks on the relay: sweeps started by
 * a space's owner, the chunks they list, and releases that keep whatever
 * was claimed since the sweep started. The device's side, with real
 * manifests, is driveGc.property.test.ts.
 */
describe(`the Drive's sweeps on the relay (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenantA: TenantId;
  let tenantB: TenantId;
  let owner: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  let outsider: TestUser;
  let space: TestDocument;
  const sealer = new ChunkSealer(randomBytes(32));

  const drive = (user: TestUser, id: string = space.id, tenant = tenantA) => driveClientOf(harness, user, tenant, id);
  const startSweep = (user: TestUser, id: string = space.id, tenant: string = tenantA) =>
    api.request('POST', drivePaths.sweeps(tenant, id), { token: user.session.accessToken });
  const started = async (user: TestUser = owner, id: string = space.id) => {
    const reply = await startSweep(user, id);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return StartedSweepResponseSchema.parse(reply.body);
  };
  const page = (user: TestUser, sweep: string, query: { after?: string; limit?: number } = {}, id = space.id) =>
    api.request('GET', drivePaths.sweepChunks(tenantA, id, sweep, query), { token: user.session.accessToken });
  const listed = async (sweep: string, id = space.id) => {
    const addresses: string[] = [];
    let after: string | undefined;
    for (;;) {
      const reply = await page(owner, sweep, after === undefined ? {} : { after }, id);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      const { chunks, next } = SweepChunksResponseSchema.parse(reply.body);
      addresses.push(...chunks.map((chunk) => chunk.address));
      if (next === null) return addresses;
      after = next;
    }
  };
  const release = (user: TestUser, sweep: string, addresses: unknown, id = space.id) =>
    api.request('POST', drivePaths.sweepRelease(tenantA, id, sweep), {
      token: user.session.accessToken,
      json: { addresses },
    });
  const released = async (sweep: string, addresses: string[], id = space.id) => {
    const reply = await release(owner, sweep, addresses, id);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return ReleaseChunksResponseSchema.parse(reply.body);
  };
  const chunkOf = (size = 1000 + Math.floor(Math.random() * 2000)) => sealer.seal(randomBytes(size));
  const sorted = (chunks: SealedChunk[]) => chunks.map((chunk) => chunk.id).sort();
  /** What a refusal must leave as it was: the space's rows and blob files. */
  const state = async (id = space.id) => ({
    rows: await chunkRows(harness, tenantA, id),
    files: await blobAddresses(harness, tenantA, id),
  });

  beforeAll(async () => {
    ({ harness, api, tenantA, tenantB, owner, editor, viewer, stranger, outsider, space } = await startDriveCast());
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('releases what nobody claimed since the sweep started, keeps what was claimed since, and usage drops', async () => {
    const own = await createTestDocument(api, tenantA, owner);
    await addTestMember(api, tenantA, own, owner, editor, 'editor');
    await addTestMember(api, tenantA, own, owner, viewer, 'viewer');
    const [unused, askedByEditor, uploadedAgain, askedByViewer] = [chunkOf(), chunkOf(), chunkOf(), chunkOf()];
    await drive(editor, own.id).upload([unused, askedByEditor, uploadedAgain, askedByViewer]);
    const usageBefore = (await drive(owner, own.id).usage()).bytes;

    const sweep = await started(owner, own.id);
    expect(Date.parse(sweep.claimedBefore)).toBe(Date.parse(sweep.startedAt)); // no grace period in tests
    expect(Date.parse(sweep.expiresAt)).toBeGreaterThan(Date.parse(sweep.startedAt));
    // Claimed after the start: a writer's "which do you hold", an upload of a chunk held, a new chunk.
    expect(await drive(editor, own.id).held([askedByEditor.id])).toEqual(new Set([askedByEditor.id]));
    const put = await fetch(harness.httpUrl + drivePaths.chunk(tenantA, own.id, uploadedAgain.id), {
      method: 'PUT',
      headers: { authorization: `Bearer ${owner.session.accessToken}` },
      body: uploadedAgain.ciphertext as Uint8Array<ArrayBuffer>,
    });
    expect(put.status).toBe(200); // held already: nothing written, but claimed
    const fresh = chunkOf();
    await drive(editor, own.id).upload([fresh]);
    // A viewer's question claims nothing: a viewer writes no manifest.
    expect(await drive(viewer, own.id).held([askedByViewer.id])).toEqual(new Set([askedByViewer.id]));

    expect((await listed(sweep.sweepId, own.id)).sort()).toEqual(sorted([unused, askedByViewer]));
    const everything = [unused, askedByEditor, uploadedAgain, askedByViewer, fresh].map((chunk) => chunk.id);
    const result = await released(sweep.sweepId, everything, own.id);
    expect(result.released.sort()).toEqual(sorted([unused, askedByViewer]));
    expect(result.kept.sort()).toEqual(sorted([askedByEditor, uploadedAgain, fresh]));
    expect(result.bytesFreed).toBe(unused.ciphertext.length + askedByViewer.ciphertext.length);

    // Gone from the table, from the blob folder and from the usage; the rest reads as before.
    const usageAfter = (await drive(owner, own.id).usage()).bytes;
    expect(usageAfter).toBe(usageBefore + fresh.ciphertext.length - result.bytesFreed);
    expect(await state(own.id)).toEqual({
      rows: sorted([askedByEditor, uploadedAgain, fresh]),
      files: sorted([askedByEditor, uploadedAgain, fresh]),
    });
    await expect(drive(viewer, own.id).fetchChunk(unused.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const chunk of [askedByEditor, uploadedAgain, fresh]) {
      expect(await drive(viewer, own.id).fetchChunk(chunk.id)).toEqual(chunk.ciphertext);
    }
    // A second release of the same addresses finds nothing to release.
    expect(await released(sweep.sweepId, [unused.id], own.id)).toEqual({
      released: [],
      kept: [unused.id],
      bytesFreed: 0,
    });
    // A released chunk can be uploaded again, and is then held and readable.
    expect((await drive(editor, own.id).upload([unused])).sent).toEqual(new Set([unused.id]));
    expect(await drive(viewer, own.id).fetchChunk(unused.id)).toEqual(unused.ciphertext);
    expect(harness.logs()).toContain('drive chunks released');
    // The log says how many, never which.
    for (const chunk of [unused, askedByViewer]) expect(harness.logs()).not.toContain(chunk.id);
  });

  it('keeps a chunk claimed between the listing and the release', async () => {
    const chunk = chunkOf();
    await drive(editor).upload([chunk]);
    const sweep = await started();
    expect(await listed(sweep.sweepId)).toContain(chunk.id);
    await drive(editor).held([chunk.id]);
    expect(await released(sweep.sweepId, [chunk.id])).toEqual({ released: [], kept: [chunk.id], bytesFreed: 0 });
    expect(await drive(viewer).fetchChunk(chunk.id)).toEqual(chunk.ciphertext);
  });

  it('pages the listing by address', async () => {
    const own = await createTestDocument(api, tenantA, owner);
    const chunks = Array.from({ length: 7 }, () => chunkOf(500));
    await drive(owner, own.id).upload(chunks);
    const sweep = await started(owner, own.id);
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const reply = await page(owner, sweep.sweepId, { limit: 3, ...(after ? { after } : {}) }, own.id);
      const body = SweepChunksResponseSchema.parse(reply.body);
      pages.push(body.chunks.map((chunk) => chunk.address));
      expect(body.chunks.every((chunk) => chunk.size === 500 + 16)).toBe(true);
      if (body.next === null) break;
      after = body.next;
    }
    expect(pages.map((addresses) => addresses.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(sorted(chunks));
  });

  it('lets only an owner sweep: editors, viewers, non-members and other tenants are refused and change nothing', async () => {
    const chunk = chunkOf();
    await drive(editor).upload([chunk]);
    const before = await state();
    for (const user of [editor, viewer, stranger]) {
      expect(answer(await startSweep(user))).toEqual({ status: 403, code: 'FORBIDDEN' });
    }
    // Tenant B's account: on tenant A's path (its token is not of tenant A), and on its own tenant's path.
    expect(answer(await startSweep(outsider))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(answer(await startSweep(outsider, space.id, tenantB))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(answer(await startSweep(owner, randomId('doc')))).toEqual({ status: 404, code: 'NOT_FOUND' });

    // The owner's sweep, used by the others.
    const sweep = await started();
    for (const user of [editor, viewer, stranger, outsider]) {
      expect(answer(await page(user, sweep.sweepId)), user.session.userId).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(answer(await release(user, sweep.sweepId, [chunk.id]))).toEqual({ status: 403, code: 'FORBIDDEN' });
    }
    const onB = (path: string, method = 'GET', json?: unknown) =>
      api.request(method, path, { token: outsider.session.accessToken, json });
    expect(answer(await onB(drivePaths.sweepChunks(tenantB, space.id, sweep.sweepId)))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(
      answer(await onB(drivePaths.sweepRelease(tenantB, space.id, sweep.sweepId), 'POST', { addresses: [chunk.id] })),
    ).toEqual({ status: 404, code: 'NOT_FOUND' });
    const anonymous = await api.request('POST', drivePaths.sweeps(tenantA, space.id));
    expect(answer(anonymous)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await state()).toEqual(before);
  });

  it("refuses bad input, unknown and other spaces' sweeps with their codes, changing nothing", async () => {
    const chunk = chunkOf();
    await drive(editor).upload([chunk]);
    const other = await createTestDocument(api, tenantA, owner);
    await drive(owner, other.id).upload([chunk]);
    const sweep = await started();
    const otherSweep = await started(owner, other.id);
    const before = { here: await state(), there: await state(other.id) };
    const invalid = { status: 400, code: 'VALIDATION_FAILED' };

    expect(answer(await release(owner, sweep.sweepId, ['ABC']))).toEqual(invalid);
    expect(answer(await release(owner, sweep.sweepId, [chunk.id.toUpperCase()]))).toEqual(invalid);
    expect(answer(await release(owner, sweep.sweepId, []))).toEqual(invalid);
    expect(answer(await release(owner, sweep.sweepId, 'not a list'))).toEqual(invalid);
    const tooMany = Array.from({ length: MAX_SWEEP_PAGE + 1 }, () => toHex(randomBytes(32)));
    expect(answer(await release(owner, sweep.sweepId, tooMany))).toEqual(invalid);
    const notJson = await api.request('POST', drivePaths.sweepRelease(tenantA, space.id, sweep.sweepId), {
      token: owner.session.accessToken,
      raw: '{"addresses": [',
    });
    expect(answer(notJson)).toEqual({ status: 400, code: 'BAD_REQUEST' });
    const huge = await api.request('POST', drivePaths.sweepRelease(tenantA, space.id, sweep.sweepId), {
      token: owner.session.accessToken,
      raw: JSON.stringify({ addresses: [chunk.id], padding: 'x'.repeat(200 * 1024) }),
    });
    expect(answer(huge)).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });

    expect(answer(await page(owner, sweep.sweepId, { limit: 0 }))).toEqual(invalid);
    expect(answer(await page(owner, sweep.sweepId, { limit: MAX_SWEEP_PAGE + 1 }))).toEqual(invalid);
    expect(answer(await page(owner, sweep.sweepId, { after: 'zz' }))).toEqual(invalid);
    expect(answer(await page(owner, 'not-a-sweep'))).toEqual(invalid);

    // A sweep id that does not exist, or is another space's: NOT_FOUND, whichever route.
    const unknown = toHex(randomBytes(16));
    expect(answer(await page(owner, unknown))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(answer(await release(owner, unknown, [chunk.id]))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(answer(await page(owner, otherSweep.sweepId))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(answer(await release(owner, otherSweep.sweepId, [chunk.id]))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(answer(await release(owner, sweep.sweepId, [chunk.id], other.id))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });

    expect({ here: await state(), there: await state(other.id) }).toEqual(before);
    // The same chunk in the other space is another chunk: releasing it there leaves this space's.
    expect((await released(otherSweep.sweepId, [chunk.id], other.id)).released).toEqual([chunk.id]);
    expect(await state()).toEqual(before.here);
    expect(await drive(viewer).fetchChunk(chunk.id)).toEqual(chunk.ciphertext);
  });

  it("keeps every tenant's sweeps and releases to itself (Row Level Security)", async () => {
    const chunk = chunkOf();
    await drive(editor).upload([chunk]);
    const sweep = await started();
    const rowsOf = (tenant: TenantId | null) => {
      const read = async (sql: SqlExecutor) => ({
        sweeps: (await sql.query<{ id: string }>('select id from drive_sweeps')).map((row) => row.id),
        releases: (await sql.query<{ address: string }>('select address from drive_releases')).length,
        chunks: (await sql.query<{ address: string }>('select address from drive_chunks')).map((row) => row.address),
      });
      return tenant ? harness.relay.database.withTenant(tenant, read) : harness.relay.database.withoutTenant(read);
    };
    expect((await rowsOf(tenantA)).sweeps).toContain(sweep.sweepId);
    const seenByB = await rowsOf(tenantB);
    expect(seenByB.sweeps).not.toContain(sweep.sweepId);
    expect(seenByB.chunks).not.toContain(chunk.id);
    expect(await rowsOf(null)).toEqual({ sweeps: [], releases: 0, chunks: [] });
    // Tenant B's transaction cannot delete tenant A's rows either.
    await harness.relay.database.withTenant(tenantB, (sql) =>
      sql.query('delete from drive_chunks where address = $1', [chunk.id]),
    );
    expect(await chunkRows(harness, tenantA, space.id)).toContain(chunk.id);
  });

  it('an upload whose bytes a concurrent release deleted writes them again before recording them', async () => {
    // The race: upload A finds no row and writes its bytes; upload B of the same chunk records it; a sweep
    // started after releases it (rows, then bytes: A's bytes); then A records its row. A second service over
    // the relay's database and blob folder runs upload A, held between its bytes and its row.
    const own = await createTestDocument(api, tenantA, owner);
    await addTestMember(api, tenantA, own, owner, editor, 'editor');
    const chunk = chunkOf();
    let written!: () => void;
    const bytesWritten = new Promise<void>((resolve) => (written = resolve));
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const files = new FileSystemBlobStore(harness.blobDir);
    let held = false;
    const gated = blobStoreWith(files, {
      put: async (tenant, id, address, bytes) => {
        const fresh = await files.put(tenant, id, address, bytes);
        if (!held) {
          held = true;
          written();
          await resumed;
        }
        return fresh;
      },
    });
    const service = new DriveService({
      database: harness.relay.database,
      blobs: gated,
      logger: createLogger('silent'),
      sweepGraceMs: 0,
    });
    const session = sessionOf(tenantA, editor);
    const uploadA = service.putChunk(session, documentId(own.id), chunk.id, chunk.ciphertext);
    await bytesWritten;
    // B: recorded now (its bytes were there already, A's).
    expect((await drive(editor, own.id).upload([chunk])).sent).toEqual(new Set([chunk.id]));
    expect(await chunkRows(harness, tenantA, own.id)).toEqual([chunk.id]);
    const sweep = await started(owner, own.id);
    expect((await released(sweep.sweepId, [chunk.id], own.id)).released).toEqual([chunk.id]);
    expect(await blobAddresses(harness, tenantA, own.id)).toEqual([]);

    resume();
    expect(await uploadA).toEqual({ stored: true });
    expect(await chunkRows(harness, tenantA, own.id)).toEqual([chunk.id]);
    expect(await blobAddresses(harness, tenantA, own.id)).toEqual([chunk.id]);
    expect(await drive(owner, own.id).fetchChunk(chunk.id)).toEqual(chunk.ciphertext);
  });

  it('a release whose byte deletion fails leaves bytes no row names, deleted at the next sweep, and an upload of one records it again', async () => {
    const own = await createTestDocument(api, tenantA, owner);
    const [kept, again] = [chunkOf(), chunkOf()];
    await drive(owner, own.id).upload([kept, again]);
    const files = new FileSystemBlobStore(harness.blobDir);
    const failing = blobStoreWith(files, { delete: () => Promise.reject(new Error('the blob store is down')) });
    const service = new DriveService({
      database: harness.relay.database,
      blobs: failing,
      logger: createLogger('silent'),
      sweepGraceMs: 0,
    });
    const session = sessionOf(tenantA, owner);
    const space = documentId(own.id);
    const sweep = await service.startSweep(session, space);
    const result = await service.releaseChunks(session, space, sweep.sweepId, [kept.id, again.id]);
    expect(result.released.sort()).toEqual(sorted([kept, again]));
    // No row, so not held and not counted; the bytes are still there.
    expect(await chunkRows(harness, tenantA, own.id)).toEqual([]);
    expect(await blobAddresses(harness, tenantA, own.id)).toEqual(sorted([kept, again]));
    expect(await drive(owner, own.id).held([kept.id, again.id])).toEqual(new Set());

    // An upload of one of them calls its deletion off and records it.
    expect((await drive(owner, own.id).upload([again])).sent).toEqual(new Set([again.id]));
    // The next sweep (the relay's own service) deletes the bytes left over, and only those.
    await started(owner, own.id);
    expect(await blobAddresses(harness, tenantA, own.id)).toEqual([again.id]);
    expect(await drive(owner, own.id).fetchChunk(again.id)).toEqual(again.ciphertext);
  });
});

describe(`a relay with a grace period and short-lived sweeps (${storageEngine})`, () => {
  let harness: RelayHarness;

  beforeAll(async () => {
    harness = await startRelay({ driveSweepLifetimeMs: 1000, driveSweepGraceMs: 60_000 });
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('never lists nor releases a chunk claimed within the grace period before the sweep', async () => {
    const api = new ApiClient(harness.httpUrl);
    const tenant = await createTestTenant(harness, randomId('tenant'));
    const owner = await registerTestUser(api, tenant, 'gina');
    const space: DocumentId = documentId((await createTestDocument(api, tenant, owner)).id);
    const chunk = new ChunkSealer(randomBytes(32)).seal(randomBytes(2000));
    const client = new DriveClient({
      api: new RelayApi({ baseUrl: harness.httpUrl }),
      token: () => Promise.resolve(owner.session.accessToken),
      tenant,
      space,
    });
    // Uploaded, and no manifest names it yet (its device is slow to save one): a sweep now must keep it.
    await client.upload([chunk]);
    const token = owner.session.accessToken;
    const started = StartedSweepResponseSchema.parse(
      (await api.request('POST', drivePaths.sweeps(tenant, space), { token })).body,
    );
    expect(Date.parse(started.startedAt) - Date.parse(started.claimedBefore)).toBe(60_000);
    const listing = await api.request('GET', drivePaths.sweepChunks(tenant, space, started.sweepId), { token });
    expect(SweepChunksResponseSchema.parse(listing.body)).toEqual({ chunks: [], next: null });
    const releasing = await api.request('POST', drivePaths.sweepRelease(tenant, space, started.sweepId), {
      token,
      json: { addresses: [chunk.id] },
    });
    expect(ReleaseChunksResponseSchema.parse(releasing.body)).toEqual({
      released: [],
      kept: [chunk.id],
      bytesFreed: 0,
    });
    expect(await client.fetchChunk(chunk.id)).toEqual(chunk.ciphertext);
  });

  it('refuses an expired sweep with NOT_FOUND, releasing nothing', async () => {
    const api = new ApiClient(harness.httpUrl);
    const tenant = await createTestTenant(harness, randomId('tenant'));
    const owner = await registerTestUser(api, tenant, 'olga');
    const space: DocumentId = documentId((await createTestDocument(api, tenant, owner)).id);
    const chunk = new ChunkSealer(randomBytes(32)).seal(randomBytes(2000));
    const client = new DriveClient({
      api: new RelayApi({ baseUrl: harness.httpUrl }),
      token: () => Promise.resolve(owner.session.accessToken),
      tenant,
      space,
    });
    await client.upload([chunk]);
    const token = owner.session.accessToken;
    const started = StartedSweepResponseSchema.parse(
      (await api.request('POST', drivePaths.sweeps(tenant, space), { token })).body,
    );
    expect(Date.parse(started.expiresAt) - Date.parse(started.startedAt)).toBe(1000);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const listing = await api.request('GET', drivePaths.sweepChunks(tenant, space, started.sweepId), { token });
    expect(answer(listing)).toEqual({ status: 404, code: 'NOT_FOUND' });
    const releasing = await api.request('POST', drivePaths.sweepRelease(tenant, space, started.sweepId), {
      token,
      json: { addresses: [chunk.id] },
    });
    expect(answer(releasing)).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await client.held([chunk.id])).toEqual(new Set([chunk.id]));
    expect(await client.fetchChunk(chunk.id)).toEqual(chunk.ciphertext);
  });
});
