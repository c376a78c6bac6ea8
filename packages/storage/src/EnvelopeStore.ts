import { IndexeddbPersistence, fetchUpdates } from 'y-indexeddb';
import * as Y from 'yjs';
import type { DocumentAddress } from '@coffre/protocol';
import { envelopeDatabaseName } from './envelopeDatabaseName.ts';

export interface EnvelopeStoreOptions {
  address: DocumentAddress;
  /** The envelope Y.Doc (its Y.Array 'log' holds sealed entries only). */
  envelope: Y.Doc;
  /**
   * Compact the stored updates into one row once at least this many were
   * written (default 100) and they add up to half the stored state, or
   * once ten times this many were written, whichever comes first.
   */
  compactAfter?: number;
}

/** What the store wrote: updates as they came, and whole states when compacting. */
export interface EnvelopeStoreStats {
  updateBytes: number;
  compactions: number;
  compactedBytes: number;
}

function requestDone<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
  });
}

/**
 * Persists an envelope Y.Doc in IndexedDB with y-indexeddb. The envelope
 * holds only sealed entries, so only ciphertext reaches the disk.
 *
 * y-indexeddb appends one row per Yjs update; this store merges them into one
 * row ({@link flush}) after `compactAfter` updates, so the store does not grow
 * by a row per keystroke.
 *
 * Two stores on the same document (two tabs) write to the same database but
 * y-indexeddb does not notify one about the other's writes: each sees the
 * other's updates only when it reads the database again ({@link refresh},
 * {@link flush} or a reopen). Coordinating writers is the caller's job.
 *
 * @example
 * const store = new EnvelopeStore({ address, envelope: new Y.Doc() });
 * await store.whenLoaded();
 */
export class EnvelopeStore {
  readonly address: DocumentAddress;
  readonly envelope: Y.Doc;
  readonly databaseName: string;
  readonly #persistence: IndexeddbPersistence;
  readonly #compactAfter: number;
  #writesSinceCompaction = 0;
  #bytesSinceCompaction = 0;
  /** An automatic compaction is queued: it will write everything written until it runs. */
  #compactionQueued = false;
  /** Size of the state the last compaction wrote (or the store held when loaded). */
  #stateBytes = 0;
  #stats: EnvelopeStoreStats = { updateBytes: 0, compactions: 0, compactedBytes: 0 };
  /** The envelope's state vector when IndexedDB last confirmed holding all of it. */
  #committed: Uint8Array | null = null;
  #queue: Promise<void> = Promise.resolve();
  #destroyed = false;

  constructor(options: EnvelopeStoreOptions) {
    this.address = options.address;
    this.envelope = options.envelope;
    this.databaseName = envelopeDatabaseName(options.address);
    this.#compactAfter = options.compactAfter ?? 100;
    if (!Number.isInteger(this.#compactAfter) || this.#compactAfter < 1) {
      throw new RangeError('compactAfter must be a positive integer');
    }
    this.#persistence = new IndexeddbPersistence(this.databaseName, this.envelope);
    this.envelope.on('update', this.#onUpdate);
  }

  /** Resolves once what IndexedDB held has been applied to the envelope. */
  async whenLoaded(): Promise<void> {
    await this.#persistence.whenSynced;
    if (this.#committed === null) {
      this.#committed = Y.encodeStateVector(this.envelope);
      this.#stateBytes = Y.encodeStateAsUpdate(this.envelope).length;
    }
  }

  /** Bytes written so far (see {@link EnvelopeStoreStats}). */
  get stats(): EnvelopeStoreStats {
    return { ...this.#stats };
  }

  /**
   * What the envelope holds beyond what IndexedDB confirmed (at load or the
   * last {@link flush}): writes issued since may not have committed yet. A
   * page being closed can keep this somewhere synchronous (localStorage)
   * and apply it when it opens again.
   */
  uncommitted(): Uint8Array {
    return Y.encodeStateAsUpdate(this.envelope, this.#committed ?? undefined);
  }

  /** True once the stored state has been applied. */
  get loaded(): boolean {
    return this.#persistence.synced;
  }

  /** Applies updates other stores (tabs) wrote to the same database since the last read. */
  refresh(): Promise<void> {
    return this.#enqueue(async () => {
      const updates = await fetchUpdates(this.#persistence);
      await transactionDone(updates.transaction);
    });
  }

  /**
   * Merges every stored update into one row holding the envelope's state,
   * after applying what other stores wrote. Resolves once committed.
   */
  flush(): Promise<void> {
    return this.#enqueue(async () => {
      this.#writesSinceCompaction = 0;
      this.#bytesSinceCompaction = 0;
      // fetchUpdates reads and applies every row in one readwrite transaction and
      // sets _dbref past the last row, so deleting below it loses nothing.
      const updates = await fetchUpdates(this.#persistence);
      const done = transactionDone(updates.transaction);
      const vector = Y.encodeStateVector(this.envelope);
      const state = Y.encodeStateAsUpdate(this.envelope);
      updates.add(state);
      updates.delete(IDBKeyRange.upperBound(this.#persistence._dbref, true));
      await done;
      this.#committed = vector;
      this.#stateBytes = state.length;
      this.#stats.compactions += 1;
      this.#stats.compactedBytes += state.length;
    });
  }

  /** Rows in the updates store: what compaction reduces. */
  storedRows(): Promise<number> {
    return this.#enqueue(async () => {
      const db = await this.#persistence._db;
      const transaction = db.transaction(['updates'], 'readonly');
      return requestDone(transaction.objectStore('updates').count());
    });
  }

  /** Stops persisting and closes the database; the stored data stays. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.envelope.off('update', this.#onUpdate);
    await this.#queue.catch(() => undefined);
    await this.#persistence.destroy();
  }

  /** Stops persisting and deletes the document's database. */
  async clearData(): Promise<void> {
    await this.destroy();
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(this.databaseName);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error('could not delete the envelope database'));
    });
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.#destroyed) return Promise.reject(new Error('the envelope store is destroyed'));
    const run = this.#queue.then(async () => {
      await this.#persistence.whenSynced;
      return task();
    });
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this.#persistence || this.#destroyed) return;
    this.#stats.updateBytes += update.length;
    this.#writesSinceCompaction += 1;
    this.#bytesSinceCompaction += update.length;
    // Rewriting the whole state only once the new rows add up to half of it keeps the bytes
    // compaction writes proportional to what was typed (a large document is not rewritten
    // every hundred keystrokes); the row cap keeps loading fast when updates are tiny.
    const enough =
      this.#writesSinceCompaction >= this.#compactAfter && 2 * this.#bytesSinceCompaction >= this.#stateBytes;
    if (!this.#compactionQueued && (enough || this.#writesSinceCompaction >= 10 * this.#compactAfter)) {
      this.#compactionQueued = true;
      this.flush()
        .catch(() => {
          // A failed compaction leaves the rows as they were; the next one retries.
        })
        .finally(() => (this.#compactionQueued = false));
    }
  };
}
