import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  type EditorPresenceState,
  type PeerPresence,
  parsePeerPresence,
  toEditorPresenceState,
} from './presenceState.ts';

/** One peer's decrypted presence, as `EncryptedDocument#presence` reports it. */
export interface PresencePeerState {
  readonly clientId: number;
  readonly state: unknown;
}

/**
 * Where presence comes from and goes to. `EncryptedDocument` of `@coffre/client` is one: it seals
 * what {@link setPresence} gets and reports peers' opened states through its `presence` event.
 */
export interface PresenceSource {
  /** Peers' current states. */
  readonly presence: readonly PresencePeerState[];
  /** Publishes this user's state (sealed by the source before it leaves the device). */
  setPresence(state: unknown): void;
  /** Calls `listener` with every peer's state whenever one changes; returns the unsubscribe function. */
  on(event: 'presence', listener: (peers: readonly PresencePeerState[]) => void): () => void;
  /** When true, nothing is published any more. */
  readonly destroyed?: boolean;
}

export interface PresenceAwarenessOptions {
  /** Called when publishing fails (for example a source already torn down); the editor keeps working. */
  onError?: (error: unknown) => void;
  /**
   * At most one caret update per this many milliseconds reaches the source (the first at once, the
   * latest at the end of the interval): each is sealed, signed and sent, and a caret moves on every
   * keystroke. Default 80; 0 publishes every change.
   */
  publishIntervalMs?: number;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/**
 * A y-protocols `Awareness` for TipTap's CollaborationCaret that never touches the network.
 *
 * It lives on the content `Y.Doc` (so its client id is the doc's, which is how the caret plugin
 * tells this user's caret from the others). The caret plugin's local state (`user`, `cursor`)
 * is turned into an {@link EditorPresenceState} and handed to `source.setPresence`; peers'
 * states from the source's `presence` event are validated ({@link parsePeerPresence}) and shown
 * as remote states. Peers' lifetimes are the source's business: this awareness never times a
 * peer out by itself, it shows whatever the source last reported.
 *
 * @example
 * const awareness = new PresenceAwareness(engine.doc, encryptedDocument);
 * CollaborationCaret.configure({ provider: { awareness }, user: { name: 'Ada', color: '#1d4ed8' } });
 * // ...
 * awareness.destroy();
 */
export class PresenceAwareness extends Awareness {
  readonly #source: PresenceSource;
  readonly #onError: (error: unknown) => void;
  readonly #unsubscribe: () => void;
  #peers = new Map<number, PeerPresence>();
  #published = '';
  #destroyed = false;
  readonly #publishIntervalMs: number;
  #publishTimer: ReturnType<typeof setTimeout> | null = null;
  /** A state waiting for the interval to end (undefined: none). */
  #waiting: EditorPresenceState | undefined;

  constructor(doc: Y.Doc, source: PresenceSource, options: PresenceAwarenessOptions = {}) {
    super(doc);
    // Awareness would drop peers it has not heard from in 30 s; the source already reports departures,
    // and an idle peer's unchanged state is not re-announced to us.
    clearInterval(this._checkInterval as ReturnType<typeof setInterval>);
    this.#source = source;
    this.#publishIntervalMs = options.publishIntervalMs ?? 80;
    this.#onError =
      options.onError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        }));
    this.on('change', this.#onChange);
    this.#unsubscribe = source.on('presence', (peers) => this.setPeers(peers));
    this.setPeers(source.presence);
  }

  /** Peers as shown, after validation. */
  get peers(): ReadonlyMap<number, PeerPresence> {
    return this.#peers;
  }

  /** Replaces the shown peers with `peers` (validated; invalid ones are left out). */
  setPeers(peers: readonly PresencePeerState[]): void {
    if (this.#destroyed) return;
    const next = new Map<number, PeerPresence>();
    for (const peer of peers) {
      if (!Number.isSafeInteger(peer.clientId) || peer.clientId < 0 || peer.clientId === this.clientID) continue;
      const parsed = parsePeerPresence(peer.state, this.doc, peer.clientId);
      if (parsed) next.set(peer.clientId, parsed);
    }
    // A peer shown under another name or colour (its author became known) goes and comes back: the caret plugin
    // keys each caret's widget by client id alone, so an update in place would keep the old label on screen.
    const renamed = [...next].filter(([clientId, presence]) => {
      const previous = this.#peers.get(clientId);
      return (
        previous !== undefined &&
        (previous.user.name !== presence.user.name || previous.user.color !== presence.user.color)
      );
    });
    if (renamed.length > 0) {
      const gone: AwarenessChange = { added: [], updated: [], removed: renamed.map(([clientId]) => clientId) };
      for (const clientId of gone.removed) {
        this.states.delete(clientId);
        this.#peers.delete(clientId);
      }
      this.emit('change', [gone, 'presence']);
      this.emit('update', [gone, 'presence']);
    }
    const change: AwarenessChange = { added: [], updated: [], removed: [] };
    const now = Date.now();
    for (const [clientId, presence] of next) {
      const previous = this.#peers.get(clientId);
      if (!previous) change.added.push(clientId);
      else if (!samePresence(previous, presence)) change.updated.push(clientId);
      else continue;
      this.states.set(clientId, {
        user: { ...presence.user },
        cursor: presence.cursor && {
          anchor: Y.relativePositionToJSON(presence.cursor.anchor) as unknown,
          head: Y.relativePositionToJSON(presence.cursor.head) as unknown,
        },
      });
      this.meta.set(clientId, { clock: (this.meta.get(clientId)?.clock ?? 0) + 1, lastUpdated: now });
    }
    for (const clientId of this.#peers.keys()) {
      if (next.has(clientId)) continue;
      this.states.delete(clientId);
      change.removed.push(clientId);
    }
    this.#peers = next;
    if (change.added.length + change.updated.length + change.removed.length === 0) return;
    this.emit('change', [change, 'presence']);
    this.emit('update', [change, 'presence']);
  }

  override destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#publishTimer !== null) clearTimeout(this.#publishTimer);
    this.#unsubscribe();
    // Tells peers this caret is gone, while the listener is still attached.
    this.setLocalState(null);
    super.destroy();
  }

  #onChange = (change: AwarenessChange, origin: unknown): void => {
    if (origin !== 'local') return;
    try {
      const state = this.getLocalState();
      const published = state === null ? null : toEditorPresenceState(state, this.clientID);
      if (state !== null && published === null) return;
      const json = JSON.stringify(published);
      if (json === this.#published) return;
      this.#published = json;
      this.#publish(published);
    } catch (error) {
      this.#onError(error);
    }
  };

  #publish(state: EditorPresenceState | null): void {
    if (state === null || this.#publishIntervalMs <= 0) {
      // Leaving is said at once.
      if (this.#publishTimer !== null) clearTimeout(this.#publishTimer);
      this.#publishTimer = null;
      this.#waiting = undefined;
      this.#send(state);
      return;
    }
    if (this.#publishTimer !== null) {
      this.#waiting = state;
      return;
    }
    this.#send(state);
    const tick = (): void => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting === undefined) {
        this.#publishTimer = null;
        return;
      }
      this.#send(waiting);
      this.#publishTimer = setTimeout(tick, this.#publishIntervalMs);
    };
    this.#publishTimer = setTimeout(tick, this.#publishIntervalMs);
  }

  #send(state: EditorPresenceState | null): void {
    try {
      if (!this.#source.destroyed) this.#source.setPresence(state);
    } catch (error) {
      this.#onError(error);
    }
  }
}

function samePresence(a: PeerPresence, b: PeerPresence): boolean {
  if (a.user.name !== b.user.name || a.user.color !== b.user.color) return false;
  if (a.cursor === null || b.cursor === null) return a.cursor === b.cursor;
  return (
    Y.compareRelativePositions(a.cursor.anchor, b.cursor.anchor) &&
    Y.compareRelativePositions(a.cursor.head, b.cursor.head)
  );
}
