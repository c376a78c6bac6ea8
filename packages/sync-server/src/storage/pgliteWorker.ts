/**
 * Runs the embedded database (PGlite, WebAssembly) on a worker thread, so
 * its work never blocks the relay's event loop. The main thread talks to it
 * through {@link PgliteWorkerDatabase}: one message per transaction step.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TenantId } from '@coffre/protocol';
import { PgliteDatabase } from './PgliteDatabase.ts';
import type { SqlExecutor } from './SqlDatabase.ts';
import type { WorkerReply, WorkerRequest } from './PgliteWorkerDatabase.ts';

interface Session {
  sql: SqlExecutor;
  /** Lets the transaction callback return (commit) or throw (rollback). */
  finish(commit: boolean): void;
  /** Settles when PGlite has committed or rolled back. */
  done: Promise<void>;
}

const ROLLBACK = new Error('rolled back by the caller');

const port = parentPort;
if (!port) throw new Error('pgliteWorker must run in a worker thread');
const options = workerData as { dataDir?: string; appRole?: string };
const sessions = new Map<number, Session>();

const reply = (message: WorkerReply) => port.postMessage(message);
const failure = (id: number, error: unknown): WorkerReply => ({
  id,
  ok: false,
  error: {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
    code: (error as { code?: unknown }).code as string | undefined,
  },
});

let database: PgliteDatabase;
try {
  ({ db: database } = await PgliteDatabase.openMigrated({ dataDir: options.dataDir, appRole: options.appRole }));
  reply({ id: 0, ok: true, value: null });
} catch (error) {
  reply(failure(0, error));
  throw error;
}

/** Opens a transaction that stays open until an 'end' request for the same session. */
function begin(sessionId: number, tenant: string | null): Promise<void> {
  return new Promise((begun, failedToBegin) => {
    let finish: (commit: boolean) => void = () => undefined;
    let sql: SqlExecutor | null = null;
    const run = (executor: SqlExecutor) =>
      new Promise<void>((commit, rollback) => {
        sql = executor;
        finish = (shouldCommit) => (shouldCommit ? commit() : rollback(ROLLBACK));
        begun();
      });
    const done = tenant === null ? database.withoutTenant(run) : database.withTenant(tenant as TenantId, run);
    done.then(
      () => sessions.delete(sessionId),
      (error: unknown) => {
        sessions.delete(sessionId);
        if (sql === null) failedToBegin(error instanceof Error ? error : new Error(String(error)));
      },
    );
    // `run` is called only after PGlite has begun the transaction, so the session exists before any query.
    const session: Session = {
      get sql() {
        if (sql === null) throw new Error('transaction has not begun');
        return sql;
      },
      finish: (commit) => finish(commit),
      done,
    };
    sessions.set(sessionId, session);
  });
}

port.on('message', (request: WorkerRequest) => {
  void (async () => {
    try {
      switch (request.op) {
        case 'begin':
          await begin(request.session, request.tenant);
          reply({ id: request.id, ok: true, value: null });
          return;
        case 'query': {
          const session = sessions.get(request.session);
          if (!session) throw new Error('no such transaction');
          reply({
            id: request.id,
            ok: true,
            value: await session.sql.query(request.text, request.params),
          });
          return;
        }
        case 'exec': {
          const session = sessions.get(request.session);
          if (!session) throw new Error('no such transaction');
          await session.sql.exec(request.text);
          reply({ id: request.id, ok: true, value: null });
          return;
        }
        case 'end': {
          const session = sessions.get(request.session);
          if (!session) throw new Error('no such transaction');
          session.finish(request.commit);
          try {
            await session.done;
          } catch (error) {
            if (error !== ROLLBACK) throw error;
          }
          reply({ id: request.id, ok: true, value: null });
          return;
        }
        case 'ping':
          await database.ping();
          reply({ id: request.id, ok: true, value: null });
          return;
        case 'close':
          await database.close();
          reply({ id: request.id, ok: true, value: null });
          port.close();
          return;
      }
    } catch (error) {
      reply(failure(request.id, error));
    }
  })();
});
