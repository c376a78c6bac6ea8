// Re-exported so that apps build on this SDK alone: sodium's one-time start-up, which every
// account and document call needs first, and the Argon2id cost type of AccountClientOptions.
export {
  type Heads,
  type HeadsStatus,
  type MissingEntries,
  type UnseenEntries,
  HeadsWatch,
  headsFromWire,
  headsToWire,
} from './SyncHeads.ts';
export { type Argon2idParameters, ready } from '@coffre/crypto';
export type { ContentEngine } from './engines/ContentEngine.ts';
export { YjsEngine } from './engines/YjsEngine.ts';
export { AutomergeEngine } from './engines/AutomergeEngine.ts';
export { AuthorCounters } from './AuthorCounters.ts';
export { Emitter } from './Emitter.ts';
export { type DeviceIdentity, type DeviceDirectoryOptions, DocumentKeyring, DeviceDirectory } from './keys.ts';
export {
  LOCAL_ORIGIN,
  type EntryRejectedEvent,
  type EnvelopeEvents,
  type CompactionPolicy,
  type EncryptedEnvelopeOptions,
  type EnvelopeIntegrity,
  MAX_REFUSED_KEPT,
  EncryptedEnvelope,
} from './EncryptedEnvelope.ts';
export {
  type SyncState,
  type SyncStatus,
  type DocumentError,
  type PresencePeer,
  type EncryptedDocumentEvents,
  type EncryptedDocumentOptions,
  type LocalEnvelopeSource,
  EncryptedDocument,
} from './EncryptedDocument.ts';
export {
  type SyncTransport,
  type SyncTransportEvents,
  type SyncTransportFactory,
  type TransportStatus,
  type TransportTarget,
} from './transport/SyncTransport.ts';
export { type HocuspocusTransportOptions, HocuspocusTransport } from './transport/HocuspocusTransport.ts';
export { type SealingProgress, type SealingJournal, MemorySealingJournal } from './SealingJournal.ts';
export { SaveTracker } from './SaveTracker.ts';
export { type DocumentVersion, type VersionHistoryOptions, VersionHistory } from './VersionHistory.ts';
export { ACCOUNT_KDF_PARAMETERS, MINIMUM_KDF_PARAMETERS, meetsKdfFloor } from './account/kdfParameters.ts';
export {
  type AccountKeyDerivation,
  type AccountKeys,
  accountKeysFromMasterKey,
  deriveAccountKeys,
  deriveAccountKeysInThread,
} from './account/deriveAccountKeys.ts';
export { type UserIdentity, createIdentity } from './account/createIdentity.ts';
export { type DeviceKeys, createDeviceKeys } from './account/createDeviceKeys.ts';
export {
  KEY_BUNDLE_VERSION,
  type KeyBundleOwner,
  KeyBundleError,
  sealKeyBundle,
  openKeyBundle,
} from './account/keyBundle.ts';
export {
  ClientErrorCode,
  type AccountErrorCode,
  CLIENT_ERROR_MESSAGES,
  type AccountErrorOptions,
  AccountError,
} from './account/AccountError.ts';
export {
  SESSION_FORMAT,
  type SerializedSession,
  type AccountRole,
  type SessionInit,
  Session,
} from './account/Session.ts';
export { type FetchFunction, type RelayApiOptions, type RelayRequest, RelayApi } from './account/RelayApi.ts';
export {
  type Member,
  type AccountDevice,
  type AccountInfo,
  type TotpSetup,
  type AccountClientOptions,
  type LoginOptions,
  type RegisterOptions,
  type VaultKeyMaterial,
  type SharedSessionStore,
  AccountClient,
} from './account/AccountClient.ts';
export { syncUrlFor } from './syncUrlFor.ts';
export { documentIdFromInput, linkIdFromInput, deviceIdFromInput } from './idInput.ts';
export { settle } from './settle.ts';
export {
  type ContactRecord,
  type ContactCheck,
  type ContactSummary,
  type SerializedContacts,
  KNOWN_CONTACTS_FORMAT,
  KnownContacts,
  safetyNumber,
} from './sharing/KnownContacts.ts';
export {
  type SignedGrant,
  type CreateGrantInput,
  type OpenGrantInput,
  GrantRejectedError,
  createGrant,
  grantToWire,
  openGrant,
} from './sharing/grants.ts';
export { type Membership, type VerifyMembershipInput, verifyMembership } from './sharing/membership.ts';
export {
  type LinkSecrets,
  type LinkPassword,
  deriveLinkSecrets,
  createLinkSecrets,
  linkVerifier,
  formatLinkFragment,
  parseLinkFragment,
  deriveLinkKey,
  sealKeyForLink,
  openKeyFromLink,
  sealKeyWithLinkKey,
  openKeyWithLinkKey,
  formatShareUrl,
  parseShareUrl,
} from './sharing/links.ts';
export {
  type DeviceKeysStatement,
  signDeviceCertificate,
  verifyDeviceCertificate,
} from './sharing/deviceCertificate.ts';
export { createLinkDevice, linkDevicePublicKey } from './sharing/linkDevice.ts';
export {
  SHARING_STATE_FORMAT,
  type StoredLink,
  type SerializedSharingState,
  type SharingStore,
  SharingState,
} from './sharing/SharingState.ts';
export {
  type CachedAccess,
  type AccessCache,
  type DocumentAccess,
  type ContactChange,
} from './sharing/DocumentAccess.ts';
export {
  type WorkspaceOptions,
  type OpenDocumentOptions,
  type WorkspaceEvents,
  type DocumentInfo,
  type DocumentMemberInfo,
  type ShareResult,
  type RotationResult,
  type CreateLinkOptions,
  type CreatedLink,
  type LinkSummary,
  Workspace,
} from './sharing/Workspace.ts';
export { type OpenLinkOptions, type OpenedLink, openLink } from './sharing/openLink.ts';
export { REFRESH_INTERVAL_MS, type OpenCopy, OpenDocuments } from './sharing/OpenDocuments.ts';
export {
  type TabRole,
  type LocalDocumentEvents,
  type LocalDocumentOptions,
  LocalDocument,
} from './local/LocalDocument.ts';
export { requestPersistentStorage } from './local/requestPersistentStorage.ts';
export {
  type LocalDocumentsContext,
  type OpenLocalDocumentOptions,
  type OpenedLocalDocument,
  LocalDocuments,
} from './local/LocalDocuments.ts';
export { DocumentAccessCache } from './local/DocumentAccessCache.ts';
export { SealedSharingStore } from './local/SealedSharingStore.ts';
export {
  type ChunkSizes,
  DRIVE_CHUNK_SIZES,
  CHUNKER_KEY_BYTES,
  ContentChunker,
  chunkBytes,
} from './files/ContentChunker.ts';
export {
  type ChunkRef,
  type SealedChunk,
  type SealWorkers,
  SPACE_SECRET_BYTES,
  CHUNK_KEY_BYTES,
  ChunkRefusal,
  ChunkRefusedError,
  ChunkSealer,
  chunkAddress,
} from './files/ChunkSealer.ts';
export {
  SealWorkerPool,
  type SealPort,
  type SealReply,
  type SealRequest,
  createSealHandler,
} from './files/SealWorkerPool.ts';
export {
  type FileManifest,
  type FetchChunk,
  ManifestError,
  MAX_FILE_NAME_LENGTH,
  MAX_FILE_BYTES,
  manifestToJSON,
  parseManifest,
  isValidFileName,
  isValidMediaType,
  sealFile,
  readFileRange,
  readFile,
} from './files/FileManifest.ts';
export { DriveClient, type DriveClientOptions, type UploadProgress, type UploadResult } from './files/DriveClient.ts';
export {
  DriveSpace,
  DriveSpaceError,
  type DriveFile,
  type DriveFolder,
  type DriveNode,
  type DriveVersion,
  type NewVersion,
  type PurgedNode,
  TRASH_RETENTION_MS,
} from './files/DriveSpace.ts';
export {
  type CollectGarbageOptions,
  DriveSweepError,
  type GarbageCollection,
  type Reclaim,
  catchUpWithRelay,
  collectGarbage,
  reclaimChunks,
} from './files/DriveSweeper.ts';
export {
  UploadOutbox,
  type UploadOutboxOptions,
  type OutgoingFile,
  type OutgoingSource,
  type OutgoingState,
} from './files/UploadOutbox.ts';
export { SpaceSecretError, SpaceSecrets } from './files/SpaceSecrets.ts';
export {
  ATTACHMENT_MEDIA_TYPES,
  AttachmentError,
  type AttachmentReference,
  MAX_ATTACHMENT_BYTES,
  checkNewAttachment,
  formatAttachmentReference,
  parseAttachmentReference,
} from './files/AttachmentReference.ts';
export {
  DocumentAttachments,
  type DocumentAttachmentsOptions,
  type NewAttachment,
  forgetPendingAttachments,
} from './files/DocumentAttachments.ts';
