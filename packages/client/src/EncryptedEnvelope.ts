import * as Y from 'yjs';
import {
  type DeviceId,
  type DocumentAddress,
  type EntryHeader,
  type ParsedEntry,
  EntryKind,
  EntryRejection,
  FrameFormatError,
  LIMITS,
  chainedEntry,
  entryHash,
  parseEntry,
} from '@coffre/protocol';
import { AuthorCounters } from './AuthorCounters.ts';
import type { ContentEngine } from './engines/ContentEngine.ts';
import { Emitter } from './Emitter.ts';
import type { DeviceDirectory, DeviceIdentity, DocumentKeyring } from './keys.ts';
import { EntrySealer } from './EntrySealer.ts';
import { VersionHistory } from './VersionHistory.ts';
import { type Heads, headsFromWire, headsToWire } from './SyncHeads.ts';

/*
 * One piece, though long: the envelope's log is one state machine. Batching
 * local changes into entries, this device's counters, compaction, and what
 * arrives from others (applied, refused, or missing until its gap fills)
 * all read and write the same live-entry table and coverage, and each
 * depends on the others' invariants (a compaction covers exactly what was
 * applied; a counter is never reused). Sealing and opening entries is
 * elsewhere (`EntrySealer`), and so is presence (`PresenceChannel`).
 */

/** Transaction origin of entries this replica pushes itself. */
export const LOCAL_ORIGIN = Symbol('coffre-envelope-local');

export interface EntryRejectedEvent {
  reason: EntryRejection | 'content-invalid';
  message: string;
  author?: DeviceId;
  counter?: number;
}

/** What {@link EncryptedEnvelope.integrity} reports. */
export interface EnvelopeIntegrity {
  /** Counters missing per author. */
  missing: Map<DeviceId, number[]>;
  /** Entries refused, one per author, counter and reason. */
  refused: EntryRejectedEvent[];
}

/** At most this many refused entries are kept to report (a flood of forgeries costs no more memory). */
export const MAX_REFUSED_KEPT = 1000;

function refusalKey(event: { reason: string; author?: DeviceId; counter?: number }): string {
  return `${event.author ?? ''}\u0000${event.counter ?? 0}\u0000${event.reason}`;
}

/** Marks a presence plaintext of this format: `{ "coffre/presence": 1, state, heads }`. */
const PRESENCE_FORMAT = 'coffre/presence';

interface SealedPresence {
  [PRESENCE_FORMAT]: 1;
  /** What the app published (the editor's caret and colour). */
  state: unknown;
  /** The sender's heads, signed with it (see SyncHeads.ts). */
  heads?: [string, number][];
}

/** A peer's presence, verified and opened. */
export interface OpenedPresence {
  author: DeviceId;
  state: unknown;
  /** The highest counter per author the peer had applied when it published this. */
  heads?: Heads;
}

export interface EnvelopeEvents extends Record<string, unknown> {
  /** A remote entry was refused; the document keeps working. */
  'entry-rejected': EntryRejectedEvent;
  /** Counters missing per author (empty map once complete again). */
  incomplete: Map<DeviceId, number[]>;
  /** Remote content was applied. */
  'remote-change': { entries: number };
  /** A presence came from a device or key epoch this replica does not know yet; it was left unread. */
  'presence-unknown': { author: DeviceId; epoch: number };
  /** A device or a key epoch became known (trustDevice, retryPending): what waited for it can be read. */
  'access-added': undefined;
  /** A local batch was sealed into the log. */
  sealed: { kind: 'update' | 'snapshot'; counter: number; bytes: number };
  /** A local change could not be sealed (e.g. larger than an entry may be). */
  'seal-failed': { message: string };
}

export interface CompactionPolicy {
  /** Compact when the log holds more entries than this. */
  maxEntries: number;
  /** ... or more sealed bytes than this. */
  maxBytes: number;
  /**
   * After this many milliseconds without a local change, compact when more
   * than `idleMinEntries` entries wait and they add up to half the last
   * snapshot: cold opens stay short without sealing a snapshot in the middle
   * of typing. Default 2000; 0 turns it off.
   */
  idleMs?: number;
  /**
   * Default 64. Without a pause, the log is compacted once more than twice
   * this many entries wait and they add up to the last snapshot's size: a
   * fresh reader then verifies at most about that many entries one by one
   * (each an Ed25519 check), while snapshots never cost more bytes than the
   * entries they replace.
   */
  idleMinEntries?: number;
}

export interface EncryptedEnvelopeOptions<E extends ContentEngine> {
  address: DocumentAddress;
  engine: E;
  device: DeviceIdentity;
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
  /** The envelope Y.Doc; a new one when omitted. */
  envelope?: Y.Doc;
  /** Local changes within this window (ms) become one entry. 0 (the default) seals once the current task ends. */
  batchWindowMs?: number;
  compaction?: CompactionPolicy | false;
  /** When false, local changes wait in the engine until {@link EncryptedEnvelope.startSealing}. */
  sealing?: boolean;
}

interface LiveEntry {
  bytes: number;
  /** Parsed header, when the frame parsed. */
  parsed?: ParsedEntry;
  /** What the entry is: from `parsed`, or as this replica sealed it. */
  header?: EntryFacts;
  state: 'applied' | 'rejected' | 'pending';
}

/** The header fields compaction and the checks below need. */
type EntryFacts = Pick<EntryHeader, 'kind' | 'author' | 'counter' | 'coverage'>;

/**
 * Binds a content CRDT to an envelope Y.Doc holding only sealed entries:
 * local changes are batched, sealed and pushed to `log`; remote entries are
 * verified, opened and applied. Nothing in here touches the network, so the
 * same class runs under a HocuspocusProvider, y-indexeddb or a test harness.
 */
export class EncryptedEnvelope<E extends ContentEngine = ContentEngine> extends Emitter<EnvelopeEvents> {
  readonly address: DocumentAddress;
  readonly engine: E;
  readonly envelope: Y.Doc;
  readonly log: Y.Array<Uint8Array>;
  /** Saved versions of the content (kept apart from the log, never compacted). */
  readonly history: VersionHistory;
  readonly #device: DeviceIdentity;
  readonly #keyring: DocumentKeyring;
  readonly #devices: DeviceDirectory;
  readonly #counters = new AuthorCounters();
  readonly #batchWindowMs: number;
  readonly #compaction: CompactionPolicy | false;
  /** Per frame (by identity), what became of it. */
  #entries = new Map<Uint8Array, LiveEntry>();
  #liveBytes = 0;
  readonly #sealer: EntrySealer;
  /** Entries refused for good (or until the author's role is known), by author, counter and reason. */
  readonly #refused = new Map<string, EntryRejectedEvent>();
  #pendingDevices: Uint8Array[] = [];
  /** Entries already reported as not a writer's: reported once, so re-reading them does not ask again. */
  readonly #notWriters = new WeakSet<Uint8Array>();
  #sealing: boolean;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #flushScheduled = false;
  /** Local changes arrived while sealing was off: they wait in the engine. */
  #held = false;
  #lastGapCount = 0;
  #presenceCounter = 0;
  #lastSnapshotBytes = 0;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  #presenceSeen = new Map<string, number>();
  /** Entries this replica had that someone deleted with no snapshot keeping them, per author. */
  #erased = new Map<DeviceId, Set<number>>();
  #destroyed = false;
  #unsubscribeEngine: () => void;
  /** This device's latest entry in the log, by counter and hash: the next one names it (`EntryHeader.previous`). */
  #lastOwn: { counter: number; hash: Uint8Array } | null = null;

  constructor(options: EncryptedEnvelopeOptions<E>) {
    super();
    this.address = options.address;
    this.engine = options.engine;
    this.envelope = options.envelope ?? new Y.Doc();
    this.log = this.envelope.getArray<Uint8Array>('log');
    this.#sealer = new EntrySealer(options);
    this.history = new VersionHistory({ envelope: this.envelope, engine: options.engine, sealer: this.#sealer });
    this.#device = options.device;
    this.#keyring = options.keyring;
    this.#devices = options.devices;
    this.#batchWindowMs = options.batchWindowMs ?? 0;
    this.#compaction = options.compaction ?? { maxEntries: 512, maxBytes: 4 * 1024 * 1024 };
    this.#sealing = options.sealing ?? true;
    this.log.observe(this.#onLogChange);
    this.#unsubscribeEngine = this.engine.onLocalChange(this.#scheduleFlush);
    this.#ingest(this.log.toArray());
  }

  /** Entries currently in the log and their sealed size: what compaction shrinks. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.log.length, bytes: this.#liveBytes };
  }

  /** The highest counter of this device's entries this replica holds (0 when none). */
  get ownCounter(): number {
    return this.#counters.highest(this.#device.id);
  }

  /** True once local changes are being sealed (see {@link startSealing}). */
  get sealing(): boolean {
    return this.#sealing;
  }

  /**
   * Entries held back until their author's device, key epoch or role is
   * known (see `trustDevice`, `retryPending`): in the log, not yet in the
   * content. Whoever acts on the whole content (the Drive's garbage
   * collection) waits until this is 0.
   */
  get waitingEntries(): number {
    return this.#pendingDevices.length;
  }

  /** True while local changes are waiting to be sealed. */
  get hasPendingChanges(): boolean {
    return this.#flushScheduled || this.#held;
  }

  /** Lets local changes be sealed (e.g. once the envelope is loaded and this device's counter is known). */
  startSealing(): void {
    this.#sealing = true;
    this.flush();
  }

  /** Trusts another device's signing key and re-reads entries that were waiting for it. */
  trustDevice(id: DeviceId, publicKey: Uint8Array): void {
    this.#devices.set(id, publicKey);
    const waiting = this.#pendingDevices;
    this.#pendingDevices = [];
    this.#ingest(waiting);
    this.emit('access-added', undefined);
  }

  /** The key epoch this device seals its next entries with: the newest its keyring holds. */
  get sealingEpoch(): number {
    return this.#keyring.currentEpoch;
  }

  /** The device this replica seals as. */
  get deviceId(): DeviceId {
    return this.#device.id;
  }

  /** The highest counter applied per author, this device's own included: what presence publishes. */
  heads(): Heads {
    return this.#counters.coverage();
  }

  /** Re-reads entries waiting for a key epoch that was just added to the keyring. */
  retryPending(): void {
    const waiting = this.#pendingDevices;
    this.#pendingDevices = [];
    this.#ingest(waiting);
    this.emit('access-added', undefined);
  }

  /** Seals everything changed locally now, without waiting for the batch window. */
  flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    this.#flushScheduled = false;
    if (!this.#sealing || this.#destroyed) return;
    this.#held = false;
    const changes = this.engine.takeLocalChanges();
    if (changes === null) return;
    this.#push(EntryKind.Update, changes, new Map());
    if (this.#shouldCompact()) this.compact();
    else this.#compactWhenIdle();
  }

  /**
   * Seals a snapshot of the whole content and, in the same Yjs transaction,
   * removes every entry it covers. Two members compacting at once is
   * harmless: both snapshots are valid and CRDT application is idempotent.
   */
  compact(): void {
    if (!this.#sealing || this.#destroyed) return;
    // A snapshot must not claim counters this replica never saw.
    if (this.#counters.gaps().size > 0) return;
    this.flush();
    const self = this.#device.id;
    const counter = this.#counters.highest(self) + 1;
    const coverage = this.#counters.coverage();
    coverage.set(self, counter);
    // Sealed before anything is deleted: if sealing fails, the log is untouched.
    const frame = this.#seal(EntryKind.Snapshot, this.engine.encodeState(), coverage, counter);
    this.envelope.transact(() => {
      const items = this.log.toArray();
      for (let index = items.length - 1; index >= 0; index -= 1) {
        // Only what the snapshot includes: the relay refuses deleting anything else (a rejected entry stays).
        const entry = this.#entries.get(items[index] as Uint8Array);
        if (entry?.state === 'applied') this.log.delete(index, 1);
      }
      this.#pushSealed(EntryKind.Snapshot, frame, coverage, counter);
    }, LOCAL_ORIGIN);
    this.#lastSnapshotBytes = frame.length;
  }

  /** Seals a presence state (name, colour, cursor) with the document key. */
  sealPresence(state: unknown, heads?: Heads): Uint8Array {
    const presence: SealedPresence = { [PRESENCE_FORMAT]: 1, state };
    if (heads) presence.heads = headsToWire(heads);
    const plaintext = new TextEncoder().encode(JSON.stringify(presence));
    this.#presenceCounter += 1;
    const frame = this.#sealer.seal({ kind: EntryKind.Presence, counter: this.#presenceCounter, plaintext });
    if (frame.length > LIMITS.maxAwarenessBytes) throw new RangeError('presence state is too large');
    return frame;
  }

  /**
   * Opens a sealed presence state; null when it is stale, forged or from
   * another document. `source` names the sender's session (e.g. its
   * awareness client id), so a reloaded device is not mistaken for a replay.
   */
  openPresence(frame: Uint8Array, source: string | number = ''): OpenedPresence | null {
    try {
      const parsed = parseEntry(frame);
      const { header } = parsed;
      const opened = this.#sealer.open(parsed, { kinds: [EntryKind.Presence], writes: false });
      if (!opened.ok) {
        // A device or key not known yet (a member's new device that only reads): worth a refresh.
        if (opened.waits) this.emit('presence-unknown', { author: header.author, epoch: header.keyEpoch });
        return null;
      }
      const { plaintext } = opened;
      const stream = `${header.author}\u0000${source}`;
      const seen = this.#presenceSeen.get(stream) ?? 0;
      if (header.counter < seen) return null;
      this.#presenceSeen.set(stream, header.counter);
      const value = JSON.parse(new TextDecoder().decode(plaintext)) as unknown;
      if (typeof value !== 'object' || value === null || !(PRESENCE_FORMAT in value)) {
        return { author: header.author, state: value }; // a client from before heads
      }
      const presence = value as SealedPresence;
      const heads = headsFromWire(presence.heads);
      return { author: header.author, state: presence.state, ...(heads ? { heads } : {}) };
    } catch {
      return null;
    }
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.flush();
    this.#destroyed = true;
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.log.unobserve(this.#onLogChange);
    this.#unsubscribeEngine();
    this.history.destroy();
    this.removeAllListeners();
  }

  #scheduleFlush = (): void => {
    if (!this.#sealing) this.#held = true;
    if (this.#flushScheduled || this.#destroyed) return;
    this.#flushScheduled = true;
    const run = () => {
      if (!this.#flushScheduled) return;
      this.#flushScheduled = false;
      this.#flushTimer = null;
      try {
        this.flush();
      } catch (error) {
        this.emit('seal-failed', { message: error instanceof Error ? error.message : String(error) });
      }
    };
    // A window of 0 seals once the current task (a keystroke's handlers) is done.
    if (this.#batchWindowMs === 0) queueMicrotask(run);
    else this.#flushTimer = setTimeout(run, this.#batchWindowMs);
  };

  #compactWhenIdle(): void {
    if (!this.#compaction) return;
    const idleMs = this.#compaction.idleMs ?? 2000;
    if (idleMs <= 0) return;
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#destroyed || !this.#sealing || !this.#compaction) return;
      const waiting = this.#liveBytes - this.#lastSnapshotBytes;
      const minEntries = this.#compaction.idleMinEntries ?? 64;
      if (this.log.length > minEntries && 2 * waiting >= this.#lastSnapshotBytes) this.compact();
    }, idleMs);
    // An idle compaction must not keep a Node process alive.
    (this.#idleTimer as { unref?: () => void }).unref?.();
  }

  #shouldCompact(): boolean {
    if (!this.#compaction) return false;
    if (this.log.length > this.#compaction.maxEntries) return true;
    const busyMinEntries = 2 * (this.#compaction.idleMinEntries ?? 64);
    if (this.log.length > busyMinEntries && this.#liveBytes - this.#lastSnapshotBytes >= this.#lastSnapshotBytes) {
      return true;
    }
    // Past maxBytes, compact only when the log has grown well beyond the last snapshot.
    return this.#liveBytes > this.#compaction.maxBytes && this.#liveBytes > 2 * this.#lastSnapshotBytes;
  }

  #push(kind: EntryKind, plaintext: Uint8Array, coverage: Map<DeviceId, number>): void {
    const counter = this.#counters.highest(this.#device.id) + 1;
    const frame = this.#seal(kind, plaintext, coverage, counter);
    this.envelope.transact(() => this.#pushSealed(kind, frame, coverage, counter), LOCAL_ORIGIN);
  }

  #seal(kind: EntryKind, plaintext: Uint8Array, coverage: Map<DeviceId, number>, counter: number): Uint8Array {
    const frame = this.#sealer.seal({
      kind,
      counter,
      plaintext,
      coverage,
      // Pushed right after sealing, so this is the item's id: no copy of the entry fits anywhere else.
      position: { client: this.envelope.clientID, clock: Y.getState(this.envelope.store, this.envelope.clientID) },
      ...(this.#lastOwn?.counter === counter - 1 ? { previous: this.#lastOwn.hash } : {}),
    });
    if (frame.length > LIMITS.maxEntryBytes) throw new RangeError('change is too large to seal as one entry');
    this.#lastOwn = { counter, hash: entryHash(frame) };
    return frame;
  }

  #pushSealed(kind: EntryKind, frame: Uint8Array, coverage: Map<DeviceId, number>, counter: number): void {
    this.#counters.add(this.#device.id, counter);
    if (kind === EntryKind.Snapshot) this.#counters.cover(coverage);
    this.log.push([frame]);
    // Yjs stores a copy of the frame: that copy is what the log's observer and compaction see.
    const stored = this.log.get(this.log.length - 1);
    this.#track(stored, {
      bytes: frame.length,
      header: { kind, author: this.#device.id, counter, coverage },
      state: 'applied',
    });
    this.emit('sealed', { kind: kind === EntryKind.Snapshot ? 'snapshot' : 'update', counter, bytes: frame.length });
  }

  #onLogChange = (event: Y.YArrayEvent<Uint8Array>, transaction: Y.Transaction): void => {
    const added: Uint8Array[] = [];
    const removed: EntryFacts[] = [];
    for (const item of event.changes.added) {
      for (const value of item.content.getContent() as unknown[]) {
        if (value instanceof Uint8Array) added.push(value);
      }
    }
    for (const item of event.changes.deleted) {
      for (const value of item.content.getContent() as unknown[]) {
        if (!(value instanceof Uint8Array)) continue;
        const entry = this.#entries.get(value);
        if (entry) {
          this.#liveBytes -= entry.bytes;
          this.#entries.delete(value);
          if (entry.state === 'applied' && entry.header) removed.push(entry.header);
          if (entry.state === 'pending') this.#pendingDevices = this.#pendingDevices.filter((frame) => frame !== value);
        }
      }
    }
    if (transaction.origin === LOCAL_ORIGIN) {
      for (const frame of added)
        if (!this.#entries.has(frame)) this.#track(frame, { bytes: frame.length, state: 'applied' });
      return;
    }
    this.#ingest(added);
    if (removed.length > 0) this.#checkRemoved(removed);
  };

  /**
   * Someone else deleted entries this replica had: each must be kept by a
   * snapshot now in the log. One that is not was erased (by a hostile member
   * or relay) and is reported as missing, like a gap.
   */
  #checkRemoved(removed: EntryFacts[]): void {
    const snapshots = this.#liveSnapshots();
    let erased = false;
    for (const entry of removed) {
      if (snapshots.some((snapshot) => coversEntry(snapshot, entry))) continue;
      let counters = this.#erased.get(entry.author);
      if (!counters) this.#erased.set(entry.author, (counters = new Set()));
      counters.add(entry.counter);
      erased = true;
    }
    if (erased) this.#reportGaps();
  }

  #liveSnapshots(): EntryFacts[] {
    const snapshots: EntryFacts[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.state === 'applied' && entry.header?.kind === EntryKind.Snapshot) snapshots.push(entry.header);
    }
    return snapshots;
  }

  /**
   * The highest counter n such that every entry this device sealed up to n is
   * in a state with the given state vector (`Y.decodeStateVector` of the
   * relay's answer), itself or through a snapshot there that covers it.
   */
  confirmedCounter(stateVector: Map<number, number>): number {
    const self = this.#device.id;
    const present = new Set<number>();
    let covered = 0;
    for (let item = this.log._start; item !== null; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentBinary)) continue;
      const header = this.#entries.get(item.content.content)?.header;
      if (!header || (stateVector.get(item.id.client) ?? 0) <= item.id.clock) continue;
      if (header.kind === EntryKind.Snapshot) covered = Math.max(covered, header.coverage.get(self) ?? 0);
      if (header.author === self) present.add(header.counter);
    }
    let confirmed = covered;
    while (present.has(confirmed + 1)) confirmed += 1;
    return confirmed;
  }

  #track(frame: Uint8Array, entry: LiveEntry): void {
    if (!this.#entries.has(frame)) this.#liveBytes += entry.bytes;
    this.#entries.set(frame, entry);
  }

  /** Verifies, opens and applies frames; snapshots first so their coverage skips what they include. */
  #ingest(frames: Uint8Array[]): void {
    if (frames.length === 0) return;
    const parsed: { frame: Uint8Array; entry: ParsedEntry }[] = [];
    for (const frame of frames) {
      if (!(frame instanceof Uint8Array)) continue;
      try {
        parsed.push({ frame, entry: parseEntry(frame) });
      } catch (error) {
        this.#track(frame, { bytes: frame.length, state: 'rejected' });
        this.#reject({
          reason: EntryRejection.Malformed,
          message: error instanceof FrameFormatError ? error.message : 'entry could not be parsed',
        });
      }
    }
    parsed.sort((a, b) => b.entry.header.kind - a.entry.header.kind);
    const verified = parsed.length > 1 ? this.#verifyChains(parsed) : null;
    let applied = 0;
    const applyAll = () => {
      for (const { frame, entry } of parsed) {
        if (this.#apply(frame, entry, verified?.has(frame) ?? false)) applied += 1;
      }
    };
    if (parsed.length > 1 && this.engine.applyRemoteBatch) this.engine.applyRemoteBatch(applyAll);
    else applyAll();
    if (applied > 0) this.emit('remote-change', { entries: applied });
    this.#reportGaps();
  }

  /**
   * The frames of a batch whose signature holds, checking as few as
   * possible: per author, from the highest counter down, an entry either is
   * vouched for by the verified entry after it (`chainedEntry`: that entry's
   * signed header names this one's hash) or has its own signature checked.
   * A fresh reader of an unbroken run of an author's entries checks one
   * signature, not one per entry. Frames left out are checked (and refused)
   * one by one as before.
   */
  #verifyChains(parsed: readonly { frame: Uint8Array; entry: ParsedEntry }[]): Set<Uint8Array> {
    const byAuthor = new Map<DeviceId, { frame: Uint8Array; entry: ParsedEntry }[]>();
    for (const item of parsed) {
      const author = item.entry.header.author;
      if (this.#counters.has(author, item.entry.header.counter)) continue; // skipped by #apply anyway
      let list = byAuthor.get(author);
      if (!list) byAuthor.set(author, (list = []));
      list.push(item);
    }
    const verified = new Set<Uint8Array>();
    for (const list of byAuthor.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => b.entry.header.counter - a.entry.header.counter);
      let later: ParsedEntry | null = null;
      for (const item of list) {
        const vouched = later !== null && chainedEntry(later, item);
        if (vouched || this.#sealer.verifySignature(item.entry)) {
          verified.add(item.frame);
          later = item.entry;
        } else {
          later = null;
        }
      }
    }
    return verified;
  }

  /** Returns true when content was applied. `signatureVerified`: see {@link #verifyChains}. */
  #apply(frame: Uint8Array, entry: ParsedEntry, signatureVerified = false): boolean {
    const { header } = entry;
    const rejectAs = (reason: EntryRejection, message: string): false => {
      this.#track(frame, { bytes: frame.length, parsed: entry, state: 'rejected' });
      this.#reject({ reason, message, author: header.author, counter: header.counter });
      return false;
    };
    const opened = this.#sealer.open(entry, {
      kinds: [EntryKind.Update, EntryKind.Snapshot],
      writes: true,
      signatureVerified,
    });
    if (!opened.ok) {
      if (!opened.waits) return rejectAs(opened.reason, opened.message);
      // Waits for the device, epoch or role to become known (trustDevice/retryPending after a refresh).
      this.#track(frame, { bytes: frame.length, parsed: entry, state: 'pending' });
      this.#pendingDevices.push(frame);
      // A non-writer's entry is reported once: re-reading it after each refresh does not ask again.
      const again = opened.reason === EntryRejection.NotAWriter && this.#notWriters.has(frame);
      this.#notWriters.add(frame);
      if (!again) {
        this.#reject({
          reason: opened.reason,
          message: opened.message,
          author: header.author,
          counter: header.counter,
        });
      }
      return false;
    }
    const { plaintext } = opened;
    if (this.#counters.has(header.author, header.counter)) {
      // Already applied (a replay, or covered by a snapshot): harmless, ignored.
      this.#track(frame, { bytes: frame.length, parsed: entry, header, state: 'applied' });
      return false;
    }
    try {
      this.engine.applyRemote(plaintext);
    } catch {
      this.#track(frame, { bytes: frame.length, parsed: entry, state: 'rejected' });
      this.#reject({
        reason: 'content-invalid',
        message: 'a verified entry held content the editor could not apply',
        author: header.author,
        counter: header.counter,
      });
      return false;
    }
    this.#counters.add(header.author, header.counter);
    if (header.author === this.#device.id && header.counter > (this.#lastOwn?.counter ?? 0)) {
      // This device's own entry, read back (a reload): the next one it seals names it.
      this.#lastOwn = { counter: header.counter, hash: entryHash(frame) };
    }
    // Refused while its author's role was unknown, read now (a refreshed membership).
    if (this.#refused.size > 0) this.#refused.delete(refusalKey({ reason: EntryRejection.NotAWriter, ...header }));
    if (header.kind === EntryKind.Snapshot) {
      this.#counters.cover(header.coverage);
      this.#lastSnapshotBytes = frame.length;
    }
    this.#track(frame, { bytes: frame.length, parsed: entry, header, state: 'applied' });
    if (header.kind === EntryKind.Snapshot && this.#erased.size > 0) this.#forgetCovered(header);
    return true;
  }

  /** Erased entries a snapshot that just came in keeps after all. */
  #forgetCovered(snapshot: EntryFacts): void {
    for (const [author, counters] of this.#erased) {
      for (const counter of counters) {
        if (coversEntry(snapshot, { kind: EntryKind.Update, author, counter, coverage: new Map() }))
          counters.delete(counter);
      }
      if (counters.size === 0) this.#erased.delete(author);
    }
  }

  #reject(event: EntryRejectedEvent): void {
    // Waiting for a key or a device is not a verdict (a refresh brings them); everything else is kept to show.
    if (event.reason !== EntryRejection.UnknownDevice && event.reason !== EntryRejection.UnknownEpoch) {
      if (this.#refused.size < MAX_REFUSED_KEPT) this.#refused.set(refusalKey(event), event);
    }
    this.emit('entry-rejected', event);
  }

  /**
   * What this replica could not take as it is, for a person to see: the
   * counters missing per author (gaps below the highest seen, and entries
   * deleted with no snapshot keeping them), and the entries refused (not a
   * writer's, forged, tampered, of another document; at most
   * {@link MAX_REFUSED_KEPT}). Entries that only wait for a key or a device
   * are not listed.
   */
  get integrity(): EnvelopeIntegrity {
    return { missing: this.#missing(), refused: [...this.#refused.values()] };
  }

  #missing(): Map<DeviceId, number[]> {
    const gaps = this.#counters.gaps();
    for (const [author, counters] of this.#erased) {
      const missing = new Set([...(gaps.get(author) ?? []), ...counters]);
      gaps.set(
        author,
        [...missing].sort((a, b) => a - b),
      );
    }
    return gaps;
  }

  #reportGaps(): void {
    const gaps = this.#missing();
    if (gaps.size > 0 || this.#lastGapCount > 0) this.emit('incomplete', gaps);
    this.#lastGapCount = gaps.size;
  }
}

/** Whether a snapshot includes an entry (for a snapshot: everything that one included). */
function coversEntry(snapshot: EntryFacts, entry: EntryFacts): boolean {
  if ((snapshot.coverage.get(entry.author) ?? 0) < entry.counter) return false;
  if (entry.kind !== EntryKind.Snapshot) return true;
  for (const [author, counter] of entry.coverage) if ((snapshot.coverage.get(author) ?? 0) < counter) return false;
  return true;
}
