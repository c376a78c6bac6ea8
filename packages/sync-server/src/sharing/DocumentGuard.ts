import type { DocumentId, DocumentRole, TenantId, UserId } from '@coffre/protocol';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantScope } from '../storage/TenantScope.ts';
import { LinkRepository } from './LinkRepository.ts';
import { MemberRepository } from './MemberRepository.ts';

/**
 * The sync side's access checks, one statement each: whether a user is a
 * member of a document (and as what), and whether a share link is live.
 * Used when a document connection authenticates.
 */
export class DocumentGuard {
  readonly #scope: TenantScope<{ members: MemberRepository; links: LinkRepository }>;

  constructor(database: SqlDatabase) {
    this.#scope = new TenantScope(database, (sql, tenant) => ({
      members: new MemberRepository(sql, tenant),
      links: new LinkRepository(sql, tenant),
    }));
  }

  /** The user's role in the document, or null when they are not a member (or it does not exist). */
  async memberRole(tenant: TenantId, documentId: DocumentId, userId: UserId): Promise<DocumentRole | null> {
    return this.#scope.run(tenant, ({ members }) => members.roleOf(documentId, userId));
  }

  /** Whether the link exists, belongs to the document and is not revoked. */
  async isLinkLive(tenant: TenantId, linkId: string, documentId: DocumentId): Promise<boolean> {
    return this.#scope.run(tenant, ({ links }) => links.isLive(linkId, documentId));
  }
}
