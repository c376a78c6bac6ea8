import type { WebSocketLike } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import type { Logger } from './logger.ts';
import { HocuspocusMessage } from './sync/hocuspocusMessages.ts';

/**
 * "Saved means committed", in one place: per document, the writes of
 * envelope updates in arrival order, and the gate on the socket handed to
 * Hocuspocus ({@link PersistenceQueue.acknowledgeWhenStored}) that holds
 * each acknowledgement until every write queued before it has committed.
 * An update is relayed to other clients as soon as it is validated; only
 * the sender's acknowledgement waits. A failed write is retried with
 * backoff and never skipped, so nothing acknowledged is missing from the
 * database, and nothing unacknowledged is lost (the sender still holds it
 * and resends on reconnect).
 *
 * A write starts {@link PersistenceQueueOptions.commitDelayMs} after it is
 * queued (a group commit, like PostgreSQL's `commit_delay`): what arrives
 * meanwhile for the same document joins it (see `CoffreExtension#store`),
 * so a person typing costs the database one commit per few keystrokes, not
 * one per keystroke. Only acknowledgements wait for it; relaying does not.
 */
export interface PersistenceQueueOptions {
  /** Longest pause between two attempts of a failed write. */
  maxBackoffMs?: number;
  /** How long a queued write waits for others to join it before it starts (default {@link DEFAULT_COMMIT_DELAY_MS}). */
  commitDelayMs?: number;
}

/** The default of {@link PersistenceQueueOptions.commitDelayMs}: well under what a person notices of "saved". */
export const DEFAULT_COMMIT_DELAY_MS = 20;

export class PersistenceQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #logger: Logger;
  readonly #maxBackoffMs: number;
  readonly #commitDelayMs: number;
  #stopped = false;

  constructor(logger: Logger, options: PersistenceQueueOptions = {}) {
    this.#logger = logger;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.#commitDelayMs = options.commitDelayMs ?? DEFAULT_COMMIT_DELAY_MS;
  }

  /** Queues a write for a document; it runs after the writes queued before it. */
  enqueue(documentName: string, write: () => Promise<unknown>): void {
    const previous = this.#tails.get(documentName) ?? Promise.resolve();
    // Never in this event-loop turn, in any case: Hocuspocus relays the update in this turn's
    // check phase, and the database's work would otherwise delay every other editor.
    const startAt = Date.now() + this.#commitDelayMs;
    const tail = previous
      .then(() => new Promise<void>((resolveTurn) => setTimeout(resolveTurn, Math.max(0, startAt - Date.now()))))
      .then(() => this.#retry(documentName, write));
    this.#tails.set(documentName, tail);
    void tail.then(() => {
      if (this.#tails.get(documentName) === tail) this.#tails.delete(documentName);
    });
  }

  /** Resolves once every write queued so far for this document has committed. */
  whenFlushed(documentName: string): Promise<void> {
    return this.#tails.get(documentName) ?? Promise.resolve();
  }

  /**
   * The socket to hand Hocuspocus for a client: it sends everything at
   * once except acknowledgements (SyncStatus messages), which Hocuspocus
   * sends right after applying an update in memory; those go out once the
   * document's queued writes have committed, in order, and not at all if
   * the socket closed meanwhile (the client then resends on reconnect).
   */
  acknowledgeWhenStored(socket: WebSocketLike): WebSocketLike {
    const whenFlushed = (documentName: string) => this.whenFlushed(documentName);
    return {
      get readyState() {
        return socket.readyState;
      },
      send(data) {
        const documentName = data instanceof Uint8Array ? acknowledgedDocument(data) : null;
        if (documentName === null) {
          socket.send(data);
          return;
        }
        void whenFlushed(documentName).then(() => {
          if (socket.readyState === OPEN) socket.send(data);
        });
      },
      close(code, reason) {
        socket.close(code, reason);
      },
    };
  }

  /** Number of documents with writes in flight. */
  get pendingDocuments(): number {
    return this.#tails.size;
  }

  /** Waits for every queued write, for at most `timeoutMs`; returns false when some could not be committed. */
  async flushAll(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const flushed = Promise.all([...this.#tails.values()]).then(() => true as const);
    const result = await Promise.race([flushed, timeout]);
    clearTimeout(timer);
    this.#stopped = true;
    return result;
  }

  async #retry(documentName: string, write: () => Promise<unknown>): Promise<void> {
    let backoff = 50;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await write();
        if (attempt > 1) this.#logger.warn({ document: documentName, attempt }, 'stored an update after retrying');
        return;
      } catch (error) {
        if (this.#stopped) return;
        this.#logger.error({ err: error, document: documentName, attempt }, 'storing an update failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, this.#maxBackoffMs);
      }
    }
  }
}

/** WebSocket `readyState` of an open socket. */
const OPEN = 1;

/** The document a SyncStatus message acknowledges, or null for any other message. */
function acknowledgedDocument(message: Uint8Array): string | null {
  try {
    const decoder = decoding.createDecoder(message);
    const address = decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== HocuspocusMessage.SyncStatus) return null;
    const separator = address.indexOf('\0');
    return separator === -1 ? address : address.slice(0, separator);
  } catch {
    return null;
  }
}
