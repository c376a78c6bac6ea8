import 'fake-indexeddb/auto';
import { IDBKeyRange as FakeIDBKeyRange, indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import { runLocalStoreContractTests } from '../src/runLocalStoreContractTests.ts';

runLocalStoreContractTests('fake-indexeddb', () =>
  Promise.resolve({
    indexedDB: fakeIndexedDB,
    localDatabaseOptions: { indexedDB: fakeIndexedDB, IDBKeyRange: FakeIDBKeyRange },
  }),
);
