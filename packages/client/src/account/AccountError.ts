import { type ErrorCode, ERROR_MESSAGES, isErrorCode } from '@coffre/protocol';

/**
 * Failures that happen on the client side of the account and sharing APIs
 * and so have no relay error code.
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
  /** A known contact's identity keys differ from the ones first seen: compare safety numbers, then accept. */
  ContactKeyChanged: 'CONTACT_KEY_CHANGED',
  /** No member of the organisation has this email address. */
  UnknownContact: 'UNKNOWN_CONTACT',
  /** A key grant did not verify against its granter's identity key, or did not open. */
  GrantRejected: 'GRANT_REJECTED',
  /** The relay holds no usable key of the document's current epoch for this user. */
  NoDocumentKey: 'NO_DOCUMENT_KEY',
  /** A share link is cut off or not a link at all. */
  LinkInvalid: 'LINK_INVALID',
  /** A share link is protected by a password and none was given. */
  LinkPasswordRequired: 'LINK_PASSWORD_REQUIRED',
  /** The password given for a share link does not open its keys. */
  LinkPasswordWrong: 'LINK_PASSWORD_WRONG',
  /** The relay does not know the link (any more): revoked, or its document deleted. */
  LinkUnavailable: 'LINK_UNAVAILABLE',
  /**
   * A file over the largest size the organisation allows in the Drive (`maxFileBytes` of
   * `GET .../drive/usage`): refused on the device before anything is sent, since the relay sees
   * chunks, never files.
   */
  FileTooLarge: 'FILE_TOO_LARGE',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export type AccountErrorCode = ErrorCode | ClientErrorCode;

export const CLIENT_ERROR_MESSAGES: Record<ClientErrorCode, string> = {
  RELAY_UNREACHABLE: 'The relay could not be reached. Check the address and your connection.',
  INVALID_RESPONSE: 'The relay sent an answer this app does not understand.',
  KEY_BUNDLE_INVALID: 'Your keys stored on the relay could not be opened. They may have been altered.',
  WEAK_KDF_PARAMETERS: 'The relay asked for weaker password protection than this app accepts.',
  CONTACT_KEY_CHANGED:
    "This person's security keys have changed. Compare safety numbers with them and accept the new keys before sharing.",
  UNKNOWN_CONTACT: 'Nobody in this organisation has that email address.',
  GRANT_REJECTED: 'A document key from the relay did not verify and was refused.',
  NO_DOCUMENT_KEY: 'You have no key for the current version of this document. Ask its owner to share it again.',
  LINK_INVALID: 'This link is incomplete or not valid.',
  LINK_PASSWORD_REQUIRED: 'This link is protected by a password.',
  LINK_PASSWORD_WRONG: 'The password for this link is not correct.',
  LINK_UNAVAILABLE: 'This link does not work any more: it was revoked, or the document was deleted.',
  FILE_TOO_LARGE: 'This file is larger than your organisation allows in the Drive.',
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
 * What every {@link AccountClient} and {@link Workspace} method rejects with: a stable `code` (a
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
