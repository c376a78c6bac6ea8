import * as Automerge from '@automerge/automerge';
import type { ContentEngine } from './ContentEngine.ts';

type Listener<T> = (doc: Automerge.Doc<T>) => void;

/**
 * Content held in an Automerge document (structured records). Automerge
 * documents are immutable values: change them through {@link change}.
 */
export class AutomergeEngine<T extends Record<string, unknown> = Record<string, unknown>> implements ContentEngine {
  readonly kind = 'automerge';
  #doc: Automerge.Doc<T>;
  #sentHeads: Automerge.Heads;
  #localListeners = new Set<() => void>();
  #changeListeners = new Set<Listener<T>>();

  constructor(doc: Automerge.Doc<T> = Automerge.init<T>()) {
    this.#doc = doc;
    this.#sentHeads = Automerge.getHeads(doc);
  }

  get doc(): Automerge.Doc<T> {
    return this.#doc;
  }

  /** Applies a local change and schedules it for sealing. */
  change(callback: Automerge.ChangeFn<T>): void {
    const next = Automerge.change(this.#doc, callback);
    if (next === this.#doc) return;
    this.#set(next);
    for (const listener of this.#localListeners) listener();
  }

  /** Called with the new document after every local or remote change. */
  onChange(listener: Listener<T>): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onLocalChange(listener: () => void): () => void {
    this.#localListeners.add(listener);
    return () => this.#localListeners.delete(listener);
  }

  takeLocalChanges(): Uint8Array | null {
    const heads = Automerge.getHeads(this.#doc);
    if (sameHeads(heads, this.#sentHeads)) return null;
    // Changes since what we last sealed; may include remote changes already
    // applied, which is harmless (Automerge ignores duplicates).
    const changes = Automerge.saveSince(this.#doc, this.#sentHeads);
    this.#sentHeads = heads;
    return changes.length === 0 ? null : changes;
  }

  applyRemote(update: Uint8Array): void {
    const hadLocalChanges = !sameHeads(Automerge.getHeads(this.#doc), this.#sentHeads);
    const next = Automerge.loadIncremental(this.#doc, update);
    if (next === this.#doc) return;
    if (!hadLocalChanges) this.#sentHeads = Automerge.getHeads(next);
    this.#set(next);
  }

  encodeState(): Uint8Array {
    return Automerge.save(this.#doc);
  }

  destroy(): void {
    this.#localListeners.clear();
    this.#changeListeners.clear();
  }

  #set(next: Automerge.Doc<T>): void {
    this.#doc = next;
    for (const listener of this.#changeListeners) listener(next);
  }
}

function sameHeads(a: Automerge.Heads, b: Automerge.Heads): boolean {
  return a.length === b.length && a.every((hash, index) => hash === b[index]);
}
