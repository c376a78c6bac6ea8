import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentId, EntryKind, documentId as toDocumentId, parseEntry } from '@coffre/protocol';
import type { EncryptedDocument } from '@coffre/client';
import { AccountClient, type DocumentError, Workspace, YjsEngine, settle } from '@coffre/client';
import { MemoryStore } from './support/accountApi.ts';
import { type RelayHarness, randomId, startRelay, storageEngine, waitFor } from './support/relayHarness.ts';

/** Cheap Argon2id for tests only. */
const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const PASSWORD = 'correct horse battery staple';
const TIMEOUT = 15_000;

interface Person {
  email: string;
  account: AccountClient;
  workspace: Workspace;
}

const body = (document: EncryptedDocument<YjsEngine>) => document.engine.doc.getText('body').toString();

async function append(document: EncryptedDocument<YjsEngine>, text: string): Promise<void> {
  const target = document.engine.doc.getText('body');
  target.insert(target.length, text);
  await settle(document, document.whenSaved(), TIMEOUT);
}

/** Resolves with the next error the relay reports to this document's connection. */
function nextError(document: EncryptedDocument): Promise<DocumentError> {
  return new Promise((resolve) => {
    const off = document.on('error', (error) => {
      off();
      resolve(error);
    });
  });
}

/** An update of one GC struct: `length` clocks of `client` from `clock`, with no content. */
function gcStruct(client: number, clock: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeUint8(encoder, 0);
  encoding.writeVarUint(encoder, length);
  encoding.writeVarUint(encoder, 0);
  return encoding.toUint8Array(encoder);
}

/**
 * A hostile member with write access, attacking through the stock provider:
 * whatever is applied to the envelope Y.Doc of an open document is sent to
 * the relay as it is.
 */
describe(`a hostile member cannot erase or swallow others' work (${storageEngine})`, () => {
  let harness: RelayHarness;
  let tenant: string;
  const accounts: AccountClient[] = [];
  const documents: EncryptedDocument[] = [];

  const person = async (): Promise<Person> => {
    const email = `${randomId('user')}@example.test`;
    const account = new AccountClient({ baseUrl: harness.httpUrl, kdfParameters: FAST, minimumKdfParameters: FAST });
    accounts.push(account);
    await account.register(tenant, email, PASSWORD, 'laptop');
    const workspace = await Workspace.open({ account, store: new MemoryStore(), timeoutMs: TIMEOUT });
    return { email, account, workspace };
  };
  const open = async (who: Person, documentId: DocumentId) => {
    const document = await who.workspace.openDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } });
    documents.push(document);
    await settle(document, document.whenSynced(), TIMEOUT);
    return document;
  };

  /** Alice owns a document with some text; Mallory is an editor of it. */
  const scene = async () => {
    const alice = await person();
    const mallory = await person();
    const bob = await person();
    const documentId = toDocumentId(randomId('plans'));
    await alice.workspace.createDocument(documentId);
    await alice.workspace.share(documentId, mallory.email, 'editor');
    await alice.workspace.share(documentId, bob.email, 'viewer');
    const aliceCopy = await open(alice, documentId);
    await append(aliceCopy, 'Alice was here.');
    const malloryCopy = await open(mallory, documentId);
    await waitFor(() => body(malloryCopy) === 'Alice was here.', TIMEOUT, "Alice's text at Mallory's");
    return { alice, mallory, bob, documentId, aliceCopy, malloryCopy };
  };

  /** What a member's fresh device reads. */
  const freshRead = async (who: Person, documentId: DocumentId): Promise<string> => {
    const copy = await open(who, documentId);
    const text = body(copy);
    copy.destroy();
    return text;
  };

  beforeAll(async () => {
    harness = await startRelay();
    tenant = randomId('tenant');
    await harness.relay.accounts?.createTenant(tenant, 'Hostile member test');
  });

  afterAll(async () => {
    for (const document of documents) document.destroy();
    for (const account of accounts) account.close();
    await harness.teardown();
  });

  it("refuses a garbage-collected range claiming an offline writer's next clocks, and her work is saved", async () => {
    const { bob, documentId, aliceCopy, malloryCopy } = await scene();
    const victim = aliceCopy.envelope.envelope.clientID;
    aliceCopy.disconnect();
    await waitFor(() => aliceCopy.status.state === 'offline', TIMEOUT, 'Alice offline');
    const target = aliceCopy.engine.doc.getText('body');
    target.insert(target.length, ' Written offline.');
    aliceCopy.envelope.flush();

    const refused = nextError(malloryCopy);
    const held = Y.getState(malloryCopy.envelope.envelope.store, victim);
    Y.applyUpdate(malloryCopy.envelope.envelope, gcStruct(victim, held, 50));
    expect((await refused).code).toBe('MALFORMED_ENTRY');
    malloryCopy.destroy();

    aliceCopy.connect();
    await settle(aliceCopy, aliceCopy.whenSaved(), TIMEOUT);
    expect(await freshRead(bob, documentId)).toBe('Alice was here. Written offline.');
    // Compaction after the attack keeps it too.
    aliceCopy.envelope.compact();
    await settle(aliceCopy, aliceCopy.whenSaved(), TIMEOUT);
    expect(await freshRead(bob, documentId)).toBe('Alice was here. Written offline.');
  });

  it("refuses entries written under another member's client id, and her next entries are saved", async () => {
    const { bob, documentId, aliceCopy, malloryCopy } = await scene();
    const victim = aliceCopy.envelope.envelope.clientID;
    aliceCopy.disconnect();
    await waitFor(() => aliceCopy.status.state === 'offline', TIMEOUT, 'Alice offline');
    const target = aliceCopy.engine.doc.getText('body');
    target.insert(target.length, ' Still mine.');
    aliceCopy.envelope.flush();

    // Mallory takes a genuine entry of Alice's (signed, at its own position) and writes a copy at Alice's next clock.
    const ownFrame = malloryCopy.envelope.log.toArray().at(-1) as Uint8Array;
    const forger = new Y.Doc();
    Y.applyUpdate(forger, Y.encodeStateAsUpdate(malloryCopy.envelope.envelope));
    const before = Y.encodeStateVector(forger);
    forger.clientID = victim;
    forger.getArray<Uint8Array>('log').push([ownFrame]);
    const refused = nextError(malloryCopy);
    Y.applyUpdate(malloryCopy.envelope.envelope, Y.encodeStateAsUpdate(forger, before));
    expect((await refused).code).toBe('FOREIGN_WRITER');
    malloryCopy.destroy();

    aliceCopy.connect();
    await settle(aliceCopy, aliceCopy.whenSaved(), TIMEOUT);
    expect(aliceCopy.status.state).toBe('saved');
    expect(await freshRead(bob, documentId)).toBe('Alice was here. Still mine.');
  });

  it('refuses deleting the log without a covering snapshot; a fresh reader still reads everything', async () => {
    const { bob, documentId, malloryCopy } = await scene();
    const log = malloryCopy.envelope.envelope.getArray<Uint8Array>('log');
    expect(log.length).toBeGreaterThan(0);
    const refused = nextError(malloryCopy);
    malloryCopy.envelope.envelope.transact(() => log.delete(0, log.length), 'attacker');
    expect((await refused).code).toBe('UNCOVERED_DELETION');
    malloryCopy.destroy();
    expect(await freshRead(bob, documentId)).toBe('Alice was here.');
  });

  it('refuses an update entry appended after a version in the versions array', async () => {
    const { bob, documentId, aliceCopy, malloryCopy } = await scene();
    aliceCopy.history.save('first');
    await settle(aliceCopy, aliceCopy.whenSaved(), TIMEOUT);
    const versions = malloryCopy.envelope.envelope.getArray<Uint8Array>('versions');
    await waitFor(() => versions.length === 1, TIMEOUT, "Alice's version at Mallory's");
    const updateFrame = malloryCopy.envelope.log
      .toArray()
      .find((frame) => parseEntry(frame).header.kind === EntryKind.Update);
    expect(updateFrame).toBeDefined();
    const refused = nextError(malloryCopy);
    versions.push([updateFrame as Uint8Array]);
    expect((await refused).code).toBe('MALFORMED_ENTRY');
    malloryCopy.destroy();
    const bobCopy = await open(bob, documentId);
    expect(bobCopy.history.list().map((version) => version.label)).toEqual(['first']);
    expect(body(bobCopy)).toBe('Alice was here.');
  });

  it("cannot overwrite or blank another member's presence", async () => {
    const { bob, documentId, aliceCopy, malloryCopy } = await scene();
    const bobCopy = await open(bob, documentId);
    aliceCopy.setPresence({ name: 'Alice', cursor: 3 });
    await waitFor(() => bobCopy.presence.length > 0, TIMEOUT, "Alice's presence at Bob's");
    const aliceClient = aliceCopy.transport.awareness.clientID;
    const before = bobCopy.transport.awareness.getStates().get(aliceClient);
    expect(before).toBeDefined();

    // Mallory sends an awareness update for Alice's client id, with a higher clock and an empty state.
    const spoof = new Awareness(new Y.Doc());
    spoof.clientID = aliceClient;
    (spoof as unknown as { states: Map<number, unknown> }).states.set(aliceClient, {});
    (spoof as unknown as { meta: Map<number, { clock: number; lastUpdated: number }> }).meta.set(aliceClient, {
      clock: 1_000_000,
      lastUpdated: Date.now(),
    });
    const update = encodeAwarenessUpdate(spoof, [aliceClient]);
    const awareness = malloryCopy.transport.awareness;
    applyAwarenessUpdate(awareness, update, 'attacker');
    // Mallory's own presence, sent after the spoof, arrives: so the spoof was handled before it.
    malloryCopy.setPresence({ name: 'Mallory' });
    await waitFor(() => bobCopy.presence.length >= 2, TIMEOUT, "Mallory's presence at Bob's");
    expect(bobCopy.transport.awareness.getStates().get(aliceClient)).toEqual(before);
    spoof.destroy();
  });
});
