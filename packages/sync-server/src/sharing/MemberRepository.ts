import type { DocumentId, DocumentRole, UserId } from '@coffre/protocol';
import { ScopedRepository, textArray } from '../storage/TenantScope.ts';

/** A member with the email the members list shows. */
export interface MemberRow {
  user_id: UserId;
  email: string;
  role: DocumentRole;
}

/** The `document_members` table: who is a member of which document, as what. */
export class MemberRepository extends ScopedRepository {
  async insert(documentId: DocumentId, userId: UserId, role: DocumentRole): Promise<void> {
    await this.sql.query(
      'insert into document_members (tenant_id, document_id, user_id, role) values ($1, $2, $3, $4)',
      [this.tenant, documentId, userId, role],
    );
  }

  /** The document's members with their emails, in the order they were added. */
  async list(documentId: DocumentId): Promise<MemberRow[]> {
    return this.sql.query<MemberRow>(
      `select m.user_id, u.email, m.role from document_members m
       join users u on u.tenant_id = m.tenant_id and u.id = m.user_id
       where m.tenant_id = $1 and m.document_id = $2 order by m.added_at, m.user_id`,
      [this.tenant, documentId],
    );
  }

  /** Every member's role. */
  async roles(documentId: DocumentId): Promise<Map<UserId, DocumentRole>> {
    const rows = await this.sql.query<{ user_id: UserId; role: DocumentRole }>(
      'select user_id, role from document_members where tenant_id = $1 and document_id = $2',
      [this.tenant, documentId],
    );
    return new Map(rows.map((row) => [row.user_id, row.role]));
  }

  /** The user's role in the document, or null when they are not a member (or it does not exist). */
  async roleOf(documentId: DocumentId, userId: UserId): Promise<DocumentRole | null> {
    const [row] = await this.sql.query<{ role: DocumentRole }>(
      'select role from document_members where tenant_id = $1 and document_id = $2 and user_id = $3',
      [this.tenant, documentId, userId],
    );
    return row?.role ?? null;
  }

  /** Removes members; their grants go with their membership (ON DELETE CASCADE). */
  async remove(documentId: DocumentId, userIds: readonly UserId[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.sql.query(
      'delete from document_members where tenant_id = $1 and document_id = $2 and user_id = any($3::text[])',
      [this.tenant, documentId, textArray(userIds)],
    );
  }
}
