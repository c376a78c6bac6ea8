import { describe, expect, it } from 'vitest';
import { randomBytes } from '@coffre/crypto';
import { AccountError, DriveSpace, type EncryptedDocument, type Workspace, YjsEngine } from '@coffre/client';
import type { DocumentId } from '@coffre/protocol';
import { randomDocumentId, signedInUserId, storageEngine, waitFor } from './support/relayHarness.ts';
import { SUITE_TIMEOUT as TIMEOUT, workspaceSuite } from './support/workspaceSuite.ts';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * A shared folder: a space document of its own, shared like a document
 * (grants, roles, removal with a key rotation), whose secret also changes
 * on a member's removal so that new uploads are sealed with one the removed
 * member never saw.
 */
describe(`a shared folder between accounts (${storageEngine})`, () => {
  const suite = workspaceSuite('Shared folder test');
  const open = async (workspace: Workspace, id: DocumentId): Promise<EncryptedDocument<YjsEngine>> =>
    suite.keep(await workspace.openDocument(id, new YjsEngine(), { extra: { batchWindowMs: 5 } }));
  const upload = (space: DriveSpace, workspace: Workspace, id: DocumentId, name: string, content: Uint8Array) =>
    space.upload(workspace.driveClient(id), [content], { name, mediaType: 'application/octet-stream', modifiedAt: 0 });

  it("a removed editor keeps the old files' secret, gets nothing uploaded after, and can no longer read or write chunks", async () => {
    const alice = await suite.person('alice');
    const bob = await suite.person('bob');
    const carol = await suite.person('carol');
    const id = randomDocumentId('shared');
    await alice.workspace.createDocument(id);
    await alice.workspace.share(id, bob.email, 'editor');
    await alice.workspace.share(id, carol.email, 'viewer');

    const aliceCopy = await open(alice.workspace, id);
    const aliceSpace = new DriveSpace(aliceCopy.engine.doc);
    const bobCopy = await open(bob.workspace, id);
    const bobSpace = new DriveSpace(bobCopy.engine.doc);
    const carolCopy = await open(carol.workspace, id);
    const carolSpace = new DriveSpace(carolCopy.engine.doc);

    // Bob, an editor, uploads; everyone reads it.
    const before = randomBytes(300_000);
    const bobFile = await upload(bobSpace, bob.workspace, id, 'before.bin', before);
    await waitFor(() => aliceSpace.get(bobFile.id) !== null, TIMEOUT, "Bob's file at Alice");
    await waitFor(() => carolSpace.get(bobFile.id) !== null, TIMEOUT, "Bob's file at Carol");
    expect(await collect(carolSpace.read(carol.workspace.driveClient(id), bobFile.id))).toEqual(before);
    const oldSecret = bobSpace.versions(bobFile.id)[0]?.secretId;

    // Alice removes Bob: the document key rotates, then the space's secret.
    const rotation = await alice.workspace.removeMember(id, signedInUserId(bob.account));
    expect(rotation.currentEpoch).toBe(1);
    const newSecret = aliceSpace.rotateSecret();
    expect(newSecret).not.toBe(oldSecret);
    await waitFor(() => aliceCopy.status.state === 'saved', TIMEOUT, 'the new secret saved');

    const after = randomBytes(300_000);
    const aliceFile = await upload(aliceSpace, alice.workspace, id, 'after.bin', after);
    expect(aliceSpace.versions(aliceFile.id)[0]?.secretId).toBe(newSecret);
    await waitFor(() => aliceCopy.status.state === 'saved', TIMEOUT, "Alice's file saved");

    // Carol, still a member, gets the new key, the new secret and the new file.
    await waitFor(() => carolSpace.get(aliceFile.id) !== null, TIMEOUT, "Alice's file at Carol");
    expect(await collect(carolSpace.read(carol.workspace.driveClient(id), aliceFile.id))).toEqual(after);
    // The old file keeps opening under its own secret.
    expect(await collect(carolSpace.read(carol.workspace.driveClient(id), bobFile.id))).toEqual(before);

    // Bob's copy never learns the new secret nor the file; his account may not fetch, probe or add chunks.
    expect(bobSpace.get(aliceFile.id)).toBeNull();
    expect(() => bobSpace.sealer(newSecret)).toThrow(/no secret/);
    const chunk = aliceSpace.versions(aliceFile.id)[0]?.manifest.chunks[0];
    expect(chunk).toBeDefined();
    const bobDrive = bob.workspace.driveClient(id);
    await expect(bobDrive.fetchChunk(chunk?.id ?? '')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(bobDrive.held([chunk?.id ?? ''])).rejects.toBeInstanceOf(AccountError);
    await expect(upload(bobSpace, bob.workspace, id, 'late.bin', randomBytes(1000))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('a viewer reads the files but cannot add any', async () => {
    const alice = await suite.person('alice');
    const vera = await suite.person('vera');
    const id = randomDocumentId('shared');
    await alice.workspace.createDocument(id);
    await alice.workspace.share(id, vera.email, 'viewer');
    const aliceSpace = new DriveSpace((await open(alice.workspace, id)).engine.doc);
    const content = randomBytes(200_000);
    const file = await upload(aliceSpace, alice.workspace, id, 'notes.bin', content);
    const veraSpace = new DriveSpace((await open(vera.workspace, id)).engine.doc);
    await waitFor(() => veraSpace.get(file.id) !== null, TIMEOUT, 'the file at Vera');
    expect(await collect(veraSpace.read(vera.workspace.driveClient(id), file.id))).toEqual(content);
    await expect(upload(veraSpace, vera.workspace, id, 'mine.bin', randomBytes(1000))).rejects.toMatchObject({
      code: 'READ_ONLY',
    });
  });
});
