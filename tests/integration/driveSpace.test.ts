import { describe, expect, it } from 'vitest';
import { randomBytes } from '@coffre/crypto';
import { DriveSpace, type EncryptedDocument, type Workspace, YjsEngine } from '@coffre/client';
import type { DocumentId } from '@coffre/protocol';
import { dumpTenant } from './support/databaseDump.ts';
import { randomDocumentId, readAllFiles, storageEngine, waitFor } from './support/relayHarness.ts';
import { SUITE_TIMEOUT as TIMEOUT, workspaceSuite } from './support/workspaceSuite.ts';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

const has = (bytes: Uint8Array, marker: string) => Buffer.from(bytes).includes(Buffer.from(marker));

/**
 * A space of the Drive end to end: its folder tree and manifests in a
 * Coffre document opened through `Workspace`, its chunks through the
 * relay's Drive routes, between members with their own accounts.
 */
describe(`a Drive space shared between accounts (${storageEngine})`, () => {
  const suite = workspaceSuite('Drive test');
  const open = async (workspace: Workspace, id: DocumentId): Promise<EncryptedDocument<YjsEngine>> =>
    suite.keep(await workspace.openDocument(id, new YjsEngine(), { extra: { batchWindowMs: 5 } }));

  it("an editor's folder and file reach the other members, who read it; the relay sees no name, folder or content", async () => {
    const alice = await suite.person('alice');
    const bob = await suite.person('bob');
    const carol = await suite.person('carol');
    const spaceId = randomDocumentId('space');
    await alice.workspace.createDocument(spaceId);
    await alice.workspace.share(spaceId, bob.email, 'editor');
    await alice.workspace.share(spaceId, carol.email, 'viewer');

    const marker = `secret-plans-${Math.random().toString(36).slice(2, 10)}`;
    const content = randomBytes(2 * 1024 * 1024 + 4321);
    content.set(new TextEncoder().encode(marker), 1_000_000);

    const bobCopy = await open(bob.workspace, spaceId);
    const bobSpace = new DriveSpace(bobCopy.engine.doc);
    const folder = bobSpace.createFolder(`${marker} folder`);
    const progress: number[] = [];
    const file = await bobSpace.upload(
      bob.workspace.driveClient(spaceId),
      [content],
      {
        name: `${marker}.bin`,
        mediaType: 'application/octet-stream',
        modifiedAt: 1_700_000_000_000,
        parent: folder.id,
      },
      (step) => progress.push(step.saved),
    );
    expect(progress.at(-1)).toBe(content.length);
    await waitFor(() => bobCopy.status.state === 'saved', TIMEOUT, "Bob's space saved");

    // Carol, a viewer, sees the folder and the file, and reads it whole and from the middle.
    const carolCopy = await open(carol.workspace, spaceId);
    const carolSpace = new DriveSpace(carolCopy.engine.doc);
    await waitFor(() => carolSpace.list(folder.id).length === 1, TIMEOUT, 'the file reaching Carol');
    expect(carolSpace.list().map((node) => node.name)).toEqual([`${marker} folder`]);
    expect(carolSpace.get(file.id)).toMatchObject({ kind: 'file', latest: { size: content.length, version: 1 } });
    const carolDrive = carol.workspace.driveClient(spaceId);
    expect(await collect(carolSpace.read(carolDrive, file.id))).toEqual(content);
    expect(await carolSpace.readRange(carolDrive, file.id, 999_990, 1_000_100)).toEqual(
      content.subarray(999_990, 1_000_100),
    );
    // A viewer cannot add chunks.
    await expect(
      carolSpace.upload(carolDrive, [randomBytes(1000)], { name: 'mine.txt', mediaType: 'text/plain', modifiedAt: 0 }),
    ).rejects.toMatchObject({ code: 'READ_ONLY' });

    // Alice, the owner, renames it and uploads a new version; Bob sees both.
    const aliceCopy = await open(alice.workspace, spaceId);
    const aliceSpace = new DriveSpace(aliceCopy.engine.doc);
    await waitFor(() => aliceSpace.get(file.id) !== null, TIMEOUT, 'the file reaching Alice');
    const edited = content.slice();
    edited.set(new TextEncoder().encode('edited'), 10);
    const second = await aliceSpace.upload(alice.workspace.driveClient(spaceId), [edited], {
      fileId: file.id,
      name: 'plans v2.bin',
      mediaType: 'application/octet-stream',
      modifiedAt: 1_700_000_100_000,
    });
    expect(second.latest.version).toBe(2);
    await waitFor(() => bobSpace.get(file.id)?.name === 'plans v2.bin', TIMEOUT, 'the new version reaching Bob');
    const bobDrive = bob.workspace.driveClient(spaceId);
    expect(await collect(bobSpace.read(bobDrive, file.id))).toEqual(edited);
    expect(await collect(bobSpace.read(bobDrive, file.id, 1))).toEqual(content);

    // The relay holds chunks and sealed entries only: no name, folder or content anywhere.
    await waitFor(() => aliceCopy.status.state === 'saved', TIMEOUT, "Alice's space saved");
    const blobs = await readAllFiles(suite.harness.blobDir);
    expect(blobs.length).toBeGreaterThan(0);
    for (const { bytes } of blobs) expect(has(bytes, marker)).toBe(false);
    expect(await dumpTenant(suite.harness, suite.tenant)).not.toContain(marker);
    expect(suite.harness.logs()).not.toContain(marker);
  });
});
