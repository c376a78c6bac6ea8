import { describe, expect, it } from 'vitest';
import { hash, randomBytes, toBase64Url, toHex } from '@coffre/crypto';
import {
  DriveSpace,
  type EncryptedDocument,
  RelayApi,
  type Workspace,
  YjsEngine,
  openLink,
  parseLinkFragment,
} from '@coffre/client';
import {
  type DocumentId,
  LinkSessionResponseSchema,
  drivePaths,
  encodeChunkBatch,
  sharingPaths,
  tenantId as toTenantId,
} from '@coffre/protocol';
import { randomDocumentId, readAllFiles, signedInUserId, storageEngine, waitFor } from './support/relayHarness.ts';
import { SUITE_TIMEOUT as TIMEOUT, workspaceSuite } from './support/workspaceSuite.ts';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

const answerOf = async (response: Response) => ({
  status: response.status,
  code: ((await response.json()) as { error?: { code?: string } }).error?.code,
});

/**
 * A shared folder's share link on the relay's chunk routes: a link session
 * reads the chunks of its own space (GET, and "which do you hold" without
 * claiming), and nothing else.
 */
describe(`a share link reading a shared folder's chunks (${storageEngine})`, () => {
  const suite = workspaceSuite('Drive link test');
  const open = async (workspace: Workspace, id: DocumentId): Promise<EncryptedDocument<YjsEngine>> =>
    suite.keep(await workspace.openDocument(id, new YjsEngine(), { extra: { batchWindowMs: 5 } }));

  /** A space of Alice's with one file in it, saved on the relay. */
  const spaceWithFile = async (workspace: Workspace, name: string) => {
    const id = randomDocumentId(name);
    await workspace.createDocument(id);
    const copy = await open(workspace, id);
    const space = new DriveSpace(copy.engine.doc);
    const content = randomBytes(700_000);
    const file = await space.upload(workspace.driveClient(id), [content], {
      name: `${name}.bin`,
      mediaType: 'application/octet-stream',
      modifiedAt: 0,
    });
    await waitFor(() => copy.status.state === 'saved', TIMEOUT, `${name} saved`);
    const chunks = file.latest.chunks.map((chunk) => chunk.id);
    return { id, copy, space, file, content, chunks };
  };

  /** The folder as whoever holds the link opens it: its space, and a client that reads its chunks. */
  const throughLink = async (fragment: string) => {
    const reader = await openLink({
      baseUrl: suite.harness.httpUrl,
      tenant: suite.tenant,
      fragment,
      engine: new YjsEngine(),
    });
    suite.keep(reader.document);
    return { space: new DriveSpace(reader.document.engine.doc), client: reader.driveClient() };
  };

  /** The token of a link session, as the relay hands it to whoever holds the link's secret. */
  const linkToken = async (fragment: string): Promise<string> => {
    const secrets = parseLinkFragment(fragment);
    const session = await new RelayApi({ baseUrl: suite.harness.httpUrl }).request({
      method: 'POST',
      path: sharingPaths.linkSession(suite.tenant, secrets.linkId),
      body: { accessProof: toBase64Url(secrets.accessProof) },
      schema: LinkSessionResponseSchema,
    });
    return session.accessToken;
  };
  /** The Drive's rows (claims included) and blob files of the suite's tenant. */
  const driveState = async () => {
    let rows: unknown[] = [];
    await suite.harness.relay.database.withTenant(toTenantId(suite.tenant), async (sql) => {
      rows = await sql.query('select * from drive_chunks order by space_id, address');
    });
    const files = (await readAllFiles(suite.harness.blobDir)).map((file) => file.path).sort();
    return { rows: JSON.stringify(rows), files };
  };
  const call = (token: string, path: string, init: RequestInit = {}) =>
    fetch(suite.harness.httpUrl + path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });

  it('opens the folder through the link and reads its file, chunk by chunk from the relay', async () => {
    const alice = await suite.person('alice');
    const folder = await spaceWithFile(alice.workspace, 'holiday');
    const link = await alice.workspace.createLink(folder.id);

    const { space, client } = await throughLink(link.fragment);
    await waitFor(() => space.get(folder.file.id) !== null, TIMEOUT, 'the file through the link');
    expect(await collect(space.read(client, folder.file.id))).toEqual(folder.content);
    expect(await space.readRange(client, folder.file.id, 500_000, 500_100)).toEqual(
      folder.content.subarray(500_000, 500_100),
    );
    expect([...(await client.held(folder.chunks))].sort()).toEqual([...folder.chunks].sort());
    // The link reads; it cannot add a file.
    await expect(
      space.upload(client, [randomBytes(1000)], { name: 'mine.txt', mediaType: 'text/plain', modifiedAt: 0 }),
    ).rejects.toMatchObject({ code: 'READ_ONLY' });
  });

  it('shows through the link a file a member added before they were removed', async () => {
    const alice = await suite.person('alice');
    const bob = await suite.person('bob');
    const folder = await spaceWithFile(alice.workspace, 'team');
    await alice.workspace.share(folder.id, bob.email, 'editor');
    const bobCopy = await open(bob.workspace, folder.id);
    await waitFor(() => new DriveSpace(bobCopy.engine.doc).get(folder.file.id) !== null, TIMEOUT, 'Bob reading');
    const content = randomBytes(300_000);
    const bobsFile = await new DriveSpace(bobCopy.engine.doc).upload(bob.workspace.driveClient(folder.id), [content], {
      name: 'bob.bin',
      mediaType: 'application/octet-stream',
      modifiedAt: 0,
    });
    await waitFor(() => bobCopy.status.state === 'saved', TIMEOUT, "Bob's file saved");
    bobCopy.destroy();
    // Bob leaves: his devices are no longer a member's, but what he wrote stays the folder's.
    await alice.workspace.removeMember(folder.id, signedInUserId(bob.account));
    const link = await alice.workspace.createLink(folder.id);

    const { space, client } = await throughLink(link.fragment);
    await waitFor(() => space.get(bobsFile.id) !== null, TIMEOUT, "Bob's file through the link");
    expect(await collect(space.read(client, bobsFile.id))).toEqual(content);
  });

  it("a link's question of which chunks are held claims nothing, so a sweep may still release them", async () => {
    const alice = await suite.person('alice');
    const folder = await spaceWithFile(alice.workspace, 'claims');
    const link = await alice.workspace.createLink(folder.id);
    const token = await linkToken(link.fragment);
    const ownerToken = await alice.account.getAccessToken();

    const started = await call(ownerToken, drivePaths.sweeps(suite.tenant, folder.id), { method: 'POST' });
    expect(started.status).toBe(201);
    const { sweepId } = (await started.json()) as { sweepId: string };
    await new Promise((resolve) => setTimeout(resolve, 5));
    const held = await call(token, drivePaths.heldChunks(suite.tenant, folder.id), {
      method: 'POST',
      body: JSON.stringify({ addresses: folder.chunks }),
    });
    expect(held.status).toBe(200);
    expect(((await held.json()) as { held: string[] }).held.sort()).toEqual([...folder.chunks].sort());
    const page = await call(ownerToken, drivePaths.sweepChunks(suite.tenant, folder.id, sweepId));
    const candidates = ((await page.json()) as { chunks: { address: string }[] }).chunks.map((chunk) => chunk.address);
    expect(candidates.sort()).toEqual([...folder.chunks].sort());
  });

  it("refuses a link another space's chunks, any upload, the usage and sweeps, and a revoked link, changing nothing", async () => {
    const alice = await suite.person('alice');
    const spaceA = await spaceWithFile(alice.workspace, 'space-a');
    const spaceB = await spaceWithFile(alice.workspace, 'space-b');
    const link = await alice.workspace.createLink(spaceA.id);
    const token = await linkToken(link.fragment);
    const before = await driveState();
    const chunkOfB = spaceB.chunks[0] ?? '';
    const chunkOfA = spaceA.chunks[0] ?? '';

    // Space B's chunks, by address and by question, under B's path and (its address) under A's.
    expect(await answerOf(await call(token, drivePaths.chunk(suite.tenant, spaceB.id, chunkOfB)))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    const probeB = await call(token, drivePaths.heldChunks(suite.tenant, spaceB.id), {
      method: 'POST',
      body: JSON.stringify({ addresses: [chunkOfB] }),
    });
    expect(await answerOf(probeB)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await answerOf(await call(token, drivePaths.chunk(suite.tenant, spaceA.id, chunkOfB)))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
    // Another tenant's path.
    expect(await answerOf(await call(token, drivePaths.chunk('other-tenant', spaceA.id, chunkOfA)))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });

    // No upload, to its own space or another; no usage, no sweep.
    const bytes = randomBytes(1000);
    for (const space of [spaceA.id, spaceB.id]) {
      const put = await call(token, drivePaths.chunk(suite.tenant, space, chunkOfA), {
        method: 'PUT',
        body: bytes as never,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(await answerOf(put)).toEqual({ status: 403, code: 'READ_ONLY' });
      const batch = await call(token, drivePaths.chunks(suite.tenant, space), {
        method: 'POST',
        body: encodeChunkBatch([{ address: toHex(hash(bytes, 32)), bytes }]) as never,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(await answerOf(batch)).toEqual({ status: 403, code: 'READ_ONLY' });
    }
    expect(await answerOf(await call(token, drivePaths.usage(suite.tenant)))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    const sweep = await call(token, drivePaths.sweeps(suite.tenant, spaceA.id), { method: 'POST' });
    expect(await answerOf(sweep)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });

    // Its own space's chunk, until the link is revoked.
    expect((await call(token, drivePaths.chunk(suite.tenant, spaceA.id, chunkOfA))).status).toBe(200);
    await alice.workspace.revokeLink(spaceA.id, link.linkId);
    const afterRevoke = await answerOf(await call(token, drivePaths.chunk(suite.tenant, spaceA.id, chunkOfA)));
    expect(afterRevoke).toEqual({ status: 403, code: 'FORBIDDEN' });

    expect(await driveState()).toEqual(before);
  });
});
