import type { DocumentId, DocumentRole, UserId } from '@coffre/protocol';
import { ScopedRepository } from '../storage/TenantScope.ts';

/** A grant to store: the sealed document key of one epoch for one member, signed by its granter. */
export interface NewGrant {
  keyEpoch: number;
  granterUserId: UserId;
  recipientUserId: UserId;
  role: DocumentRole;
  sealedKey: Uint8Array;
  signature: Uint8Array;
}

export interface GrantRow {
  key_epoch: number;
  granter_user_id: UserId;
  recipient_user_id: UserId;
  role: DocumentRole;
  sealed_key: Uint8Array;
  signature: Uint8Array;
}

/** The `key_grants` table: document keys sealed for members, one per epoch and member. */
export class GrantRepository extends ScopedRepository {
  /** Stores the grants, and appends them to the document's grant log (kept when the member is removed). */
  async insert(documentId: DocumentId, grants: readonly NewGrant[]): Promise<void> {
    for (const grant of grants) {
      const values = [
        this.tenant,
        documentId,
        grant.keyEpoch,
        grant.recipientUserId,
        grant.granterUserId,
        grant.role,
        grant.sealedKey,
        grant.signature,
      ];
      for (const table of ['key_grants', 'grant_log']) {
        await this.sql.query(
          `insert into ${table} (tenant_id, document_id, key_epoch, recipient_user_id, granter_user_id, role,
                                 sealed_key, signature)
           values ($1, $2, $3, $4, $5, $6, $7, $8)`,
          values,
        );
      }
    }
  }

  /** Every grant ever stored for the document, removed members' included, in the order they were stored. */
  async log(documentId: DocumentId): Promise<GrantRow[]> {
    return this.sql.query<GrantRow>(
      `select key_epoch, granter_user_id, recipient_user_id, role, sealed_key, signature from grant_log
       where tenant_id = $1 and document_id = $2 order by seq`,
      [this.tenant, documentId],
    );
  }

  /** The recipient's grants of the document, every epoch, oldest epoch first. */
  async listOfRecipient(documentId: DocumentId, recipientUserId: UserId): Promise<GrantRow[]> {
    return this.sql.query<GrantRow>(
      `select key_epoch, granter_user_id, recipient_user_id, role, sealed_key, signature from key_grants
       where tenant_id = $1 and document_id = $2 and recipient_user_id = $3 order by key_epoch`,
      [this.tenant, documentId, recipientUserId],
    );
  }
}
