import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, hash, randomBytes, ready, toHex } from '@coffre/crypto';
import {
  AccountError,
  ChunkSealer,
  DRIVE_CHUNK_SIZES,
  DriveClient,
  type FileManifest,
  RelayApi,
  readFile,
  readFileRange,
} from '@coffre/client';
import {
  CHUNK_FRAME_HEADER_BYTES,
  type DocumentId,
  MAX_BATCH_CHUNKS,
  MAX_CHUNK_BATCH_BODY_BYTES,
  MAX_SEALED_CHUNK_BYTES,
  type TenantId,
  documentId,
  drivePaths,
  encodeChunkBatch,
  sharingPaths,
} from '@coffre/protocol';
import { ApiClient, createTestTenant, errorCodeOf } from './support/accountApi.ts';
import { dumpTenant } from './support/databaseDump.ts';
import { type RelayHarness, randomId, readAllFiles, startRelay, storageEngine } from './support/relayHarness.ts';
import { type TestDocument, type TestUser, createTestDocument, registerTestUser } from './support/sharingApi.ts';
import { driveClientOf, startDriveCast } from './support/driveCast.ts';

await ready();

/** Every file the blob store wrote, by path under its folder, with its bytes. */
async function blobFiles(root: string): Promise<Map<string, Uint8Array>> {
  const files = await readAllFiles(root).catch(() => []);
  return new Map(files.map(({ path, bytes }) => [path.slice(root.length + 1), new Uint8Array(bytes)]));
}

/** `size` bytes in which `marker` recurs every few KiB among random bytes: findable wherever plaintext leaks. */
function markedFile(marker: string, size: number): Uint8Array {
  const bytes = randomBytes(size);
  const text = new TextEncoder().encode(marker);
  for (let at = 0; at + text.length <= size; at += 4096) bytes.set(text, at);
  return bytes;
}

function* streamOf(bytes: Uint8Array, piece = 300_000): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

const contains = (haystack: Uint8Array, needle: string) =>
  Buffer.from(haystack).includes(Buffer.from(new TextEncoder().encode(needle)));

describe(`the Drive's chunks on the relay (${storageEngine})`, () => {
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
  const secret = randomBytes(32);
  const sealer = new ChunkSealer(secret);
  const marker = `drive-marker-${Math.random().toString(36).slice(2, 10)}`;

  const drive = (user: TestUser, tenant = tenantA, id: string = space.id) => driveClientOf(harness, user, tenant, id);
  const manifestOf = (chunks: FileManifest['chunks'], size: number): FileManifest => ({
    fileId: 'file-1',
    version: 1,
    name: 'report.pdf',
    mediaType: 'application/pdf',
    size,
    modifiedAt: 0,
    chunks,
  });
  const putRaw = (user: TestUser, path: string, body: Uint8Array) =>
    fetch(harness.httpUrl + path, {
      method: 'PUT',
      headers: { authorization: `Bearer ${user.session.accessToken}`, 'content-type': 'application/octet-stream' },
      body: body as Uint8Array<ArrayBuffer>,
    });
  const postRaw = (user: TestUser, path: string, body: Uint8Array) =>
    fetch(harness.httpUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.session.accessToken}`, 'content-type': 'application/octet-stream' },
      body: body as Uint8Array<ArrayBuffer>,
    });
  const answerOf = async (answer: Response | Promise<Response>) => {
    const response = await answer;
    return {
      status: response.status,
      code: ((await response.json()) as { error?: { code?: string } }).error?.code,
    };
  };
  const rows = async () => dumpTenant(harness, tenantA);

  beforeAll(async () => {
    ({ harness, api, tenantA, tenantB, owner, editor, viewer, stranger, outsider, space } = await startDriveCast());
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it("uploads a file an editor wrote; a viewer reads it whole and from the middle; copies and versions send only what's new", async () => {
    const bytes = markedFile(marker, 5 * 1024 * 1024 + 12_345);
    const progress: number[] = [];
    const first = await drive(editor).uploadFile(streamOf(bytes), sealer, (step) => progress.push(step.saved));
    expect(first.size).toBe(bytes.length);
    expect(first.deduplicated).toBe(0);
    expect(progress.at(-1)).toBe(bytes.length);

    const manifest = manifestOf(first.chunks, first.size);
    const reader = drive(viewer);
    expect(await collect(readFile(manifest, sealer, reader.fetchChunk))).toEqual(bytes);
    const middle = 2 * 1024 * 1024 + 17;
    expect(await readFileRange(manifest, sealer, reader.fetchChunk, middle, middle + 100_000)).toEqual(
      bytes.subarray(middle, middle + 100_000),
    );

    // A second copy: every chunk is held already, nothing is sent.
    const copy = await drive(owner).uploadFile(streamOf(bytes, 1_000_003), sealer);
    expect(copy.chunks).toEqual(first.chunks);
    expect(copy.deduplicated).toBe(bytes.length);

    // A new version with a few bytes changed near the start sends about one chunk.
    const edited = bytes.slice();
    edited.set(new TextEncoder().encode('a new first paragraph'), 1000);
    const version = await drive(editor).uploadFile(streamOf(edited), sealer);
    expect(version.deduplicated).toBeGreaterThan(bytes.length - 2 * DRIVE_CHUNK_SIZES.max);
    expect(version.deduplicated).toBeLessThan(bytes.length);

    const usage = await reader.usage();
    const stored = new Set([...first.chunks, ...version.chunks].map((chunk) => chunk.id));
    expect(stored.size).toBeLessThan(first.chunks.length + version.chunks.length);
    expect(usage.quotaBytes).toBeNull();
    expect(usage.bytes).toBe(
      [...new Map([...first.chunks, ...version.chunks].map((chunk) => [chunk.id, chunk.size + 16])).values()].reduce(
        (sum, size) => sum + size,
        0,
      ),
    );
  });

  it('keeps only ciphertext: no marker in any blob file, table row or log line', async () => {
    const files = await blobFiles(harness.blobDir);
    expect(files.size).toBeGreaterThan(0);
    for (const [path, bytes] of files) {
      expect(contains(bytes, marker), path).toBe(false);
      // Stored under its own address: what the relay checked on upload.
      expect(path.endsWith(toHex(hash(bytes, 32))), path).toBe(true);
    }
    expect(await rows()).not.toContain(marker);
    expect(harness.logs()).not.toContain(marker);
  });

  it('refuses damaged, oversized, misplaced and unauthorised chunks with their codes, changing nothing', async () => {
    const sealed = sealer.seal(markedFile(marker, 300_000));
    const path = drivePaths.chunk(tenantA, space.id, sealed.id);
    const tampered = sealed.ciphertext.slice();
    tampered[10] = (tampered[10] as number) ^ 1;
    const before = { rows: await rows(), files: [...(await blobFiles(harness.blobDir)).keys()].sort() };

    expect(await answerOf(await putRaw(editor, path, tampered))).toEqual({ status: 422, code: 'CHUNK_MISMATCH' });
    expect(await answerOf(await putRaw(editor, path, sealed.ciphertext.subarray(1)))).toEqual({
      status: 422,
      code: 'CHUNK_MISMATCH',
    });
    const huge = randomBytes(MAX_SEALED_CHUNK_BYTES + 1);
    const hugePath = drivePaths.chunk(tenantA, space.id, toHex(hash(huge, 32)));
    expect(await answerOf(await putRaw(editor, hugePath, huge))).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await answerOf(await putRaw(viewer, path, sealed.ciphertext))).toEqual({ status: 403, code: 'READ_ONLY' });
    expect(await answerOf(await putRaw(stranger, path, sealed.ciphertext))).toEqual({ status: 403, code: 'FORBIDDEN' });
    // Tenant B's account, on tenant A's path and on its own tenant's path to A's space id.
    expect(await answerOf(await putRaw(outsider, path, sealed.ciphertext))).toEqual({ status: 403, code: 'FORBIDDEN' });
    const inB = drivePaths.chunk(tenantB, space.id, sealed.id);
    expect(await answerOf(await putRaw(outsider, inB, sealed.ciphertext))).toEqual({ status: 404, code: 'NOT_FOUND' });
    const unknownSpace = drivePaths.chunk(tenantA, randomId('doc'), sealed.id);
    expect(await answerOf(await putRaw(owner, unknownSpace, sealed.ciphertext))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    const badAddress = drivePaths.chunk(tenantA, space.id, 'ABC');
    expect(await answerOf(await putRaw(owner, badAddress, sealed.ciphertext))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    const anonymous = await fetch(harness.httpUrl + path, { method: 'PUT', body: sealed.ciphertext as never });
    expect(await answerOf(anonymous)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });

    expect({ rows: await rows(), files: [...(await blobFiles(harness.blobDir)).keys()].sort() }).toEqual(before);
  });

  it('refuses a batch upload that is not a batch, holds a bad chunk or comes from one who may not write, keeping none of it', async () => {
    const [first, second] = [sealer.seal(markedFile(marker, 200_000)), sealer.seal(randomBytes(100_000))];
    const frames = (...chunks: { id: string; ciphertext: Uint8Array }[]) =>
      encodeChunkBatch(chunks.map((chunk) => ({ address: chunk.id, bytes: chunk.ciphertext })));
    const path = drivePaths.chunks(tenantA, space.id);
    const post = (user: TestUser, body: Uint8Array, at = path) => answerOf(postRaw(user, at, body));
    const good = frames(first, second);
    const before = { rows: await rows(), files: [...(await blobFiles(harness.blobDir)).keys()].sort() };

    const invalid = { status: 400, code: 'VALIDATION_FAILED' };
    expect(await post(editor, new Uint8Array(0))).toEqual(invalid);
    expect(await post(editor, good.subarray(0, 20))).toEqual(invalid);
    expect(await post(editor, good.subarray(0, good.length - 1))).toEqual(invalid);
    const empty = new Uint8Array(CHUNK_FRAME_HEADER_BYTES);
    empty.set(fromHex(first.id));
    expect(await post(editor, empty)).toEqual(invalid);
    const tiny = Array.from({ length: MAX_BATCH_CHUNKS }, () => sealer.seal(randomBytes(10)));
    const tooMany = Buffer.concat([frames(...tiny), frames(sealer.seal(randomBytes(10)))]);
    expect(await post(editor, new Uint8Array(tooMany))).toEqual(invalid);
    // A frame that says its chunk is larger than any the chunker makes, and a body past the batch's limit.
    const overlong = good.slice(0, CHUNK_FRAME_HEADER_BYTES);
    new DataView(overlong.buffer).setUint32(32, MAX_SEALED_CHUNK_BYTES + 1);
    expect(await post(editor, overlong)).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await post(editor, randomBytes(MAX_CHUNK_BATCH_BODY_BYTES + 1))).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    // One damaged chunk refuses the batch: its good chunk is not kept either.
    const damaged = good.slice();
    damaged[good.length - 7] = (damaged[good.length - 7] as number) ^ 1;
    expect(await post(editor, damaged)).toEqual({ status: 422, code: 'CHUNK_MISMATCH' });
    expect(await post(viewer, good)).toEqual({ status: 403, code: 'READ_ONLY' });
    expect(await post(stranger, good)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await post(outsider, good)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await post(outsider, good, drivePaths.chunks(tenantB, space.id))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(await post(owner, good, drivePaths.chunks(tenantA, randomId('doc')))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    const anonymous = await fetch(harness.httpUrl + path, { method: 'POST', body: good as never });
    expect(await answerOf(anonymous)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect({ rows: await rows(), files: [...(await blobFiles(harness.blobDir)).keys()].sort() }).toEqual(before);

    // The good batch, with a chunk listed twice: stored once each; sent again, held.
    const stored = await postRaw(editor, path, frames(first, second, first));
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ stored: [first.id, second.id], held: [] });
    const again = await postRaw(owner, path, good);
    expect(await again.json()).toEqual({ stored: [], held: [first.id, second.id] });
    expect(await drive(viewer).fetchChunk(first.id)).toEqual(first.ciphertext);
    expect(await drive(viewer).fetchChunk(second.id)).toEqual(second.ciphertext);
  });

  it("shows no space's chunks to a non-member or another tenant, whether asked for bytes or for what is held", async () => {
    const sealed = sealer.seal(randomBytes(300_000));
    await drive(editor).upload([sealed]);
    const get = (user: TestUser, path: string) =>
      fetch(harness.httpUrl + path, { headers: { authorization: `Bearer ${user.session.accessToken}` } });
    const path = drivePaths.chunk(tenantA, space.id, sealed.id);
    expect((await get(viewer, path)).status).toBe(200);
    expect(await answerOf(await get(stranger, path))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await answerOf(await get(outsider, path))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await answerOf(await get(outsider, drivePaths.chunk(tenantB, space.id, sealed.id)))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    const unknownChunk = drivePaths.chunk(tenantA, space.id, toHex(randomBytes(32)));
    expect(await answerOf(await get(viewer, unknownChunk))).toEqual({ status: 404, code: 'NOT_FOUND' });

    // The same chunk in another space of the same tenant is another chunk: not held there.
    const other = await createTestDocument(api, tenantA, stranger);
    expect(await drive(stranger, tenantA, other.id).held([sealed.id])).toEqual(new Set());
    await expect(drive(stranger).held([sealed.id])).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(drive(outsider, tenantB, space.id).held([sealed.id])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await drive(viewer).held([sealed.id])).toEqual(new Set([sealed.id]));
  });

  it("deletes a space's chunks with its document, and no other space's", async () => {
    const doomed = await createTestDocument(api, tenantA, owner);
    const sealed = sealer.seal(randomBytes(300_000));
    await drive(owner, tenantA, doomed.id).upload([sealed]);
    await drive(editor).upload([sealed]);
    const folderOf = (id: string) => `${tenantA}/${id}/`;
    const paths = async () => [...(await blobFiles(harness.blobDir)).keys()];
    expect((await paths()).some((path) => path.startsWith(folderOf(doomed.id)))).toBe(true);
    const answer = await api.request('DELETE', sharingPaths.document(tenantA, doomed.id), {
      token: owner.session.accessToken,
    });
    expect(answer.status).toBe(204);
    await expect
      .poll(async () => (await paths()).some((path) => path.startsWith(folderOf(doomed.id))), { timeout: 10_000 })
      .toBe(false);
    expect(await drive(editor).held([sealed.id])).toEqual(new Set([sealed.id]));
    expect(await drive(viewer).fetchChunk(sealed.id)).toEqual(sealed.ciphertext);
  });

  it('keeps an acknowledged chunk across a restart of the relay', async () => {
    const relay = await startRelay();
    try {
      const tenant = await createTestTenant(relay, randomId('tenant'));
      const user = await registerTestUser(new ApiClient(relay.httpUrl), tenant, 'rita');
      const own = await createTestDocument(new ApiClient(relay.httpUrl), tenant, user);
      const client = () =>
        new DriveClient({
          api: new RelayApi({ baseUrl: `http://127.0.0.1:${relay.port}` }),
          token: () => Promise.resolve(user.session.accessToken),
          tenant,
          space: documentId(own.id),
        });
      const sealed = sealer.seal(randomBytes(400_000));
      expect((await client().upload([sealed])).sent).toEqual(new Set([sealed.id]));
      await relay.stop();
      const restarted = await startRelay({ dataDir: relay.dataDir, port: relay.port, keys: relay.keys });
      try {
        expect(await client().fetchChunk(sealed.id)).toEqual(sealed.ciphertext);
        expect(await client().held([sealed.id])).toEqual(new Set([sealed.id]));
      } finally {
        await restarted.stop();
      }
    } finally {
      await relay.teardown();
    }
  });
});

describe(`the Drive's quota (${storageEngine})`, () => {
  let harness: RelayHarness;
  const sealer = new ChunkSealer(randomBytes(32));
  const QUOTA = 2 * 1024 * 1024;
  const MAX_FILE = 1_500_000;

  beforeAll(async () => {
    await ready();
    harness = await startRelay({
      driveQuotaBytes: QUOTA,
      driveMaxFileBytes: MAX_FILE,
      accounts: { rateLimits: { chunkWritesPerUser: { points: 40, durationSeconds: 60 } } },
    });
  });
  afterAll(async () => {
    await harness.teardown();
  });

  /** A user of a new organisation (so its usage starts at 0), with a document of theirs to upload chunks to. */
  async function uploaderInNewTenant(name: string): Promise<DriveClient> {
    const api = new ApiClient(harness.httpUrl);
    const tenant = await createTestTenant(harness, randomId('tenant'));
    const user = await registerTestUser(api, tenant, name);
    const space: DocumentId = documentId((await createTestDocument(api, tenant, user)).id);
    return new DriveClient({
      api: new RelayApi({ baseUrl: harness.httpUrl }),
      token: () => Promise.resolve(user.session.accessToken),
      tenant,
      space,
    });
  }

  it('refuses chunks past the quota with QUOTA_EXCEEDED, even when sent at once, and keeps nothing of them', async () => {
    const client = await uploaderInNewTenant('quinn');
    // Twelve chunks of 300 kB, all at once: at most six fit in 2 MiB.
    const chunks = Array.from({ length: 12 }, () => sealer.seal(randomBytes(300_000)));
    const answers = await Promise.allSettled(chunks.map((chunk) => client.upload([chunk])));
    const stored = answers.filter((answer) => answer.status === 'fulfilled').length;
    const refused = answers.filter(
      (answer) => answer.status === 'rejected' && (answer.reason as { code?: string }).code === 'QUOTA_EXCEEDED',
    ).length;
    expect(stored + refused).toBe(chunks.length);
    expect(stored).toBe(Math.floor(QUOTA / (300_000 + 16)));
    const usage = await client.usage();
    expect(usage).toEqual({ bytes: stored * (300_000 + 16), quotaBytes: QUOTA, maxFileBytes: MAX_FILE });
    // Only what was recorded is on disk: refused chunks left no file behind.
    expect((await blobFiles(harness.blobDir)).size).toBe(stored);
  });

  it('refuses a batch upload whole when what the space lacks of it does not fit', async () => {
    const api = new ApiClient(harness.httpUrl);
    const tenant = await createTestTenant(harness, randomId('tenant'));
    const user = await registerTestUser(api, tenant, 'rene');
    const space = (await createTestDocument(api, tenant, user)).id;
    const post = (chunks: { id: string; ciphertext: Uint8Array }[]) =>
      fetch(harness.httpUrl + drivePaths.chunks(tenant, space), {
        method: 'POST',
        headers: { authorization: `Bearer ${user.session.accessToken}` },
        body: encodeChunkBatch(chunks.map((c) => ({ address: c.id, bytes: c.ciphertext }))) as Uint8Array<ArrayBuffer>,
      });
    const kept = Array.from({ length: 4 }, () => sealer.seal(randomBytes(300_000)));
    expect((await post(kept)).status).toBe(200);
    const onDisk = (await blobFiles(harness.blobDir)).size;
    // The four held already cost nothing; the four new ones (1.2 MB) do not fit the 0.9 MB left.
    const refused = await post([...kept, ...Array.from({ length: 4 }, () => sealer.seal(randomBytes(300_000)))]);
    expect(refused.status).toBe(507);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('QUOTA_EXCEEDED');
    expect((await blobFiles(harness.blobDir)).size).toBe(onDisk);
    const usage = await api.request('GET', drivePaths.usage(tenant), { token: user.session.accessToken });
    expect(usage.body).toMatchObject({ bytes: 4 * (300_000 + 16) });
    // What fits still goes: two new chunks beside the four held.
    const more = await post([...kept, ...Array.from({ length: 2 }, () => sealer.seal(randomBytes(300_000)))]);
    expect(more.status).toBe(200);
  });

  it('refuses a file that does not fit whole before sending any of it, and one over the largest file size', async () => {
    const client = await uploaderInNewTenant('sasha');
    const onDisk = (await blobFiles(harness.blobDir)).size;
    // 2.5 MB in a 2 MiB quota: refused at the first window, so nothing of it is stored.
    const tooBig = await client.uploadFile([randomBytes(2_500_000)], sealer).catch((error: unknown) => error);
    expect(tooBig).toBeInstanceOf(AccountError);
    expect((tooBig as AccountError).code).toBe('QUOTA_EXCEEDED');
    expect((tooBig as AccountError).detail).toMatch(/^2\.1 MB left, 2\.5 MB more needed$/);
    expect(await client.usage()).toMatchObject({ bytes: 0 });
    expect((await blobFiles(harness.blobDir)).size).toBe(onDisk);
    // The largest file the organisation allows is the device's to check: the relay sees chunks only.
    await expect(client.checkFileSize(MAX_FILE + 1)).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
      detail: 'the largest file allowed is 1.5 MB',
    });
    await expect(client.checkFileSize(MAX_FILE)).resolves.toBeUndefined();
    const fits = await client.uploadFile([randomBytes(1_000_000)], sealer);
    expect(fits.size).toBe(1_000_000);
    expect((await client.usage()).bytes).toBeGreaterThan(1_000_000);
  });

  it('limits how many chunks one user uploads per minute (RATE_LIMITED with Retry-After)', async () => {
    const api = new ApiClient(harness.httpUrl);
    const tenant = await createTestTenant(harness, randomId('tenant'));
    const user = await registerTestUser(api, tenant, 'rory');
    const space = (await createTestDocument(api, tenant, user)).id;
    let limited: Response | null = null;
    for (let attempt = 0; attempt < 60 && !limited; attempt += 1) {
      const bytes = randomBytes(64);
      const response = await fetch(harness.httpUrl + drivePaths.chunk(tenant, space, toHex(hash(bytes, 32))), {
        method: 'PUT',
        headers: { authorization: `Bearer ${user.session.accessToken}` },
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      if (response.status === 429) limited = response;
      else await response.arrayBuffer();
    }
    expect(limited).not.toBeNull();
    expect(errorCodeOf({ status: 429, headers: limited!.headers, body: await limited!.json() })).toBe('RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe(`the Drive's client through a flaky network and a busy relay (${storageEngine})`, () => {
  let harness: RelayHarness;
  const sealer = new ChunkSealer(randomBytes(32));

  beforeAll(async () => {
    await ready();
    harness = await startRelay({
      accounts: { rateLimits: { chunkWritesPerUser: { points: 4, durationSeconds: 1 } } },
    });
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('sends a chunk damaged on the way again, waits out rate limits and dropped connections, and gives up on a refusal', async () => {
    const api = new ApiClient(harness.httpUrl);
    const tenant = await createTestTenant(harness, randomId('tenant'));
    const user = await registerTestUser(api, tenant, 'fran');
    const space = documentId((await createTestDocument(api, tenant, user)).id);
    // The network between this client and the relay: the first upload arrives with one byte flipped,
    // the third request is cut before it reaches the relay.
    let requests = 0;
    let damaged = false;
    const flaky = async (input: string, init: RequestInit): Promise<Response> => {
      requests += 1;
      if (requests === 3) throw new TypeError('fetch failed: other side closed');
      if (input.endsWith('/chunks') && !damaged && init.body instanceof Uint8Array) {
        damaged = true;
        const body = new Uint8Array(init.body);
        body[CHUNK_FRAME_HEADER_BYTES] = (body[CHUNK_FRAME_HEADER_BYTES] as number) ^ 0xff;
        return fetch(input, { ...init, body });
      }
      return fetch(input, init);
    };
    const waits: number[] = [];
    const client = new DriveClient({
      api: new RelayApi({ baseUrl: harness.httpUrl, fetch: flaky }),
      token: () => Promise.resolve(user.session.accessToken),
      tenant,
      space,
      // Two or three chunks per request: five requests or so, more than the relay allows in a second.
      batchBytes: 4000,
      retry: {
        baseDelayMs: 50,
        sleep: (ms) => {
          waits.push(ms);
          return new Promise((resolve) => setTimeout(resolve, ms));
        },
      },
    });
    // Ten chunks at four a second: the relay answers RATE_LIMITED with Retry-After, and the client waits.
    const chunks = Array.from({ length: 10 }, () => sealer.seal(randomBytes(1000 + Math.floor(Math.random() * 1000))));
    const { sent } = await client.upload(chunks);
    expect(sent).toEqual(new Set(chunks.map((chunk) => chunk.id)));
    expect(damaged).toBe(true);
    expect(waits.some((ms) => ms >= 1000)).toBe(true);
    for (const chunk of chunks) expect(await client.fetchChunk(chunk.id)).toEqual(chunk.ciphertext);

    // A refusal is final: no wait, no second try.
    const stranger = await registerTestUser(api, tenant, 'gus');
    const refused = new DriveClient({
      api: new RelayApi({ baseUrl: harness.httpUrl }),
      token: () => Promise.resolve(stranger.session.accessToken),
      tenant,
      space,
      retry: { sleep: () => Promise.reject(new Error('a refusal must not be retried')) },
    });
    await expect(refused.upload([sealer.seal(randomBytes(500))])).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
