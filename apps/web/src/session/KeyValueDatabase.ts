/**
 * One IndexedDB object store used as a small key-value table: enough for
 * the sealed session and the device's remember-me key, without a library.
 * Values go through the structured clone, so `Uint8Array` and `CryptoKey`
 * (non-extractable ones included) are stored as they are.
 */
export class KeyValueDatabase {
  readonly #database: IDBDatabase;
  readonly #store: string;

  private constructor(database: IDBDatabase, store: string) {
    this.#database = database;
    this.#store = store;
  }

  /** Opens (and on first use creates) `name` with one object store `store`. */
  static open(name: string, store: string, factory: IDBFactory = indexedDB): Promise<KeyValueDatabase> {
    return new Promise((resolve, reject) => {
      const request = factory.open(name, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
      };
      request.onsuccess = () => {
        const database = request.result;
        // Another tab deleting or upgrading the database: step aside instead of blocking it.
        database.onversionchange = () => database.close();
        resolve(new KeyValueDatabase(database, store));
      };
      request.onerror = () => reject(request.error ?? new Error(`could not open IndexedDB database ${name}`));
      request.onblocked = () => reject(new Error(`IndexedDB database ${name} is blocked by another tab`));
    });
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.#run('readonly', (store) => store.get(key) as IDBRequest<T | undefined>);
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.#run('readwrite', (store) => store.put(value, key));
  }

  async delete(key: string): Promise<void> {
    await this.#run('readwrite', (store) => store.delete(key));
  }

  close(): void {
    this.#database.close();
  }

  /** Runs one request in its own transaction and resolves once the transaction committed. */
  #run<T>(mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const transaction = this.#database.transaction(this.#store, mode);
      const request = operation(transaction.objectStore(this.#store));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? request.error ?? new Error('IndexedDB request failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  }
}
