import type { DocumentId, LinkId, UserId } from '@coffre/protocol';
import { ScopedRepository, textArray } from '../storage/TenantScope.ts';

export type LinkRole = 'viewer' | 'editor';

/** A link to store; `password` only for a password-protected one. */
export interface NewLink {
  id: string;
  documentId: DocumentId;
  role: LinkRole;
  verifier: Uint8Array;
  password: { salt: Uint8Array; kdf: { opsLimit: number; memLimit: number } } | null;
  createdBy: UserId;
}

/** A live link as the owner's list shows it. */
export interface LinkRow {
  /** Inserted only from a request that passed `LinkIdSchema`. */
  id: LinkId;
  role: LinkRole;
  password_salt: Uint8Array | null;
  created_at: Date;
}

/** What a link session needs of a live link, with its document's current epoch. */
export interface LinkSessionRow {
  document_id: DocumentId;
  role: LinkRole;
  verifier: Uint8Array;
  password_salt: Uint8Array | null;
  kdf_ops: number | null;
  kdf_mem: number | null;
  current_epoch: number;
}

/** A document key sealed for a link. */
export interface LinkKey {
  keyEpoch: number;
  sealedKey: Uint8Array;
}

/**
 * The `links` and `link_keys` tables: share links of documents (only the
 * hash of their access proof) and the document keys sealed for each.
 */
export class LinkRepository extends ScopedRepository {
  /** Inserts the link; resolves with its creation time, or null when the id is taken. */
  async insert(link: NewLink): Promise<Date | null> {
    const [row] = await this.sql.query<{ created_at: Date }>(
      `insert into links (tenant_id, id, document_id, role, verifier, password_salt, kdf_ops, kdf_mem, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (tenant_id, id) do nothing returning created_at`,
      [
        this.tenant,
        link.id,
        link.documentId,
        link.role,
        link.verifier,
        link.password?.salt ?? null,
        link.password?.kdf.opsLimit ?? null,
        link.password?.kdf.memLimit ?? null,
        link.createdBy,
      ],
    );
    return row?.created_at ?? null;
  }

  async insertKeys(linkId: string, keys: readonly LinkKey[]): Promise<void> {
    for (const key of keys) {
      await this.sql.query(
        'insert into link_keys (tenant_id, link_id, key_epoch, sealed_key) values ($1, $2, $3, $4)',
        [this.tenant, linkId, key.keyEpoch, key.sealedKey],
      );
    }
  }

  /** The document's live (not revoked) links, oldest first. */
  async listLive(documentId: DocumentId): Promise<LinkRow[]> {
    return this.sql.query<LinkRow>(
      `select id, role, password_salt, created_at from links
       where tenant_id = $1 and document_id = $2 and revoked_at is null order by created_at, id`,
      [this.tenant, documentId],
    );
  }

  /** The ids of the document's live links. */
  async liveIds(documentId: DocumentId): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      'select id from links where tenant_id = $1 and document_id = $2 and revoked_at is null',
      [this.tenant, documentId],
    );
    return rows.map((row) => row.id);
  }

  /** Whether the link exists, belongs to the document and is not revoked. */
  async isLive(linkId: string, documentId: DocumentId): Promise<boolean> {
    const rows = await this.sql.query(
      'select 1 from links where tenant_id = $1 and id = $2 and document_id = $3 and revoked_at is null',
      [this.tenant, linkId, documentId],
    );
    return rows.length > 0;
  }

  /** Marks links revoked and deletes their sealed keys (nothing is left to open with them). */
  async revoke(linkIds: readonly string[]): Promise<void> {
    if (linkIds.length === 0) return;
    await this.sql.query('update links set revoked_at = now() where tenant_id = $1 and id = any($2::text[])', [
      this.tenant,
      textArray(linkIds),
    ]);
    await this.sql.query('delete from link_keys where tenant_id = $1 and link_id = any($2::text[])', [
      this.tenant,
      textArray(linkIds),
    ]);
  }

  /** A live link with its verifier, password parameters and document's current epoch. */
  async liveForSession(linkId: string): Promise<LinkSessionRow | undefined> {
    const [row] = await this.sql.query<LinkSessionRow>(
      `select l.document_id, l.role, l.verifier, l.password_salt, l.kdf_ops, l.kdf_mem, d.current_epoch
       from links l join documents d on d.tenant_id = l.tenant_id and d.id = l.document_id
       where l.tenant_id = $1 and l.id = $2 and l.revoked_at is null`,
      [this.tenant, linkId],
    );
    return row;
  }

  /** The keys sealed for the link, oldest epoch first. */
  async keys(linkId: string): Promise<LinkKey[]> {
    const rows = await this.sql.query<{ key_epoch: number; sealed_key: Uint8Array }>(
      'select key_epoch, sealed_key from link_keys where tenant_id = $1 and link_id = $2 order by key_epoch',
      [this.tenant, linkId],
    );
    return rows.map((row) => ({ keyEpoch: row.key_epoch, sealedKey: row.sealed_key }));
  }
}
