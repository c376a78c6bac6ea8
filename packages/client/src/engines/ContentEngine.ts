/**
 * The content CRDT behind an encrypted document. The envelope only ever
 * carries what these methods produce, sealed; the engine never sees the
 * network. Yjs and Automerge implement it and share one convergence suite.
 */
export interface ContentEngine {
  readonly kind: 'yjs' | 'automerge';
  /** Subscribes to local changes; returns the unsubscribe function. */
  onLocalChange(listener: () => void): () => void;
  /** Everything changed locally since the last call, merged into one update; null when nothing changed. */
  takeLocalChanges(): Uint8Array | null;
  /** Applies a remote update or a full state. Must not count as a local change. */
  applyRemote(update: Uint8Array): void;
  /**
   * Runs `apply`, which calls {@link applyRemote} several times, as one
   * change of the content where the engine can (one Yjs transaction: its
   * observers and the editor run once for a whole batch of entries).
   */
  applyRemoteBatch?(apply: () => void): void;
  /**
   * Applies a change this device made elsewhere (another tab of the same
   * document) and counts it as a local change to seal, even when the content
   * already holds it (a tab that takes over sealing re-seals what the previous
   * one may not have).
   */
  queueLocalChange(update: Uint8Array): void;
  /** The full state, for snapshots. */
  encodeState(): Uint8Array;
  /**
   * Makes the content what `state` (an earlier {@link encodeState}) held, as
   * a local change: what was added since is removed, what was removed comes back.
   */
  restore(state: Uint8Array): void;
  destroy(): void;
}
