import { IndexeddbPersistence, fetchUpdates } from 'y-indexeddb';
import * as Y from 'yjs';
import type { DocumentAddress } from '@coffre/protocol';
import { envelopeDatabaseName } from './envelopeDatabaseName.ts';

export interface EnvelopeStoreOptions {
  address: DocumentAddress;
  /** The envelope Y.Doc (its Y.Array 'log' holds sealed entries only). */
  envelope: Y.Doc;
  /** Compact the stored updates into one row after this many updates were written (default 100). */
  compactAfter?: number;
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
    this.#committed ??= Y.encodeStateVector(this.envelope);
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
      // fetchUpdates reads and applies every row in one readwrite transaction and
      // sets _dbref past the last row, so deleting below it loses nothing.
      const updates = await fetchUpdates(this.#persistence);
      const done = transactionDone(updates.transaction);
      const vector = Y.encodeStateVector(this.envelope);
      updates.add(Y.encodeStateAsUpdate(this.envelope));
      updates.delete(IDBKeyRange.upperBound(this.#persistence._dbref, true));
      await done;
      this.#committed = vector;
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

  #onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.#persistence || this.#destroyed) return;
    this.#writesSinceCompaction += 1;
    if (this.#writesSinceCompaction >= this.#compactAfter) {
      this.#writesSinceCompaction = 0;
      this.flush().catch(() => {
        // A failed compaction leaves the rows as they were; the next one retries.
      });
    }
  };
}
