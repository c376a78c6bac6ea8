import { constantTimeEqual } from '@coffre/crypto';
import { ChunkSealer, type SealWorkers, type SealedChunk } from './ChunkSealer.ts';

/** What the cutting thread asks a worker: seal `plaintext` for the space whose secret this is. */
export interface SealRequest {
  id: number;
  spaceSecret: Uint8Array;
  plaintext: Uint8Array;
}

export type SealReply = { id: number; ok: true; chunk: SealedChunk } | { id: number; ok: false; message: string };

/**
 * What a sealing worker runs for each request (its script is a few lines
 * around this: a Web Worker in the web app, a worker thread under Node).
 * The sealer of the last space is kept, since a file's chunks come in a row.
 * The reply's ciphertext and key are to be transferred, not copied.
 */
export function createSealHandler(): (request: SealRequest) => { reply: SealReply; transfer: ArrayBuffer[] } {
  let last: { secret: Uint8Array; sealer: ChunkSealer } | null = null;
  return ({ id, spaceSecret, plaintext }) => {
    try {
      if (!last || !constantTimeEqual(last.secret, spaceSecret))
        last = { secret: spaceSecret, sealer: new ChunkSealer(spaceSecret) };
      const chunk = last.sealer.seal(plaintext);
      return {
        reply: { id, ok: true, chunk },
        transfer: [chunk.ciphertext.buffer as ArrayBuffer, chunk.key.buffer as ArrayBuffer],
      };
    } catch (error) {
      return {
        reply: { id, ok: false, message: error instanceof Error ? error.message : String(error) },
        transfer: [],
      };
    }
  };
}

/** One worker as the pool sees it, a Web Worker or a Node worker thread behind the same few calls. */
export interface SealPort {
  /** Posts a request (copied: the caller keeps its plaintext, to seal it itself if the worker fails). */
  post(request: SealRequest): void;
  /** Calls back with each reply, and once with an error if the worker fails (it then takes no more requests). */
  listen(onReply: (reply: SealReply) => void, onFailure: (error: Error) => void): void;
  terminate(): void;
}

interface PortState {
  port: SealPort;
  pending: Map<number, { resolve: (chunk: SealedChunk) => void; reject: (error: Error) => void }>;
}

/** Seals on a few workers, each request to the one with the fewest under way. */
export class SealWorkerPool implements SealWorkers {
  readonly #ports: PortState[] = [];
  #nextId = 1;

  constructor(ports: readonly SealPort[]) {
    for (const port of ports) {
      const state: PortState = { port, pending: new Map() };
      this.#ports.push(state);
      port.listen(
        (reply) => {
          const waiting = state.pending.get(reply.id);
          if (!waiting) return;
          state.pending.delete(reply.id);
          if (reply.ok) waiting.resolve(reply.chunk);
          else waiting.reject(new Error(reply.message));
        },
        (error) => this.#drop(state, error),
      );
    }
  }

  get parallelism(): number {
    return this.#ports.length;
  }

  seal(spaceSecret: Uint8Array, plaintext: Uint8Array): Promise<SealedChunk> {
    const state = this.#ports.reduce<PortState | null>(
      (best, candidate) => (best && best.pending.size <= candidate.pending.size ? best : candidate),
      null,
    );
    if (!state) return Promise.reject(new Error('no sealing worker is running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      state.pending.set(id, { resolve, reject });
      try {
        state.port.post({ id, spaceSecret, plaintext });
      } catch (error) {
        this.#drop(state, error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops every worker; seals under way are refused (and done by their callers). */
  close(): void {
    for (const state of [...this.#ports]) {
      this.#drop(state, new Error('the sealing workers were stopped'));
      state.port.terminate();
    }
  }

  #drop(state: PortState, error: Error): void {
    const index = this.#ports.indexOf(state);
    if (index >= 0) this.#ports.splice(index, 1);
    for (const waiting of state.pending.values()) waiting.reject(error);
    state.pending.clear();
  }
}
