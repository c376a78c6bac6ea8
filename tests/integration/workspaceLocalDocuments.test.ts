import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentId, parseEntry } from '@coffre/protocol';
import {
  type AccessCache,
  AccountClient,
  type CachedAccess,
  type LocalDocument,
  Workspace,
  YjsEngine,
  settle,
} from '@coffre/client';
import { MemoryStore } from './support/accountApi.ts';
import {
  type RelayHarness,
  randomDocumentId,
  randomId,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

/** Cheap Argon2id for tests only; real accounts use ACCOUNT_KDF_PARAMETERS. */
const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const PASSWORD = 'correct horse battery staple';
const TIMEOUT = 15_000;

/**
 * `Workspace.openLocalDocument`: a local-first document opened by the
 * workspace, which keeps it current (new members' devices, rotated keys) as
 * it does the documents `openDocument` opens. IndexedDB is fake-indexeddb.
 */
describe(`local-first documents opened through the workspace (${storageEngine})`, () => {
  let harness: RelayHarness;
  let tenant: string;
  const accounts: AccountClient[] = [];
  const opened: LocalDocument[] = [];

  const person = async (): Promise<{ email: string; account: AccountClient; workspace: Workspace }> => {
    const email = `${randomId('user')}@example.test`;
    const account = new AccountClient({ baseUrl: harness.httpUrl, kdfParameters: FAST, minimumKdfParameters: FAST });
    accounts.push(account);
    await account.register(tenant, email, PASSWORD, 'laptop');
    const workspace = await Workspace.open({ account, store: new MemoryStore(), timeoutMs: TIMEOUT });
    return { email, account, workspace };
  };
  const openLocal = async (workspace: Workspace, documentId: DocumentId) => {
    const { document, access } = await workspace.openLocalDocument(documentId, new YjsEngine(), {
      extra: { batchWindowMs: 5 },
    });
    opened.push(document);
    await document.whenLoaded();
    return { document, access };
  };
  const body = (document: LocalDocument<YjsEngine>) => document.engine.doc.getText('body').toString();
  const append = async (document: LocalDocument<YjsEngine>, text: string) => {
    const target = document.engine.doc.getText('body');
    target.insert(target.length, text);
    await document.whenSaved();
  };

  beforeAll(async () => {
    harness = await startRelay();
    tenant = randomId('tenant');
    await harness.relay.accounts?.createTenant(tenant, 'Local documents test');
  });

  afterAll(async () => {
    for (const document of opened) await document.destroy();
    for (const account of accounts) account.close();
    await harness.teardown();
  });

  it('opens with the role of the grant and syncs through the relay with a copy opened by openDocument', async () => {
    const alice = await person();
    const documentId = randomDocumentId('plans');
    await alice.workspace.createDocument(documentId);
    const { document, access } = await openLocal(alice.workspace, documentId);
    expect(access.role).toBe('owner');
    expect(document.role).toBe('writer');
    await append(document, 'Written locally. ');

    const remote = await alice.workspace.openDocument(documentId, new YjsEngine());
    try {
      expect(remote.engine.doc.getText('body').toString()).toBe('Written locally. ');
    } finally {
      remote.destroy();
    }
  });

  it('mounts from the device without waiting for the relay when it kept the access, and catches up behind', async () => {
    const alice = await person();
    const bob = await person();
    const documentId = randomDocumentId('notes');
    const kept = new Map<string, CachedAccess>();
    const accessCache: AccessCache = {
      save: (access) => Promise.resolve(void kept.set(access.documentId, access)),
      load: (id) => Promise.resolve(kept.get(id) ?? null),
      forget: (id) => Promise.resolve(void kept.delete(id)),
    };
    const workspace = await Workspace.open({ account: alice.account, store: new MemoryStore(), accessCache });
    await workspace.createDocument(documentId);
    const first = await workspace.openLocalDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } });
    opened.push(first.document);
    await first.document.whenLoaded();
    await append(first.document, 'Kept here. ');
    await first.document.destroy();
    expect(kept.has(documentId)).toBe(true);

    // Bob joins and writes meanwhile: his device is not in what this device kept.
    await alice.workspace.share(documentId, bob.email, 'editor');
    const bobCopy = await openLocal(bob.workspace, documentId);
    await append(bobCopy.document, 'Bob was here.');

    // The relay is slow to answer the access requests: the document opens before they are answered.
    const slow = /\/(grants|membership)$/;
    const request = alice.account.request.bind(alice.account);
    let answered = 0;
    alice.account.request = (async (call: Parameters<typeof request>[0]) => {
      if (!slow.test(call.path)) return request(call);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const answer = await request(call);
      answered += 1;
      return answer;
    }) as typeof alice.account.request;
    try {
      const again = await workspace.openLocalDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } });
      opened.push(again.document);
      await again.document.whenLoaded();
      expect(answered).toBe(0);
      expect(body(again.document)).toContain('Kept here. ');
      // Behind it, the access is fetched again: Bob's device becomes known and his entry is read.
      await waitFor(
        () => body(again.document) === 'Kept here. Bob was here.',
        TIMEOUT,
        "Bob's entry after the refresh",
      );
      expect(answered).toBeGreaterThan(0);
    } finally {
      alice.account.request = request;
    }
  });

  it('reads the entries of a member it did not know when it opened, once the workspace fetched their devices', async () => {
    const alice = await person();
    const bob = await person();
    const documentId = randomDocumentId('plans');
    await alice.workspace.createDocument(documentId);
    const { document } = await openLocal(alice.workspace, documentId);
    const rejected: string[] = [];
    document.on('entry-rejected', (event) => rejected.push(event.reason));

    // Shared from another workspace of Alice's: this one does not know Bob's device yet.
    const elsewhere = await Workspace.open({ account: alice.account, store: new MemoryStore(), timeoutMs: TIMEOUT });
    await elsewhere.share(documentId, bob.email, 'editor');
    const bobCopy = await bob.workspace.openDocument(documentId, new YjsEngine(), { extra: { batchWindowMs: 5 } });
    try {
      const target = bobCopy.engine.doc.getText('body');
      target.insert(0, 'Hello from Bob.');
      await settle(bobCopy, bobCopy.whenSaved(), TIMEOUT);

      await waitFor(() => body(document) === 'Hello from Bob.', TIMEOUT, "Bob's entry in Alice's local copy");
      expect(rejected).toContain('unknown-device');
    } finally {
      bobCopy.destroy();
    }
  });

  it('switches an open local copy to the new key at once when the workspace removes a member', async () => {
    const alice = await person();
    const bob = await person();
    const documentId = randomDocumentId('plans');
    await alice.workspace.createDocument(documentId);
    await alice.workspace.share(documentId, bob.email, 'editor');
    const { document, access } = await openLocal(alice.workspace, documentId);
    await append(document, 'Before. ');

    const bobId = (await alice.workspace.members(documentId)).find((member) => member.email === bob.email)?.userId;
    if (bobId === undefined) throw new Error('Bob is not a member');
    const rotated = await alice.workspace.removeMember(documentId, bobId);
    expect(rotated.currentEpoch).toBe(1);
    expect(access.keyring.get(1)).toBeDefined();
    await append(document, 'After.');

    const reader = await alice.workspace.openDocument(documentId, new YjsEngine());
    try {
      expect(reader.engine.doc.getText('body').toString()).toBe('Before. After.');
      const epochs = reader.envelope.log.toArray().map((frame) => parseEntry(frame).header.keyEpoch);
      expect(epochs).toContain(1);
    } finally {
      reader.destroy();
    }
  });
});
