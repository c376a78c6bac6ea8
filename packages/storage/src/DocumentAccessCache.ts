import type { AccessCache, CachedAccess } from '@coffre/client';
import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import { DocumentRoleSchema, deviceId } from '@coffre/protocol';
import type { LocalDatabase } from './LocalDatabase.ts';
import type { Vault } from './Vault.ts';

const TABLE = 'keyring';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The {@link AccessCache} of a device: each document's keys (every epoch)
 * and trusted device keys, sealed with the local vault key in the Dexie
 * keyring, so a document opens with no network and nothing readable sits
 * in IndexedDB. A row that does not open (tampered, moved to another
 * document's id, another vault key) reads as absent.
 *
 * @example
 * const workspace = await Workspace.open({ account, accessCache: new DocumentAccessCache(database, vault) });
 */
export class DocumentAccessCache implements AccessCache {
  readonly #database: LocalDatabase;
  readonly #vault: Vault;

  constructor(database: LocalDatabase, vault: Vault) {
    this.#database = database;
    this.#vault = vault;
  }

  async save(access: CachedAccess): Promise<void> {
    const id = rowId(access.documentId);
    const json = JSON.stringify({
      role: access.role,
      currentEpoch: access.currentEpoch,
      keys: access.keys.map(([epoch, key]) => [epoch, toBase64Url(key)]),
      devices: access.devices.map(([device, key]) => [device, toBase64Url(key)]),
    });
    await this.#database.keyring.put({ id, sealed: this.#vault.seal(TABLE, id, encoder.encode(json)) });
  }

  async load(documentId: string): Promise<CachedAccess | null> {
    const id = rowId(documentId);
    const row = await this.#database.keyring.get(id);
    if (!row) return null;
    try {
      const value = JSON.parse(decoder.decode(this.#vault.open(TABLE, id, row.sealed))) as unknown;
      return parseAccess(documentId, value);
    } catch {
      return null;
    }
  }

  async forget(documentId: string): Promise<void> {
    await this.#database.keyring.delete(rowId(documentId));
  }
}

function rowId(documentId: string): string {
  return `document:${documentId}`;
}

function parseAccess(documentId: string, value: unknown): CachedAccess | null {
  if (typeof value !== 'object' || value === null) return null;
  const { role, currentEpoch, keys, devices } = value as Record<string, unknown>;
  const parsedRole = DocumentRoleSchema.safeParse(role);
  if (!parsedRole.success || !Number.isSafeInteger(currentEpoch)) return null;
  if (!Array.isArray(keys) || !Array.isArray(devices)) return null;
  const pairs = (list: unknown[]) =>
    list.filter(
      (pair): pair is [number | string, string] =>
        Array.isArray(pair) && pair.length === 2 && typeof pair[1] === 'string',
    );
  return {
    documentId,
    role: parsedRole.data,
    currentEpoch: currentEpoch as number,
    keys: pairs(keys)
      .filter(([epoch]) => Number.isSafeInteger(epoch))
      .map(([epoch, key]) => [epoch as number, fromBase64Url(key)]),
    devices: pairs(devices)
      .filter(([device]) => typeof device === 'string')
      .map(([device, key]) => [deviceId(device as string), fromBase64Url(key)]),
  };
}
