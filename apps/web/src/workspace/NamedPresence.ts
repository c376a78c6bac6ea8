import type { PresencePeer } from '@coffre/client';
import type { PresenceSource } from '@coffre/editor';
import type { DeviceId } from '@coffre/protocol';

/** The name shown for a peer, from the device that signed its presence. */
export type PresenceNamer = (author: DeviceId) => string;

/** Where peers' presence comes from: an `EncryptedDocument` or a `LocalDocument`. */
export interface SignedPresenceSource {
  readonly destroyed: boolean;
  readonly presence: readonly PresencePeer[];
  setPresence(state: unknown): void;
  on(event: 'presence', listener: (peers: PresencePeer[]) => void): () => void;
}

/**
 * A document's presence with each peer named by the device that signed it,
 * not by what the peer wrote into its state: a member cannot pass for
 * another, and nobody needs to publish an email (which everyone holding the
 * document key, share links included, could read). Everything else (caret,
 * colour) is the peer's own.
 */
export class NamedPresence implements PresenceSource {
  readonly #document: SignedPresenceSource;
  #nameOf: PresenceNamer;
  readonly #listeners = new Set<(peers: readonly PresencePeer[]) => void>();
  /** Listens to the document while anyone listens here. */
  #off: (() => void) | null = null;

  constructor(document: SignedPresenceSource, nameOf: PresenceNamer) {
    this.#document = document;
    this.#nameOf = nameOf;
  }

  get destroyed(): boolean {
    return this.#document.destroyed;
  }

  get presence(): PresencePeer[] {
    return this.#document.presence.map((peer) => ({ ...peer, state: this.#named(peer) }));
  }

  setPresence(state: unknown): void {
    this.#document.setPresence(state);
  }

  on(_event: 'presence', listener: (peers: readonly PresencePeer[]) => void): () => void {
    this.#listeners.add(listener);
    this.#off ??= this.#document.on('presence', () => this.#emit());
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size > 0) return;
      this.#off?.();
      this.#off = null;
    };
  }

  /** The name shown for a device, as peers are named. */
  nameOf(author: DeviceId): string {
    return this.#nameOf(author);
  }

  /** Names peers anew, e.g. once the members' devices are known. */
  rename(nameOf: PresenceNamer): void {
    this.#nameOf = nameOf;
    this.#emit();
  }

  #emit(): void {
    const peers = this.presence;
    for (const listener of this.#listeners) listener(peers);
  }

  #named(peer: PresencePeer): unknown {
    const state = peer.state;
    if (typeof state !== 'object' || state === null || Array.isArray(state)) return state;
    const record = state as Record<string, unknown>;
    const user = typeof record['user'] === 'object' && record['user'] !== null ? record['user'] : {};
    return { ...record, user: { ...user, name: this.#nameOf(peer.author) } };
  }
}
