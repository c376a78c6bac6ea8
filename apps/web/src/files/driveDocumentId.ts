import { toHex } from '@coffre/crypto';
import { type DocumentId, documentId as parseDocumentId } from '@coffre/protocol';

/** The id of the document holding a user's own Drive: the same on every device of the user. */
export async function driveDocumentId(userId: string): Promise<DocumentId> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`coffre-drive:${userId}`));
  return parseDocumentId(`drive-${toHex(new Uint8Array(digest)).slice(0, 32)}`);
}
