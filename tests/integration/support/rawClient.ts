import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

/** Hocuspocus message types (see @hocuspocus/server types.ts). */
export const MessageType = { Sync: 0, Awareness: 1, Auth: 2, SyncStatus: 8, Close: 7 } as const;
export const SyncType = { Step1: 0, Step2: 1, Update: 2 } as const;

export interface RawReply {
  document: string;
  type: number;
  /** Auth: 'authenticated' / 'permission-denied' with reason; Close: reason; SyncStatus: ok flag. */
  detail?: string | boolean;
}

/**
 * A hand-driven relay client speaking the Hocuspocus wire protocol, to send
 * what a well-behaved provider never would.
 */
export class RawClient {
  readonly socket: WebSocket;
  readonly replies: RawReply[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly #opened: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.#opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.socket.on('error', () => undefined);
    this.socket.on('message', (data: Buffer) => {
      this.replies.push(decodeReply(new Uint8Array(data)));
      this.#wake();
    });
    this.socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  opened(): Promise<void> {
    return this.#opened;
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.send(bytes);
  }

  authenticate(document: string, token: string): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, document);
    encoding.writeVarUint(encoder, MessageType.Auth);
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarString(encoder, token);
    this.sendRaw(encoding.toUint8Array(encoder));
  }

  sendSync(document: string, syncType: number, payload: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, document);
    encoding.writeVarUint(encoder, MessageType.Sync);
    encoding.writeVarUint(encoder, syncType);
    encoding.writeVarUint8Array(encoder, payload);
    this.sendRaw(encoding.toUint8Array(encoder));
  }

  sendAwareness(document: string, update: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, document);
    encoding.writeVarUint(encoder, MessageType.Awareness);
    encoding.writeVarUint8Array(encoder, update);
    this.sendRaw(encoding.toUint8Array(encoder));
  }

  /** Resolves when a reply matches, or the socket closes; rejects after `timeoutMs`. */
  async waitFor(predicate: (reply: RawReply) => boolean, timeoutMs = 5000): Promise<RawReply | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.replies.find(predicate);
      if (found) return found;
      if (this.closed) return null;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('timed out waiting for a reply');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the socket to close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  close(): void {
    this.socket.close();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

function decodeReply(bytes: Uint8Array): RawReply {
  try {
    const decoder = decoding.createDecoder(bytes);
    const document = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === MessageType.Auth) {
      const authType = decoding.readVarUint(decoder);
      // 1 = permission denied (reason follows), 2 = authenticated (scope follows)
      const text = decoding.hasContent(decoder) ? decoding.readVarString(decoder) : '';
      return { document, type, detail: authType === 1 ? `denied:${text}` : `authenticated:${text}` };
    }
    if (type === MessageType.Close) return { document, type, detail: decoding.readVarString(decoder) };
    if (type === MessageType.SyncStatus) return { document, type, detail: decoding.readVarInt(decoder) === 1 };
    return { document, type };
  } catch {
    return { document: '', type: -1 };
  }
}
