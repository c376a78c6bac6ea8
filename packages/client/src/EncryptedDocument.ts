import * as Y from 'yjs';
import type { HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import {
  type DeviceId,
  ErrorCode,
  ERROR_MESSAGES,
  ACCESS_CHANGED,
  STATE_VECTOR_REQUEST,
  formatDocumentName,
  isErrorCode,
  parseStateVectorAnswer,
} from '@coffre/protocol';
import { Emitter } from './Emitter.ts';
import {
  type EncryptedEnvelopeOptions,
  type EntryRejectedEvent,
  type EnvelopeIntegrity,
  EncryptedEnvelope,
} from './EncryptedEnvelope.ts';
import type { ContentEngine } from './engines/ContentEngine.ts';
import { type PresencePeer, PresenceChannel } from './PresenceChannel.ts';
import { SaveTracker } from './SaveTracker.ts';
import type { HeadsStatus } from './SyncHeads.ts';
import type { VersionHistory } from './VersionHistory.ts';
import { type SealingJournal, MemorySealingJournal } from './SealingJournal.ts';
import { HocuspocusTransport } from './transport/HocuspocusTransport.ts';
import type { SyncTransport, SyncTransportFactory } from './transport/SyncTransport.ts';

/*
 * One piece, though long: what "saved" means for one open document. The
 * relay's acknowledgements, the check that they are really in its state,
 * the device's journal of sealed and saved counters, the local copy's
 * loading and the connection's status meet here, and the status a person
 * sees is computed from all of them at once. The envelope, the sealer,
 * presence and the transport are separate modules.
 */

/** The shortest time between two questions for the relay's state vector (see `#confirm`). */
const CONFIRM_INTERVAL_MS = 100;

export type SyncState = 'offline' | 'connecting' | 'syncing' | 'saved';

export interface SyncStatus {
  state: SyncState;
  /** Changes not yet committed by the relay (sealed and unsealed). */
  unsaved: number;
}

export interface DocumentError {
  /** A relay error code, or LOCAL_STORE_FAILED when this device's own storage failed. */
  code: ErrorCode | 'LOCAL_STORE_FAILED';
  message: string;
}

export type { PresencePeer } from './PresenceChannel.ts';

export interface EncryptedDocumentEvents extends Record<string, unknown> {
  status: SyncStatus;
  /** The relay refused something, in words a user understands. */
  error: DocumentError;
  'entry-rejected': EntryRejectedEvent;
  incomplete: Map<DeviceId, number[]>;
  'remote-change': { entries: number };
  presence: PresencePeer[];
  /** What peers' signed heads say about what the relay delivers (see {@link EncryptedDocument.heads}). */
  heads: HeadsStatus;
  /** The document's content is available: loaded from the device, or from the relay when there is no local copy. */
  loaded: undefined;
  /** The relay says the document's key was rotated: fetch its access again (see `ACCESS_CHANGED`). */
  'access-changed': undefined;
  /** Presence came from a device or key epoch not known yet: fetch the document's access again. */
  'presence-unknown': { author: DeviceId; epoch: number };
}

/** The device's own copy of the envelope (IndexedDB in @coffre/storage). */
export interface LocalEnvelopeSource {
  /** Resolves once what the device stored has been applied to the envelope Y.Doc. */
  whenLoaded(): Promise<void>;
}

export interface EncryptedDocumentOptions<E extends ContentEngine> extends EncryptedEnvelopeOptions<E> {
  /** Relay WebSocket URL, e.g. ws://127.0.0.1:8787/sync. Ignored when `websocket` or `transport` is given. */
  url?: string;
  /** A shared socket, to multiplex several documents over one connection. */
  websocket?: HocuspocusProviderWebsocket;
  /** The access token, or how to get a fresh one (not used with `transport`). */
  token?: string | (() => Promise<string>);
  /** WebSocket implementation for runtimes without a global one. */
  WebSocketPolyfill?: unknown;
  /** Another way to the relay than Hocuspocus over a WebSocket (an in-memory relay in tests). */
  transport?: SyncTransportFactory;
  /**
   * The device's copy of `envelope` (pass the same Y.Doc as `envelope`): the
   * document opens from it with no network, edits are sealed as soon as it
   * is loaded, and the relay is asked only for what the device lacks.
   */
  local?: LocalEnvelopeSource;
  /** This device's sealing progress, kept across sessions (required for `local` to be safe across crashes). */
  journal?: SealingJournal;
  /** Publish this device's signed heads in presence at most this often (default 1 s; 0: never). */
  headsIntervalMs?: number;
  /** A difference between peers' heads and this device's is reported once it lasts this long (default 5 s). */
  headsGraceMs?: number;
}

type LocalState = 'none' | 'loading' | 'loaded' | 'failed';

/**
 * An end-to-end-encrypted document synced through a Coffre relay: an
 * {@link EncryptedEnvelope} over a {@link SyncTransport} (Hocuspocus by default). The relay only ever
 * receives sealed entries and sealed presence.
 *
 * @example
 * const engine = new YjsEngine();
 * const document = new EncryptedDocument({ address, engine, device, keyring, devices, url, token });
 * await document.whenSynced();
 * engine.doc.getText('body').insert(0, 'Hello');
 * await document.whenSaved();
 */
export class EncryptedDocument<E extends ContentEngine = ContentEngine> extends Emitter<EncryptedDocumentEvents> {
  readonly envelope: EncryptedEnvelope<E>;
  /** The connection to the relay (`HocuspocusTransport` unless another was given). */
  readonly transport: SyncTransport;
  #state: SyncState = 'connecting';
  #synced = false;
  readonly #presence: PresenceChannel;
  #destroyed = false;
  #local: LocalState;
  readonly #journal: SealingJournal;
  readonly #saves: SaveTracker;
  /**
   * The highest counter of this device's entries found in the relay's state
   * (its state vector, asked for after acknowledgements): "saved" means this,
   * not only acknowledged. Kept in the journal as `saved`.
   */
  #confirmed: number;
  /** This device's highest counter when the relay was last asked for its state vector; null when no answer is awaited. */
  #confirming: number | null = null;
  /** The acknowledged counter last reported as missing from the relay's state (reported once). */
  #reportedMissing = 0;
  /** An acknowledgement or a sync came while a question was out: ask again after its answer. */
  #confirmAgain = false;
  #confirmRetry: ReturnType<typeof setTimeout> | null = null;
  /** When `#confirmRetry` fires (`performance.now()`): a sooner question replaces it (see `#confirmIn`). */
  #confirmRetryAt = Infinity;
  #confirmAttempts = 0;
  /** When the last question was sent (`performance.now()`): questions go at most every {@link CONFIRM_INTERVAL_MS}. */
  #lastAsked = -Infinity;
  /** A connection opened: the provider's next count of 1 is its sync restarting. */
  #restarting = false;

  constructor(options: EncryptedDocumentOptions<E>) {
    super();
    this.envelope = new EncryptedEnvelope({ ...options, sealing: false });
    this.#journal = options.journal ?? new MemorySealingJournal();
    this.#confirmed = this.#journal.read().saved;
    this.#saves = new SaveTracker(this.#confirmed);
    this.#local = options.local ? 'loading' : 'none';
    const target = { name: formatDocumentName(options.address), envelope: this.envelope.envelope };
    this.transport =
      options.transport?.(target) ??
      new HocuspocusTransport(target, {
        url: options.url,
        websocket: options.websocket,
        token: options.token ?? '',
        WebSocketPolyfill: options.WebSocketPolyfill,
      });

    this.envelope.on('entry-rejected', (event) => this.emit('entry-rejected', event));
    this.envelope.on('incomplete', (gaps) => this.emit('incomplete', gaps));
    this.envelope.on('presence-unknown', (event) => this.emit('presence-unknown', event));
    this.#presence = new PresenceChannel({
      envelope: this.envelope,
      awareness: this.transport.awareness,
      confirmed: () => this.#confirmed,
      headsIntervalMs: options.headsIntervalMs,
      headsGraceMs: options.headsGraceMs,
      onPeers: (peers) => this.emit('presence', peers),
      onHeads: (status) => this.emit('heads', status),
    });
    this.envelope.on('remote-change', (event) => {
      this.emit('remote-change', event);
      this.#presence.changed();
    });
    this.envelope.on('sealed', ({ counter }) => {
      // Recorded before the entry can leave the device (the provider sends it after this transaction).
      // Only one envelope seals for this device at a time, so its counter is the journal's truth.
      this.#journal.write({ sealed: counter, saved: this.#confirmed });
      this.#emitStatus();
      this.#presence.changed();
    });
    this.envelope.engine.onLocalChange(() => this.#emitStatus());

    this.transport.on('synced', () => {
      if (!this.#synced) {
        this.#synced = true;
        if (this.#local !== 'loaded') this.emit('loaded', undefined);
        this.#maybeStartSealing();
      }
      this.#confirm();
      this.#emitStatus();
    });
    this.transport.on('open', () => {
      this.#restarting = true;
      this.#confirming = null; // an answer of the closed connection will not come
      this.#clearConfirmRetry(); // the coming sync asks
      this.#presence.reconnecting();
    });
    this.transport.on('unsynced', (number) => {
      const own = this.envelope.ownCounter;
      if (this.#restarting && number === 1) this.#saves.restart(own);
      else this.#saves.update(number, own);
      this.#restarting = false;
      this.#confirm();
      this.#emitStatus();
    });
    this.transport.on('stateless', (payload) => this.#onStateless(payload));
    this.transport.on('status', (status) => {
      this.#state = status === 'connected' ? 'syncing' : status === 'connecting' ? 'connecting' : 'offline';
      this.#emitStatus();
    });
    this.transport.on('refused', ({ reason }) => this.#fail(reason));

    if (!options.local) {
      this.transport.attach();
      return;
    }
    // The relay is asked only once the local copy is in: it then sends only what the device lacks.
    options.local.whenLoaded().then(
      () => this.#localDone('loaded'),
      (error: unknown) => {
        this.emit('error', {
          code: 'LOCAL_STORE_FAILED',
          message: `This device could not read its saved copy of the document, so it is loaded from the relay instead (${error instanceof Error ? error.message : String(error)}).`,
        });
        this.#localDone('failed');
      },
    );
  }

  #localDone(state: 'loaded' | 'failed'): void {
    if (this.#destroyed) return;
    this.#local = state;
    if (state === 'loaded') this.emit('loaded', undefined);
    this.transport.attach();
    this.#maybeStartSealing();
    this.#emitStatus();
  }

  /**
   * Seals once this device's next counter is known: from its local copy when
   * that holds every entry the journal says it sealed, else from the relay.
   */
  #maybeStartSealing(): void {
    if (this.envelope.sealing || this.#destroyed || this.#local === 'loading') return;
    const localComplete = this.#local === 'loaded' && this.#journal.read().sealed <= this.envelope.ownCounter;
    if (this.#synced || localComplete) this.envelope.startSealing();
  }

  #writeSaved(): void {
    this.#journal.write({ sealed: this.#journal.read().sealed, saved: this.#confirmed });
  }

  /**
   * Once the relay acknowledged everything sent, asks for its state vector
   * (one question at a time, and again only when more was sealed since).
   */
  #confirm(): void {
    if (this.#destroyed || !this.#synced || this.transport.unsyncedChanges > 0) return;
    const own = this.envelope.ownCounter;
    if (own <= this.#confirmed) return;
    if (this.#confirming !== null) {
      // Something happened since the question (an acknowledgement, a sync): its answer may predate it.
      this.#confirmAgain = true;
      return;
    }
    // While someone types, one question per interval covers every keystroke acknowledged meanwhile.
    const wait = this.#lastAsked + CONFIRM_INTERVAL_MS - performance.now();
    if (wait > 0) {
      this.#confirmIn(wait);
      return;
    }
    this.#clearConfirmRetry();
    this.#confirming = own;
    this.#confirmAgain = false;
    this.#lastAsked = performance.now();
    this.transport.sendStateless(STATE_VECTOR_REQUEST);
  }

  /** Asks in `delay` ms, or sooner if a timer armed earlier fires first: one timer, at the earlier time. */
  #confirmIn(delay: number): void {
    const at = performance.now() + delay;
    // A throttled question (due within the interval) must not wait behind a backoff retry of up to 5 s.
    if (this.#confirmRetry !== null && this.#confirmRetryAt <= at) return;
    this.#clearConfirmRetry();
    this.#confirmRetryAt = at;
    this.#confirmRetry = setTimeout(() => {
      this.#confirmRetry = null;
      this.#confirmRetryAt = Infinity;
      this.#confirm();
    }, delay);
  }

  /**
   * Asks again later while the relay's state lacks this device's entries and
   * nothing else would ask: the relay answers from the state it had when it
   * read the question, which a sync message sent after it may complete.
   * Backs off from 100 ms to 5 s.
   */
  #confirmLater(): void {
    if (this.#confirmRetry !== null) return;
    this.#confirmIn(Math.min(5_000, 100 * 2 ** this.#confirmAttempts));
    this.#confirmAttempts += 1;
  }

  #clearConfirmRetry(): void {
    if (this.#confirmRetry === null) return;
    clearTimeout(this.#confirmRetry);
    this.#confirmRetry = null;
    this.#confirmRetryAt = Infinity;
  }

  #onStateless(payload: string): void {
    if (payload === ACCESS_CHANGED) {
      if (!this.#destroyed) this.emit('access-changed', undefined);
      return;
    }
    const answer = parseStateVectorAnswer(payload);
    if (!answer || this.#destroyed) return;
    const asked = this.#confirming ?? 0;
    this.#confirming = null;
    let stateVector: Map<number, number>;
    try {
      stateVector = Y.decodeStateVector(answer.stateVector);
    } catch {
      return;
    }
    const confirmed = this.envelope.confirmedCounter(stateVector);
    if (confirmed > this.#confirmed) {
      this.#confirmed = confirmed;
      this.#confirmAttempts = 0;
      this.#writeSaved();
      this.#presence.changed();
    }
    const acknowledged = this.#saves.saved;
    if (acknowledged > confirmed && acknowledged > this.#reportedMissing) {
      // The relay said these were stored, yet its state lacks them: never show them as saved.
      this.#reportedMissing = acknowledged;
      this.emit('error', { code: ErrorCode.NotStored, message: ERROR_MESSAGES[ErrorCode.NotStored] });
    }
    this.#emitStatus();
    if (this.envelope.ownCounter > asked || this.#confirmAgain) this.#confirm();
    else if (confirmed < asked) this.#confirmLater();
  }

  get engine(): E {
    return this.envelope.engine;
  }

  /** What could not be taken as it is: missing and refused entries (see `EncryptedEnvelope.integrity`). */
  get integrity(): EnvelopeIntegrity {
    return this.envelope.integrity;
  }

  /** Saved versions of the content: list, view, restore (see {@link VersionHistory}). */
  get history(): VersionHistory {
    return this.envelope.history;
  }

  /** True once {@link destroy} was called. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  get status(): SyncStatus {
    // Before this session reached the relay, what earlier sessions sealed but the relay never confirmed counts too.
    const unconfirmed = this.transport.unsyncedChanges;
    // Acknowledged is not enough: an entry counts as saved once found in the relay's state.
    const unverified = Math.max(0, this.envelope.ownCounter - this.#confirmed);
    const unsaved = Math.max(unconfirmed, unverified) + (this.envelope.hasPendingChanges ? 1 : 0);
    if (this.#state !== 'syncing') return { state: this.#state, unsaved };
    return { state: this.#synced && unsaved === 0 ? 'saved' : 'syncing', unsaved };
  }

  /** True once the content is available (see {@link whenLoaded}). */
  get loaded(): boolean {
    return this.#local === 'loaded' || this.#synced;
  }

  /** Peers' decrypted presence states; forged or stale ones are left out. */
  get presence(): PresencePeer[] {
    return this.#presence.peers;
  }

  /** Resolves once the content can be shown: from the device's copy, or from the relay when there is none. */
  whenLoaded(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.on('loaded', () => {
        off();
        resolve();
      });
    });
  }

  /** Resolves once the envelope has been loaded from the relay. */
  whenSynced(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.on('status', () => {
        if (this.#synced) {
          off();
          resolve();
        }
      });
    });
  }

  /** Seals pending changes and resolves when the relay has committed every one of them. */
  async whenSaved(): Promise<void> {
    await this.whenSynced();
    this.envelope.flush();
    if (this.status.unsaved === 0) return;
    await new Promise<void>((resolve) => {
      const off = this.on('status', (status) => {
        if (status.unsaved === 0 && status.state === 'saved') {
          off();
          resolve();
        }
      });
    });
  }

  /** Goes offline: edits are still sealed into the envelope and sent on {@link connect}. */
  disconnect(): void {
    this.transport.disconnect();
  }

  /** Goes back online; safe right after {@link disconnect}, while the old socket is still closing. */
  connect(): void {
    this.transport.connect();
  }

  /** Publishes this user's presence (name, colour, cursor), sealed with this device's signed heads. */
  setPresence(state: unknown): void {
    this.#presence.set(state);
  }

  /**
   * What the signed heads of everyone online say: `in-sync` when this device
   * has every entry they have and they have every entry of this device the
   * relay holds; `behind`, naming who lacks what, when a difference lasts
   * longer than `headsGraceMs` (the relay may be holding entries back);
   * `alone` when no one else publishes heads. Emitted as `heads`.
   */
  get heads(): HeadsStatus {
    return this.#presence.status;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#clearConfirmRetry();
    this.#presence.destroy();
    this.envelope.destroy();
    this.transport.destroy();
    this.removeAllListeners();
  }

  #fail(reason: string): void {
    const code: ErrorCode = isErrorCode(reason) ? reason : 'FORBIDDEN';
    this.emit('error', { code, message: ERROR_MESSAGES[code] });
  }

  #emitStatus(): void {
    if (this.#destroyed) return;
    this.emit('status', this.status);
  }
}
