import { AccountError } from '@coffre/client';
import { WrongPasswordError } from '../session/SessionVault.ts';

/**
 * The sentence to show for a failure: the AccountError's own sentence
 * (from ERROR_MESSAGES / CLIENT_ERROR_MESSAGES), with the wait when the relay
 * asks for one, and never a stack trace or a raw exception name.
 */
/** Codes whose detail (a field, a size) tells the person more than the sentence alone. */
const DETAILED_CODES: ReadonlySet<string> = new Set(['VALIDATION_FAILED', 'FILE_TOO_LARGE', 'QUOTA_EXCEEDED']);

export function describeError(error: unknown): string {
  if (error instanceof AccountError) {
    if (error.code === 'RATE_LIMITED' && error.retryAfterSeconds !== undefined) {
      const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds));
      return `${error.message} Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
    }
    if (DETAILED_CODES.has(error.code) && error.detail) return `${error.message} (${error.detail})`;
    return error.message;
  }
  if (error instanceof WrongPasswordError) return error.message;
  if (error instanceof DOMException && error.name === 'QuotaExceededError') {
    return 'This browser has no room left to store your session. Free some space and try again.';
  }
  return 'Something went wrong in this app. Reload the page and try again.';
}
