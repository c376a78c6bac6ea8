import * as Y from 'yjs';
import { formatDocumentName } from '@coffre/protocol';
import { EnvelopeStore, WebStorageJournal } from '@coffre/storage';
import { Emitter } from '../Emitter.ts';
import {
  type EncryptedDocumentEvents,
  type EncryptedDocumentOptions,
  type PresencePeer,
  type SyncStatus,
  EncryptedDocument,
} from '../EncryptedDocument.ts';
import { type EnvelopeIntegrity, EncryptedEnvelope } from '../EncryptedEnvelope.ts';
import type { ContentEngine } from '../engines/ContentEngine.ts';
import { type SealingJournal, MemorySealingJournal } from '../SealingJournal.ts';
import type { VersionHistory } from '../VersionHistory.ts';
import type { HeadsStatus } from '../SyncHeads.ts';
import type { DeviceDirectory } from '../keys.ts';
import { electTabWriter } from './electTabWriter.ts';
import { PageHideRescue } from './PageHideRescue.ts';
import { requestPersistentStorage } from './requestPersistentStorage.ts';
import { TabChannel } from './TabChannel.ts';
import type { TabMessage } from './tabMessages.ts';

/** This tab seals and syncs the document (`writer`), or hands its edits to the tab that does (`follower`). */
export type TabRole = 'starting' | 'writer' | 'follower';

export interface LocalDocumentEvents extends EncryptedDocumentEvents {
  role: TabRole;
}

export interface LocalDocumentOptions<E extends ContentEngine> extends Omit<
  EncryptedDocumentOptions<E>,
  'envelope' | 'local' | 'journal'
> {
  /** Elects one writer per document and device among tabs (default `navigator.locks`). */
  locks?: LockManager;
  /** Default: `localStorage` when there is one, else memory. Tabs of one device must share it. */
  journal?: SealingJournal;
  /** Compact the stored updates after this many (see {@link EnvelopeStore}). */
  compactAfter?: number;
  /** Where `pagehide` and `visibilitychange` fire (default the window, when there is one). */
  lifecycle?: EventTarget;
  /**
   * Synchronous storage for what IndexedDB may not have committed when the
   * page goes away (default `localStorage`): ciphertext only, applied and
   * removed when the document opens again.
   */
  rescue?: Storage;
}

const FROM_OTHER_TAB = Symbol('coffre-other-tab');
const FORWARDED_EVENTS = [
  'status',
  'error',
  'entry-rejected',
  'incomplete',
  'remote-change',
  'presence',
  'heads',
  'access-changed',
  'presence-unknown',
] as const;

/**
 * A document as the app opens it on a device: it opens from IndexedDB with
 * no network (the envelope, ciphertext only, lives in an {@link EnvelopeStore}),
 * syncs through the relay, and stays consistent across tabs.
 *
 * One device has one sequence of entry counters per document, so only one
 * tab may seal: tabs elect a writer with Web Locks. The writer owns the
 * store and the relay connection; other tabs are followers that receive the
 * envelope over a BroadcastChannel and hand their edits to the writer, which
 * seals them. When the writer's tab closes, a follower takes over (and
 * re-hands any edit the writer had not confirmed).
 *
 * @example
 * const document = new LocalDocument({ address, engine: new YjsEngine(), device, keyring, devices, url, token });
 * await document.whenLoaded(); // from the device, even offline
 */
export class LocalDocument<E extends ContentEngine = ContentEngine> extends Emitter<LocalDocumentEvents> {
  readonly engine: E;
  readonly envelope = new Y.Doc();
  readonly #options: LocalDocumentOptions<E>;
  readonly #journal: SealingJournal;
  readonly #channel: TabChannel;
  readonly #rescue: PageHideRescue;
  readonly #abort = new AbortController();
  /** Tells this tab's hand-overs apart from other followers'. */
  readonly #tabId = Math.random().toString(36).slice(2);
  #role: TabRole = 'starting';
  #writer: { document: EncryptedDocument<E>; store: EnvelopeStore } | null = null;
  #follower: EncryptedEnvelope<E> | null = null;
  #released: () => void = () => undefined;
  #loaded = false;
  #status: SyncStatus = { state: 'connecting', unsaved: 0 };
  #presence: PresencePeer[] = [];
  #heads: HeadsStatus = { state: 'alone', peers: 0, missing: [], unseen: [] };
  /** Edits handed to the writer and not yet confirmed sealed, by message id. */
  #handedOver = new Map<number, Uint8Array>();
  #nextHandOver = 1;
  #handOverScheduled = false;
  #offline = false;
  #destroyed = false;
  #unsubscribers: (() => void)[] = [];

  constructor(options: LocalDocumentOptions<E>) {
    super();
    this.#options = options;
    this.engine = options.engine;
    this.#journal = options.journal ?? defaultJournal(options);
    const name = `coffre:${formatDocumentName(options.address)}:${options.device.id}`;
    this.#channel = new TabChannel(name, (message) => this.#onTabMessage(message));
    this.envelope.on('update', this.#onEnvelopeUpdate);
    this.#unsubscribers.push(this.engine.onLocalChange(this.#onLocalChange));
    this.#rescue = new PageHideRescue({
      key: `coffre:rescue:${formatDocumentName(options.address)}:${options.device.id}`,
      storage: options.rescue ?? (typeof localStorage === 'undefined' ? undefined : localStorage),
      lifecycle: options.lifecycle ?? (typeof window === 'undefined' ? undefined : window),
      onHide: () => this.#onPageHide(),
    });
    electTabWriter(
      options.locks ?? (typeof navigator === 'undefined' ? undefined : navigator.locks),
      name,
      this.#abort.signal,
      { writer: () => this.#becomeWriter(), follower: () => this.#becomeFollower() },
    );
  }

  get role(): TabRole {
    return this.#role;
  }

  /**
   * The connected document, in the writer tab only (null in a follower or
   * before a role): for what needs the relay's own sync, such as
   * `catchUpWithRelay` before the Drive's garbage collection.
   */
  get connected(): EncryptedDocument<E> | null {
    return this.#writer?.document ?? null;
  }

  get status(): SyncStatus {
    const own = this.#writer?.document.status ?? this.#status;
    const handing = this.#handedOver.size + (this.#handOverScheduled ? 1 : 0);
    if (handing === 0) return own;
    return { state: own.state === 'saved' ? 'syncing' : own.state, unsaved: own.unsaved + handing };
  }

  /** Missing and refused entries, as this tab's replica sees them (see `EncryptedEnvelope.integrity`). */
  get integrity(): EnvelopeIntegrity {
    return (this.#writer?.document.envelope ?? this.#follower)?.integrity ?? { missing: new Map(), refused: [] };
  }

  /** Saved versions (the envelope's `versions`, synced to every tab); null until this tab has a role. */
  get history(): VersionHistory | null {
    return this.#writer?.document.history ?? this.#follower?.history ?? null;
  }

  get presence(): PresencePeer[] {
    return this.#writer?.document.presence ?? this.#presence;
  }

  /** What peers' signed heads say (see `EncryptedDocument.heads`), as the writer tab sees it. */
  get heads(): HeadsStatus {
    return this.#writer?.document.heads ?? this.#heads;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** True once {@link destroy} was called. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Resolves once the content can be shown: from this device (even offline), another tab, or the relay. */
  whenLoaded(): Promise<void> {
    if (this.#loaded) return Promise.resolve();
    return this.once('loaded');
  }

  /** Resolves once every change of this tab is committed by the relay. */
  async whenSaved(): Promise<void> {
    await this.whenLoaded();
    this.flush();
    // A follower waits for the writer's word; it may become the writer meanwhile.
    while (this.#role !== 'writer' && (this.status.state !== 'saved' || this.status.unsaved > 0)) {
      await this.once('status');
    }
    await this.#writer?.document.whenSaved();
  }

  /** Publishes this user's presence, sealed (shown by the writer tab's connection). */
  setPresence(state: unknown): void {
    this.#writer?.document.setPresence(state);
  }

  /**
   * Gives the document the keys and devices it lacked, e.g. from a new
   * `Workspace.documentAccess` after an `entry-rejected` event for an
   * unknown epoch or device (another device of a member, a rotated key):
   * the entries that waited for them are read now.
   */
  refreshAccess(keys: Iterable<readonly [number, Uint8Array]>, devices?: DeviceDirectory): void {
    for (const [epoch, key] of keys) if (!this.#options.keyring.get(epoch)) this.#options.keyring.add(epoch, key);
    if (devices) this.#options.devices.update(devices);
    this.#writer?.document.envelope.retryPending();
    this.#follower?.retryPending();
  }

  /** Goes offline: edits are still stored on the device and sent on {@link connect}. */
  disconnect(): void {
    this.#offline = true;
    if (this.#writer) this.#writer.document.disconnect();
    else this.#post({ type: 'network', online: false });
  }

  connect(): void {
    this.#offline = false;
    if (this.#writer) this.#writer.document.connect();
    else this.#post({ type: 'network', online: true });
  }

  /** Seals what is pending now and starts writing it to IndexedDB (on pagehide there is no later). */
  flush(): void {
    if (this.#writer) this.#writer.document.envelope.flush();
    else this.#handOver();
  }

  /**
   * The page is going away: seal now, and since a closing page may lose
   * IndexedDB writes still in flight, hand {@link PageHideRescue} what
   * IndexedDB has not confirmed (sealed entries, so ciphertext only).
   */
  #onPageHide(): Uint8Array | null {
    this.flush();
    const store = this.#writer?.store;
    return store?.loaded ? store.uncommitted() : null;
  }

  /** Applies what a previous page kept when it closed (see {@link #onPageHide}). */
  #recover(): void {
    const saved = this.#rescue.take();
    if (!saved) return;
    try {
      Y.applyUpdate(this.envelope, saved);
    } catch {
      // Not a Yjs update: dropped, the relay and IndexedDB hold the rest.
    }
  }

  /** Closes the document in this tab; what it sealed stays on the device. Another tab may take over. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.flush();
    this.#destroyed = true;
    this.#abort.abort();
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#rescue.destroy();
    this.envelope.off('update', this.#onEnvelopeUpdate);
    this.#channel.close();
    this.#follower?.destroy();
    const writer = this.#writer;
    this.#writer = null;
    if (writer) {
      writer.document.destroy();
      await writer.store.destroy();
    }
    this.#released();
    this.removeAllListeners();
  }

  /** Holds the writer lock until this tab closes the document. */
  #becomeWriter(): Promise<void> {
    if (this.#destroyed) return Promise.resolve();
    const held = new Promise<void>((resolve) => (this.#released = resolve));
    this.#follower?.destroy();
    this.#follower = null;
    const store = new EnvelopeStore({
      address: this.#options.address,
      envelope: this.envelope,
      ...(this.#options.compactAfter ? { compactAfter: this.#options.compactAfter } : {}),
    });
    const encrypted = new EncryptedDocument({
      ...this.#options,
      envelope: this.envelope,
      local: {
        whenLoaded: async () => {
          await store.whenLoaded();
          this.#recover();
        },
      },
      journal: this.#journal,
    });
    this.#writer = { document: encrypted, store };
    for (const event of FORWARDED_EVENTS) encrypted.on(event, (payload) => this.emit(event, payload));
    encrypted.on('status', (value) => this.#post({ type: 'status', value }));
    encrypted.on('presence', (value) => this.#post({ type: 'presence', value }));
    encrypted.on('heads', (value) => this.#post({ type: 'heads', value }));
    encrypted.on('loaded', () => this.#markLoaded());
    if (this.#offline) encrypted.disconnect();
    // Edits a previous writer may not have sealed are sealed again (harmless if it had).
    for (const update of this.#handedOver.values()) this.engine.queueLocalChange(update);
    this.#handedOver.clear();
    this.#setRole('writer');
    void requestPersistentStorage();
    void encrypted
      .whenLoaded()
      .then(() => this.#post({ type: 'envelope', update: Y.encodeStateAsUpdate(this.envelope) }));
    return held;
  }

  #becomeFollower(): void {
    if (this.#destroyed || this.#writer) return;
    this.#follower = new EncryptedEnvelope({ ...this.#options, envelope: this.envelope, sealing: false });
    this.#follower.on('entry-rejected', (payload) => this.emit('entry-rejected', payload));
    this.#follower.on('incomplete', (payload) => this.emit('incomplete', payload));
    this.#follower.on('remote-change', (payload) => this.emit('remote-change', payload));
    this.#setRole('follower');
    this.#post({ type: 'hello' });
  }

  #onTabMessage(message: TabMessage): void {
    if (this.#destroyed) return;
    const writer = this.#writer;
    switch (message.type) {
      case 'hello':
        if (writer?.document.loaded) {
          this.#post({ type: 'envelope', update: Y.encodeStateAsUpdate(this.envelope) });
          this.#post({ type: 'status', value: writer.document.status });
          this.#post({ type: 'presence', value: writer.document.presence });
          this.#post({ type: 'heads', value: writer.document.heads });
        }
        return;
      case 'envelope':
        if (writer) return;
        Y.applyUpdate(this.envelope, message.update, FROM_OTHER_TAB);
        this.#markLoaded();
        return;
      case 'edit':
        if (!writer) return;
        this.engine.queueLocalChange(message.update);
        writer.document.envelope.flush();
        this.#post({ type: 'sealed', id: message.id, tab: message.tab });
        return;
      case 'sealed':
        if (message.tab === this.#tabId && this.#handedOver.delete(message.id)) this.emit('status', this.status);
        return;
      case 'status':
        if (writer) return;
        this.#status = message.value;
        this.emit('status', this.status);
        return;
      case 'network':
        // Another instance of this document (a tab, or a reader in this one) saw the browser go offline or back.
        if (!writer) return;
        this.#offline = !message.online;
        if (message.online) writer.document.connect();
        else writer.document.disconnect();
        return;
      case 'heads':
        if (writer) return;
        this.#heads = message.value;
        this.emit('heads', message.value);
        return;
      case 'presence':
        if (writer) return;
        this.#presence = message.value;
        this.emit('presence', message.value);
        return;
    }
  }

  #onEnvelopeUpdate = (update: Uint8Array, origin: unknown): void => {
    if (this.#writer && origin !== FROM_OTHER_TAB) this.#post({ type: 'envelope', update });
  };

  #onLocalChange = (): void => {
    if (this.#role === 'writer' || this.#handOverScheduled) return;
    this.#handOverScheduled = true;
    queueMicrotask(() => this.#handOver());
  };

  /** Sends this follower's edits to the writer tab, which seals them. */
  #handOver(): void {
    this.#handOverScheduled = false;
    if (this.#writer || this.#destroyed) return;
    const update = this.engine.takeLocalChanges();
    if (!update) return;
    const id = this.#nextHandOver;
    this.#nextHandOver += 1;
    this.#handedOver.set(id, update);
    this.#post({ type: 'edit', id, tab: this.#tabId, update });
    this.emit('status', this.status);
  }

  #markLoaded(): void {
    if (this.#loaded) return;
    this.#loaded = true;
    this.emit('loaded', undefined);
  }

  #setRole(role: TabRole): void {
    this.#role = role;
    this.emit('role', role);
  }

  #post(message: TabMessage): void {
    if (!this.#destroyed) this.#channel.post(message);
  }
}

function defaultJournal<E extends ContentEngine>(options: LocalDocumentOptions<E>): SealingJournal {
  const storage = typeof localStorage === 'undefined' ? undefined : localStorage;
  return storage ? new WebStorageJournal(storage, options.address, options.device.id) : new MemorySealingJournal();
}
