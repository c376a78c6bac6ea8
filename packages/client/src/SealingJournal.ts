/** How far this device got on one document, as counters of its own entries. */
export interface SealingProgress {
  /** The highest counter this device sealed. */
  sealed: number;
  /** The highest counter the relay confirmed it committed. */
  saved: number;
}

/**
 * This device's progress on one document, written synchronously (browsers:
 * `localStorage`) each time an entry is sealed, so it is recorded before the
 * entry can leave the device. A tab killed after sending an entry but before
 * IndexedDB committed it comes back with fewer entries than it sealed; the
 * journal says so, and sealing waits for the relay's copy instead of reusing
 * a counter the relay may already hold (a reused counter would be ignored by
 * every peer as a replay: silent loss).
 */
export interface SealingJournal {
  read(): SealingProgress;
  write(progress: SealingProgress): void;
}

/** A journal kept in memory (Node, tests): it lasts as long as the process. */
export class MemorySealingJournal implements SealingJournal {
  #progress: SealingProgress = { sealed: 0, saved: 0 };

  read(): SealingProgress {
    return { ...this.#progress };
  }

  write(progress: SealingProgress): void {
    this.#progress = { ...progress };
  }
}
