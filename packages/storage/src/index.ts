export { ENVELOPE_DATABASE_PREFIX, envelopeDatabaseName } from './envelopeDatabaseName.ts';
export { type EnvelopeStoreOptions, type EnvelopeStoreStats, EnvelopeStore } from './EnvelopeStore.ts';
export {
  LOCAL_DATABASE_PREFIX,
  type CatalogKind,
  type CatalogRow,
  type SealedRow,
  type KeyringRow,
  type ChunkRow,
  type UploadChunkRow,
  type LocalDatabaseOptions,
  LocalDatabase,
} from './LocalDatabase.ts';
export { Vault } from './Vault.ts';
export { ChunkCache } from './ChunkCache.ts';
export { UploadChunks } from './UploadChunks.ts';
export { type SealedRowShape, type SealedRecordsOptions, SealedRecords } from './SealedRecords.ts';
export { type JournalCounters, WebStorageJournal, journalKey } from './WebStorageJournal.ts';
export { type ObjectStoreDump, dumpIndexedDb, containsBytes } from './dumpIndexedDb.ts';
