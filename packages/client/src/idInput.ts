import {
  type DeviceId,
  type DocumentId,
  type LinkId,
  deviceId,
  documentId,
  isValidId,
  isValidLinkId,
  linkId,
} from '@coffre/protocol';
import { AccountError } from './account/AccountError.ts';

/*
 * Ids a person typed (a form, a command line argument, a URL): branded here,
 * at the edge, with the same `AccountError` the workspace gives for a bad
 * one, so apps report it as they always did. JSON from the relay is branded
 * with the protocol's constructors instead.
 */

/** A document id, or `INVALID_DOCUMENT_NAME`. */
export function documentIdFromInput(value: string): DocumentId {
  if (!isValidId(value)) {
    throw new AccountError('INVALID_DOCUMENT_NAME', { detail: "use 1-64 letters, digits, '-' or '_'" });
  }
  return documentId(value);
}

/** A share link's id (as `coffre link list` shows it), or `VALIDATION_FAILED`. */
export function linkIdFromInput(value: string): LinkId {
  if (!isValidLinkId(value)) {
    throw new AccountError('VALIDATION_FAILED', { detail: 'a link id is 32 hexadecimal characters' });
  }
  return linkId(value);
}

/** A device id (as the device list shows it), or `VALIDATION_FAILED`. */
export function deviceIdFromInput(value: string): DeviceId {
  if (!isValidId(value)) throw new AccountError('VALIDATION_FAILED', { detail: 'not a device id' });
  return deviceId(value);
}
