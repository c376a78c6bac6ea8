import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DecryptionError, generateSymmetricKey, randomBytes, ready, seal, toHex } from '@coffre/crypto';
import { type DocumentAddress, documentId, tenantId } from '@coffre/protocol';
import { containsBytes, dumpIndexedDb } from './dumpIndexedDb.ts';
import { EnvelopeStore } from './EnvelopeStore.ts';
import { Dexie } from 'dexie';
import { ChunkCache } from './ChunkCache.ts';
import { UploadChunks } from './UploadChunks.ts';
import { type CatalogRow, LOCAL_DATABASE_PREFIX, type LocalDatabaseOptions, LocalDatabase } from './LocalDatabase.ts';
import { SealedRecords } from './SealedRecords.ts';
import { Vault } from './Vault.ts';

/** What an environment's test file hands the contract suite. */
export interface LocalStoreContractFixture {
  /**
   * The IndexedDB the stores use. y-indexeddb always uses the global
   * `indexedDB`, so this must be that same factory.
   */
  indexedDB: IDBFactory;
  /** Passed to every {@link LocalDatabase} the suite opens. */
  localDatabaseOptions?: LocalDatabaseOptions;
  teardown?: () => Promise<void>;
}

const encoder = new TextEncoder();

/**
 * The rules every IndexedDB the local store runs on must keep, as a vitest
 * suite: fake-indexeddb in Node, real IndexedDB in Chromium. Tests isolate
 * themselves with random tenant and account ids.
 */
export function runLocalStoreContractTests(name: string, setup: () => Promise<LocalStoreContractFixture>): void {
  describe(`local store contract: ${name}`, () => {
    let fixture: LocalStoreContractFixture | undefined;
    const open: { close: () => Promise<void> }[] = [];

    const ctx = (): LocalStoreContractFixture => {
      if (!fixture) throw new Error('contract fixture was not set up');
      return fixture;
    };
    const newAddress = (): DocumentAddress => ({
      tenantId: tenantId(`t${toHex(randomBytes(5))}`),
      documentId: documentId(`d${toHex(randomBytes(5))}`),
    });
    const openStore = (address: DocumentAddress, envelope = new Y.Doc(), compactAfter?: number): EnvelopeStore => {
      const store = new EnvelopeStore({ address, envelope, ...(compactAfter ? { compactAfter } : {}) });
      open.push({ close: () => store.destroy() });
      return store;
    };
    const openDatabase = (): LocalDatabase => {
      const database = new LocalDatabase(`a${toHex(randomBytes(5))}`, ctx().localDatabaseOptions);
      open.push({
        close: () => {
          database.close();
          return Promise.resolve();
        },
      });
      return database;
    };
    const logOf = (doc: Y.Doc): string[] => doc.getArray<Uint8Array>('log').map((frame) => toHex(frame));
    const pushFrames = (doc: Y.Doc, count: number): void => {
      for (let index = 0; index < count; index += 1) doc.getArray<Uint8Array>('log').push([randomBytes(40)]);
    };
    /** Every byte chunk IndexedDB holds that contains `marker`, named by database/store. */
    const placesHolding = async (marker: string): Promise<string[]> => {
      const needle = encoder.encode(marker);
      const dumps = await dumpIndexedDb(ctx().indexedDB);
      return dumps
        .filter((dump) => dump.chunks.some((chunk) => containsBytes(chunk, needle)))
        .map((dump) => `${dump.database}/${dump.store}`);
    };

    beforeAll(async () => {
      await ready();
      fixture = await setup();
    });

    afterAll(async () => {
      for (const handle of open.splice(0)) await handle.close();
      await fixture?.teardown?.();
    });

    it('reopens a saved envelope with the same log', async () => {
      const address = newAddress();
      const first = openStore(address);
      await first.whenLoaded();
      pushFrames(first.envelope, 5);
      await first.flush();
      const expected = logOf(first.envelope);
      await first.destroy();

      const second = openStore(address);
      await second.whenLoaded();
      expect(logOf(second.envelope)).toEqual(expected);
      expect(expected).toHaveLength(5);
    });

    it('keeps updates written before the store finished loading', async () => {
      const address = newAddress();
      const first = openStore(address);
      pushFrames(first.envelope, 2);
      await first.whenLoaded();
      pushFrames(first.envelope, 1);
      const expected = logOf(first.envelope);
      await first.destroy();

      const second = openStore(address);
      await second.whenLoaded();
      expect(logOf(second.envelope)).toEqual(expected);
    });

    it('compaction keeps the content and reduces the stored rows to one', async () => {
      const address = newAddress();
      const store = openStore(address, new Y.Doc(), 10_000);
      await store.whenLoaded();
      pushFrames(store.envelope, 30);
      const expected = logOf(store.envelope);
      expect(await store.storedRows()).toBeGreaterThanOrEqual(30);

      await store.flush();
      expect(await store.storedRows()).toBe(1);
      await store.destroy();

      const reopened = openStore(address);
      await reopened.whenLoaded();
      expect(logOf(reopened.envelope)).toEqual(expected);
    });

    it('compacts by itself, so rows do not grow per keystroke and a large state is not rewritten per few updates', async () => {
      const address = newAddress();
      const store = openStore(address, new Y.Doc(), 20);
      await store.whenLoaded();
      pushFrames(store.envelope, 1000);
      // At most ten times compactAfter rows wait for the next compaction.
      expect(await store.storedRows()).toBeLessThanOrEqual(201);
      const stats = store.stats;
      expect(stats.compactions).toBeGreaterThan(0);
      // Each compaction rewrites the state only after updates worth half of it arrived.
      expect(stats.compactedBytes).toBeLessThanOrEqual(4 * stats.updateBytes);
      const expected = logOf(store.envelope);
      await store.destroy();

      const reopened = openStore(address);
      await reopened.whenLoaded();
      expect(logOf(reopened.envelope)).toEqual(expected);
    });

    // y-indexeddb gives two instances on one database no notification of each
    // other's writes: each appends its own rows, and sees the other's when it
    // reads the database again (refresh, flush, reopen). Compaction reads and
    // deletes within one readwrite transaction, so it never drops the other's rows.
    it('two stores on the same document converge once each reads the database again', async () => {
      const address = newAddress();
      const left = openStore(address);
      const right = openStore(address);
      await Promise.all([left.whenLoaded(), right.whenLoaded()]);
      pushFrames(left.envelope, 3);
      pushFrames(right.envelope, 4);
      await right.flush();
      pushFrames(left.envelope, 1);

      await left.refresh();
      await right.refresh();
      expect(left.envelope.getArray('log').length).toBe(8);
      expect(logOf(left.envelope)).toEqual(logOf(right.envelope));

      await left.flush();
      await right.flush();
      const third = openStore(address);
      await third.whenLoaded();
      expect(logOf(third.envelope)).toEqual(logOf(left.envelope));
    });

    it('clearData deletes the document database', async () => {
      const address = newAddress();
      const store = openStore(address);
      await store.whenLoaded();
      pushFrames(store.envelope, 2);
      await store.flush();
      await store.clearData();

      const names = (await ctx().indexedDB.databases()).map((info) => info.name);
      expect(names).not.toContain(store.databaseName);
      const reopened = openStore(address);
      await reopened.whenLoaded();
      expect(reopened.envelope.getArray('log').length).toBe(0);
      await reopened.clearData();
    });

    it("keeps the Drive's chunks by space and address, one copy each, and drops only what is asked", async () => {
      const cache = new ChunkCache(openDatabase());
      const [a, b] = [toHex(randomBytes(32)), toHex(randomBytes(32))];
      const bytes = randomBytes(100_000);
      await cache.put('space-1', a, bytes);
      await cache.put('space-1', a, bytes);
      await cache.put('space-1', b, randomBytes(10));
      await cache.put('space-2', a, randomBytes(20));
      expect(await cache.get('space-1', a)).toEqual(bytes);
      expect(await cache.held('space-1', [a, b, toHex(randomBytes(32))])).toEqual(new Set([a, b]));
      expect(await cache.size('space-1')).toBe(100_010);
      await cache.delete('space-1', [a]);
      expect(await cache.get('space-1', a)).toBeNull();
      expect(await cache.get('space-2', a)).not.toBeNull();
    });

    it("keeps an upload's sealed chunks until the upload is dropped, and only its own", async () => {
      const chunks = new UploadChunks(openDatabase());
      const [a, b] = [toHex(randomBytes(32)), toHex(randomBytes(32))];
      const bytes = randomBytes(50_000);
      await chunks.put('upload-1', a, bytes);
      await chunks.put('upload-1', b, randomBytes(10));
      await chunks.put('upload-2', a, bytes);
      expect(await chunks.get('upload-1', a)).toEqual(bytes);
      expect(await chunks.uploads()).toEqual(new Set(['upload-1', 'upload-2']));
      await chunks.deleteUpload('upload-1');
      expect(await chunks.get('upload-1', a)).toBeNull();
      expect(await chunks.get('upload-1', b)).toBeNull();
      expect(await chunks.get('upload-2', a)).toEqual(bytes);
      expect(await chunks.uploads()).toEqual(new Set(['upload-2']));
    });

    it('opens a database of the first version: its unused fileChunks and outbox stores go, chunks and uploads come', async () => {
      const name = `a${toHex(randomBytes(5))}`;
      const first = new Dexie(`${LOCAL_DATABASE_PREFIX}/${name}`, ctx().localDatabaseOptions ?? {});
      first.version(1).stores({
        catalog: 'id, kind, parent',
        keyring: 'id',
        fileChunks: '[fileId+index], fileId',
        outbox: '++id, kind, target',
      });
      await first.table('keyring').put({ id: 'kept', sealed: new Uint8Array([1, 2, 3]) });
      first.close();
      const database = new LocalDatabase(name, ctx().localDatabaseOptions);
      open.push({ close: () => Promise.resolve(database.close()) });
      expect(await database.keyring.get('kept')).toEqual({ id: 'kept', sealed: new Uint8Array([1, 2, 3]) });
      await new ChunkCache(database).put('space', toHex(randomBytes(32)), randomBytes(5));
      await new UploadChunks(database).put('upload', toHex(randomBytes(32)), randomBytes(5));
      expect(database.tables.map((table) => table.name).sort()).toEqual([
        'catalog',
        'chunks',
        'keyring',
        'uploadChunks',
        'uploads',
      ]);
    });

    it('the vault round-trips a keyring value through the database', async () => {
      const database = openDatabase();
      const vault = new Vault(generateSymmetricKey());
      const documentKey = generateSymmetricKey();
      await database.keyring.put({ id: 'doc-1', sealed: vault.seal('keyring', 'doc-1', documentKey) });

      const row = await database.keyring.get('doc-1');
      expect(row).toBeDefined();
      expect(vault.open('keyring', 'doc-1', row?.sealed ?? new Uint8Array())).toEqual(documentKey);
    });

    it('the vault refuses a value moved to another id or table', () => {
      const vault = new Vault(generateSymmetricKey());
      const sealed = vault.seal('keyring', 'doc-1', generateSymmetricKey());
      expect(() => vault.open('keyring', 'doc-2', sealed)).toThrow(DecryptionError);
      expect(() => vault.open('catalog', 'doc-1', sealed)).toThrow(DecryptionError);
    });

    it('the vault refuses a tampered value or another vault key', () => {
      const vault = new Vault(generateSymmetricKey());
      const sealed = vault.seal('keyring', 'doc-1', generateSymmetricKey());
      const tampered = sealed.slice();
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
      expect(() => vault.open('keyring', 'doc-1', tampered)).toThrow(DecryptionError);
      expect(() => new Vault(generateSymmetricKey()).open('keyring', 'doc-1', sealed)).toThrow(DecryptionError);
    });

    it('the plaintext check finds a marker stored in the clear', async () => {
      const marker = `clear-${toHex(randomBytes(8))}`;
      const store = openStore(newAddress());
      await store.whenLoaded();
      store.envelope.getText('not-sealed').insert(0, marker);
      await store.flush();
      expect(await placesHolding(marker)).toEqual([`${store.databaseName}/updates`]);
      await store.clearData();
    });

    it('sealed records round-trip through the database and list only their own prefix', async () => {
      const database = openDatabase();
      const vault = new Vault(generateSymmetricKey());
      const parse = (value: unknown) => (typeof value === 'object' && value !== null ? (value as { n: number }) : null);
      const documents = new SealedRecords({ table: database.keyring, vault, prefix: 'document:', parse });
      const others = new SealedRecords({ table: database.keyring, vault, prefix: 'other:', parse });
      await documents.put('a', { n: 1 });
      await documents.put('b', { n: 2 });
      await others.put('a', { n: 3 });

      expect(await documents.get('a')).toEqual({ n: 1 });
      expect(await others.get('a')).toEqual({ n: 3 });
      expect(await documents.get('missing')).toBeNull();
      expect((await documents.list()).sort()).toEqual([
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ]);
      await documents.delete('a');
      expect(await documents.get('a')).toBeNull();
      expect(await documents.list()).toEqual([['b', { n: 2 }]]);
      expect(await others.list()).toEqual([['a', { n: 3 }]]);
    });

    it('a sealed record that was tampered with, moved, sealed under another key or unparsable reads as absent', async () => {
      const database = openDatabase();
      const vault = new Vault(generateSymmetricKey());
      const parse = (value: unknown) => (typeof value === 'string' ? value : null);
      const records = new SealedRecords({ table: database.keyring, vault, parse });
      await records.put('kept', 'value');
      const row = await database.keyring.get('kept');
      const sealed = row?.sealed ?? new Uint8Array();
      const tampered = sealed.slice();
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
      await database.keyring.put({ id: 'tampered', sealed: tampered });
      await database.keyring.put({ id: 'moved', sealed });
      await new SealedRecords({ table: database.keyring, vault: new Vault(generateSymmetricKey()), parse }).put(
        'other-key',
        'value',
      );
      await new SealedRecords({ table: database.keyring, vault, parse: (value) => value }).put('not-a-string', 42);

      for (const id of ['tampered', 'moved', 'other-key', 'not-a-string']) expect(await records.get(id), id).toBeNull();
      expect(await records.list()).toEqual([['kept', 'value']]);
      expect((await records.ids()).sort()).toEqual(['kept', 'moved', 'not-a-string', 'other-key', 'tampered']);
    });

    it('sealed records keep the plain columns of a table like the catalog beside the sealed bytes', async () => {
      const database = openDatabase();
      const vault = new Vault(generateSymmetricKey());
      const titles = new SealedRecords<{ title: string }, CatalogRow>({
        table: database.catalog,
        vault,
        parse: (value) => value as { title: string },
        shape: {
          toRow: (id, sealed) => ({ id, kind: 'document', parent: '', sealedMeta: sealed }),
          sealedOf: (row) => row.sealedMeta,
        },
      });
      await titles.put('doc-1', { title: 'Plans' });
      expect(await database.catalog.where('kind').equals('document').primaryKeys()).toEqual(['doc-1']);
      expect(await titles.get('doc-1')).toEqual({ title: 'Plans' });
    });

    it('no IndexedDB database holds a document text, title or key in the clear', async () => {
      const textMarker = `text-${toHex(randomBytes(8))}`;
      const titleMarker = `title-${toHex(randomBytes(8))}`;
      const address = newAddress();
      const documentKey = generateSymmetricKey();
      // What an envelope's log holds: sealed entries (see @coffre/client).
      const store = openStore(address);
      await store.whenLoaded();
      store.envelope
        .getArray<Uint8Array>('log')
        .push([seal(documentKey, encoder.encode(textMarker), encoder.encode(address.documentId))]);
      await store.flush();

      const vault = new Vault(generateSymmetricKey());
      const database = openDatabase();
      const catalogId = `c${toHex(randomBytes(5))}`;
      const meta = encoder.encode(JSON.stringify({ title: titleMarker }));
      await database.catalog.put({
        id: catalogId,
        kind: 'document',
        parent: '',
        sealedMeta: vault.seal('catalog', catalogId, meta),
      });
      const keys = new SealedRecords({ table: database.keyring, vault, parse: (value) => value });
      await keys.put(catalogId, toHex(documentKey));

      expect(await placesHolding(textMarker)).toEqual([]);
      expect(await placesHolding(titleMarker)).toEqual([]);
      const keyHex = toHex(documentKey);
      const dumps = await dumpIndexedDb(ctx().indexedDB);
      const holdingKey = dumps.filter((dump) =>
        dump.chunks.some((chunk) => containsBytes(chunk, documentKey) || containsBytes(chunk, encoder.encode(keyHex))),
      );
      expect(holdingKey).toEqual([]);
      // The sealed values are there and open with the vault key.
      const row = await database.catalog.get(catalogId);
      expect(vault.open('catalog', catalogId, row?.sealedMeta ?? new Uint8Array())).toEqual(meta);
      expect(await keys.get(catalogId)).toBe(keyHex);
    });
  });
}
