export type { ContentEngine } from './engines/ContentEngine.ts';
export { YjsEngine } from './engines/YjsEngine.ts';
export { AutomergeEngine } from './engines/AutomergeEngine.ts';
export { AuthorCounters } from './AuthorCounters.ts';
export { Emitter } from './Emitter.ts';
export { type DeviceIdentity, DocumentKeyring, DeviceDirectory } from './keys.ts';
export {
  LOCAL_ORIGIN,
  type EntryRejectedEvent,
  type EnvelopeEvents,
  type CompactionPolicy,
  type EncryptedEnvelopeOptions,
  EncryptedEnvelope,
} from './EncryptedEnvelope.ts';
export {
  type SyncState,
  type SyncStatus,
  type DocumentError,
  type PresencePeer,
  type EncryptedDocumentEvents,
  type EncryptedDocumentOptions,
  EncryptedDocument,
} from './EncryptedDocument.ts';
export { ACCOUNT_KDF_PARAMETERS, MINIMUM_KDF_PARAMETERS, meetsKdfFloor } from './account/kdfParameters.ts';
export { type AccountKeys, deriveAccountKeys } from './account/deriveAccountKeys.ts';
export { type UserIdentity, createIdentity } from './account/createIdentity.ts';
export { type DeviceKeys, createDeviceKeys } from './account/createDeviceKeys.ts';
export {
  KEY_BUNDLE_VERSION,
  type KeyBundleOwner,
  KeyBundleError,
  sealKeyBundle,
  openKeyBundle,
} from './account/keyBundle.ts';
export { deriveSoloDocumentKey } from './account/deriveSoloDocumentKey.ts';
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
  type TotpSetup,
  type AccountClientOptions,
  type LoginOptions,
  type SharedSessionStore,
  AccountClient,
} from './account/AccountClient.ts';
export { type OpenSoloDocumentOptions, syncUrlFor, openSoloDocument, settle } from './account/openSoloDocument.ts';
