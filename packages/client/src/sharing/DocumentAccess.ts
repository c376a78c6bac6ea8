import type { DeviceId, DocumentAddress, DocumentId, DocumentRole, UserId } from '@coffre/protocol';
import type { DeviceDirectory, DocumentKeyring } from '../keys.ts';

/** What `Workspace.documentAccess` fetched for a document, as kept on the device. */
export interface CachedAccess {
  documentId: DocumentId;
  role: DocumentRole;
  currentEpoch: number;
  keys: [number, Uint8Array][];
  devices: [DeviceId, Uint8Array][];
  /** The key epochs each device may write in (see `DeviceDirectory.restrictWriters`); absent in older caches. */
  writers?: [DeviceId, number[]][];
}

/**
 * Keeps each document's keys and trusted devices on the device, so a
 * document opens with no network (`DocumentAccessCache` seals them with the
 * local vault key).
 */
export interface AccessCache {
  save(access: CachedAccess): Promise<void>;
  load(documentId: DocumentId): Promise<CachedAccess | null>;
  /** The relay says the document is gone or no longer shared with this user. */
  forget(documentId: DocumentId): Promise<void>;
}

/** What it takes to read and write a document: its keys and the devices whose entries are trusted. */
export interface DocumentAccess {
  address: DocumentAddress;
  /** The role the current epoch's grant gives this user. */
  role: DocumentRole;
  currentEpoch: number;
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
  /** Members whose keys changed since first seen: their devices are not trusted until accepted. */
  untrusted: ContactChange[];
  /**
   * Set when the document's grant log has no single creator, or another than
   * this device saw before: no entry is accepted then (the relay may be
   * presenting a forged membership, or the creator's keys changed).
   */
  membershipProblem?: 'no-creator' | 'several-creators' | 'other-creator';
}

/** A known contact for whom the relay now serves other identity keys. */
export interface ContactChange {
  userId: UserId;
  email: string;
  /** Of the keys trusted so far. */
  previousSafetyNumber: string;
  /** Of the keys the relay serves now. */
  safetyNumber: string;
}
