import { Dexie, type Table } from 'dexie';

/** Name of the Dexie database of one account on this device. */
export const LOCAL_DATABASE_PREFIX = 'coffre-local';

export type CatalogKind = 'document' | 'folder' | 'file';

/** A document, folder or file known on this device. Its title lives sealed in `sealedMeta`. */
export interface CatalogRow {
  id: string;
  kind: CatalogKind;
  /** Id of the containing folder; '' at the root (IndexedDB cannot index null). */
  parent: string;
  /** Title, file name and the like, sealed: never plain. */
  sealedMeta: Uint8Array;
}

/** A value sealed with the local vault key (see {@link Vault} and {@link SealedRecords}). */
export interface SealedRow {
  id: string;
  sealed: Uint8Array;
}

/** A keyring row: document keys, the sharing state, sealed (see {@link SealedRecords}). */
export type KeyringRow = SealedRow;

/**
 * An encrypted chunk of the Drive kept on this device, as the relay stores
 * it (ciphertext under its address): the chunks of files kept offline. The
 * space and address are what the relay knows too; which file a chunk
 * belongs to is not written here.
 */
export interface ChunkRow {
  space: string;
  address: string;
  ciphertext: Uint8Array;
}

/**
 * A sealed chunk of a file waiting to be uploaded (the Drive's outbox), by
 * the upload it belongs to. Ciphertext only: the upload's name, folder and
 * chunk keys are in its `uploads` row, sealed with the vault key.
 */
export interface UploadChunkRow {
  upload: string;
  address: string;
  ciphertext: Uint8Array;
}

export interface LocalDatabaseOptions {
  /** An IDBFactory other than the global `indexedDB` (e.g. fake-indexeddb). */
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
}

/**
 * The device's Dexie database: catalog, keyring, the Drive's chunks kept
 * offline and its outbox (uploads waiting for the relay). Only sealed or
 * encrypted bytes are stored; ids are random.
 *
 * @example
 * const database = new LocalDatabase('account-id');
 * await database.catalog.put({ id, kind: 'document', parent: '', sealedMeta });
 */
export class LocalDatabase extends Dexie {
  readonly catalog!: Table<CatalogRow, string>;
  readonly keyring!: Table<KeyringRow, string>;
  readonly chunks!: Table<ChunkRow, [string, string]>;
  /** Uploads waiting for the relay, sealed with the vault key (see `UploadOutbox` in @coffre/client). */
  readonly uploads!: Table<SealedRow, string>;
  readonly uploadChunks!: Table<UploadChunkRow, [string, string]>;

  constructor(account: string, options: LocalDatabaseOptions = {}) {
    super(`${LOCAL_DATABASE_PREFIX}/${account}`, {
      ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
      ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}),
    });
    this.version(1).stores({
      catalog: 'id, kind, parent',
      keyring: 'id',
      fileChunks: '[fileId+index], fileId',
      outbox: '++id, kind, target',
    });
    // fileChunks (by file and index, never used) gives way to chunks by space and address: one copy of a
    // chunk however many files and versions hold it, as on the relay.
    this.version(2).stores({ fileChunks: null, chunks: '[space+address], space' });
    // The generic outbox (numeric ids, never used) gives way to the Drive's: sealed upload records by
    // random id, and their sealed chunks by upload, so an upload's bytes go with it in one delete.
    this.version(3).stores({ outbox: null, uploads: 'id', uploadChunks: '[upload+address], upload' });
  }
}
