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
