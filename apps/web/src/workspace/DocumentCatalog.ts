import { type CatalogRow, type LocalDatabase, type Vault, SealedRecords } from '@coffre/storage';

import type { DocumentKind } from './documentMeta.ts';

/** A document this device has seen, as the catalog keeps it (the meta sealed with the vault key). */
export interface CatalogEntry {
  id: string;
  /** '' until the document was opened or indexed on this device. */
  title: string;
  /** When this device last saw the title change (milliseconds). */
  updatedAt: number;
  kind: DocumentKind;
}

type CatalogMeta = Omit<CatalogEntry, 'id'>;

/**
 * The documents known on this device, for the list when the relay cannot
 * be reached: rows of the LocalDatabase `catalog` whose `sealedMeta` (the
 * title) is sealed with the local vault key ({@link SealedRecords}), so
 * IndexedDB never holds a title in the clear. A row that does not open
 * reads as absent.
 */
export class DocumentCatalog {
  readonly #records: SealedRecords<CatalogMeta, CatalogRow>;

  constructor(database: LocalDatabase, vault: Vault) {
    this.#records = new SealedRecords({
      table: database.catalog,
      vault,
      parse: parseMeta,
      shape: {
        toRow: (id, sealed) => ({ id, kind: 'document', parent: '', sealedMeta: sealed }),
        sealedOf: (row) => row.sealedMeta,
      },
    });
  }

  async list(): Promise<CatalogEntry[]> {
    const records = await this.#records.list((row) => row.kind === 'document');
    return records.map(([id, meta]) => ({ id, ...meta }));
  }

  /** The ids of every row, those that no longer open included (to forget them). */
  ids(): Promise<string[]> {
    return this.#records.ids();
  }

  async get(id: string): Promise<CatalogEntry | null> {
    const meta = await this.#records.get(id);
    return meta ? { id, ...meta } : null;
  }

  async remember(id: string, title: string, kind: DocumentKind = 'document'): Promise<void> {
    await this.#records.put(id, { title, updatedAt: Date.now(), kind });
  }

  async forget(id: string): Promise<void> {
    await this.#records.delete(id);
  }
}

function parseMeta(value: unknown): CatalogMeta | null {
  if (typeof value !== 'object' || value === null) return null;
  const { title, updatedAt, kind } = value as Record<string, unknown>;
  return {
    title: typeof title === 'string' ? title : '',
    updatedAt: typeof updatedAt === 'number' ? updatedAt : 0,
    kind: kind === 'note' ? 'note' : 'document',
  };
}
