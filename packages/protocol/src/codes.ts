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
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

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

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in ERROR_MESSAGES;
}
