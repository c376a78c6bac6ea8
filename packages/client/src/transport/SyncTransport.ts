import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';

/** Where the connection stands. */
export type TransportStatus = 'connecting' | 'connected' | 'disconnected';

export interface SyncTransportEvents extends Record<string, unknown> {
  /** A connection opened: a new sync with the relay follows. */
  open: undefined;
  /** This replica and the relay's are in step (after each connection's first sync). */
  synced: undefined;
  /** The number of updates sent and not yet acknowledged by the relay changed. */
  unsynced: number;
  /** A stateless message from the relay (see `protocol/src/stateless.ts`). */
  stateless: string;
  status: TransportStatus;
  /** The relay refused the connection (authentication) or closed it; `reason` is a documented code or words. */
  refused: { reason: string };
}

/**
 * How an `EncryptedDocument` reaches the relay: syncs the envelope Y.Doc,
 * counts what the relay has not acknowledged yet, carries stateless messages
 * and presence (a y-protocols `Awareness`). `HocuspocusTransport` is the
 * real one; tests can give a document an in-memory relay instead.
 */
export interface SyncTransport {
  /** Presence travels as this awareness's local state (sealed by `PresenceChannel`). */
  readonly awareness: Awareness;
  /** Updates sent and not yet acknowledged. */
  readonly unsyncedChanges: number;
  readonly connection: TransportStatus;
  /** Starts syncing (called once the device's own copy is loaded, if any). */
  attach(): void;
  sendStateless(payload: string): void;
  /** Goes back online; safe right after {@link disconnect}. */
  connect(): void;
  /** Goes offline; the envelope keeps changing and syncs on {@link connect}. */
  disconnect(): void;
  destroy(): void;
  on<K extends keyof SyncTransportEvents>(event: K, listener: (payload: SyncTransportEvents[K]) => void): () => void;
}

/** What a transport syncs: the document's name on the relay and its envelope. */
export interface TransportTarget {
  name: string;
  envelope: Y.Doc;
}

/** Makes the transport of one document. */
export type SyncTransportFactory = (target: TransportTarget) => SyncTransport;
