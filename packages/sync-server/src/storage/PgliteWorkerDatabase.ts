import { Worker } from 'node:worker_threads';
import type { TenantId } from '@coffre/protocol';
import type { SqlDatabase, SqlExecutor, SqlValue } from './SqlDatabase.ts';

/** Messages to the worker (see pgliteWorker.ts). */
export type WorkerRequest =
  | { id: number; op: 'begin'; session: number; tenant: string | null }
  | { id: number; op: 'query'; session: number; text: string; params: readonly SqlValue[] }
  | { id: number; op: 'exec'; session: number; text: string }
  | { id: number; op: 'end'; session: number; commit: boolean }
  | { id: number; op: 'ping' }
  | { id: number; op: 'close' };

/** Replies from the worker; id 0 reports that the database opened (or why not). */
export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; code?: string } };

export interface PgliteWorkerDatabaseOptions {
  dataDir?: string;
  appRole?: string;
}

/**
 * The embedded PGlite database on a worker thread. PGlite is WebAssembly
 * with an emulated file system: a write costs milliseconds of CPU, which on
 * the relay's thread would delay every message of every client. Same
 * {@link SqlDatabase} contract as {@link PgliteDatabase}: one transaction
 * per `withTenant` call, tenant set first, RLS enforced by the app role.
 */
export class PgliteWorkerDatabase implements SqlDatabase {
  readonly engine = 'pglite' as const;
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** Transactions begun and not yet committed or rolled back: close() waits for them. */
  readonly #running = new Set<Promise<unknown>>();
  #nextId = 1;
  #nextSession = 1;
  /** No new transaction may begin (close() was called). */
  #closing = false;
  /** The worker was asked to close: no request is sent any more. */
  #closed = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.#waiting.get(reply.id);
      if (!waiter) return;
      this.#waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else
        waiter.reject(
          Object.assign(new Error(reply.error.message), { name: reply.error.name, code: reply.error.code }),
        );
    });
    worker.on('error', (error: Error) => this.#failAll(error));
    worker.on('exit', () => this.#failAll(new Error('the database worker stopped')));
  }

  /** Starts the worker, which migrates the data directory and opens it as the application role. */
  static async open(options: PgliteWorkerDatabaseOptions = {}): Promise<PgliteWorkerDatabase> {
    const worker = new Worker(new URL('./pgliteWorker.ts', import.meta.url), { workerData: options });
    const database = new PgliteWorkerDatabase(worker);
    const opened = new Promise<unknown>((resolve, reject) => database.#waiting.set(0, { resolve, reject }));
    try {
      await opened;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return database;
  }

  withTenant<T>(tenantId: TenantId, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#track(tenantId, fn);
  }

  withoutTenant<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#track(null, fn);
  }

  async ping(): Promise<void> {
    await this.#request({ op: 'ping' });
  }

  /**
   * Refuses new transactions, waits for the running ones to commit or roll
   * back (the worker would otherwise wait for them forever), then stops the
   * worker.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await Promise.allSettled([...this.#running]);
    this.#closed = true;
    try {
      await this.#request({ op: 'close' });
    } finally {
      await this.#worker.terminate();
    }
  }

  #track<T>(tenant: string | null, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new Error('the database is closed'));
    const transaction = this.#transaction(tenant, fn);
    this.#running.add(transaction);
    void transaction.then(
      () => this.#running.delete(transaction),
      () => this.#running.delete(transaction),
    );
    return transaction;
  }

  async #transaction<T>(tenant: string | null, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    const session = this.#nextSession++;
    await this.#request({ op: 'begin', session, tenant });
    let open = true;
    const sql: SqlExecutor = {
      query: async <Row extends object>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> => {
        if (!open) throw new Error('transaction already ended');
        return (await this.#request({ op: 'query', session, text, params })) as Row[];
      },
      exec: async (text: string): Promise<void> => {
        if (!open) throw new Error('transaction already ended');
        await this.#request({ op: 'exec', session, text });
      },
    };
    let result: T;
    try {
      result = await fn(sql);
    } catch (error) {
      open = false;
      await this.#request({ op: 'end', session, commit: false }).catch(() => undefined);
      throw error;
    }
    open = false;
    await this.#request({ op: 'end', session, commit: true });
    return result;
  }

  #request(request: { op: WorkerRequest['op'] } & Record<string, unknown>): Promise<unknown> {
    if (this.#closed && request.op !== 'close') return Promise.reject(new Error('the database is closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #failAll(error: Error): void {
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}
