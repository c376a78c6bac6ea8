import { type LocalDatabase, SealedRecords, type Vault } from '@coffre/storage';
import { SEARCH_INDEX_SCHEMA, SearchIndex } from './SearchIndex.ts';

/** How many characters of the serialized index go in one sealed record. */
export const PART_CHARACTERS = 512 * 1024;

/** The record naming the parts of the index saved last. */
interface IndexHead {
  schema: number;
  /** Bumped at each save: a save writes new parts, then the head, then drops the old parts. */
  generation: number;
  parts: number;
}

function parseHead(value: unknown): IndexHead | null {
  if (typeof value !== 'object' || value === null) return null;
  const { schema, generation, parts } = value as Record<string, unknown>;
  if (typeof schema !== 'number' || typeof generation !== 'number' || typeof parts !== 'number') return null;
  return { schema, generation, parts };
}

/** Why the index was not read from the device: it is then built again from what the user keeps. */
export type LoadOutcome = 'loaded' | 'missing' | 'unreadable' | 'old-schema';

/**
 * The search index kept on this device, sealed with the vault key in the
 * keyring table of the `LocalDatabase` (rows `search-index:…`, through
 * {@link SealedRecords}, so each part is bound to its row): MiniSearch's
 * JSON, in parts of {@link PART_CHARACTERS}. Nothing of it is sent anywhere.
 */
export class SealedSearchIndex {
  readonly #heads: SealedRecords<IndexHead>;
  readonly #parts: SealedRecords<string>;
  #generation = 0;

  constructor(table: LocalDatabase['keyring'], vault: Vault) {
    this.#heads = new SealedRecords({ table, vault, prefix: 'search-index:', parse: parseHead });
    this.#parts = new SealedRecords({
      table,
      vault,
      prefix: 'search-index-part:',
      parse: (value) => (typeof value === 'string' ? value : null),
    });
  }

  /** The index saved last, or why there is none to read (a part missing or not opening: unreadable). */
  async load(): Promise<{ index: SearchIndex | null; outcome: LoadOutcome }> {
    const head = await this.#heads.get('head');
    if (!head) return { index: null, outcome: (await this.#heads.ids()).length > 0 ? 'unreadable' : 'missing' };
    this.#generation = head.generation;
    if (head.schema !== SEARCH_INDEX_SCHEMA) return { index: null, outcome: 'old-schema' };
    const parts: string[] = [];
    for (let part = 0; part < head.parts; part += 1) {
      const text = await this.#parts.get(`${head.generation}:${part}`);
      if (text === null) return { index: null, outcome: 'unreadable' };
      parts.push(text);
    }
    try {
      return { index: await SearchIndex.fromJSON(parts.join('')), outcome: 'loaded' };
    } catch {
      return { index: null, outcome: 'unreadable' };
    }
  }

  /**
   * Saves the index: every part is sealed at once (before this returns its
   * promise, so a vault key wiped right after does not stop it), the head
   * is written once the parts are, then the previous parts are dropped.
   */
  save(index: SearchIndex): Promise<void> {
    const json = index.toJSON();
    const generation = this.#generation + 1;
    const count = Math.max(1, Math.ceil(json.length / PART_CHARACTERS));
    const writes: Promise<void>[] = [];
    for (let part = 0; part < count; part += 1) {
      writes.push(
        this.#parts.put(`${generation}:${part}`, json.slice(part * PART_CHARACTERS, (part + 1) * PART_CHARACTERS)),
      );
    }
    const head = this.#heads.put('head', { schema: SEARCH_INDEX_SCHEMA, generation, parts: count });
    this.#generation = generation;
    return Promise.all(writes).then(async () => {
      await head;
      // Only older parts: a later save may be writing its own meanwhile.
      for (const id of await this.#parts.ids()) {
        if (Number(id.split(':')[0]) < generation) await this.#parts.delete(id);
      }
    });
  }

  /** Forgets the saved index (every part). */
  async clear(): Promise<void> {
    await this.#heads.delete('head');
    for (const id of await this.#parts.ids()) await this.#parts.delete(id);
  }
}
