import type { DriveFile, DriveSpace } from '@coffre/client';
import type { DocumentSummary } from '../workspace/documentMeta.ts';
import { type DriveEntry, driveEntries, withContent } from './driveItems.ts';
import type { LoadOutcome, SealedSearchIndex } from './SealedSearchIndex.ts';
import { type SearchHit, SearchIndex, type SearchItem, type SearchKind } from './SearchIndex.ts';

/** The Drive as the indexer follows it (a `DriveView` in the app, see `driveSource.ts`). */
export interface DriveSource {
  space: Pick<DriveSpace, 'list'>;
  /** Called after every change of the space. */
  subscribe(listener: () => void): () => void;
  /** Whether the content of a file is worth reading (text, Markdown, code, PDF). */
  wantsContent(file: DriveFile): boolean;
  /** Whether the file's bytes are on this device (kept offline): read first. */
  isAtHand(file: DriveFile): boolean;
  /** The file's text, decrypted on this device; null when it has none. */
  readText(file: DriveFile): Promise<string | null>;
}

export interface SearchIndexerOptions {
  store: Pick<SealedSearchIndex, 'load' | 'save'>;
  /** How long changes wait before the index is sealed and saved (changes meanwhile wait with them). */
  saveDelayMs?: number;
  /** How long the Drive's changes settle before its names are indexed again. */
  driveDelayMs?: number;
}

const DOCUMENT_KINDS: readonly SearchKind[] = ['document', 'note'];
const DRIVE_KINDS: readonly SearchKind[] = ['file', 'folder'];

/**
 * Keeps the {@link SearchIndex} of the session: read from the device (or
 * built again from scratch when it is missing, does not open, or has an
 * older schema), fed with documents as they are read or changed and with
 * the Drive as it changes (names at once; the content of text and PDF
 * files in the background, one file at a time, files already on the
 * device first), and saved sealed a little after the last change.
 */
export class SearchIndexer {
  readonly #store: Pick<SealedSearchIndex, 'load' | 'save'>;
  readonly #saveDelayMs: number;
  readonly #driveDelayMs: number;
  readonly #listeners = new Set<() => void>();
  #index = SearchIndex.empty();
  #outcome: LoadOutcome | null = null;
  /** What was asked of the index before the saved one was read; null once it is. */
  #early: (() => void)[] | null = [];
  readonly opened: Promise<LoadOutcome>;
  #version = 0;
  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  #saving: Promise<void> = Promise.resolve();
  #closed = false;
  #drive: DriveSource | null = null;
  #unsubscribeDrive: (() => void) | null = null;
  #driveTimer: ReturnType<typeof setTimeout> | null = null;
  /** Files whose content waits to be read, by id. */
  readonly #queue = new Map<string, DriveEntry>();
  /** Files whose content could not be read this session (offline, refused): tried again next session. */
  readonly #failed = new Set<string>();
  #reading = false;

  constructor(options: SearchIndexerOptions) {
    this.#store = options.store;
    this.#saveDelayMs = options.saveDelayMs ?? 2_000;
    this.#driveDelayMs = options.driveDelayMs ?? 300;
    this.opened = this.#open();
  }

  /** How the index was opened: read from the device, or built again (and why); null until known. */
  get outcome(): LoadOutcome | null {
    return this.#outcome;
  }

  /** How many files wait for their content to be indexed. */
  get pending(): number {
    return this.#queue.size;
  }

  get size(): number {
    return this.#index.size;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getVersion = (): number => this.#version;

  search(query: string, kinds?: readonly SearchKind[]): SearchHit[] {
    return this.#index.search(query, kinds ? { kinds } : {});
  }

  /**
   * Whether the document is indexed (from this session or an earlier one),
   * under `title` when given (the title this device knows for it): then it
   * need not be read for the search. An entry under another title was saved
   * before the document last changed here (the tab closed before the index
   * was saved again), and is read again.
   */
  hasDocument(id: string, title?: string): boolean {
    return this.#index.stampOf(id) !== null && (title === undefined || this.#index.titleOf(id) === title);
  }

  /** Indexes a document or note as read or changed; unchanged, nothing happens. */
  noteDocument(id: string, summary: DocumentSummary): void {
    this.#put({
      id,
      kind: summary.kind,
      title: summary.title,
      text: summary.text,
      where: '',
      stamp: contentHash(`${summary.kind}\u0000${summary.title}\u0000${summary.text}`),
    });
  }

  /** Takes a document, note, file or folder out of the index. */
  forget(id: string): void {
    this.#whenOpen(() => {
      if (this.#index.remove(id)) this.#changed();
    });
  }

  /** Takes out the documents and notes the relay no longer lists for the user. */
  keepDocuments(listed: ReadonlySet<string>): void {
    this.#whenOpen(() => {
      let removed = false;
      for (const id of this.#index.ids(DOCUMENT_KINDS))
        if (!listed.has(id)) removed = this.#index.remove(id) || removed;
      if (removed) this.#changed();
    });
  }

  /** Follows the Drive: its names now and at each change, and the content of its text and PDF files. */
  followDrive(drive: DriveSource): void {
    if (this.#drive === drive || this.#closed) return;
    this.#unsubscribeDrive?.();
    this.#drive = drive;
    this.#unsubscribeDrive = drive.subscribe(() => this.#scheduleDrive());
    this.#whenOpen(() => this.#syncDrive());
  }

  /** Saves now what waits to be saved. */
  async flush(): Promise<void> {
    if (this.#saveTimer !== null) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
      this.#save();
    }
    await this.#saving;
  }

  /** Stops following the Drive; what waits to be saved is sealed now (the vault key may be wiped right after). */
  close(): Promise<void> {
    const flushed = this.flush();
    this.#closed = true;
    this.#unsubscribeDrive?.();
    if (this.#driveTimer !== null) clearTimeout(this.#driveTimer);
    this.#queue.clear();
    this.#listeners.clear();
    return flushed;
  }

  async #open(): Promise<LoadOutcome> {
    const { index, outcome } = await this.#store.load().catch(() => ({ index: null, outcome: 'unreadable' as const }));
    if (index) this.#index = index;
    this.#outcome = outcome;
    // What was indexed while the saved index was being read goes into it now.
    const early = this.#early ?? [];
    this.#early = null;
    for (const work of early) work();
    // Built again from scratch: saved once it holds something, whatever comes first.
    if (outcome !== 'loaded') this.#scheduleSave();
    this.#notify();
    return outcome;
  }

  /** Runs `work` on the index once it is open (at once when it is). */
  #whenOpen(work: () => void): void {
    if (this.#closed) return;
    if (this.#early) this.#early.push(work);
    else work();
  }

  #put(item: SearchItem): void {
    this.#whenOpen(() => {
      if (this.#index.put(item)) this.#changed();
    });
  }

  #scheduleDrive(): void {
    if (this.#driveTimer !== null || this.#closed) return;
    this.#driveTimer = setTimeout(() => {
      this.#driveTimer = null;
      this.#syncDrive();
    }, this.#driveDelayMs);
  }

  #syncDrive(): void {
    const drive = this.#drive;
    if (!drive || this.#closed) return;
    const entries = driveEntries(drive.space, (file) => drive.wantsContent(file));
    const seen = new Set<string>();
    let changed = false;
    for (const entry of entries) {
      seen.add(entry.item.id);
      const stored = this.#index.stampOf(entry.item.id);
      if (stored === entry.item.stamp || (entry.file && stored === withContent(entry.item.stamp))) {
        if (entry.file && stored !== withContent(entry.item.stamp) && !this.#failed.has(entry.item.id)) {
          this.#queue.set(entry.item.id, entry);
        }
        continue;
      }
      changed = this.#index.put(entry.item) || changed;
      if (entry.file) this.#queue.set(entry.item.id, entry);
    }
    for (const id of this.#index.ids(DRIVE_KINDS)) if (!seen.has(id)) changed = this.#index.remove(id) || changed;
    for (const id of this.#queue.keys()) if (!seen.has(id)) this.#queue.delete(id);
    if (changed) this.#changed();
    else this.#notify();
    void this.#readContents();
  }

  /** Reads the queued files' content one at a time, those already on the device first, yielding between files. */
  async #readContents(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      for (;;) {
        const drive = this.#drive;
        if (!drive || this.#closed) return;
        const queued = [...this.#queue.values()];
        const next = queued.find((entry) => entry.file && drive.isAtHand(entry.file)) ?? queued[0];
        if (!next?.file) return;
        this.#notify();
        await yieldToPage();
        let text: string | null = null;
        try {
          text = await drive.readText(next.file);
        } catch {
          this.#failed.add(next.item.id);
        }
        // Gone, renamed or given a new version meanwhile: the newer entry is in the queue.
        if (this.#queue.get(next.item.id) !== next) continue;
        this.#queue.delete(next.item.id);
        if (text !== null && !this.#closed) {
          this.#index.put({ ...next.item, text, stamp: withContent(next.item.stamp) });
          this.#changed();
        } else {
          this.#notify();
        }
      }
    } finally {
      this.#reading = false;
      this.#notify();
    }
  }

  #changed(): void {
    this.#scheduleSave();
    this.#notify();
  }

  #notify(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }

  #scheduleSave(): void {
    if (this.#saveTimer !== null || this.#closed || this.#early) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      this.#save();
    }, this.#saveDelayMs);
  }

  #save(): void {
    // Sealed now (the store seals before its promise), written in the background; a failed save waits for the next change.
    const written = this.#store.save(this.#index).catch(() => undefined);
    this.#saving = Promise.all([this.#saving, written]).then(() => undefined);
  }
}

/** Lets the page draw and take input before the next file is read. */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A short hash of a document's content (FNV-1a, 52 bits): equal content, equal stamp. */
export function contentHash(text: string): string {
  let high = 0x811c9dc5;
  let low = 0x01000193;
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    high = Math.imul(high ^ code, 0x01000193) >>> 0;
    low = Math.imul(low ^ code, 0x5bd1e995) >>> 0;
  }
  return `${high.toString(36)}${low.toString(36)}`;
}
