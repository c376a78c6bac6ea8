import { toHex } from '@coffre/crypto';
import { type DocumentId, documentId as parseDocumentId } from '@coffre/protocol';

/**
 * Shared folders are documents whose id says so: every member's Files
 * screen lists them, and the documents list leaves them out, without
 * opening them (offline too). The relay learns nothing from the prefix it
 * does not learn already: chunks are stored under the same id.
 */
const PREFIX = 'shared-';

/** A new shared folder's id: the prefix and 128 random bits. */
export function newSharedFolderId(): DocumentId {
  return parseDocumentId(`${PREFIX}${toHex(crypto.getRandomValues(new Uint8Array(16)))}`);
}

export function isSharedFolderId(id: string): boolean {
  return id.startsWith(PREFIX);
}
