import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hocuspocus } from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import { type RawData, type Server as WebSocketServerOf, WebSocketServer } from 'ws';
import { CloseCode, ErrorCode, LIMITS } from '@coffre/protocol';
import type { SocketState } from '../CoffreExtension.ts';
import type { Logger } from '../logger.ts';
import type { PersistenceQueue } from '../PersistenceQueue.ts';
import { AuthMessage, HocuspocusMessage } from './hocuspocusMessages.ts';
import { inspectClientMessage } from './inspectClientMessage.ts';
import { ProtocolSocket } from './ProtocolSocket.ts';
import { RelayWebSocket } from './RelayWebSocket.ts';
import type { SyncRateLimiter } from './SyncRateLimiter.ts';

/** The path of the sync WebSocket. */
export const SYNC_PATH = '/sync';

export interface SyncEndpointOptions {
  hocuspocus: Hocuspocus;
  persistence: PersistenceQueue;
  rateLimiter: SyncRateLimiter;
  logger: Logger;
  /** Largest WebSocket message in bytes. */
  maxMessageBytes: number;
  /** Milliseconds a socket may stay open without authenticating a document. */
  authenticationTimeoutMs: number;
}

/**
 * The sync WebSocket (`/sync`): takes the upgrade, and between each client
 * socket and Hocuspocus checks every message's framing and type
 * ({@link inspectClientMessage}), counts it against the rate limits
 * ({@link SyncRateLimiter}) and hands it on in arrival order; hands
 * Hocuspocus a socket that holds acknowledgements until stored
 * ({@link PersistenceQueue.acknowledgeWhenStored}) and answers in documented
 * codes ({@link ProtocolSocket}, {@link RelayWebSocket}).
 */
export class SyncEndpoint {
  readonly #options: SyncEndpointOptions;
  readonly #wss: WebSocketServerOf<typeof RelayWebSocket>;
  #accepting = true;

  constructor(options: SyncEndpointOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer<typeof RelayWebSocket>({
      noServer: true,
      maxPayload: options.maxMessageBytes,
      WebSocket: RelayWebSocket,
    });
  }

  /** Takes an HTTP upgrade: `/sync` becomes a sync socket, anything else (or any upgrade while stopping) a 404. */
  handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://relay').pathname;
    if (path !== SYNC_PATH || !this.#accepting) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (websocket) => this.#accept(websocket, request));
  };

  /** Refuses new sockets and closes the open ones with `code`. */
  closeAll(code: CloseCode, reason: ErrorCode): void {
    this.#accepting = false;
    for (const client of this.#wss.clients) client.close(code, reason);
  }

  /** Stops the WebSocket server (after {@link closeAll}). */
  close(): void {
    this.#wss.close();
  }

  #accept(websocket: RelayWebSocket, request: IncomingMessage): void {
    const { hocuspocus, persistence, rateLimiter, logger } = this.#options;
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const webRequest = new Request(new URL(request.url ?? '/', 'http://relay'), { headers });
    const socketState: SocketState = { authenticated: false };
    const protocolSocket = new ProtocolSocket(websocket);
    const connection = hocuspocus.handleConnection(persistence.acknowledgeWhenStored(protocolSocket), webRequest, {
      socket: socketState,
    });
    const socketId = randomUUID();
    const deadline = setTimeout(() => {
      if (!socketState.authenticated) websocket.close(CloseCode.AuthenticationTimeout, ErrorCode.AuthenticationTimeout);
    }, this.#options.authenticationTimeoutMs);
    let refused = false;
    const refuse = (code: CloseCode, reason: ErrorCode) => {
      refused = true;
      websocket.close(code, reason);
    };
    // Admission is asynchronous (the limiter's API): one chain per socket keeps its messages in order.
    let admitted: Promise<void> = Promise.resolve();

    websocket.on('message', (data: RawData, isBinary: boolean) => {
      if (refused) return;
      if (!isBinary) {
        refuse(CloseCode.MalformedMessage, ErrorCode.MalformedMessage);
        return;
      }
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const message = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const verdict = inspectClientMessage(message);
      if (verdict.kind === 'refuse') {
        refuse(verdict.code, verdict.reason);
        return;
      }
      const tenant =
        verdict.kind === 'accept' && protocolSocket.authenticatedDocuments.has(verdict.documentName)
          ? (verdict.documentName.split('/')[0] ?? null)
          : null;
      admitted = admitted
        .then(() => rateLimiter.admit(socketId, tenant, message.byteLength))
        .then((allowed) => {
          if (refused) return;
          if (!allowed) {
            logger.warn({ tenant, socket: socketId }, 'sync socket over its rate limit; closed');
            refuse(CloseCode.RateLimited, ErrorCode.RateLimited);
          } else if (verdict.kind === 'invalid-name') {
            websocket.send(permissionDenied(verdict.address, ErrorCode.InvalidDocumentName));
          } else {
            connection.handleMessage(message);
          }
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'sync message failed');
          refuse(CloseCode.Internal, ErrorCode.Internal);
        });
    });
    websocket.on('close', (code: number, reason: Buffer) => {
      refused = true; // messages still waiting for admission are dropped
      clearTimeout(deadline);
      connection.handleClose({ code, reason: reason.toString() });
    });
    websocket.on('error', (error) => {
      // ws closes the socket itself (e.g. for an oversized message, see RelayWebSocket); others are unaffected.
      logger.warn({ err: error }, 'websocket error');
    });
  }
}

/** The Auth answer Hocuspocus gives a refused document, for a name the relay refuses before it. */
function permissionDenied(address: string, reason: ErrorCode): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  encoding.writeVarUint(encoder, HocuspocusMessage.Auth);
  encoding.writeVarUint(encoder, AuthMessage.PermissionDenied);
  encoding.writeVarString(encoder, reason);
  return encoding.toUint8Array(encoder);
}

/** The default of {@link SyncEndpointOptions.authenticationTimeoutMs}. */
export const DEFAULT_AUTHENTICATION_TIMEOUT_MS = LIMITS.unauthenticatedTimeoutSeconds * 1000;
