export {
  RelayServer,
  type RelayServerOptions,
  type RelayAccountsOptions,
  type RelayDriveOptions,
  type PublicRelayConfig,
  PUBLIC_CONFIG_PATH,
} from './RelayServer.ts';
export { StaticSite, type StaticTarget, WEB_CONTENT_SECURITY_POLICY, WEB_SECURITY_HEADERS } from './http/StaticSite.ts';
export { RelayError } from './RelayError.ts';
export { DEFAULT_SYNC_RATE_LIMITS, SyncRateLimiter, type SyncRateLimitOptions } from './sync/SyncRateLimiter.ts';
export { SYNC_PATH } from './sync/SyncEndpoint.ts';
export {
  CoffreExtension,
  mergeEnvelopeUpdates,
  type ConnectionAccess,
  type ConnectionContext,
} from './CoffreExtension.ts';
export { inspectEnvelopeUpdate, type EnvelopeUpdateInspection } from './envelope/inspectEnvelopeUpdate.ts';
export { EnvelopeGuard, type EnvelopeWriter, type EnvelopeCheck } from './envelope/EnvelopeGuard.ts';
export { EnvelopeWriters, type WriterBinding } from './envelope/EnvelopeWriters.ts';
export { TokenVerifier, type TokenVerifierOptions, type VerifiedToken } from './auth/TokenVerifier.ts';
export {
  type TokenKeys,
  type MintOptions,
  TOKEN_ALGORITHM,
  DEFAULT_ISSUER,
  generateTokenKeys,
  loadOrCreateTokenKeys,
  mintAccessToken,
} from './auth/TokenKeys.ts';
export { createLogger, type Logger } from './logger.ts';
export * from './storage/index.ts';
export * from './accounts/index.ts';
export * from './sharing/index.ts';
export { createApiApp, MAX_API_BODY_BYTES, MAX_SHARING_BODY_BYTES, type ApiAppOptions } from './http/createApiApp.ts';
export type { ApiEnv } from './http/ApiEnv.ts';
export { HTTP_STATUS, ApiErrorBodySchema, FieldProblemSchema, type FieldProblem } from './http/errorResponse.ts';
export { type BlobStore, BLOB_ID_PATTERN, InvalidBlobIdError, checkBlobId } from './blobs/BlobStore.ts';
export { FileSystemBlobStore } from './blobs/FileSystemBlobStore.ts';
export { S3BlobStore, type S3BlobStoreOptions } from './blobs/S3BlobStore.ts';
export {
  DEFAULT_SWEEP_GRACE_MS,
  DriveService,
  type DriveServiceOptions,
  SWEEP_LIFETIME_MS,
} from './drive/DriveService.ts';
export { ChunkRepository, type ChunkRow } from './drive/ChunkRepository.ts';
export { type Sweep, SweepRepository } from './drive/SweepRepository.ts';
