import type { Logger } from './logger.ts';

/**
 * Per document, the writes of envelope updates in arrival order. An update
 * is relayed to other clients as soon as it is validated, but the sender's
 * acknowledgement waits until every write queued before it has committed
 * ({@link PersistenceQueue.whenFlushed}). A failed write is retried with
 * backoff and never skipped, so nothing acknowledged is missing from the
 * database, and nothing unacknowledged is lost (the sender still holds it
 * and resends on reconnect).
 */
export class PersistenceQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #logger: Logger;
  readonly #maxBackoffMs: number;
  #stopped = false;

  constructor(logger: Logger, maxBackoffMs = 5000) {
    this.#logger = logger;
    this.#maxBackoffMs = maxBackoffMs;
  }

  /** Queues a write for a document; it runs after the writes queued before it. */
  enqueue(documentName: string, write: () => Promise<unknown>): void {
    const previous = this.#tails.get(documentName) ?? Promise.resolve();
    // Start the write in the next event-loop turn, after Hocuspocus has relayed the update
    // (it broadcasts in this turn's check phase): an embedded database (PGlite) runs on this
    // thread, and running it first would delay every other editor by the write.
    const tail = previous
      .then(() => new Promise<void>((resolveTurn) => setTimeout(resolveTurn, 0)))
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
