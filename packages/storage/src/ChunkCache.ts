import type { LocalDatabase } from './LocalDatabase.ts';

/**
 * The Drive's chunks kept on this device (files made available offline),
 * ciphertext exactly as the relay stores it, by space and address. Nothing
 * here is readable without the space's keys, and whoever reads a chunk
 * checks it against its manifest again (`ChunkSealer.open`), so a chunk
 * altered on the device is refused like one altered on the relay.
 */
export class ChunkCache {
  readonly #database: LocalDatabase;

  constructor(database: LocalDatabase) {
    this.#database = database;
  }

  async get(space: string, address: string): Promise<Uint8Array | null> {
    return (await this.#database.chunks.get([space, address]))?.ciphertext ?? null;
  }

  async put(space: string, address: string, ciphertext: Uint8Array): Promise<void> {
    await this.#database.chunks.put({ space, address, ciphertext });
  }

  /** Which of `addresses` the device holds for the space. */
  async held(space: string, addresses: readonly string[]): Promise<Set<string>> {
    const rows = await this.#database.chunks.bulkGet(addresses.map((address): [string, string] => [space, address]));
    return new Set(rows.flatMap((row) => (row ? [row.address] : [])));
  }

  /** Drops chunks of the space (those no file kept offline needs any more). */
  async delete(space: string, addresses: readonly string[]): Promise<void> {
    await this.#database.chunks.bulkDelete(addresses.map((address): [string, string] => [space, address]));
  }

  /** Drops every chunk kept for the space (it was deleted, or the person left it). */
  async deleteSpace(space: string): Promise<void> {
    await this.#database.chunks.where('space').equals(space).delete();
  }

  /** Bytes kept for a space. */
  async size(space: string): Promise<number> {
    let bytes = 0;
    await this.#database.chunks
      .where('space')
      .equals(space)
      .each((row) => (bytes += row.ciphertext.length));
    return bytes;
  }
}
