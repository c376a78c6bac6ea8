/** One object store's content, as raw bytes per key and value. */
export interface ObjectStoreDump {
  database: string;
  store: string;
  /** Every key and value flattened to bytes (strings as UTF-8). */
  chunks: Uint8Array[];
}

const encoder = new TextEncoder();

function flatten(value: unknown, into: Uint8Array[], seen: Set<unknown>): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') into.push(encoder.encode(value));
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    into.push(encoder.encode(String(value)));
  } else if (value instanceof ArrayBuffer) into.push(new Uint8Array(value));
  else if (ArrayBuffer.isView(value)) into.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  else if (value instanceof Date) into.push(encoder.encode(value.toISOString()));
  else if (typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [key, inner] of entries as [unknown, unknown][]) {
      flatten(key, into, seen);
      flatten(inner, into, seen);
    }
  }
}

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function openExisting(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`could not open ${name}`));
  });
}

/** Reads every key and value of every object store of every database `factory` knows. */
export async function dumpIndexedDb(factory: IDBFactory): Promise<ObjectStoreDump[]> {
  const dumps: ObjectStoreDump[] = [];
  for (const info of await factory.databases()) {
    if (info.name === undefined) continue;
    const db = await openExisting(factory, info.name);
    try {
      for (const store of db.objectStoreNames) {
        const objectStore = db.transaction(store, 'readonly').objectStore(store);
        const keys = await requestResult(objectStore.getAllKeys());
        const values = await requestResult(db.transaction(store, 'readonly').objectStore(store).getAll());
        const chunks: Uint8Array[] = [];
        flatten(keys, chunks, new Set());
        flatten(values, chunks, new Set());
        dumps.push({ database: info.name, store, chunks });
      }
    } finally {
      db.close();
    }
  }
  return dumps;
}

/** True when `needle` occurs in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  outer: for (let start = 0; start + needle.length <= haystack.length; start += 1) {
    for (let offset = 0; offset < needle.length; offset += 1) {
      if (haystack[start + offset] !== needle[offset]) continue outer;
    }
    return true;
  }
  return false;
}
