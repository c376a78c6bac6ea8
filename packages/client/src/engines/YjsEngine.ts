import * as Y from 'yjs';
import type { ContentEngine } from './ContentEngine.ts';

const REMOTE = Symbol('coffre-remote');

/** Content held in a Y.Doc (rich text, notes, tables). */
export class YjsEngine implements ContentEngine {
  readonly kind = 'yjs';
  readonly doc: Y.Doc;
  #pending: Uint8Array[] = [];
  #listeners = new Set<() => void>();

  constructor(doc: Y.Doc = new Y.Doc()) {
    this.doc = doc;
    this.doc.on('update', this.#onUpdate);
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === REMOTE) return;
    this.#pending.push(update);
    for (const listener of this.#listeners) listener();
  };

  onLocalChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  takeLocalChanges(): Uint8Array | null {
    if (this.#pending.length === 0) return null;
    const pending = this.#pending;
    this.#pending = [];
    return pending.length === 1 ? (pending[0] as Uint8Array) : Y.mergeUpdates(pending);
  }

  applyRemote(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, REMOTE);
  }

  queueLocalChange(update: Uint8Array): void {
    // Applied as remote (so it is not queued twice), then queued as given: it
    // must be sealed even when this doc already held it.
    Y.applyUpdate(this.doc, update, REMOTE);
    this.#pending.push(update);
    for (const listener of this.#listeners) listener();
  }

  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc);
  }

  destroy(): void {
    this.doc.off('update', this.#onUpdate);
    this.#listeners.clear();
  }
}
