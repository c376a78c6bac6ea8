import type { DocumentAddress } from '@coffre/protocol';
import type { Patch } from './trace.ts';

/** What the local storage benchmark's page (localStorage.entry.ts) installs on `window`, and under which name. */
export const LOCAL_STORAGE_BENCH = '__coffreLocalStorageBench';

/** Keys of the one device that writes, as hex so they cross from Node to the page. */
export interface BenchKeys {
  deviceId: string;
  signingPublicKey: string;
  signingSecretKey: string;
  documentKey: string;
}

export interface WriteOptions {
  patches: Patch[];
  /** Keystrokes applied in one browser task; then the writer waits until IndexedDB has committed them. */
  chunk: number;
}

export interface WriteFigures {
  /** From the first keystroke until IndexedDB committed the last write. */
  writeMs: number;
  /** Part of writeMs spent applying (and sealing) keystrokes, the waits for IndexedDB excluded. */
  typingMs: number;
  /** Sum of every update handed to IndexedDB, one per keystroke (what no compaction would keep). */
  updateBytes: number;
  updates: number;
  /** Sealed entries pushed to the envelope (Coffre only). */
  sealedEntries: number;
  /** Bytes EnvelopeStore's automatic compactions wrote while typing, and how many ran (Coffre only). */
  compactedBytes: number;
  compactions: number;
  databaseName: string;
}

export interface StoredFigures {
  rows: number;
  bytes: number;
}

export interface OpenFigures {
  /** From the call until the text equals the expected text. */
  openMs: number;
  /** Part of openMs spent waiting for libsodium (Coffre only). */
  cryptoReadyMs: number;
  /** Part of openMs spent reading IndexedDB (until y-indexeddb applied the stored rows). */
  loadMs: number;
}

export interface LocalStorageBench {
  writePlain(name: string, options: WriteOptions): Promise<WriteFigures>;
  writeCoffre(address: DocumentAddress, keys: BenchKeys, options: WriteOptions): Promise<WriteFigures>;
  /** Rows of a y-indexeddb database's `updates` store and the bytes of their values. */
  stored(databaseName: string): Promise<StoredFigures>;
  openPlain(name: string, expected: string): Promise<OpenFigures>;
  openCoffre(address: DocumentAddress, keys: BenchKeys, expected: string): Promise<OpenFigures>;
  /** y-indexeddb's own trimming, forced: the doc's state in one row, the older rows deleted. Returns ms. */
  compactPlain(): Promise<number>;
  /** A sealed snapshot replacing the envelope's entries, then EnvelopeStore.flush (one row). Returns ms. */
  compactCoffre(): Promise<number>;
}
