import type { LocalDatabase, Vault } from '@coffre/storage';

import type { DocumentKind } from './documentMeta.ts';

const TABLE = 'catalog';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A document this device has seen, as the catalog keeps it (the meta sealed with the vault key). */
export interface CatalogEntry {
  id: string;
  /** '' until the document was opened or indexed on this device. */
  title: string;
  /** When this device last saw the title change (milliseconds). */
  updatedAt: number;
  kind: DocumentKind;
}

/**
 * The documents known on this device, for the list when the relay cannot
 * be reached: rows of the LocalDatabase `catalog` whose `sealedMeta` (the
 * title) is sealed with the local vault key, so IndexedDB never holds a
 * title in the clear. A row that does not open reads as untitled.
 */
export class DocumentCatalog {
  readonly #database: LocalDatabase;
  readonly #vault: Vault;

  constructor(database: LocalDatabase, vault: Vault) {
    this.#database = database;
    this.#vault = vault;
  }

  async list(): Promise<CatalogEntry[]> {
    const rows = await this.#database.catalog.where('kind').equals('document').toArray();
    return rows.map((row) => ({ id: row.id, ...this.#open(row.id, row.sealedMeta) }));
  }

  async get(id: string): Promise<CatalogEntry | null> {
    const row = await this.#database.catalog.get(id);
    return row ? { id, ...this.#open(id, row.sealedMeta) } : null;
  }

  async remember(id: string, title: string, kind: DocumentKind = 'document'): Promise<void> {
    const meta = { title, updatedAt: Date.now(), kind };
    const sealedMeta = this.#vault.seal(TABLE, id, encoder.encode(JSON.stringify(meta)));
    await this.#database.catalog.put({ id, kind: 'document', parent: '', sealedMeta });
  }

  async forget(id: string): Promise<void> {
    await this.#database.catalog.delete(id);
  }

  #open(id: string, sealed: Uint8Array): { title: string; updatedAt: number; kind: DocumentKind } {
    try {
      const value = JSON.parse(decoder.decode(this.#vault.open(TABLE, id, sealed))) as unknown;
      if (typeof value !== 'object' || value === null) return { title: '', updatedAt: 0, kind: 'document' };
      const { title, updatedAt, kind } = value as Record<string, unknown>;
      return {
        title: typeof title === 'string' ? title : '',
        updatedAt: typeof updatedAt === 'number' ? updatedAt : 0,
        kind: kind === 'note' ? 'note' : 'document',
      };
    } catch {
      return { title: '', updatedAt: 0, kind: 'document' };
    }
  }
}
