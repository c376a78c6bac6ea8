import 'fake-indexeddb/auto';
import { IDBKeyRange as FakeIDBKeyRange, indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '@coffre/crypto';
import { type DocumentId, documentId } from '@coffre/protocol';
import {
  AccountClient,
  AccountError,
  DocumentAccessCache,
  type LocalDocument,
  type VaultKeyMaterial,
  Workspace,
  YjsEngine,
} from '@coffre/client';
import { LocalDatabase, Vault, containsBytes, dumpIndexedDb } from '@coffre/storage';
import { MemoryStore, createTestTenant } from './support/accountApi.ts';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';

const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const plans = documentId('plans');

/**
 * A signed-in device keeps each document's keys sealed with the vault key
 * derived from the password, so documents open when the relay is out of reach.
 */
describe(`documents open offline with keys kept on the device (${storageEngine})`, () => {
  let harness: RelayHarness;
  let account: AccountClient;
  let workspace: Workspace;
  let database: LocalDatabase;
  let vaultKey: Uint8Array;

  beforeAll(async () => {
    harness = await startRelay();
    const tenant = randomId('org');
    await createTestTenant(harness, tenant, 'Offline Org');
    account = new AccountClient({ baseUrl: harness.httpUrl, kdfParameters: FAST, minimumKdfParameters: FAST });
    let material: VaultKeyMaterial | undefined;
    await account.register(tenant, `${randomId('user')}@example.test`, 'correct horse battery staple', 'laptop', {
      onVaultKey: (handed) => (material = handed),
    });
    if (!material) throw new Error('the vault key was not handed over');
    vaultKey = material.vaultKey;
    const session = account.session;
    if (!session) throw new Error('not signed in');
    database = new LocalDatabase(session.userId, { indexedDB: fakeIndexedDB, IDBKeyRange: FakeIDBKeyRange });
    workspace = await Workspace.open({
      account,
      store: new MemoryStore(),
      accessCache: new DocumentAccessCache(database, new Vault(vaultKey)),
    });
  });
  afterAll(async () => {
    database.close();
    account.close();
    await harness.teardown();
  });

  const openLocal = async (id: DocumentId): Promise<LocalDocument<YjsEngine>> => {
    const { document } = await workspace.openLocalDocument(id, new YjsEngine());
    await document.whenLoaded();
    return document;
  };

  it('opens a document and its text when the relay cannot be reached', async () => {
    await workspace.createDocument(plans);
    const online = await openLocal(plans);
    online.engine.doc.getText('body').insert(0, 'Meet at noon by the lake.');
    await online.whenSaved();
    const documentKey = (await workspace.documentAccess(plans)).keyring.current.key;
    await online.destroy();

    await harness.stop();
    const offline = await openLocal(plans);
    expect(offline.engine.doc.getText('body').toString()).toBe('Meet at noon by the lake.');
    offline.engine.doc.getText('body').insert(0, 'Offline: ');
    await offline.destroy();

    // Nothing in IndexedDB gives away the text or the document key.
    const dumps = await dumpIndexedDb(fakeIndexedDB);
    const holding = (needle: Uint8Array) =>
      dumps.filter((dump) => dump.chunks.some((chunk) => containsBytes(chunk, needle))).map((dump) => dump.store);
    const encoder = new TextEncoder();
    expect(holding(encoder.encode('Meet at noon'))).toEqual([]);
    expect(holding(documentKey)).toEqual([]);
    expect(holding(encoder.encode(toBase64Url(documentKey)))).toEqual([]);
    expect(holding(vaultKey)).toEqual([]);
  });

  it('refuses a kept access that was tampered with rather than trusting it', async () => {
    const rows = await database.keyring.toArray();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const sealed = row.sealed.slice();
      sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
      await database.keyring.put({ id: row.id, sealed });
    }
    const error = await workspace.documentAccess(plans).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AccountError);
    expect((error as AccountError).code).toBe('RELAY_UNREACHABLE');
  });
});
