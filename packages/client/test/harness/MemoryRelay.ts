import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { STATE_VECTOR_REQUEST, encodeStateVectorAnswer } from '@coffre/protocol';
import { Emitter } from '../../src/Emitter.ts';
import type {
  SyncTransport,
  SyncTransportEvents,
  SyncTransportFactory,
  TransportStatus,
  TransportTarget,
} from '../../src/transport/SyncTransport.ts';

/**
 * A relay in memory, for `EncryptedDocument`'s `transport` option: one
 * Y.Doc per document name, updates relayed to the other connections,
 * acknowledged on the next task, state vectors answered as the real relay
 * does. `storing = false` makes it acknowledge without keeping anything (a
 * relay that loses what it was sent).
 */
export class MemoryRelay {
  readonly documents = new Map<string, Y.Doc>();
  readonly #connections = new Set<MemoryTransport>();
  storing = true;

  /** The factory to pass as `transport`. */
  readonly transport: SyncTransportFactory = (target) => {
    const connection = new MemoryTransport(this, target);
    this.#connections.add(connection);
    return connection;
  };

  document(name: string): Y.Doc {
    let doc = this.documents.get(name);
    if (!doc) {
      doc = new Y.Doc();
      this.documents.set(name, doc);
    }
    return doc;
  }

  /** Stores an update from `from` (unless not storing) and relays it to the other connections of the document. */
  receive(from: MemoryTransport, name: string, update: Uint8Array): void {
    if (!this.storing) return;
    Y.applyUpdate(this.document(name), update, from);
    for (const connection of this.#connections) {
      if (connection !== from && connection.name === name) connection.deliver(update);
    }
  }

  forget(connection: MemoryTransport): void {
    this.#connections.delete(connection);
  }
}

class MemoryTransport extends Emitter<SyncTransportEvents> implements SyncTransport {
  readonly name: string;
  readonly awareness: Awareness;
  unsyncedChanges = 0;
  connection: TransportStatus = 'disconnected';
  readonly #relay: MemoryRelay;
  readonly #envelope: Y.Doc;
  #attached = false;

  constructor(relay: MemoryRelay, target: TransportTarget) {
    super();
    this.#relay = relay;
    this.name = target.name;
    this.#envelope = target.envelope;
    this.awareness = new Awareness(target.envelope);
    this.#envelope.on('update', this.#onUpdate);
  }

  attach(): void {
    this.#attached = true;
    this.connect();
  }

  connect(): void {
    if (!this.#attached || this.connection === 'connected') return;
    this.connection = 'connected';
    this.emit('status', 'connected');
    this.emit('open', undefined);
    const relayDoc = this.#relay.document(this.name);
    // Sync: what the relay has that this replica lacks, then the reverse (one update to acknowledge).
    Y.applyUpdate(this.#envelope, Y.encodeStateAsUpdate(relayDoc, Y.encodeStateVector(this.#envelope)), this);
    const missing = Y.encodeStateAsUpdate(this.#envelope, Y.encodeStateVector(relayDoc));
    if (missing.length > 2) this.#send(missing);
    this.emit('synced', undefined);
  }

  disconnect(): void {
    if (this.connection === 'disconnected') return;
    this.connection = 'disconnected';
    this.emit('status', 'disconnected');
  }

  sendStateless(payload: string): void {
    if (payload !== STATE_VECTOR_REQUEST || this.connection !== 'connected') return;
    // Answered after what was sent before it, as the relay answers once queued writes committed.
    setTimeout(() => {
      if (this.connection !== 'connected') return;
      this.emit('stateless', encodeStateVectorAnswer(Y.encodeStateVector(this.#relay.document(this.name))));
    }, 0);
  }

  /** An update another connection sent. */
  deliver(update: Uint8Array): void {
    if (this.connection === 'connected') Y.applyUpdate(this.#envelope, update, this);
  }

  destroy(): void {
    this.#envelope.off('update', this.#onUpdate);
    this.awareness.destroy();
    this.#relay.forget(this);
    this.removeAllListeners();
  }

  #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this.connection !== 'connected') return;
    this.#send(update);
  };

  #send(update: Uint8Array): void {
    this.unsyncedChanges += 1;
    this.emit('unsynced', this.unsyncedChanges);
    setTimeout(() => {
      this.#relay.receive(this, this.name, update);
      this.unsyncedChanges -= 1;
      this.emit('unsynced', this.unsyncedChanges);
    }, 0);
  }
}
