export { ENVELOPE_DATABASE_PREFIX, envelopeDatabaseName } from './envelopeDatabaseName.ts';
export { type EnvelopeStoreOptions, EnvelopeStore } from './EnvelopeStore.ts';
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
