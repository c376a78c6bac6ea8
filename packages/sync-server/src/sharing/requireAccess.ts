import { CoffreError, type DocumentId, type DocumentRole, ErrorCode } from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import type { DocumentRepository } from './DocumentRepository.ts';

/** What the relay knows of the caller and a document, read at the start of a transaction. */
export interface DocumentAccess {
  currentEpoch: number;
  role: DocumentRole;
}

/**
 * Who may touch a document: `NOT_FOUND` when it does not exist (in this
 * tenant), `FORBIDDEN` when the caller is not a member, or not an owner and
 * `owner` is asked. `lock` serialises the owner's changes (see
 * {@link DocumentRepository.access}).
 */
export async function requireAccess(
  documents: DocumentRepository,
  session: AccountSession,
  documentId: DocumentId,
  options: { owner?: boolean; lock?: boolean },
): Promise<DocumentAccess> {
  const row = await documents.access(documentId, session.userId, { lock: options.lock ?? false });
  if (!row) throw new CoffreError(ErrorCode.NotFound);
  if (row.role === null) throw new CoffreError(ErrorCode.Forbidden);
  if (options.owner && row.role !== 'owner') {
    throw new CoffreError(ErrorCode.Forbidden, 'Only an owner of the document can do this.');
  }
  return { currentEpoch: row.current_epoch, role: row.role };
}
