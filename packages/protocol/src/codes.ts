/**
 * Error codes and WebSocket close codes, the same on both sides. A close code
 * is in the 4000-4999 range reserved for applications; the reason string is
 * the error code so a client can show it in words.
 */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  MalformedMessage: 'MALFORMED_MESSAGE',
  MalformedEntry: 'MALFORMED_ENTRY',
  EntryRejected: 'ENTRY_REJECTED',
  InvalidDocumentName: 'INVALID_DOCUMENT_NAME',
  Unauthenticated: 'UNAUTHENTICATED',
  TokenExpired: 'TOKEN_EXPIRED',
  Forbidden: 'FORBIDDEN',
  ReadOnly: 'READ_ONLY',
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  RateLimited: 'RATE_LIMITED',
  AuthenticationTimeout: 'AUTHENTICATION_TIMEOUT',
  StorageUnavailable: 'STORAGE_UNAVAILABLE',
  QuotaExceeded: 'QUOTA_EXCEEDED',
  ShuttingDown: 'SHUTTING_DOWN',
  NotFound: 'NOT_FOUND',
  Internal: 'INTERNAL',
  ValidationFailed: 'VALIDATION_FAILED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  SecondFactorRequired: 'SECOND_FACTOR_REQUIRED',
  InvalidSecondFactor: 'INVALID_SECOND_FACTOR',
  EmailTaken: 'EMAIL_TAKEN',
  UnknownTenant: 'UNKNOWN_TENANT',
  TokenRevoked: 'TOKEN_REVOKED',
  RefreshTokenReused: 'REFRESH_TOKEN_REUSED',
  DeviceRevoked: 'DEVICE_REVOKED',
  TwoFactorAlreadyEnabled: 'TWO_FACTOR_ALREADY_ENABLED',
  DocumentExists: 'DOCUMENT_EXISTS',
  EpochConflict: 'EPOCH_CONFLICT',
  MemberExists: 'MEMBER_EXISTS',
  ForeignWriter: 'FOREIGN_WRITER',
  UncoveredDeletion: 'UNCOVERED_DELETION',
  NotStored: 'NOT_STORED',
  UnsupportedMessage: 'UNSUPPORTED_MESSAGE',
  UnauthenticatedQueueFull: 'UNAUTHENTICATED_QUEUE_FULL',
  IdleTimeout: 'IDLE_TIMEOUT',
  ChunkMismatch: 'CHUNK_MISMATCH',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Close codes of the whole socket (the reason is an {@link ErrorCode}). A
 * document of a socket can also be closed alone, by a Hocuspocus Close
 * message whose reason is an ErrorCode (or one of
 * {@link LIBRARY_CLOSE_REASONS}); the socket then stays open.
 *
 * What each one means, with its reason:
 * - 4400 MALFORMED_MESSAGE: bytes that are not a Hocuspocus message, a text
 *   frame, or an Auth message that cannot be read; UNSUPPORTED_MESSAGE: a
 *   message type clients may not send (BroadcastStateless, SyncReply,
 *   SyncStatus, Ping, Pong, unknown types or sync steps). Stateless (5) is allowed.
 * - 4401 the token or session is not (or no longer) valid (UNAUTHENTICATED,
 *   TOKEN_EXPIRED, TOKEN_REVOKED, DEVICE_REVOKED...).
 * - 4403 FORBIDDEN: access to the document was removed.
 * - 4408 AUTHENTICATION_TIMEOUT: no document signed in within
 *   {@link LIMITS.unauthenticatedTimeoutSeconds}; IDLE_TIMEOUT: nothing was
 *   received for 30 seconds (awareness renewals keep a live client open).
 * - 4413 MESSAGE_TOO_LARGE: a message over {@link LIMITS.maxMessageBytes}
 *   (or the relay's configured limit).
 * - 4422 ENTRY_REJECTED.
 * - 4429 RATE_LIMITED: the socket or its organisation sent more messages or
 *   bytes per second than the relay allows; reconnect after at least
 *   {@link LIMITS.rateLimitRetryAfterMs} (the Hocuspocus provider waits
 *   1 s before reconnecting, which is enough). UNAUTHENTICATED_QUEUE_FULL:
 *   more than {@link LIMITS.unauthenticatedMaxMessages} messages (or 256 KiB,
 *   or 16 documents) were sent before their documents signed in.
 * - 4500 INTERNAL, 4503 STORAGE_UNAVAILABLE, 4001 SHUTTING_DOWN.
 *
 * The codes a client can see that the relay does not choose are in
 * {@link STANDARD_CLOSE_CODES}.
 */
export const CloseCode = {
  MalformedMessage: 4400,
  Unauthenticated: 4401,
  Forbidden: 4403,
  AuthenticationTimeout: 4408,
  MessageTooLarge: 4413,
  EntryRejected: 4422,
  RateLimited: 4429,
  Internal: 4500,
  StorageUnavailable: 4503,
  ShuttingDown: 4001,
  /** Same number as {@link CloseCode.AuthenticationTimeout}; the reason (IDLE_TIMEOUT) tells them apart. */
  IdleTimeout: 4408,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close codes of the WebSocket standard (RFC 6455) a client can see. The
 * relay maps every code its libraries choose that it can intercept to a
 * {@link CloseCode} (Hocuspocus's 4205 "Reset Connection", 4401
 * "Unauthorized" and 4408 "Connection Timeout", ws's 1009 "Message Too
 * Big"); these are the ones left, chosen by the ws library when a peer
 * breaks the WebSocket protocol itself, or by the client's own WebSocket.
 */
export const STANDARD_CLOSE_CODES: Readonly<Record<number, string>> = {
  1000: 'Normal closure: the client closed the connection itself.',
  1001: 'Going away: the page was closed or the relay process went away without a graceful stop.',
  1002: 'Protocol error: a frame broke the WebSocket protocol (for example an unmasked or invalid frame).',
  1005: 'No status: the close frame carried no code.',
  1006: 'Abnormal closure: the connection dropped without a close frame (seen only by the client).',
  1007: 'Invalid frame payload: a text frame that is not valid UTF-8.',
  1011: 'Internal error in the WebSocket library.',
};

/**
 * Reasons of a per-document Close message chosen by Hocuspocus itself,
 * besides the {@link ErrorCode}s the relay sends: the relay passes these
 * through unchanged. Any other reason of the library is answered as INTERNAL.
 */
export const LIBRARY_CLOSE_REASONS: Readonly<Record<string, string>> = {
  provider_initiated: 'The client asked to close this document (a Hocuspocus Close message); the relay confirms.',
  'Server closed the connection': 'The document connection ended on the relay without a more specific reason.',
};

/** Sentences a user understands, keyed by error code. */
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  BAD_REQUEST: 'The request was not understood.',
  MALFORMED_MESSAGE: 'The relay received a message it could not read.',
  MALFORMED_ENTRY: 'A change was not in the expected format and was refused.',
  ENTRY_REJECTED: 'A change was refused because it does not belong to this document.',
  INVALID_DOCUMENT_NAME: 'This document address is not valid.',
  UNAUTHENTICATED: 'Your session is not valid. Please sign in again.',
  TOKEN_EXPIRED: 'Your session has expired. Please sign in again.',
  FORBIDDEN: 'You do not have access to this document.',
  READ_ONLY: 'You can view this document but not change it.',
  MESSAGE_TOO_LARGE: 'This change is too large to send.',
  RATE_LIMITED: 'Too many requests. Please wait a moment.',
  AUTHENTICATION_TIMEOUT: 'The connection did not sign in in time.',
  STORAGE_UNAVAILABLE: 'The relay could not save your change. It will be retried.',
  QUOTA_EXCEEDED: 'Your organisation has used all of its storage.',
  SHUTTING_DOWN: 'The relay is restarting. Reconnecting shortly.',
  NOT_FOUND: 'Not found.',
  INTERNAL: 'Something went wrong on the relay.',
  VALIDATION_FAILED: 'Some fields are missing or not valid.',
  PAYLOAD_TOO_LARGE: 'The request is too large.',
  INVALID_CREDENTIALS: 'The email or password is not correct.',
  SECOND_FACTOR_REQUIRED: 'Enter the code from your authenticator app.',
  INVALID_SECOND_FACTOR: 'That code is not correct. Try the current code or a recovery code.',
  EMAIL_TAKEN: 'An account with this email already exists in this organisation.',
  UNKNOWN_TENANT: 'This organisation does not exist on this relay.',
  TOKEN_REVOKED: 'This session was signed out. Please sign in again.',
  REFRESH_TOKEN_REUSED: 'This session was used from two places, so it was signed out for your safety.',
  DEVICE_REVOKED: 'This device was removed from your account.',
  TWO_FACTOR_ALREADY_ENABLED: 'Two-factor authentication is already on.',
  DOCUMENT_EXISTS: 'A document with this id already exists. Choose another id.',
  EPOCH_CONFLICT: 'Someone else changed who can open this document at the same time. Reload and try again.',
  MEMBER_EXISTS: 'This person is already a member of the document.',
  FOREIGN_WRITER: 'A change claimed to come from another device and was refused.',
  UNCOVERED_DELETION: "A change tried to remove other people's work that no saved snapshot keeps, and was refused.",
  NOT_STORED:
    'The relay confirmed changes it does not hold. They are kept on this device; do not close it until they are saved.',
  UNSUPPORTED_MESSAGE: 'The relay received a kind of message that clients may not send.',
  UNAUTHENTICATED_QUEUE_FULL: 'The connection sent too much before signing in.',
  IDLE_TIMEOUT: 'The connection was closed because nothing was received for a while. Reconnecting.',
  CHUNK_MISMATCH: 'A piece of a file arrived damaged and was refused. It will be sent again.',
};

/** An error with a stable code, thrown by relay hooks and shown by clients. */
export class CoffreError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string = ERROR_MESSAGES[code]) {
    super(message);
    this.name = 'CoffreError';
    this.code = code;
  }
}

/**
 * Refusals of one document (a Close message; the socket stays open) after
 * which a client signs in to that document again, after a pause that grows
 * with each refusal in a row: the relay or its storage may be back, a new
 * token may be valid, or a change refused on arrival may go through in the
 * sync that follows (which carries it together with everything it builds
 * on). After any other refusal (access removed, session signed out, device
 * removed) the document stays closed.
 */
export const RETRIED_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.EntryRejected,
  ErrorCode.MalformedEntry,
  ErrorCode.ForeignWriter,
  ErrorCode.UncoveredDeletion,
  ErrorCode.StorageUnavailable,
  ErrorCode.QuotaExceeded,
  ErrorCode.RateLimited,
  ErrorCode.TokenExpired,
  ErrorCode.Internal,
]);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in ERROR_MESSAGES;
}
