import { CloseCode, ErrorCode, LIBRARY_CLOSE_REASONS, isErrorCode } from '@coffre/protocol';

/** A socket close as the client receives it. */
export interface SocketClose {
  code: number;
  reason: string;
}

/**
 * Socket closes that Hocuspocus (4.x) and ws (8.x) choose on the relay's
 * behalf, keyed by `code reason`, and the documented close the client gets
 * instead (see `CloseCode` in @coffre/protocol). The integration test
 * "relay answers" fails when a library starts answering otherwise.
 */
const LIBRARY_SOCKET_CLOSES: ReadonlyMap<string, SocketClose> = new Map([
  // Hocuspocus: its unauthenticated queue (messages, bytes or pending documents) is full.
  ['4205 Reset Connection', { code: CloseCode.RateLimited, reason: ErrorCode.UnauthenticatedQueueFull }],
  // Hocuspocus: a message whose address cannot be read (the relay checks framing first).
  ['4401 Unauthorized', { code: CloseCode.MalformedMessage, reason: ErrorCode.MalformedMessage }],
  // Hocuspocus: nothing received for its `timeout`.
  ['4408 Connection Timeout', { code: CloseCode.IdleTimeout, reason: ErrorCode.IdleTimeout }],
  // ws: a frame over `maxPayload` (ws closes with no reason).
  ['1009 ', { code: CloseCode.MessageTooLarge, reason: ErrorCode.MessageTooLarge }],
]);

/** The documented close for a close the relay or one of its libraries asks for. */
export function documentedSocketClose(code: number | undefined, reason: string | undefined): SocketClose {
  const mapped = LIBRARY_SOCKET_CLOSES.get(`${code ?? ''} ${reason ?? ''}`);
  if (mapped) return mapped;
  if (code === undefined) return { code: 1000, reason: reason ?? '' };
  if (code >= 4000 && !isErrorCode(reason)) return { code: CloseCode.Internal, reason: ErrorCode.Internal };
  return { code, reason: reason ?? '' };
}

/**
 * The reason sent in a per-document Close message or a permission-denied
 * Auth answer: an ErrorCode or a documented library reason stays; anything
 * else (Hocuspocus's "Reset Connection" after an unexpected exception, its
 * default "permission-denied") becomes INTERNAL.
 */
export function documentedReason(reason: string): string {
  if (isErrorCode(reason) || Object.hasOwn(LIBRARY_CLOSE_REASONS, reason)) return reason;
  return ErrorCode.Internal;
}
