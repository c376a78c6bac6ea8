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

  applyRemoteBatch(apply: () => void): void {
    this.doc.transact(apply, REMOTE);
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

  /**
   * Restores every shared type of this doc to its content in `state`, in
   * one local transaction. Types never opened here (`getText` etc.) are
   * recognised by what they hold.
   */
  restore(state: Uint8Array): void {
    const past = new Y.Doc();
    Y.applyUpdate(past, state);
    this.doc.transact(() => {
      for (const name of new Set([...this.doc.share.keys(), ...past.share.keys()])) {
        const kind = kindOf(this.doc.share.get(name)) ?? kindOf(past.share.get(name));
        if (kind === 'xml') {
          const type = this.doc.getXmlFragment(name);
          const nodes = past
            .getXmlFragment(name)
            .toArray()
            .map((node) => node.clone());
          type.delete(0, type.length);
          type.insert(
            0,
            nodes.filter(
              (node): node is Y.XmlElement | Y.XmlText => node instanceof Y.XmlElement || node instanceof Y.XmlText,
            ),
          );
        } else if (kind === 'text') {
          const type = this.doc.getText(name);
          type.delete(0, type.length);
          type.applyDelta(past.getText(name).toDelta() as unknown[]);
        } else if (kind === 'map') {
          const type = this.doc.getMap<unknown>(name);
          const source = past.getMap<unknown>(name);
          for (const key of [...type.keys()]) if (!source.has(key)) type.delete(key);
          for (const [key, value] of source.entries()) type.set(key, cloneValue(value));
        } else if (kind === 'array') {
          const type = this.doc.getArray<unknown>(name);
          type.delete(0, type.length);
          type.insert(0, past.getArray<unknown>(name).toArray().map(cloneValue));
        }
      }
    });
    past.destroy();
  }

  destroy(): void {
    this.doc.off('update', this.#onUpdate);
    this.#listeners.clear();
  }
}

function cloneValue(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.clone() : value;
}

type SharedKind = 'xml' | 'text' | 'map' | 'array';

/** What a root type is, from its class when it was opened, else from what it holds; undefined when empty. */
function kindOf(type: ReturnType<Y.Doc['share']['get']>): SharedKind | undefined {
  if (!type) return undefined;
  if (type instanceof Y.XmlFragment) return 'xml';
  if (type instanceof Y.Text) return 'text';
  if (type instanceof Y.Map) return 'map';
  if (type instanceof Y.Array) return 'array';
  if (type._map.size > 0) return 'map';
  for (let item = type._start; item !== null; item = item.right) {
    const content = item.content;
    if (content instanceof Y.ContentType) return 'xml';
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed) {
      return 'text';
    }
    if (content instanceof Y.ContentAny || content instanceof Y.ContentBinary || content instanceof Y.ContentJSON) {
      return 'array';
    }
  }
  return undefined;
}
