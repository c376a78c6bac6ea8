import type { WebSocketLike } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import { AuthMessage, HocuspocusMessage } from './hocuspocusMessages.ts';
import { documentedReason } from './libraryAnswers.ts';

/**
 * What Hocuspocus sends on one client socket, in the relay's protocol: the
 * reason of every per-document Close message and permission-denied Auth
 * answer is a documented one ({@link documentedReason}), and the documents
 * that signed in on this socket are known (the rate limiter charges their
 * organisation). Closes reach {@link RelayWebSocket}, which documents their codes.
 */
export class ProtocolSocket implements WebSocketLike {
  /** Document names that Hocuspocus answered "authenticated" on this socket. */
  readonly authenticatedDocuments = new Set<string>();
  readonly #socket: WebSocket;

  constructor(socket: WebSocket) {
    this.#socket = socket;
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    this.#socket.send(data instanceof Uint8Array ? this.#translate(data) : data);
  }

  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }

  #translate(message: Uint8Array): Uint8Array {
    let address: string;
    let type: number;
    const decoder = decoding.createDecoder(message);
    try {
      address = decoding.readVarString(decoder);
      type = decoding.readVarUint(decoder);
      if (type === HocuspocusMessage.Close) {
        return this.#withReason(address, [type], decoding.readVarString(decoder), message);
      }
      if (type === HocuspocusMessage.Auth) {
        const authType = decoding.readVarUint(decoder);
        if (authType === AuthMessage.Authenticated) {
          const separator = address.indexOf('\0');
          this.authenticatedDocuments.add(separator === -1 ? address : address.slice(0, separator));
        }
        if (authType === AuthMessage.PermissionDenied) {
          return this.#withReason(address, [type, authType], decoding.readVarString(decoder), message);
        }
      }
    } catch {
      // Not a message this socket translates; it goes out as Hocuspocus wrote it.
    }
    return message;
  }

  #withReason(address: string, header: number[], reason: string, original: Uint8Array): Uint8Array {
    const documented = documentedReason(reason);
    if (documented === reason) return original;
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, address);
    for (const part of header) encoding.writeVarUint(encoder, part);
    encoding.writeVarString(encoder, documented);
    return encoding.toUint8Array(encoder);
  }
}
