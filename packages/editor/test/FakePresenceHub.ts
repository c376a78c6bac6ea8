import type { PresencePeerState, PresenceSource } from '../src/index.ts';

/**
 * Presence through a stand-in for the relay: every published state goes through JSON (as the
 * sealed presence does) and reaches every other member, the way EncryptedDocument reports it.
 */
export class FakePresenceHub {
  readonly #states = new Map<number, unknown>();
  readonly #members = new Set<FakePresenceSource>();
  /** Every state as it left a member, in JSON, for checks on what is published. */
  readonly published: string[] = [];

  join(clientId: number): FakePresenceSource {
    const source = new FakePresenceSource(this, clientId);
    this.#members.add(source);
    source.receive(this.#peersOf(clientId));
    return source;
  }

  publish(clientId: number, json: string): void {
    this.published.push(json);
    const state = JSON.parse(json) as unknown;
    if (state === null) this.#states.delete(clientId);
    else this.#states.set(clientId, state);
    for (const member of this.#members) {
      if (member.clientId !== clientId) member.receive(this.#peersOf(member.clientId));
    }
  }

  /** Delivers a state as if a peer with `clientId` had published it (for forged or odd input). */
  inject(clientId: number, state: unknown): void {
    this.publish(clientId, JSON.stringify(state));
  }

  #peersOf(clientId: number): PresencePeerState[] {
    return [...this.#states].filter(([id]) => id !== clientId).map(([id, state]) => ({ clientId: id, state }));
  }
}

export class FakePresenceSource implements PresenceSource {
  readonly clientId: number;
  destroyed = false;
  presence: PresencePeerState[] = [];
  readonly #hub: FakePresenceHub;
  readonly #listeners = new Set<(peers: readonly PresencePeerState[]) => void>();

  constructor(hub: FakePresenceHub, clientId: number) {
    this.#hub = hub;
    this.clientId = clientId;
  }

  setPresence(state: unknown): void {
    if (this.destroyed) throw new Error('presence source destroyed');
    this.#hub.publish(this.clientId, JSON.stringify(state));
  }

  on(_event: 'presence', listener: (peers: readonly PresencePeerState[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  receive(peers: PresencePeerState[]): void {
    this.presence = peers;
    for (const listener of this.#listeners) listener(peers);
  }
}
