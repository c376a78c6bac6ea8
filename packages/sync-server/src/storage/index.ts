// The relay's database layer. The contract test suites
// (run*ContractTests.ts) are deliberately not exported here: they import
// vitest, which must not load in the running relay.
export {
  type SqlValue,
  type SqlExecutor,
  type SqlEngine,
  type SqlDatabase,
  TENANT_SETTING,
  toPlainBytes,
} from './SqlDatabase.ts';
export { PostgresDatabase, type PostgresDatabaseOptions } from './PostgresDatabase.ts';
export { PgliteDatabase, type PgliteDatabaseOptions, type OpenMigratedPgliteOptions } from './PgliteDatabase.ts';
export { PgliteWorkerDatabase, type PgliteWorkerDatabaseOptions } from './PgliteWorkerDatabase.ts';
export {
  type Migration,
  type TablePrivilege,
  MIGRATIONS,
  APP_TABLE_PRIVILEGES,
  TENANT_TABLES,
  DEFAULT_APP_ROLE,
} from './migrations.ts';
export { migrate, validateRoleName, type MigrateOptions, type MigrateResult } from './migrate.ts';
export { assertSafeApplicationRole } from './roleSafety.ts';
export {
  createDatabase,
  migrateDatabase,
  type CreateDatabaseOptions,
  type MigrateDatabaseOptions,
} from './createDatabase.ts';
export {
  DocumentStore,
  type LoadedDocument,
  type DocumentStats,
  type CompactResult,
  type MergeUpdates,
} from './DocumentStore.ts';
export { TenantScope, ScopedRepository } from './TenantScope.ts';
export { TenantRepository } from './TenantRepository.ts';
export {
  EnvelopeRepository,
  type EnvelopeStatsRow,
  type StoredEnvelope,
  type StoredPart,
} from './EnvelopeRepository.ts';
export {
  UnsafeDatabaseRoleError,
  MigrationMismatchError,
  SchemaNotMigratedError,
  UnknownTenantError,
  UnknownDocumentError,
  InvalidRoleNameError,
} from './errors.ts';
