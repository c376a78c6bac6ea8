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
  /** Changes handed over by another tab, sealed with the next local changes. */
  #queued: Uint8Array[] = [];
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
    const queued = this.#queued;
    this.#queued = [];
    const heads = Automerge.getHeads(this.#doc);
    // Changes since what we last sealed; may include remote changes already
    // applied, which is harmless (Automerge ignores duplicates).
    const changes = sameHeads(heads, this.#sentHeads) ? null : Automerge.saveSince(this.#doc, this.#sentHeads);
    this.#sentHeads = heads;
    // loadIncremental reads concatenated change chunks.
    const chunks = [...queued, ...(changes && changes.length > 0 ? [changes] : [])];
    return chunks.length === 0 ? null : concat(chunks);
  }

  queueLocalChange(update: Uint8Array): void {
    const hadLocalChanges = !sameHeads(Automerge.getHeads(this.#doc), this.#sentHeads);
    const next = Automerge.loadIncremental(this.#doc, update);
    if (!hadLocalChanges) this.#sentHeads = Automerge.getHeads(next);
    if (next !== this.#doc) this.#set(next);
    this.#queued.push(update);
    for (const listener of this.#localListeners) listener();
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

  /** Sets every top-level field back to its value in `state` and removes fields added since. */
  restore(state: Uint8Array): void {
    const past = JSON.parse(JSON.stringify(Automerge.load<T>(state))) as Record<string, unknown>;
    this.change((doc) => {
      const fields = doc as Record<string, unknown>;
      for (const key of Object.keys(fields)) if (!(key in past)) Reflect.deleteProperty(fields, key);
      for (const [key, value] of Object.entries(past)) fields[key] = value;
    });
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

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function sameHeads(a: Automerge.Heads, b: Automerge.Heads): boolean {
  return a.length === b.length && a.every((hash, index) => hash === b[index]);
}
