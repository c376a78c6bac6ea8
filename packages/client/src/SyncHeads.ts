import type { DeviceId } from '@coffre/protocol';

/**
 * Signed heads: the highest counter per author a replica has applied. Each
 * client publishes its heads in its sealed, signed presence, so the relay can
 * neither read nor forge them; comparing them with one's own shows whether
 * the relay is holding anything back from this device, or this device's
 * entries back from someone else.
 */
export type Heads = ReadonlyMap<DeviceId, number>;

/** At most this many authors travel in one presence (the newest counters win on a document with more). */
export const MAX_HEADS = 200;

/** The heads as they travel in presence: `[device id, counter]` pairs. */
export function headsToWire(heads: Heads): [string, number][] {
  const entries = [...heads].filter(([, counter]) => counter > 0);
  if (entries.length > MAX_HEADS) entries.sort((a, b) => b[1] - a[1]).length = MAX_HEADS;
  return entries;
}

/** Heads read from a peer's (already verified) presence; undefined when malformed. */
export function headsFromWire(value: unknown): Heads | undefined {
  if (!Array.isArray(value) || value.length > MAX_HEADS) return undefined;
  const heads = new Map<DeviceId, number>();
  for (const pair of value) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    const [author, counter] = pair as unknown[];
    if (
      typeof author !== 'string' ||
      author.length > 200 ||
      !Number.isSafeInteger(counter) ||
      (counter as number) < 1
    ) {
      return undefined;
    }
    heads.set(author as DeviceId, counter as number);
  }
  return heads;
}

/** A peer online on the document, with the heads it last published. */
export interface PeerHeads {
  /** The device that signed the presence. */
  device: DeviceId;
  heads: Heads;
}

/** Entries a peer holds that this device has not received (for longer than the grace period). */
export interface MissingEntries {
  /** Who has them. */
  peer: DeviceId;
  /** Whose entries they are. */
  author: DeviceId;
  count: number;
}

/** This device's saved entries a peer has not received (for longer than the grace period). */
export interface UnseenEntries {
  peer: DeviceId;
  count: number;
}

/**
 * What the heads of everyone online say. `in-sync`: this device has every
 * entry the peers online have, and they have every entry of this device the
 * relay confirmed. `behind`: a difference lasted longer than the grace
 * period, named in `missing` and `unseen`. `alone`: no peer publishes heads.
 */
export interface HeadsStatus {
  state: 'alone' | 'in-sync' | 'behind';
  /** Peers online that publish heads. */
  peers: number;
  missing: MissingEntries[];
  unseen: UnseenEntries[];
}

export interface HeadsWatchOptions {
  /** This device. */
  self: DeviceId;
  /** A difference is reported once it lasts this long (default 5 s: heads travel throttled, entries in flight). */
  graceMs?: number;
  now?: () => number;
}

/**
 * Compares this device's heads with its peers' and says, once a difference
 * has lasted the grace period, which entries the relay has not delivered to
 * whom. Pure bookkeeping: {@link compare} is called on every change, and
 * again when {@link nextCheckIn} says a difference may come due.
 */
export class HeadsWatch {
  readonly #self: DeviceId;
  readonly #graceMs: number;
  readonly #now: () => number;
  /** Since when each difference has been seen, by `peer|author` (author = self for unseen). */
  readonly #since = new Map<string, number>();

  constructor(options: HeadsWatchOptions) {
    this.#self = options.self;
    this.#graceMs = options.graceMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * `own` is this device's heads; `confirmed` the highest of its own counters
   * the relay confirmed holding (what peers should have).
   */
  compare(own: Heads, confirmed: number, peers: readonly PeerHeads[]): HeadsStatus {
    const now = this.#now();
    const seen = new Set<string>();
    const missing: MissingEntries[] = [];
    const unseen: UnseenEntries[] = [];
    const due = (key: string): boolean => {
      seen.add(key);
      const since = this.#since.get(key) ?? now;
      this.#since.set(key, since);
      return now - since >= this.#graceMs;
    };
    for (const peer of peers) {
      if (peer.device === this.#self) continue;
      for (const [author, counter] of peer.heads) {
        if (author === this.#self) continue;
        const count = counter - (own.get(author) ?? 0);
        if (count > 0 && due(`${peer.device}|${author}`)) missing.push({ peer: peer.device, author, count });
      }
      const theirs = peer.heads.get(this.#self) ?? 0;
      if (confirmed > theirs && due(`${peer.device}|${this.#self}`)) {
        unseen.push({ peer: peer.device, count: confirmed - theirs });
      }
    }
    for (const key of [...this.#since.keys()]) if (!seen.has(key)) this.#since.delete(key);
    const peerCount = peers.filter((peer) => peer.device !== this.#self).length;
    const state = missing.length + unseen.length > 0 ? 'behind' : peerCount === 0 ? 'alone' : 'in-sync';
    return { state, peers: peerCount, missing, unseen };
  }

  /** Milliseconds until the oldest difference not yet reported comes due; null when none is waiting. */
  nextCheckIn(): number | null {
    const now = this.#now();
    let next: number | null = null;
    for (const since of this.#since.values()) {
      const wait = since + this.#graceMs - now;
      if (wait > 0 && (next === null || wait < next)) next = wait;
    }
    return next;
  }
}
