import { type DeviceId, type DocumentAddress, formatDocumentName } from '@coffre/protocol';

/** The key of one device's journal on one document. */
export function journalKey(address: DocumentAddress, device: DeviceId): string {
  return `coffre:journal:${formatDocumentName(address)}:${device}`;
}

/**
 * The two counters a journal keeps (the shape of @coffre/client's
 * `SealingProgress`, which this storage does not import).
 */
export interface JournalCounters {
  /** The highest counter this device sealed. */
  sealed: number;
  /** The highest counter the relay confirmed it committed. */
  saved: number;
}

/**
 * The storage of a device's sealing journal (@coffre/client's
 * `SealingJournal`) in Web Storage (`localStorage`): written synchronously,
 * shared by the tabs of one origin, so a tab that takes over sealing
 * continues the counters of the one that stopped. It holds two counters per
 * document, nothing readable about the content.
 */
export class WebStorageJournal {
  readonly #storage: Storage;
  readonly #key: string;

  constructor(storage: Storage, address: DocumentAddress, device: DeviceId) {
    this.#storage = storage;
    this.#key = journalKey(address, device);
  }

  read(): JournalCounters {
    const raw = this.#storage.getItem(this.#key);
    if (raw === null) return { sealed: 0, saved: 0 };
    try {
      const value = JSON.parse(raw) as unknown;
      if (typeof value === 'object' && value !== null) {
        const { sealed, saved } = value as Record<string, unknown>;
        if (isCounter(sealed) && isCounter(saved)) return { sealed, saved };
      }
    } catch {
      // A damaged record reads as empty: sealing then waits for the relay's copy, which is safe.
    }
    return { sealed: Number.MAX_SAFE_INTEGER, saved: 0 };
  }

  write(progress: JournalCounters): void {
    this.#storage.setItem(this.#key, JSON.stringify({ sealed: progress.sealed, saved: progress.saved }));
  }
}

function isCounter(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
