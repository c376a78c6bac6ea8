import type { Table } from 'dexie';
import type { SealedRow } from './LocalDatabase.ts';
import type { Vault } from './Vault.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How a sealed value sits in a table whose rows are not plain {@link SealedRow}s (the catalog's). */
export interface SealedRowShape<R extends { id: string }> {
  /** The row to store for `id` (plain columns beside the sealed bytes must never be secret). */
  toRow: (id: string, sealed: Uint8Array) => R;
  sealedOf: (row: R) => Uint8Array;
}

export interface SealedRecordsOptions<T, R extends { id: string }> {
  /** A table of the {@link LocalDatabase}; its name is bound into every sealed value. */
  table: Table<R, string>;
  vault: Vault;
  /** Checks a value read back (it was JSON); null reads as absent. */
  parse: (value: unknown) => T | null;
  /** Prepended to every id, so several kinds of records share a table (e.g. 'document:'). */
  prefix?: string;
  /** Default: rows are `{ id, sealed }`. */
  shape?: SealedRowShape<R>;
}

const PLAIN_ROW: SealedRowShape<SealedRow> = {
  toRow: (id, sealed) => ({ id, sealed }),
  sealedOf: (row) => row.sealed,
};

/**
 * JSON values sealed with the local vault key, keyed by string, in one table
 * of the device's {@link LocalDatabase}: the one place local records are
 * sealed and opened. Each value is bound to its table and row id (see
 * {@link Vault}), so a row that does not open (tampered with, copied to
 * another id, sealed under another vault key) or does not parse reads as
 * absent.
 *
 * @example
 * const titles = new SealedRecords({ table: database.keyring, vault, prefix: 'title:', parse: (v) => (typeof v === 'string' ? v : null) });
 * await titles.put('doc-1', 'Plans');
 * await titles.get('doc-1'); // 'Plans'
 */
export class SealedRecords<T, R extends { id: string } = SealedRow> {
  readonly #table: Table<R, string>;
  readonly #vault: Vault;
  readonly #parse: (value: unknown) => T | null;
  readonly #prefix: string;
  readonly #shape: SealedRowShape<R>;

  constructor(options: SealedRecordsOptions<T, R>) {
    this.#table = options.table;
    this.#vault = options.vault;
    this.#parse = options.parse;
    this.#prefix = options.prefix ?? '';
    // Without a shape, R is SealedRow (the default type argument).
    this.#shape = options.shape ?? (PLAIN_ROW as unknown as SealedRowShape<R>);
  }

  async get(id: string): Promise<T | null> {
    const rowId = this.#prefix + id;
    const row = await this.#table.get(rowId);
    return row === undefined ? null : this.#open(rowId, row);
  }

  async put(id: string, value: T): Promise<void> {
    const rowId = this.#prefix + id;
    const sealed = this.#vault.seal(this.#table.name, rowId, encoder.encode(JSON.stringify(value)));
    await this.#table.put(this.#shape.toRow(rowId, sealed));
  }

  async delete(id: string): Promise<void> {
    await this.#table.delete(this.#prefix + id);
  }

  /** Every record that opens, with its id (rows that do not open are left out); `where` filters on plain columns. */
  async list(where?: (row: R) => boolean): Promise<[string, T][]> {
    const out: [string, T][] = [];
    for (const row of await this.#rows()) {
      if (where && !where(row)) continue;
      const value = this.#open(row.id, row);
      if (value !== null) out.push([row.id.slice(this.#prefix.length), value]);
    }
    return out;
  }

  /** The ids of every row, those that do not open included (to delete what is no longer wanted). */
  async ids(): Promise<string[]> {
    return (await this.#rows()).map((row) => row.id.slice(this.#prefix.length));
  }

  #rows(): Promise<R[]> {
    if (this.#prefix === '') return this.#table.toArray();
    return this.#table.where(':id').startsWith(this.#prefix).toArray();
  }

  #open(rowId: string, row: R): T | null {
    try {
      return this.#parse(
        JSON.parse(decoder.decode(this.#vault.open(this.#table.name, rowId, this.#shape.sealedOf(row)))),
      );
    } catch {
      return null;
    }
  }
}
