import type { LocalDatabase } from './LocalDatabase.ts';

/**
 * The sealed chunks of uploads waiting for the relay (the Drive's outbox),
 * by upload and address: written as a file is sealed, read back when it is
 * sent (after a reload too), dropped with the upload once the relay holds
 * them and the file is recorded.
 */
export class UploadChunks {
  readonly #database: LocalDatabase;

  constructor(database: LocalDatabase) {
    this.#database = database;
  }

  async put(upload: string, address: string, ciphertext: Uint8Array): Promise<void> {
    await this.#database.uploadChunks.put({ upload, address, ciphertext });
  }

  async get(upload: string, address: string): Promise<Uint8Array | null> {
    return (await this.#database.uploadChunks.get([upload, address]))?.ciphertext ?? null;
  }

  /** Every chunk of an upload, by address. */
  async list(upload: string): Promise<{ address: string; ciphertext: Uint8Array }[]> {
    const rows = await this.#database.uploadChunks.where('upload').equals(upload).toArray();
    return rows.map(({ address, ciphertext }) => ({ address, ciphertext }));
  }

  /** Drops every chunk of an upload. */
  async deleteUpload(upload: string): Promise<void> {
    await this.#database.uploadChunks.where('upload').equals(upload).delete();
  }

  /** The uploads that have chunks here (to drop those no upload record names any more). */
  async uploads(): Promise<Set<string>> {
    return new Set((await this.#database.uploadChunks.orderBy('upload').uniqueKeys()).map(String));
  }
}
