import type { LocalDocument, YjsEngine } from '@coffre/client';
import type * as Y from 'yjs';

/**
 * The user's folder document, open for the whole session: its Y.Doc holds
 * the folders and where each document is (see folderTree.ts). It opens from
 * this device first and syncs through the relay, so folders made offline are
 * sent once back online and other devices' changes show up as they arrive.
 */
export class FolderSpace {
  readonly id: string;
  readonly #document: LocalDocument<YjsEngine>;
  readonly #engine: YjsEngine;
  readonly #listeners = new Set<() => void>();
  #version = 0;
  /** The folder the list shows, kept while the user opens documents and comes back. */
  current: string | null = null;

  constructor(id: string, document: LocalDocument<YjsEngine>, engine: YjsEngine) {
    this.id = id;
    this.#document = document;
    this.#engine = engine;
    engine.doc.on('update', this.#changed);
  }

  get doc(): Y.Doc {
    return this.#engine.doc;
  }

  whenLoaded(): Promise<void> {
    return this.#document.whenLoaded();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getVersion = (): number => this.#version;

  async destroy(): Promise<void> {
    this.#engine.doc.off('update', this.#changed);
    this.#listeners.clear();
    await this.#document.destroy();
    this.#engine.destroy();
  }

  #changed = (): void => {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  };
}
