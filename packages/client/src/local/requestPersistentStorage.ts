/**
 * Asks the browser not to evict this origin's storage under pressure
 * (IndexedDB is "best effort" otherwise). Resolves to whether it is persistent.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  if (typeof navigator === 'undefined' || !('storage' in navigator) || !navigator.storage.persist) return false;
  try {
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}
