import type { DeviceId, DocumentAddress, DocumentRole } from '@coffre/protocol';
import type { DeviceDirectory, DocumentKeyring } from '../keys.ts';

/** What `Workspace.documentAccess` fetched for a document, as kept on the device. */
export interface CachedAccess {
  documentId: string;
  role: DocumentRole;
  currentEpoch: number;
  keys: [number, Uint8Array][];
  devices: [DeviceId, Uint8Array][];
}

/**
 * Keeps each document's keys and trusted devices on the device, so a
 * document opens with no network (`DocumentAccessCache` seals them with the
 * local vault key).
 */
export interface AccessCache {
  save(access: CachedAccess): Promise<void>;
  load(documentId: string): Promise<CachedAccess | null>;
  /** The relay says the document is gone or no longer shared with this user. */
  forget(documentId: string): Promise<void>;
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
}

/** A known contact for whom the relay now serves other identity keys. */
export interface ContactChange {
  userId: string;
  email: string;
  /** Of the keys trusted so far. */
  previousSafetyNumber: string;
  /** Of the keys the relay serves now. */
  safetyNumber: string;
}
