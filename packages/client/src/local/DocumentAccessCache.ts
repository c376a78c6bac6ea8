import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import { type DocumentId, DocumentRoleSchema, deviceId } from '@coffre/protocol';
import { type LocalDatabase, type Vault, SealedRecords } from '@coffre/storage';
import type { AccessCache, CachedAccess } from '../sharing/DocumentAccess.ts';

/** A {@link CachedAccess} as JSON (keys base64url), the way it is sealed. */
interface StoredAccess {
  role: string;
  currentEpoch: number;
  keys: [number, string][];
  devices: [string, string][];
  /** Writer epochs per device; absent when the cache predates them or no membership restricted writers. */
  writers?: [string, number[]][];
}

/**
 * The {@link AccessCache} of a device: each document's keys (every epoch)
 * and trusted device keys, sealed with the local vault key in the Dexie
 * keyring ({@link SealedRecords}, rows `document:<id>`), so a document opens
 * with no network and nothing readable sits in IndexedDB. A row that does
 * not open (tampered, moved to another document's id, another vault key)
 * reads as absent.
 *
 * @example
 * const workspace = await Workspace.open({ account, accessCache: new DocumentAccessCache(database, vault) });
 */
export class DocumentAccessCache implements AccessCache {
  readonly #records: SealedRecords<StoredAccess>;

  constructor(database: LocalDatabase, vault: Vault) {
    this.#records = new SealedRecords({ table: database.keyring, vault, prefix: 'document:', parse: parseStored });
  }

  async save(access: CachedAccess): Promise<void> {
    await this.#records.put(access.documentId, {
      role: access.role,
      currentEpoch: access.currentEpoch,
      keys: access.keys.map(([epoch, key]) => [epoch, toBase64Url(key)]),
      devices: access.devices.map(([device, key]) => [device, toBase64Url(key)]),
      ...(access.writers ? { writers: access.writers } : {}),
    });
  }

  async load(documentId: DocumentId): Promise<CachedAccess | null> {
    const stored = await this.#records.get(documentId);
    if (!stored) return null;
    try {
      return toAccess(documentId, stored);
    } catch {
      // A key that is not base64url.
      return null;
    }
  }

  async forget(documentId: DocumentId): Promise<void> {
    await this.#records.delete(documentId);
  }
}

function parseStored(value: unknown): StoredAccess | null {
  if (typeof value !== 'object' || value === null) return null;
  const { role, currentEpoch, keys, devices, writers } = value as Record<string, unknown>;
  if (typeof role !== 'string' || !Number.isSafeInteger(currentEpoch)) return null;
  if (!Array.isArray(keys) || !Array.isArray(devices)) return null;
  const pairs = (list: unknown[]) =>
    list.filter(
      (pair): pair is [number | string, string] =>
        Array.isArray(pair) && pair.length === 2 && typeof pair[1] === 'string',
    );
  return {
    role,
    currentEpoch: currentEpoch as number,
    keys: pairs(keys)
      .filter(([epoch]) => Number.isSafeInteger(epoch))
      .map(([epoch, key]) => [epoch as number, key]),
    devices: pairs(devices)
      .filter(([device]) => typeof device === 'string')
      .map(([device, key]) => [device as string, key]),
    ...(Array.isArray(writers) ? { writers: writerPairs(writers) } : {}),
  };
}

function writerPairs(list: unknown[]): [string, number[]][] {
  return list
    .filter(
      (pair): pair is [string, number[]] =>
        Array.isArray(pair) &&
        pair.length === 2 &&
        typeof pair[0] === 'string' &&
        Array.isArray(pair[1]) &&
        pair[1].every((epoch) => Number.isSafeInteger(epoch)),
    )
    .map(([device, epochs]) => [device, [...epochs]]);
}

function toAccess(documentId: DocumentId, stored: StoredAccess): CachedAccess | null {
  const role = DocumentRoleSchema.safeParse(stored.role);
  if (!role.success) return null;
  return {
    documentId,
    role: role.data,
    currentEpoch: stored.currentEpoch,
    keys: stored.keys.map(([epoch, key]) => [epoch, fromBase64Url(key)]),
    devices: stored.devices.map(([device, key]) => [deviceId(device), fromBase64Url(key)]),
    ...(stored.writers ? { writers: stored.writers.map(([device, epochs]) => [deviceId(device), epochs]) } : {}),
  };
}
