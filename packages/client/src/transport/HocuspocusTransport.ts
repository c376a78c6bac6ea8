import { HocuspocusProvider, HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import * as decoding from 'lib0/decoding';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { RETRIED_REFUSALS, isErrorCode } from '@coffre/protocol';
import { Emitter } from '../Emitter.ts';
import type { SyncTransport, SyncTransportEvents, TransportStatus, TransportTarget } from './SyncTransport.ts';

export interface HocuspocusTransportOptions {
  /** Relay WebSocket URL, e.g. ws://127.0.0.1:8787/sync. Ignored when `websocket` is given. */
  url?: string;
  /** A shared socket, to multiplex several documents over one connection (not destroyed with the transport). */
  websocket?: HocuspocusProviderWebsocket;
  token: string | (() => Promise<string>);
  /** WebSocket implementation for runtimes without a global one. */
  WebSocketPolyfill?: unknown;
}

/** The first pause before signing in again to a document the relay closed alone; doubled each time, up to {@link REJOIN_MAX_MS}. */
const REJOIN_FIRST_MS = 500;
const REJOIN_MAX_MS = 30_000;

/**
 * The relay connection of one document over `@hocuspocus/provider`: every
 * place Coffre depends on the provider's behaviour beyond its public API is
 * here (the offline queue it would replay before authenticating, the
 * updates it would send before the sync, the reconnect it ignores while a
 * socket is closing, a document closed alone that it never signs in to again).
 */
export class HocuspocusTransport extends Emitter<SyncTransportEvents> implements SyncTransport {
  readonly provider: HocuspocusProvider;
  readonly #socket: HocuspocusProviderWebsocket;
  readonly #ownsSocket: boolean;
  readonly #envelope: Y.Doc;
  /** Whether the provider's update listener is off the envelope (see {@link #holdUpdates}). */
  #holding = false;
  #rejoinTimer: ReturnType<typeof setTimeout> | null = null;
  /** Refusals since the relay last acknowledged everything: the pause before the next sign-in grows with them. */
  #refusalsInARow = 0;

  constructor(target: TransportTarget, options: HocuspocusTransportOptions) {
    super();
    this.#ownsSocket = !options.websocket;
    this.#socket =
      options.websocket ??
      new HocuspocusProviderWebsocket({ url: options.url ?? '', WebSocketPolyfill: options.WebSocketPolyfill });
    this.provider = new HocuspocusProvider({
      websocketProvider: this.#socket,
      name: target.name,
      document: target.envelope,
      token: options.token,
    });
    this.#envelope = target.envelope;
    this.#holdUpdates();
    this.provider.on('open', () => {
      this.#holdUpdates();
      this.emit('open', undefined);
    });
    this.provider.on('message', ({ event }: { event: MessageEvent }) => {
      if (isSyncStepOne(event.data)) this.#sendUpdates();
    });
    this.provider.on('synced', () => this.emit('synced', undefined));
    this.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      if (number === 0) this.#refusalsInARow = 0;
      this.emit('unsynced', number);
    });
    this.provider.on('stateless', ({ payload }: { payload: string }) => this.emit('stateless', payload));
    this.provider.on('status', ({ status }: { status: string }) =>
      this.emit(
        'status',
        status === 'connected' ? 'connected' : status === 'connecting' ? 'connecting' : 'disconnected',
      ),
    );
    this.provider.on('authenticationFailed', ({ reason }: { reason: string }) => this.emit('refused', { reason }));
    this.provider.on('close', ({ event }: { event: { code: number; reason: string } }) => {
      this.#holdUpdates();
      // A close with a documented code is a refusal; anything else is the network, and the provider reconnects.
      if (!isErrorCode(event.reason)) return;
      this.emit('refused', { reason: event.reason });
      // The socket closing runs the socket's own handler first: still connected means this document alone was closed.
      if (this.#socket.status === WebSocketStatus.Connected && RETRIED_REFUSALS.has(event.reason)) this.#rejoinLater();
    });
    // While the socket is down the provider queues what it sends (presence, questions; updates are held,
    // see #holdUpdates) and sends the queue the moment it reconnects, before the token: past 16 messages
    // the relay drops such a connection. The sign-in that follows sends presence afresh, so the queue can go.
    this.#socket.on('connect', this.#dropQueuedWhileOffline);
  }

  get awareness(): Awareness {
    return this.provider.awareness as Awareness;
  }

  get unsyncedChanges(): number {
    return this.provider.unsyncedChanges;
  }

  get connection(): TransportStatus {
    const status = this.#socket.status;
    return status === WebSocketStatus.Connected
      ? 'connected'
      : status === WebSocketStatus.Connecting
        ? 'connecting'
        : 'disconnected';
  }

  attach(): void {
    this.provider.attach();
  }

  sendStateless(payload: string): void {
    this.provider.sendStateless(payload);
  }

  disconnect(): void {
    this.#socket.disconnect();
  }

  connect(): void {
    const socket = this.#socket;
    const closing =
      socket.status === WebSocketStatus.Connected && socket.webSocket !== null && socket.webSocket.readyState !== 1;
    if (closing) {
      // The provider ignores connect() until the old socket has closed; its close handler reconnects instead.
      socket.shouldConnect = true;
      return;
    }
    void socket.connect();
  }

  destroy(): void {
    if (this.#rejoinTimer !== null) clearTimeout(this.#rejoinTimer);
    this.#socket.off('connect', this.#dropQueuedWhileOffline);
    this.provider.destroy();
    if (this.#ownsSocket) this.#socket.destroy();
    this.removeAllListeners();
  }

  /**
   * From the moment a connection ends (or before the first) until the
   * relay's sync step 1 arrives, updates stay on the device: the provider
   * would send each at once, ahead of the sync step 2 that carries what the
   * relay lacks, so the relay would get a change before the entries it builds
   * on (a compaction's snapshot would wait there while its deletions apply,
   * and be refused as UNCOVERED_DELETION). The sync step 2 answering the
   * relay's step 1 carries them all; from then on updates go out one by one.
   */
  #holdUpdates(): void {
    if (this.#holding) return;
    this.#holding = true;
    this.#envelope.off('update', this.provider.boundDocumentUpdateHandler);
  }

  #sendUpdates(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.#envelope.on('update', this.provider.boundDocumentUpdateHandler);
  }

  /**
   * Signs in to the document again on the open socket, after a pause that
   * doubles with each refusal in a row (the provider does not by itself once
   * the relay closed one document): the sync that follows resends what was
   * refused, now with everything it builds on, or is refused again.
   */
  #rejoinLater(): void {
    if (this.#rejoinTimer !== null) return;
    const delay = Math.min(REJOIN_MAX_MS, REJOIN_FIRST_MS * 2 ** this.#refusalsInARow);
    this.#refusalsInARow += 1;
    this.#rejoinTimer = setTimeout(() => {
      this.#rejoinTimer = null;
      const socket = this.#socket;
      // Offline meanwhile: the next connection signs in anyway.
      if (socket.status !== WebSocketStatus.Connected || !socket.receivedOnOpenPayload) return;
      void this.provider.onOpen(socket.receivedOnOpenPayload);
    }, delay);
  }

  #dropQueuedWhileOffline = (): void => {
    // `messageQueue` is private in the provider's types (4.x); the test "reconnects after a long
    // offline stretch without the relay dropping the connection" notices if it changes.
    const socket = this.#socket as unknown as { messageQueue?: unknown[] };
    if (Array.isArray(socket.messageQueue)) socket.messageQueue = [];
  };
}

/** Whether a message from the relay is a Yjs sync step 1 (Hocuspocus message type 0, sync message type 0). */
function isSyncStepOne(data: unknown): boolean {
  if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) return false;
  try {
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const decoder = decoding.createDecoder(bytes);
    decoding.readVarString(decoder);
    return decoding.readVarUint(decoder) === 0 && decoding.readVarUint(decoder) === 0;
  } catch {
    return false;
  }
}
