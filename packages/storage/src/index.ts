export { ENVELOPE_DATABASE_PREFIX, envelopeDatabaseName } from './envelopeDatabaseName.ts';
export { type EnvelopeStoreOptions, type EnvelopeStoreStats, EnvelopeStore } from './EnvelopeStore.ts';
export {
  LOCAL_DATABASE_PREFIX,
  type CatalogKind,
  type CatalogRow,
  type KeyringRow,
  type FileChunkRow,
  type OutboxRow,
  type LocalDatabaseOptions,
  LocalDatabase,
} from './LocalDatabase.ts';
export { Vault } from './Vault.ts';
export { type SealingJournal, type SealingProgress } from '@coffre/client';
export { WebStorageJournal, journalKey } from './WebStorageJournal.ts';
export {
  type TabRole,
  type LocalDocumentEvents,
  type LocalDocumentOptions,
  LocalDocument,
  requestPersistentStorage,
} from './LocalDocument.ts';
export { type ObjectStoreDump, dumpIndexedDb, containsBytes } from './dumpIndexedDb.ts';
export { DocumentAccessCache } from './DocumentAccessCache.ts';
