/**
 * Browser entry: the local store contract suite on Chromium's real IndexedDB.
 * Run by tests/integration/localStore.chromium.test.ts.
 */
import { runLocalStoreContractTests } from '@coffre/storage/contract';

runLocalStoreContractTests('chromium', () =>
  Promise.resolve({
    indexedDB: globalThis.indexedDB,
    localDatabaseOptions: { indexedDB: globalThis.indexedDB, IDBKeyRange: globalThis.IDBKeyRange },
  }),
);
