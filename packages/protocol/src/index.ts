export { ByteReader, ByteWriter, FrameFormatError } from './bytes.ts';
export {
  type TenantId,
  type DocumentId,
  type UserId,
  type DeviceId,
  type LinkId,
  MAX_ID_LENGTH,
  InvalidIdError,
  isValidId,
  isValidLinkId,
  tenantId,
  documentId,
  userId,
  deviceId,
  linkId,
} from './ids.ts';
export {
  type DocumentAddress,
  InvalidAddressError,
  parseDocumentName,
  formatDocumentName,
  sameAddress,
} from './address.ts';
export { LIMITS } from './limits.ts';
export {
  ErrorCode,
  CloseCode,
  ERROR_MESSAGES,
  STANDARD_CLOSE_CODES,
  LIBRARY_CLOSE_REASONS,
  RETRIED_REFUSALS,
  CoffreError,
  isErrorCode,
} from './codes.ts';
export {
  TENANT_ROLES,
  type TenantRole,
  type AccessClaims,
  TOKEN_AUDIENCE,
  isTenantRole,
  parseAccessClaims,
  canWrite,
} from './claims.ts';
export {
  ENTRY_FORMAT_VERSION,
  ENTRY_SIGNATURE_DOMAIN,
  EntryKind,
  type Coverage,
  type EntryHeader,
  type EntryPosition,
  type ParsedEntry,
  parseEntry,
  type SealEntryInput,
  sealEntry,
  EntryRejection,
  EntryRejectedError,
  type OpenEntryInput,
  openEntry,
  entryHash,
  chainedEntry,
  ENTRY_HASH_BYTES,
  verifyEntrySignature,
} from './entry.ts';
export {
  ACCESS_CHANGED,
  STATE_VECTOR_REQUEST,
  type StateVectorAnswer,
  encodeStateVectorAnswer,
  parseStateVectorAnswer,
} from './stateless.ts';
export * from './api.ts';
export { GRANT_SIGNATURE_DOMAIN, GRANT_FORMAT_VERSION, type GrantStatement, encodeGrantStatement } from './grant.ts';
export * from './sharingApi.ts';
export * from './driveApi.ts';
export * from './chunkBatch.ts';
export { DEVICE_SIGNATURE_DOMAIN, encodeDeviceStatement, linkDevicePublicKey } from './device.ts';
