import type { DeviceId, DocumentRole, TenantId } from '@coffre/protocol';
import type { SqlDatabase } from '../storage/index.ts';

/**
 * The sync side's access checks, one statement each: whether a user is a
 * member of a document (and as what), and whether a share link is live.
 * Used when a document connection authenticates.
 */
export class DocumentGuard {
  readonly #database: SqlDatabase;

  constructor(database: SqlDatabase) {
    this.#database = database;
  }

  /** The user's role in the document, or null when they are not a member (or it does not exist). */
  async memberRole(tenant: TenantId, documentId: string, userId: string): Promise<DocumentRole | null> {
    const rows = await this.#database.withTenant(tenant, (sql) =>
      sql.query<{ role: DocumentRole }>(
        'select role from document_members where tenant_id = $1 and document_id = $2 and user_id = $3',
        [tenant, documentId, userId],
      ),
    );
    return rows[0]?.role ?? null;
  }

  /** Whether the link exists, belongs to the document and is not revoked. */
  async isLinkLive(tenant: TenantId, linkId: string, documentId: string): Promise<boolean> {
    const rows = await this.#database.withTenant(tenant, (sql) =>
      sql.query('select 1 from links where tenant_id = $1 and id = $2 and document_id = $3 and revoked_at is null', [
        tenant,
        linkId,
        documentId,
      ]),
    );
    return rows.length > 0;
  }

  /** A device's signing key (revoked devices too: their entries stay theirs), or null when there is none. */
  async signingKey(tenant: TenantId, device: DeviceId): Promise<Uint8Array | null> {
    const rows = await this.#database.withTenant(tenant, (sql) =>
      sql.query<{ signing_public_key: Uint8Array }>(
        'select signing_public_key from devices where tenant_id = $1 and id = $2',
        [tenant, device],
      ),
    );
    return rows[0]?.signing_public_key ?? null;
  }
}
