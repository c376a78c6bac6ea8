import * as Y from 'yjs';
import { type DeviceId, parseEntry } from '@coffre/protocol';

/** A Yjs client id of an envelope and the device that writes under it. */
export interface WriterBinding {
  clientId: number;
  deviceId: DeviceId;
}

/**
 * Which device writes under each Yjs client id of one envelope. Yjs takes a
 * struct under a client id and clock it already holds as known, so whoever
 * writes first under another device's id and future clocks swallows that
 * device's next changes (the relay would acknowledge them without storing
 * them). The relay therefore binds each client id to one device, on the
 * first entry written under it, and keeps the binding in the database
 * (`envelope_writers`): once an id's entries are compacted away, nothing in
 * the envelope says whose it was.
 *
 * A client id found in a stored state with no binding and no entry left
 * (written before bindings existed) has an unknown owner (null): only entries
 * whose signature the relay verifies may be added under it.
 */
export class EnvelopeWriters {
  readonly #owners = new Map<number, DeviceId | null>();
  /** Bindings not in the database yet: stored with the next update. */
  #unsaved = new Map<number, DeviceId>();

  /**
   * The bindings of a loaded envelope: those stored, and for client ids
   * without one, the author of the first entry still under them.
   */
  static load(document: Y.Doc, stored: readonly WriterBinding[]): EnvelopeWriters {
    const writers = new EnvelopeWriters();
    for (const { clientId, deviceId } of stored) writers.#owners.set(clientId, deviceId);
    for (const [clientId, structs] of document.store.clients) {
      if (writers.#owners.has(clientId)) continue;
      const author = firstAuthor(structs);
      writers.#owners.set(clientId, author);
      if (author !== null) writers.#unsaved.set(clientId, author);
    }
    return writers;
  }

  /** The device bound to a client id: undefined when none is, null when unknown (see the class comment). */
  owner(clientId: number): DeviceId | null | undefined {
    return this.#owners.get(clientId);
  }

  bind(clientId: number, deviceId: DeviceId): void {
    if (this.#owners.get(clientId) === deviceId) return;
    this.#owners.set(clientId, deviceId);
    this.#unsaved.set(clientId, deviceId);
  }

  /** The bindings to store with the next update (and forgets them here). */
  takeUnsaved(): WriterBinding[] {
    if (this.#unsaved.size === 0) return [];
    const bindings = [...this.#unsaved].map(([clientId, deviceId]) => ({ clientId, deviceId }));
    this.#unsaved = new Map();
    return bindings;
  }
}

function firstAuthor(structs: readonly (Y.Item | Y.GC)[]): DeviceId | null {
  for (const struct of structs) {
    if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentBinary)) continue;
    try {
      return parseEntry(struct.content.content).header.author;
    } catch {
      // Not an entry: says nothing about the owner.
    }
  }
  return null;
}
