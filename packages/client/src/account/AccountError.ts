import { type ErrorCode, ERROR_MESSAGES, isErrorCode } from '@coffre/protocol';

/**
 * Failures that happen on the client side of the account API and so have no
 * relay error code.
 */
export const ClientErrorCode = {
  /** The relay could not be reached or did not answer in time. */
  RelayUnreachable: 'RELAY_UNREACHABLE',
  /** The relay answered something that is not the documented contract. */
  InvalidResponse: 'INVALID_RESPONSE',
  /** The key bundle did not open, or holds other keys than the relay announces. */
  KeyBundleInvalid: 'KEY_BUNDLE_INVALID',
  /** The relay asked for weaker password hashing than this client accepts. */
  WeakKdfParameters: 'WEAK_KDF_PARAMETERS',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export type AccountErrorCode = ErrorCode | ClientErrorCode;

export const CLIENT_ERROR_MESSAGES: Record<ClientErrorCode, string> = {
  RELAY_UNREACHABLE: 'The relay could not be reached. Check the address and your connection.',
  INVALID_RESPONSE: 'The relay sent an answer this app does not understand.',
  KEY_BUNDLE_INVALID: 'Your keys stored on the relay could not be opened. They may have been altered.',
  WEAK_KDF_PARAMETERS: 'The relay asked for weaker password protection than this app accepts.',
};

function messageFor(code: AccountErrorCode): string {
  return isErrorCode(code) ? ERROR_MESSAGES[code] : CLIENT_ERROR_MESSAGES[code];
}

export interface AccountErrorOptions {
  /** HTTP status, when the relay answered. */
  status?: number;
  /** What the relay or the client library said beyond the sentence, e.g. which field is invalid. */
  detail?: string;
  /** Seconds to wait before trying again (from Retry-After on 429). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * What every {@link AccountClient} method rejects with: a stable `code` (a
 * protocol {@link ErrorCode} or a {@link ClientErrorCode}) and `message`,
 * the sentence to show the user. Never a raw fetch or crypto error.
 */
export class AccountError extends Error {
  readonly code: AccountErrorCode;
  readonly status: number | undefined;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AccountErrorCode, options: AccountErrorOptions = {}) {
    super(messageFor(code), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AccountError';
    this.code = code;
    this.status = options.status;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
