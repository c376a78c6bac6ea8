import * as Y from 'yjs';
import type { SeededRandom } from './SeededRandom.ts';

/** Transaction origin of updates the network applies, so they are not sent on again. */
export const NETWORK_ORIGIN = Symbol('simulated-network');

export interface SimulatedNetworkOptions {
  /** Chance that a message is lost in transit (the receiver catches up on the next reconnect). */
  dropChance?: number;
  /** Chance that a message is delivered twice. */
  duplicateChance?: number;
}

interface Message {
  from: number;
  to: number;
  update: Uint8Array;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  disconnects: number;
  reconnects: number;
}

/**
 * Carries envelope Y.Doc updates between replicas, each peer connected to
 * every other. Messages wait in one queue and are delivered in an order
 * chosen by the seeded random source, so they are reordered and delayed;
 * some are duplicated or lost. A disconnected peer loses everything in
 * flight to and from it and catches up through a state-vector diff when it
 * reconnects, as a Yjs provider does. {@link settle} delivers everything.
 */
export class SimulatedNetwork {
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, disconnects: 0, reconnects: 0 };
  readonly #docs: readonly Y.Doc[];
  readonly #random: SeededRandom;
  readonly #dropChance: number;
  readonly #duplicateChance: number;
  readonly #online: boolean[];
  readonly #unsubscribe: (() => void)[] = [];
  #queue: Message[] = [];

  constructor(docs: readonly Y.Doc[], random: SeededRandom, options: SimulatedNetworkOptions = {}) {
    this.#docs = docs;
    this.#random = random;
    this.#dropChance = options.dropChance ?? 0.05;
    this.#duplicateChance = options.duplicateChance ?? 0.05;
    this.#online = docs.map(() => true);
    docs.forEach((doc, index) => {
      const onUpdate = (update: Uint8Array, origin: unknown): void => {
        if (origin === NETWORK_ORIGIN) return;
        for (let to = 0; to < docs.length; to += 1) if (to !== index) this.#send(index, to, update);
      };
      doc.on('update', onUpdate);
      this.#unsubscribe.push(() => doc.off('update', onUpdate));
    });
  }

  get inFlight(): number {
    return this.#queue.length;
  }

  isOnline(index: number): boolean {
    return this.#online[index] ?? false;
  }

  /** Delivers up to `count` messages, each picked at random from those in flight. */
  deliver(count = 1): void {
    for (let delivered = 0; delivered < count && this.#queue.length > 0; delivered += 1) {
      const [message] = this.#queue.splice(this.#random.int(this.#queue.length), 1);
      if (message) this.#apply(message);
    }
  }

  /** Sends one message in flight a second time. */
  duplicateOne(): void {
    if (this.#queue.length === 0) return;
    this.#queue.push(this.#random.pick(this.#queue));
    this.stats.duplicated += 1;
  }

  /** Loses one message in flight. */
  dropOne(): void {
    if (this.#queue.length === 0) return;
    this.#queue.splice(this.#random.int(this.#queue.length), 1);
    this.stats.dropped += 1;
  }

  /** Takes a peer offline: whatever is in flight to or from it is lost. */
  disconnect(index: number): void {
    if (!this.#online[index]) return;
    this.#online[index] = false;
    this.stats.disconnects += 1;
    const before = this.#queue.length;
    this.#queue = this.#queue.filter((message) => message.from !== index && message.to !== index);
    this.stats.dropped += before - this.#queue.length;
  }

  /** Brings a peer back: it and every online peer send each other what the other lacks. */
  reconnect(index: number, lossless = false): void {
    if (this.#online[index]) return;
    this.#online[index] = true;
    this.stats.reconnects += 1;
    const doc = this.#doc(index);
    this.#docs.forEach((other, otherIndex) => {
      if (otherIndex === index || !this.#online[otherIndex]) return;
      this.#send(otherIndex, index, Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)), lossless);
      this.#send(index, otherIndex, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(other)), lossless);
    });
  }

  /**
   * Ends the faults: every peer comes back, every message in flight is
   * delivered (still in random order), then each peer gets a full diff from
   * every other so that nothing lost stays missing.
   */
  settle(): void {
    this.#online.forEach((online, index) => {
      if (!online) this.reconnect(index, true);
    });
    while (this.#queue.length > 0) this.deliver(this.#queue.length);
    const states = this.#docs.map((doc) => Y.encodeStateAsUpdate(doc));
    const merged = Y.mergeUpdates(states);
    for (const doc of this.#docs) Y.applyUpdate(doc, merged, NETWORK_ORIGIN);
  }

  destroy(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#queue = [];
  }

  #doc(index: number): Y.Doc {
    const doc = this.#docs[index];
    if (!doc) throw new RangeError(`no peer ${index}`);
    return doc;
  }

  #send(from: number, to: number, update: Uint8Array, lossless = false): void {
    this.stats.sent += 1;
    if (!this.#online[from] || !this.#online[to]) {
      this.stats.dropped += 1;
      return;
    }
    if (!lossless && this.#random.chance(this.#dropChance)) {
      this.stats.dropped += 1;
      return;
    }
    this.#queue.push({ from, to, update });
    if (!lossless && this.#random.chance(this.#duplicateChance)) {
      this.#queue.push({ from, to, update });
      this.stats.duplicated += 1;
    }
  }

  #apply(message: Message): void {
    if (!this.#online[message.from] || !this.#online[message.to]) {
      this.stats.dropped += 1;
      return;
    }
    this.stats.delivered += 1;
    Y.applyUpdate(this.#doc(message.to), message.update, NETWORK_ORIGIN);
  }
}
