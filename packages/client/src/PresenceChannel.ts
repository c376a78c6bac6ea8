import type { Awareness } from 'y-protocols/awareness';
import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import type { DeviceId } from '@coffre/protocol';
import type { EncryptedEnvelope } from './EncryptedEnvelope.ts';
import { type Heads, type HeadsStatus, type PeerHeads, HeadsWatch } from './SyncHeads.ts';

/** A peer's presence, opened and verified. */
export interface PresencePeer {
  clientId: number;
  /** The device that signed it. */
  author: DeviceId;
  state: unknown;
  /** The highest counter per author the peer had applied when it last published. */
  heads?: Heads;
}

export interface PresenceChannelOptions {
  envelope: EncryptedEnvelope;
  /** The provider's awareness (null when it has none). */
  awareness: Awareness | null;
  /** The highest of this device's counters the relay confirmed holding. */
  confirmed: () => number;
  /** Publish heads at most this often while they change (default 1 s); 0 never publishes them. */
  headsIntervalMs?: number;
  /** A difference in heads is reported once it lasts this long (default 5 s). */
  headsGraceMs?: number;
  onPeers: (peers: PresencePeer[]) => void;
  onHeads: (status: HeadsStatus) => void;
}

const EMPTY_STATUS: HeadsStatus = { state: 'alone', peers: 0, missing: [], unseen: [] };

/**
 * A document's presence on the wire: what this user publishes (the app's
 * state, with this device's signed heads, sealed into one Presence entry),
 * and what peers published, opened and verified. Comparing peers' heads with
 * this device's tells whether the relay delivers everything to everyone
 * ({@link HeadsStatus}); heads are re-published, throttled, as they change,
 * so a device that is only reading still tells the others what it has.
 */
export class PresenceChannel {
  readonly #envelope: EncryptedEnvelope;
  readonly #awareness: Awareness | null;
  readonly #confirmed: () => number;
  readonly #intervalMs: number;
  readonly #watch: HeadsWatch;
  readonly #onPeers: (peers: PresencePeer[]) => void;
  readonly #onHeads: (status: HeadsStatus) => void;
  #state: unknown = null;
  #peers: PresencePeer[] = [];
  #status: HeadsStatus = EMPTY_STATUS;
  #publishedHeads = '';
  #lastHeadsAt = 0;
  /** A peer connection appeared since the heads were last published: it has not seen them. */
  #peerArrived = false;
  /** The last heads each peer connection published (presence without heads keeps them). */
  readonly #peerHeads = new Map<number, Heads>();
  #publishTimer: ReturnType<typeof setTimeout> | null = null;
  #checkTimer: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;
  readonly #offTrusted: () => void;

  constructor(options: PresenceChannelOptions) {
    this.#envelope = options.envelope;
    this.#awareness = options.awareness;
    this.#confirmed = options.confirmed;
    this.#intervalMs = options.headsIntervalMs ?? 1_000;
    this.#watch = new HeadsWatch({ self: options.envelope.deviceId, graceMs: options.headsGraceMs });
    this.#onPeers = options.onPeers;
    this.#onHeads = options.onHeads;
    this.#awareness?.on('change', this.#onAwarenessChange);
    // Presence left unread for an unknown device or epoch opens once it is known.
    this.#offTrusted = this.#envelope.on('access-added', this.#onAwarenessChange);
  }

  get peers(): PresencePeer[] {
    return this.#peers;
  }

  get status(): HeadsStatus {
    return this.#status;
  }

  /** Publishes the app's state (name, colour, caret), sealed with this device's heads. */
  set(state: unknown): void {
    this.#state = state;
    this.#publish();
  }

  /**
   * This device's heads or confirmations moved: compares again, and
   * publishes the heads within the interval (at once when the last
   * publication with heads is older than that).
   */
  changed(): void {
    if (this.#destroyed) return;
    this.#compare();
    this.#scheduleHeads();
  }

  /**
   * A new connection opens: forgets the clocks of peers whose states the
   * provider dropped when the last one closed. y-protocols ignores a state
   * whose clock it has seen, so without this the states the relay sends to
   * a reconnecting client would be ignored until each peer changed its own.
   */
  reconnecting(): void {
    const awareness = this.#awareness;
    if (!awareness) return;
    for (const clientId of [...awareness.meta.keys()]) {
      if (clientId !== awareness.clientID && !awareness.states.has(clientId)) awareness.meta.delete(clientId);
    }
  }

  destroy(): void {
    this.#destroyed = true;
    this.#awareness?.off('change', this.#onAwarenessChange);
    this.#offTrusted();
    if (this.#publishTimer !== null) clearTimeout(this.#publishTimer);
    if (this.#checkTimer !== null) clearTimeout(this.#checkTimer);
  }

  /**
   * Seals and publishes the app's state. Heads ride along only when they
   * changed (or a peer arrived) and the last heads are at least the interval
   * old: a caret moves every 80 ms while typing, heads need not. Peers keep
   * the last heads they saw from each connection.
   */
  #publish(): void {
    if (this.#destroyed || !this.#awareness) return;
    let heads: Heads | undefined;
    if (this.#intervalMs > 0 && Date.now() - this.#lastHeadsAt >= this.#intervalMs) {
      const current = this.#envelope.heads();
      const wire = JSON.stringify([...current]);
      if (wire !== this.#publishedHeads || this.#peerArrived) {
        heads = current;
        this.#publishedHeads = wire;
        this.#lastHeadsAt = Date.now();
        this.#peerArrived = false;
      }
    }
    const sealed = this.#envelope.sealPresence(this.#state, heads);
    this.#awareness.setLocalState({ sealed: toBase64Url(sealed) });
    this.#scheduleHeads();
  }

  /** Publishes the heads once the interval allows, when they differ from those published (or a peer arrived). */
  #scheduleHeads(): void {
    if (this.#destroyed || this.#intervalMs <= 0 || this.#publishTimer !== null) return;
    const due = this.#peerArrived || JSON.stringify([...this.#envelope.heads()]) !== this.#publishedHeads;
    if (!due) return;
    const wait = this.#lastHeadsAt + this.#intervalMs - Date.now();
    if (wait <= 0) {
      this.#publish();
      return;
    }
    this.#publishTimer = setTimeout(() => {
      this.#publishTimer = null;
      this.#publish();
    }, wait);
  }

  #onAwarenessChange = (): void => {
    const awareness = this.#awareness;
    if (!awareness || this.#destroyed) return;
    const peers: PresencePeer[] = [];
    for (const [clientId, state] of awareness.getStates()) {
      if (clientId === awareness.clientID) continue;
      const sealed = (state as { sealed?: unknown }).sealed;
      if (typeof sealed !== 'string') continue;
      let frame: Uint8Array;
      try {
        frame = fromBase64Url(sealed);
      } catch {
        continue;
      }
      const opened = this.#envelope.openPresence(frame, clientId);
      if (!opened) continue;
      const known = this.#peerHeads.get(clientId);
      if (opened.heads) this.#peerHeads.set(clientId, opened.heads);
      else if (known) opened.heads = known;
      if (!this.#peers.some((peer) => peer.clientId === clientId)) this.#peerArrived = true;
      peers.push({ clientId, ...opened });
    }
    for (const clientId of [...this.#peerHeads.keys()]) {
      if (!peers.some((peer) => peer.clientId === clientId)) this.#peerHeads.delete(clientId);
    }
    this.#peers = peers;
    this.#onPeers(peers);
    this.#compare();
    this.#scheduleHeads();
  };

  #compare(): void {
    const peers: PeerHeads[] = [];
    for (const peer of this.#peers) if (peer.heads) peers.push({ device: peer.author, heads: peer.heads });
    const status = this.#watch.compare(this.#envelope.heads(), this.#confirmed(), peers);
    if (JSON.stringify(status) !== JSON.stringify(this.#status)) {
      this.#status = status;
      this.#onHeads(status);
    }
    if (this.#checkTimer !== null) clearTimeout(this.#checkTimer);
    this.#checkTimer = null;
    const next = this.#watch.nextCheckIn();
    if (next !== null && !this.#destroyed) {
      this.#checkTimer = setTimeout(() => {
        this.#checkTimer = null;
        this.#compare();
      }, next + 1);
    }
  }
}
