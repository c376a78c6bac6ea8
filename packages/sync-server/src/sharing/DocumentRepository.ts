import type { DocumentId, DocumentRole, UserId } from '@coffre/protocol';
import { ScopedRepository } from '../storage/TenantScope.ts';

/** The document's key epoch and the caller's role in it (null when not a member). */
export interface DocumentAccessRow {
  current_epoch: number;
  role: DocumentRole | null;
}

/** A document as its member's list shows it. */
export interface MemberDocumentRow {
  id: DocumentId;
  role: DocumentRole;
  current_epoch: number;
  created_at: Date;
  /** Bytes of the stored envelope (state and updates). */
  size_bytes: bigint;
}

/**
 * The sharing side of the `documents` table: who created a document, its
 * current key epoch, and the documents a user is a member of. (The stored
 * envelope is {@link EnvelopeRepository}'s.)
 */
export class DocumentRepository extends ScopedRepository {
  /** Inserts the document at key epoch 0; resolves with its creation time, or null when the id is taken. */
  async insert(documentId: DocumentId, createdBy: UserId): Promise<Date | null> {
    const [row] = await this.sql.query<{ created_at: Date }>(
      `insert into documents (tenant_id, id, created_by) values ($1, $2, $3)
       on conflict (tenant_id, id) do nothing returning created_at`,
      [this.tenant, documentId, createdBy],
    );
    return row?.created_at ?? null;
  }

  /**
   * The document's current epoch and `userId`'s role, or undefined when the
   * document does not exist. `lock` holds `FOR NO KEY UPDATE` on the
   * document row until the transaction ends: an owner's changes run one
   * after the other while appends of updates (`FOR KEY SHARE`) go on.
   */
  async access(
    documentId: DocumentId,
    userId: UserId,
    options: { lock?: boolean } = {},
  ): Promise<DocumentAccessRow | undefined> {
    const [row] = await this.sql.query<DocumentAccessRow>(
      `select d.current_epoch, m.role from documents d
       left join document_members m on m.tenant_id = d.tenant_id and m.document_id = d.id and m.user_id = $3
       where d.tenant_id = $1 and d.id = $2${options.lock ? ' for no key update of d' : ''}`,
      [this.tenant, documentId, userId],
    );
    return row;
  }

  /** The documents `userId` is a member of, oldest first, with their stored size. */
  async listOfMember(userId: UserId): Promise<MemberDocumentRow[]> {
    return this.sql.query<MemberDocumentRow>(
      `select d.id, m.role, d.current_epoch, d.created_at,
              coalesce((select octet_length(s.state) from document_states s
                        where s.tenant_id = d.tenant_id and s.document_id = d.id), 0)::int8
            + coalesce((select sum(octet_length(u.data)) from document_updates u
                        where u.tenant_id = d.tenant_id and u.document_id = d.id), 0)::int8 as size_bytes
       from document_members m
       join documents d on d.tenant_id = m.tenant_id and d.id = m.document_id
       where m.tenant_id = $1 and m.user_id = $2
       order by d.created_at, d.id`,
      [this.tenant, userId],
    );
  }

  /** Moves the document to `epoch`. */
  async setEpoch(documentId: DocumentId, epoch: number): Promise<void> {
    await this.sql.query(
      'update documents set current_epoch = $3, updated_at = now() where tenant_id = $1 and id = $2',
      [this.tenant, documentId, epoch],
    );
  }

  /** Deletes the document; states, updates, members, grants, links and link keys go by ON DELETE CASCADE. */
  async delete(documentId: DocumentId): Promise<void> {
    await this.sql.query('delete from documents where tenant_id = $1 and id = $2', [this.tenant, documentId]);
  }
}
