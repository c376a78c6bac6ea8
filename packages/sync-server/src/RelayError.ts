import { type ErrorCode, ERROR_MESSAGES } from '@coffre/protocol';

/**
 * Thrown from relay hooks. Hocuspocus closes the document connection with
 * the numeric `code` and sends `reason` to the provider; `reason` is always
 * one of the documented {@link ErrorCode}s so clients can show it in words.
 */
export class RelayError extends Error {
  readonly code: number;
  readonly reason: ErrorCode;

  constructor(closeCode: number, reason: ErrorCode, message: string = ERROR_MESSAGES[reason]) {
    super(message);
    this.name = 'RelayError';
    this.code = closeCode;
    this.reason = reason;
  }
}
