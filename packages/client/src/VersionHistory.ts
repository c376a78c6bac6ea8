import * as Y from 'yjs';
import { toBase64Url } from '@coffre/crypto';
import { type DeviceId, EntryKind, LIMITS, parseEntry } from '@coffre/protocol';
import type { ContentEngine } from './engines/ContentEngine.ts';
import type { EntrySealer } from './EntrySealer.ts';

/** A kept copy of the content, as the history lists it. */
export interface DocumentVersion {
  /** Stable id of the sealed entry (from its signature). */
  id: string;
  /** The device that saved it (its signature proves it). */
  author: DeviceId;
  /** When it was saved, by the author's clock (inside the sealed part). */
  savedAt: number;
  label: string;
  /** Sealed size in bytes. */
  bytes: number;
}

export interface VersionHistoryOptions {
  envelope: Y.Doc;
  engine: ContentEngine;
  /** Seals this device's versions and opens everyone's (only writers' versions are listed). */
  sealer: EntrySealer;
  /** Oldest versions are removed past this many (default 100). */
  maxVersions?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The document's history: copies of the whole content sealed as Version
 * entries in the envelope's `versions` array, which compaction never
 * touches. The relay stores them like any entry, as ciphertext; each member
 * verifies the author's signature before listing a version. Anyone who can
 * write can save one; the oldest go once there are more than `maxVersions`.
 *
 * @example
 * document.history.save('Before the review');
 * const [latest] = document.history.list();
 * document.history.restore(latest.id);
 */
export class VersionHistory {
  readonly versions: Y.Array<Uint8Array>;
  readonly #options: VersionHistoryOptions;
  readonly #maxVersions: number;
  #changedSinceSave = false;
  readonly #unsubscribe: () => void;

  constructor(options: VersionHistoryOptions) {
    this.#options = options;
    this.versions = options.envelope.getArray<Uint8Array>('versions');
    this.#maxVersions = options.maxVersions ?? 100;
    this.#unsubscribe = options.engine.onLocalChange(() => (this.#changedSinceSave = true));
  }

  /** Stops following the engine's changes (the envelope is closing). */
  destroy(): void {
    this.#unsubscribe();
  }

  /** True when this replica changed the content since it last saved a version. */
  get changedSinceSave(): boolean {
    return this.#changedSinceSave;
  }

  /** Seals the current content as a version; returns it, or null when it is too large for one entry. */
  save(label = '', savedAt = Date.now()): DocumentVersion | null {
    const { sealer, engine, envelope } = this.#options;
    const meta = encoder.encode(JSON.stringify({ savedAt, label: label.slice(0, 200) }));
    const state = engine.encodeState();
    const plaintext = new Uint8Array(4 + meta.length + state.length);
    new DataView(plaintext.buffer).setUint32(0, meta.length);
    plaintext.set(meta, 4);
    plaintext.set(state, 4 + meta.length);
    const frame = sealer.seal({
      kind: EntryKind.Version,
      counter: this.#nextCounter(),
      plaintext,
      // The item's id once pushed below (deleting old versions writes no item).
      position: { client: envelope.clientID, clock: Y.getState(envelope.store, envelope.clientID) },
    });
    if (frame.length > LIMITS.maxEntryBytes) return null;
    this.#options.envelope.transact(() => {
      const excess = this.versions.length + 1 - this.#maxVersions;
      if (excess > 0) this.versions.delete(0, excess);
      this.versions.push([frame]);
    });
    this.#changedSinceSave = false;
    return this.#open(frame)?.version ?? null;
  }

  /** Every version this replica can verify and open, newest first. */
  list(): DocumentVersion[] {
    const out: DocumentVersion[] = [];
    for (const frame of this.versions.toArray()) {
      const opened = this.#open(frame);
      if (opened) out.push(opened.version);
    }
    return out.sort((a, b) => b.savedAt - a.savedAt);
  }

  /** The content state of a version (for a read-only view), or null when there is no such version. */
  state(id: string): Uint8Array | null {
    for (const frame of this.versions.toArray()) {
      const opened = this.#open(frame);
      if (opened?.version.id === id) return opened.state;
    }
    return null;
  }

  /**
   * Makes the content what it was in a version, as a new change of this
   * user's (so it syncs, and undo can take it back). The content as it is
   * now is saved first, so restoring is never a loss. Returns false when
   * there is no such version.
   */
  restore(id: string, label = 'Before restoring an earlier version'): boolean {
    const state = this.state(id);
    if (!state) return false;
    this.save(label);
    this.#options.engine.restore(state);
    return true;
  }

  #nextCounter(): number {
    let highest = 0;
    for (const frame of this.versions.toArray()) {
      try {
        const { header } = parseEntry(frame);
        if (header.author === this.#options.sealer.deviceId) highest = Math.max(highest, header.counter);
      } catch {
        // Not an entry: ignored here, never listed.
      }
    }
    return highest + 1;
  }

  #open(frame: Uint8Array): { version: DocumentVersion; state: Uint8Array } | null {
    try {
      const entry = parseEntry(frame);
      const opened = this.#options.sealer.open(entry, { kinds: [EntryKind.Version], writes: true });
      if (!opened.ok) return null;
      const { header, plaintext } = opened;
      const metaLength = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).getUint32(0);
      const meta = JSON.parse(decoder.decode(plaintext.subarray(4, 4 + metaLength))) as Record<string, unknown>;
      const savedAt = typeof meta.savedAt === 'number' && Number.isFinite(meta.savedAt) ? meta.savedAt : 0;
      const label = typeof meta.label === 'string' ? meta.label.slice(0, 200) : '';
      return {
        version: {
          id: toBase64Url(entry.signature.subarray(0, 16)),
          author: header.author,
          savedAt,
          label,
          bytes: frame.length,
        },
        state: plaintext.slice(4 + metaLength),
      };
    } catch {
      return null;
    }
  }
}
