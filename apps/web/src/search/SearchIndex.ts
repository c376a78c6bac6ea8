import MiniSearch, { type AsPlainObject, type Options, type SearchResult } from 'minisearch';
import { matchingLine, normalizeForSearch } from '../workspace/searchDocuments.ts';

/**
 * The search box's full-text index over what the user keeps: documents,
 * notes, and the Drive's folders and files (by name, and by content for
 * text and PDF files), through MiniSearch. Pure: no I/O. It is kept on the
 * device sealed with the vault key ({@link SealedSearchIndex}) and fed by
 * the {@link SearchIndexer}.
 */

/** What an item of the index is, for its icon and what opening it does. */
export type SearchKind = 'document' | 'note' | 'file' | 'folder';

/** An item as it is indexed. */
export interface SearchItem {
  id: string;
  kind: SearchKind;
  /** A document's title, a file's or folder's name. */
  title: string;
  /** The text searched besides the title ('' for a folder, or a file whose content is not read). */
  text: string;
  /** Where it lives: the folder path ("Work / 2027"), '' at the top level. */
  where: string;
  /** What the item was indexed from (a content hash, a file version): unchanged, it is not indexed again. */
  stamp: string;
}

/** A result of a search, best first. */
export interface SearchHit {
  id: string;
  kind: SearchKind;
  title: string;
  where: string;
  /** The line of text where the match is, shortened, or null when only the title matched. */
  line: string | null;
  score: number;
}

/** The version of what is persisted: an index written with another is rebuilt rather than read. */
export const SEARCH_INDEX_SCHEMA = 1;

/** How much of an item's text is kept to show the matching line (the whole text is indexed). */
export const EXCERPT_CHARACTERS = 8 * 1024;

interface StoredFields {
  kind: SearchKind;
  title: string;
  where: string;
  stamp: string;
  excerpt: string;
}

interface IndexedItem extends SearchItem {
  excerpt: string;
}

const OPTIONS: Options<IndexedItem> = {
  idField: 'id',
  fields: ['title', 'text'],
  storeFields: ['kind', 'title', 'where', 'stamp', 'excerpt'],
  // Accents and case folded both when indexing and when searching: "resume" finds "Résumé".
  processTerm: (term) => normalizeForSearch(term),
  searchOptions: {
    boost: { title: 3 },
    // The word being typed, the last, is a prefix from three letters ("of" would take in every "off…");
    // the words before it are whole.
    prefix: (term, index, terms) => index === terms.length - 1 && term.length >= 3,
    // A typo in a word of five letters or more still finds it (two in ten letters); shorter words must be right.
    fuzzy: (term) => (term.length > 4 ? 0.2 : false),
    combineWith: 'AND',
  },
};

export class SearchIndex {
  readonly #search: MiniSearch<IndexedItem>;
  /** The kind of every indexed id (MiniSearch keeps no list of its ids). */
  readonly #kinds: Map<string, SearchKind>;

  private constructor(search: MiniSearch<IndexedItem>, kinds: Map<string, SearchKind>) {
    this.#search = search;
    this.#kinds = kinds;
  }

  static empty(): SearchIndex {
    return new SearchIndex(new MiniSearch(OPTIONS), new Map());
  }

  /**
   * An index from {@link toJSON}'s string; rejects when it is not one.
   * Loaded a thousand terms at a time, giving the page its turn between them.
   */
  static async fromJSON(json: string): Promise<SearchIndex> {
    const plain = JSON.parse(json) as AsPlainObject;
    const kinds = new Map<string, SearchKind>();
    for (const [shortId, id] of Object.entries(plain.documentIds)) {
      const stored = plain.storedFields[shortId] as Partial<StoredFields> | undefined;
      if (typeof id !== 'string' || !stored?.kind) throw new SyntaxError('not a search index');
      kinds.set(id, stored.kind);
    }
    return new SearchIndex(await MiniSearch.loadJSAsync<IndexedItem>(plain, OPTIONS), kinds);
  }

  toJSON(): string {
    return JSON.stringify(this.#search);
  }

  get size(): number {
    return this.#search.documentCount;
  }

  /** The stamp the item was indexed with, or null when it is not indexed. */
  stampOf(id: string): string | null {
    return this.#stored(id)?.stamp ?? null;
  }

  /** The title an item was indexed with, or null when it is not indexed. */
  titleOf(id: string): string | null {
    return this.#stored(id)?.title ?? null;
  }

  /** The kind of an indexed item, or null. */
  kindOf(id: string): SearchKind | null {
    return this.#stored(id)?.kind ?? null;
  }

  /** Every indexed id of the given kinds. */
  ids(kinds: readonly SearchKind[]): string[] {
    const wanted = new Set(kinds);
    const ids: string[] = [];
    for (const [id, kind] of this.#kinds) if (wanted.has(kind)) ids.push(id);
    return ids;
  }

  /** Adds the item, or replaces what was indexed under its id; false when it was indexed with the same stamp. */
  put(item: SearchItem): boolean {
    if (this.stampOf(item.id) === item.stamp) return false;
    const indexed: IndexedItem = { ...item, excerpt: item.text.slice(0, EXCERPT_CHARACTERS) };
    if (this.#search.has(item.id)) this.#search.replace(indexed);
    else this.#search.add(indexed);
    this.#kinds.set(item.id, item.kind);
    return true;
  }

  /** Takes an item out of the index; false when it was not in it. */
  remove(id: string): boolean {
    if (!this.#search.has(id)) return false;
    this.#search.discard(id);
    this.#kinds.delete(id);
    return true;
  }

  /** The best `limit` items for `query` (every word, the last ones as prefixes, small typos forgiven). */
  search(query: string, options: { kinds?: readonly SearchKind[]; limit?: number } = {}): SearchHit[] {
    if (query.trim() === '') return [];
    const kinds = options.kinds ? new Set(options.kinds) : null;
    const results = this.#search.search(
      query,
      kinds ? { filter: (result) => kinds.has((result as SearchResult & StoredFields).kind) } : {},
    );
    return results.slice(0, options.limit ?? 50).map((result) => {
      const stored = result as SearchResult & StoredFields;
      return {
        id: String(result.id),
        kind: stored.kind,
        title: stored.title,
        where: stored.where,
        line: lineFor(result.terms, stored.excerpt),
        score: result.score,
      };
    });
  }

  #stored(id: string): StoredFields | null {
    return (this.#search.getStoredFields(id) as StoredFields | undefined) ?? null;
  }
}

/** The line of `excerpt` holding the first matched term, or null when none does (the title matched). */
function lineFor(terms: readonly string[], excerpt: string): string | null {
  for (const term of terms) {
    const line = matchingLine(term, excerpt);
    if (line) return line;
  }
  return null;
}
